# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared argument specs; each is mirrored 1:1 by a doc fragment in plugins/doc_fragments/."""

from __future__ import annotations

import copy

# doc fragment: gitops.k8s.kube_auth (kubernetes.core's names, aliases and no_log; env fallbacks in _adapters/kube_auth.py)
KUBE_AUTH = {
    "kubeconfig": {"type": "raw", "no_log": True},  # a path or an inline dict, which holds credentials
    "context": {"type": "str"},
    "host": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["cert_file"]},
    "client_key": {"type": "path", "aliases": ["key_file"]},
    "proxy": {"type": "str"},
    "no_proxy": {"type": "str"},
    "proxy_headers": {
        "type": "dict",
        "options": {
            "proxy_basic_auth": {"type": "str", "no_log": True},
            "basic_auth": {"type": "str", "no_log": True},
            "user_agent": {"type": "str"},
        },
    },
    "persist_config": {"type": "bool"},
    "impersonate_user": {"type": "str"},
    "impersonate_groups": {"type": "list", "elements": "str"},
    "request_timeout": {"type": "float"},
}

# doc fragment: gitops.k8s.render
RENDER = {
    "renderer": {"type": "str", "default": "auto", "choices": ["auto", "directory", "kustomize", "helm"]},
    "kustomize_binary": {"type": "str"},
    "helm_binary": {"type": "str"},
}

# doc fragment: gitops.k8s.decryption
# (key file paths and a Secret's name, not key material: no_log False says so)
DECRYPTION = {
    "decryption_key_files": {"type": "list", "elements": "path", "default": [], "no_log": False},
    "decryption_secret": {"type": "str", "no_log": False},
    "vault_password_file": {"type": "path", "no_log": False},  # a path, not the password
    "sops_binary": {"type": "path"},
}


def compose(*specs, **extra):
    """A fresh argument spec made of shared specs plus module-specific options."""
    out = {}
    for spec in specs:
        out.update(copy.deepcopy(spec))
    out.update(extra)
    return out
