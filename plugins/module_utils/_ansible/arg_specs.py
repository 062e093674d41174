# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared argument specs; each is mirrored 1:1 by a doc fragment in plugins/doc_fragments/."""

from __future__ import annotations

import copy

# doc fragment: gitops.k8s.kube_auth
KUBE_AUTH = {
    "kubeconfig": {"type": "path"},
    "context": {"type": "str"},
    "host": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool"},
    "ca_cert": {"type": "path"},
    "request_timeout": {"type": "float"},
}

# doc fragment: gitops.k8s.render
RENDER = {
    "renderer": {"type": "str", "default": "auto", "choices": ["auto", "directory", "kustomize", "helm"]},
    "kustomize_binary": {"type": "str"},
    "helm_binary": {"type": "str"},
}


def compose(*specs, **extra):
    """A fresh argument spec made of shared specs plus module-specific options."""
    out = {}
    for spec in specs:
        out.update(copy.deepcopy(spec))
    out.update(extra)
    return out
