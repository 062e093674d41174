# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file.
      - Defaults to E(K8S_AUTH_KUBECONFIG), then E(KUBECONFIG), then C(~/.kube/config).
      - Inside a Pod with no kubeconfig, the Pod's service account is used.
    type: path
  context:
    description: Kubeconfig context to use (default the current one).
    type: str
  host:
    description: API server URL; with O(api_key) this replaces the kubeconfig.
    type: str
  api_key:
    description: Bearer token for O(host).
    type: str
  validate_certs:
    description: Verify the API server's TLS certificate (default from the kubeconfig).
    type: bool
  ca_cert:
    description: CA bundle to verify the API server with.
    type: path
requirements:
  - kubernetes >= 24.2.0 (Python library)
"""
