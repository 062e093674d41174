# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions taken before an Application is reconciled: what happens to the CRD, what
check mode may write, what a ``definition`` becomes.

gitops.k8s.app may install the CRD and declare the Application it then reconciles; in
check mode it must write nothing and still say what it would change. These choices are
policy, so they live here, table-tested; _ansible/app_wiring.py (load_app) only performs them
against the cluster.
"""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND, DEFAULT_APP_NAMESPACE
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, GitOpsError

INSTALL_CRD = "install"  # written when missing or different (install_crd)
PROBE_CRD = "probe"  # check mode: only whether it would be installed
KEEP_CRD = ""  # install_crd=false: the CRD is the bootstrap's business


def crd_step(install_crd, check_mode):
    """What happens to the Application CRD before the Application is read."""
    if not install_crd:
        return KEEP_CRD
    return PROBE_CRD if check_mode else INSTALL_CRD


def definition_without_crd(check_mode, definition):
    """The CRD is not served: nothing can be read or declared. In check mode a given
    definition is its own answer (it would be declared: changed); else a ClusterError
    says how to install the CRD."""
    if not (check_mode and definition):
        raise ClusterError("the Application CRD is not installed (run the gitops.k8s.bootstrap playbook or set install_crd)")
    return True


def ends_at_new_namespace(check_mode, namespace_created):
    """In check mode, a namespace that would be created holds no Application yet, and a
    dry-run declaration into it would fail: the definition is the answer (changed)."""
    return bool(check_mode and namespace_created)


def normalized_definition(definition, name=None, namespace=None):
    """A ``definition`` with apiVersion, kind, name and namespace filled in from the
    module's parameters; anything but our Application kind is refused."""
    obj = copy.deepcopy(definition)
    obj.setdefault("apiVersion", APP_API_VERSION)
    obj.setdefault("kind", APP_KIND)
    meta = obj.setdefault("metadata", {})
    meta.setdefault("name", name)
    meta.setdefault("namespace", namespace or DEFAULT_APP_NAMESPACE)
    if obj["kind"] != APP_KIND or obj["apiVersion"] != APP_API_VERSION:
        raise GitOpsError("definition must be a %s %s" % (APP_API_VERSION, APP_KIND))
    return obj
