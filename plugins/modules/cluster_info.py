#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cluster_info
short_description: Read the Kubernetes server version and the API versions it serves
version_added: 1.0.0
description:
  - Returns the API server's version and, from discovery, every group version it serves.
  - For each kind in O(kinds), returns the apiVersions that serve it, preferred first (GA, then beta,
    then alpha, newest first), so a playbook can pick for example C(batch/v1) for a CronJob on a
    recent cluster and C(batch/v1beta1) on a v1.20 one.
  - Read-only; three discovery requests plus the client's own discovery.
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.kube_auth
  - gitops.k8s.attributes
  - gitops.k8s.attributes.read_only
options:
  kinds:
    description: Kinds to look up (for example C(CronJob), C(PodDisruptionBudget)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Find the API version of CronJob
  gitops.k8s.cluster_info:
    kinds: [CronJob]
  register: cluster

- name: Use it
  ansible.builtin.debug:
    msg: "CronJob is served as {{ cluster.kinds.CronJob[0] }}"
"""

RETURN = r"""
version:
  description: The API server's version.
  returned: always
  type: dict
  contains:
    major:
      description: Major version.
      type: str
    minor:
      description: Minor version (may end with C(+) on some distributions).
      type: str
    git_version:
      description: Full version string.
      type: str
  sample: {"major": "1", "minor": "20", "git_version": "v1.20.2"}
api_versions:
  description: Every group version the API server serves, sorted.
  returned: always
  type: list
  elements: str
  sample: ["apps/v1", "batch/v1", "batch/v1beta1", "v1"]
kinds:
  description:
    - One key per kind of O(kinds) (a map, not fixed keys), whose value is the list of apiVersions
      serving that kind, preferred first (empty when not served).
  returned: always
  type: dict
  sample: {"CronJob": ["batch/v1", "batch/v1beta1"]}
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import arg_specs, runner
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule


def main():
    spec = arg_specs.compose(arg_specs.KUBE_AUTH, kinds={"type": "list", "elements": "str", "default": []})
    module = GitOpsModule(argument_spec=spec, supports_check_mode=True)
    module.execute(runner.run_cluster_info)


if __name__ == "__main__":
    main()
