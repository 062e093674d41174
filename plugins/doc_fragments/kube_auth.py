# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig itself as a dictionary (an inline kubeconfig is never printed).
      - Several paths separated by V(:) (V(;) on Windows) are merged, as C(kubectl) merges E(KUBECONFIG).
      - Defaults to E(K8S_AUTH_KUBECONFIG), then E(KUBECONFIG), then C(~/.kube/config).
      - Inside a Pod with no kubeconfig and no O(context), the Pod's service account is used.
    type: raw
  context:
    description: Kubeconfig context to use (default E(K8S_AUTH_CONTEXT), else the current one).
    type: str
  host:
    description:
      - API server URL; with O(api_key), O(username) and O(password), or O(client_cert) and O(client_key), no
        kubeconfig is read.
      - Defaults to E(K8S_AUTH_HOST) (set by AWX's Kubernetes bearer token credential).
    type: str
  api_key:
    description: Bearer token for O(host) (default E(K8S_AUTH_API_KEY)).
    type: str
  username:
    description:
      - Username for HTTP basic authentication (default E(K8S_AUTH_USERNAME)), sent with O(password).
      - Kubernetes API servers no longer accept basic authentication (removed in 1.19); an authenticating proxy in
        front of one may.
      - O(api_key) wins when both are given.
    type: str
  password:
    description: Password for HTTP basic authentication with O(username) (default E(K8S_AUTH_PASSWORD)).
    type: str
  client_cert:
    description: Client certificate to authenticate with (default E(K8S_AUTH_CERT_FILE) or E(K8S_AUTH_CLIENT_CERT)).
    type: path
    aliases: [cert_file]
  client_key:
    description: Key of O(client_cert) (default E(K8S_AUTH_KEY_FILE) or E(K8S_AUTH_CLIENT_KEY)).
    type: path
    aliases: [key_file]
  validate_certs:
    description:
      - Verify the API server's TLS certificate (default E(K8S_AUTH_VERIFY_SSL) or E(K8S_AUTH_VALIDATE_CERTS), else the
        kubeconfig's setting).
      - In those variables V(0), V(false), V(no) and V(off) are false, any other value true.
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - CA bundle to verify the API server with; the full chain (default E(K8S_AUTH_SSL_CA_CERT) or
        E(K8S_AUTH_CA_CERT)).
    type: path
    aliases: [ssl_ca_cert]
  proxy:
    description:
      - URL of an HTTP proxy to reach the API server through (default E(K8S_AUTH_PROXY)).
      - E(HTTP_PROXY) and E(HTTPS_PROXY) are not read.
    type: str
  no_proxy:
    description:
      - Comma-separated hosts, domains, IP addresses or CIDRs reached without O(proxy) (default E(K8S_AUTH_NO_PROXY)),
        for example V(localhost,.local,127.0.0.1,10.0.0.0/8).
      - E(NO_PROXY) is not read.
    type: str
  proxy_headers:
    description:
      - Headers sent to O(proxy).
      - Each suboption defaults to E(K8S_AUTH_PROXY_HEADERS_<SUBOPTION>), for example
        E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH).
    type: dict
    suboptions:
      proxy_basic_auth:
        description: V(username:password) for the proxy's basic authentication (C(Proxy-Authorization) header).
        type: str
      basic_auth:
        description: V(username:password) for a basic C(Authorization) header to the proxy.
        type: str
      user_agent:
        description: C(User-Agent) header, such as V(gitops/1.0).
        type: str
  persist_config:
    description:
      - Write refreshed credentials (an OIDC refresh token, for example) back to the O(kubeconfig) file (default
        E(K8S_AUTH_PERSIST_CONFIG), else V(false)).
      - Without it a refresh token that the client rotated may have expired by the next run.
    type: bool
  impersonate_user:
    description:
      - User to act as (C(Impersonate-User) header; default E(K8S_AUTH_IMPERSONATE_USER)).
      - The credentials used must be allowed to C(impersonate) that user; every read and write is then authorized as
        that user, so an agent can run with the rights of one team.
    type: str
  impersonate_groups:
    description:
      - Groups to act as (one C(Impersonate-Group) header each; default E(K8S_AUTH_IMPERSONATE_GROUPS), comma-separated,
        for example V(Group1,Group2)).
    type: list
    elements: str
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
notes:
  - The options and their E(K8S_AUTH_*) variables are those of the C(kubernetes.core) collection, so its
    C(module_defaults) and AWX credentials work unchanged. Set them once for all modules with
    C(module_defaults) and the action group C(group/gitops.k8s.k8s).
"""
