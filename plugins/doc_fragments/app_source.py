# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  checkout_dir:
    description:
      - Local checkout used by Applications whose C(spec.source.repoURL) is omitted (directly or
        through the Application that declared them), that is the repository ansible-pull just pulled.
    type: path
  git_cache_dir:
    description: Cache of fetched repositories (see M(gitops.k8s.git_source)).
    type: path
    default: ~/.cache/gitops-k8s/git
  run_id:
    description:
      - Identifier of this reconcile run. Repositories already fetched under the same run id are
        not fetched again, so a run fetches each repository once for all its Applications.
    type: str
  repo_credentials:
    description:
      - Credentials for repositories, matched by exact C(url) (V(*) matches any repository).
      - Values are never logged nor returned.
    type: list
    elements: dict
    default: []
    suboptions:
      url:
        description: Repository URL the credentials are for, or V(*).
        type: str
        required: true
      ssh_key:
        description: Private SSH key (text).
        type: str
      known_hosts:
        description: C(known_hosts) lines for SSH host verification.
        type: str
      username:
        description: HTTPS user name.
        type: str
      password:
        description: HTTPS password.
        type: str
      token:
        description: HTTPS token (sent as basic auth with the user C(x-access-token) unless O(repo_credentials[].username) is set).
        type: str
"""
