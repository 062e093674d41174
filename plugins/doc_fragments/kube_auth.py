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
    description: Kubeconfig context to use (default E(K8S_AUTH_CONTEXT), else the current one).
    type: str
  host:
    description:
      - API server URL; with O(api_key) this replaces the kubeconfig.
      - Defaults to E(K8S_AUTH_HOST) (set by AWX's Kubernetes bearer token credential).
    type: str
  api_key:
    description: Bearer token for O(host) (default E(K8S_AUTH_API_KEY)).
    type: str
  validate_certs:
    description: Verify the API server's TLS certificate (default E(K8S_AUTH_VERIFY_SSL), else the kubeconfig's setting).
    type: bool
  ca_cert:
    description: CA bundle to verify the API server with (default E(K8S_AUTH_SSL_CA_CERT)).
    type: path
  request_timeout:
    description:
      - Seconds every request to the API server (discovery, reads, dry-runs, writes, status and Lease updates)
        may wait to connect, and then for the answer. Defaults to E(K8S_AUTH_REQUEST_TIMEOUT), else V(30).
      - 30 seconds is far longer than a healthy API server takes (a LIST page of 500 objects or a server-side
        apply answers in well under a second; admission webhooks time out after 10 seconds unless they say
        otherwise) and short enough that a hung API server fails the run instead of hanging it.
      - A request that times out, or whose connection is refused or reset, fails with a message saying so;
        it is not retried (the next run tries again). When the API server does not answer C(/readyz) either,
        it is taken for hung and the rest of the module run sends no more requests, so the run ends at once.
    type: float
requirements:
  - kubernetes >= 29.0.0 (Python library)
"""
