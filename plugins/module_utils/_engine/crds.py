# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for a CustomResourceDefinition to become Established.

Two callers need it: the Application CRD installed by a module, and a CRD created by a
sync before its custom resources. One loop serves both so they agree on what counts as
ready (the CRD's health check: Established, or names refused) and on how often to ask.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CRD_API_VERSION, CRD_KIND, CRD_POLL_INTERVAL, HEALTHY


def wait_established(cluster, clock, name, timeout):
    """True once the CRD ``name`` is Established (discovery refreshed, so its kind resolves),
    False when ``timeout`` seconds passed first. The caller raises its own error: what
    failed (installing the Application CRD, applying one object) is its to say."""
    crd_type = cluster.resolve(CRD_API_VERSION, CRD_KIND)
    deadline = clock.now() + timeout
    while health.assess(cluster.get(crd_type, None, name)).status != HEALTHY:
        if clock.now() >= deadline:
            return False
        clock.sleep(CRD_POLL_INTERVAL)
    cluster.refresh_discovery()
    return True
