#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: git_source
short_description: Fetch a Git repository at a ref into a local cache and return the resolved commit
version_added: 1.0.0
description:
  - Fetches O(repo) at O(version) into a per-repository cache below O(cache_dir) and exports
    the tree of the resolved commit into a directory that is never modified afterwards (RV(path)).
  - Fetches are shallow (O(depth)) where the ref allows it; a short commit SHA fetches full history.
  - With O(run_id), a ref already fetched under the same run id is reused without network access,
    so one reconcile run fetches each repository once, however many tasks or Applications use it.
  - Credentials never appear in the command line of C(git), in the cached remote URL, in messages
    or in the returned values. An SSH key is written to a temporary file readable only by the
    current user and removed afterwards; HTTPS credentials are passed to C(git) as an
    C(Authorization) header through its environment.
  - Concurrent runs sharing O(cache_dir) are safe (a file lock per repository).
author:
  - gitops.k8s contributors (@gitops-k8s)
requirements:
  - git (the command line tool) on the managed node
  - gpg when O(verify_commit=true) (GPG-signed commits)
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
    details:
      - In check mode the module still fetches into the cache and resolves the commit, so that a
        check-mode reconcile plans against the commit a real run would deploy. The cache belongs
        to the collection, not to the user, so nothing the user owns changes.
      - Check mode records nothing. The cache state (commit and previous commit of O(version))
        and the trees of earlier runs stay as they were, so the next real run reports the same
        change the check predicted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details:
      - The diff shows the previous and the new commit of O(version).
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
options:
  repo:
    description:
      - URL of the repository (C(https://), C(http://), C(ssh://), C(git@host:path), C(git://), C(file://) or an
        absolute path).
      - Values git would read as an option (C(--upload-pack=...), an ssh host or user starting with C(-)), remote
        helper transports (C(ext::), C(fd::), any C(<transport>::)), and URLs with whitespace, control characters or
        C(..) segments are refused; git runs with only the transports above enabled.
      - Do not embed credentials in the URL (they would show in task logs); use O(token),
        O(username)/O(password) or O(ssh_key). Credentials found in the URL are stripped from
        the cache key, the stored remote and the results.
    type: str
    required: true
  repo_url_rewrites:
    description:
      - Fetch O(repo) from a mirror or an air-gapped copy, like git's C(url.<base>.insteadOf), with the same rules as
        the O(gitops.k8s.app#module:repo_url_rewrites) option of M(gitops.k8s.app) (the longest matching prefix wins).
      - RV(repo) stays the URL given; RV(fetched_url) names the one fetched.
    type: dict
    default: {}
  version:
    description:
      - Branch, tag, full or abbreviated commit SHA, or V(HEAD) for the default branch.
    type: str
    default: HEAD
  cache_dir:
    description:
      - Directory of the cache. Each repository gets a sub-directory named after the sha256 of
        its credential-free URL, holding a bare repository, the exported trees (the newest few
        are kept) and a state file recording the previous commit of each ref.
    type: path
    default: ~/.cache/gitops-k8s/git
  depth:
    description:
      - Depth of shallow fetches. V(0) fetches the full history.
    type: int
    default: 1
  ssh_key:
    description:
      - Private SSH key (the text, not a path) for C(ssh://) and C(git@host:path) URLs.
      - Without O(known_hosts), unknown host keys are accepted on first use
        (C(StrictHostKeyChecking=accept-new)).
    type: str
  known_hosts:
    description:
      - Lines in C(known_hosts) format for the Git server. When set, the server's key must match
        (C(StrictHostKeyChecking=yes)).
    type: str
  username:
    description:
      - User name for HTTPS authentication (with O(password) or O(token)).
      - With O(token) alone the user name V(x-access-token) is sent.
    type: str
  password:
    description:
      - Password for HTTPS authentication.
    type: str
  token:
    description:
      - Access token for HTTPS authentication (sent as HTTP basic authentication).
    type: str
  verify_commit:
    description:
      - Require a valid signature on the resolved commit (C(git verify-commit)). When the check
        fails the module fails and the tree is not exported.
    type: bool
    default: false
  gnupg_home:
    description:
      - GnuPG home directory holding the trusted public keys for O(verify_commit).
      - Defaults to the GnuPG default of the user running the module.
    type: path
  run_id:
    description:
      - Identifier of the current reconcile run. A ref already fetched under the same run id is
        reused without network access.
    type: str
  timeout:
    description:
      - Seconds allowed to each C(git) command, and to waiting for the cache lock.
      - A stalled HTTP(S) transfer (under 1000 bytes/s for 30 s) and an SSH server that does not answer
        (30 s to connect, 2 keepalives 15 s apart) fail sooner.
    type: int
    default: 120
notes:
  - The module is idempotent in the GitOps sense; C(changed) is V(true) when the commit of
    O(version) differs from the one recorded by the previous run (always on the first run).
seealso:
  - plugin: gitops.k8s.manifests
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Fetch the main branch of a public repository
  gitops.k8s.git_source:
    repo: https://git.example.com/platform/gitops.git
    version: main
  register: source

- name: Render what it holds
  ansible.builtin.debug:
    msg: "{{ lookup('gitops.k8s.manifests', 'apps/web', root=source.path) | length }} objects at {{ source.commit }}"

- name: Private repository over SSH, pinned host key, signed commits only
  gitops.k8s.git_source:
    repo: git@git.example.com:platform/gitops.git
    version: v1.4.0
    ssh_key: "{{ vault_gitops_deploy_key }}"
    known_hosts: "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample"
    verify_commit: true
    gnupg_home: /etc/gitops-k8s/gnupg

- name: HTTPS with a token, fetched once per reconcile run
  gitops.k8s.git_source:
    repo: https://git.example.com/platform/gitops.git
    token: "{{ vault_gitops_token }}"
    run_id: "{{ gitops_run_id }}"
"""

RETURN = r"""
repo:
  description: The repository URL without credentials.
  returned: always
  type: str
  sample: https://git.example.com/platform/gitops.git
fetched_url:
  description: The URL fetched instead of RV(repo) when a O(repo_url_rewrites) rule applied (without credentials), else empty.
  returned: always
  type: str
  sample: https://git-mirror.example.com/platform/gitops.git
version:
  description: The ref that was asked for.
  returned: always
  type: str
  sample: main
commit:
  description: The resolved commit SHA.
  returned: always
  type: str
  sample: 3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c
previous_commit:
  description: The commit of O(version) recorded by the previous run; V(null) on the first run.
  returned: always
  type: str
  sample: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
path:
  description: Directory holding the exported tree of RV(commit). Treat it as read-only.
  returned: always
  type: str
  sample: /home/gitops/.cache/gitops-k8s/git/5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8/trees/3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c
fetched:
  description: Whether the network was used (V(false) when reused within the same O(run_id)).
  returned: always
  type: bool
  sample: true
verified:
  description: Whether the commit signature was verified.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import runner


def argument_spec():
    return dict(
        repo=dict(type="str", required=True),
        version=dict(type="str", default="HEAD"),
        cache_dir=dict(type="path", default="~/.cache/gitops-k8s/git"),
        depth=dict(type="int", default=1),
        ssh_key=dict(type="str", no_log=True),
        known_hosts=dict(type="str"),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        token=dict(type="str", no_log=True),
        verify_commit=dict(type="bool", default=False),
        gnupg_home=dict(type="path"),
        run_id=dict(type="str"),
        timeout=dict(type="int", default=runner.GIT_TIMEOUT),
        repo_url_rewrites=dict(type="dict", default={}),
    )


def main():
    module = runner.GitSourceModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("password", "token")],
    )
    module.execute(runner.run_git_source)


if __name__ == "__main__":
    main()
