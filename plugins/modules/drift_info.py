#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: drift_info
short_description: Compare desired objects with the live cluster, read-only
version_added: 1.0.0
description:
  - For each object reports C(Synced), C(OutOfSync), C(Missing) (desired, not in the cluster) or
    C(Extra) (in the previous inventory, gone from the desired set), with a unified diff.
  - No false drift from server defaults. Fields the desired object sets are compared with the
    live values (list items matched by merge key, quantities by value); fields this collection's
    field manager owns but the desired object dropped count as drift; suspected drift is
    confirmed with a server-side dry-run apply.
  - The live state is read with one LIST per kind and namespace.
  - Secret values never appear; each differing key shows a salted hash.
  - Give either O(application) (compare an Application's source with the cluster, as
    C(argocd app diff) does) or O(definitions)/O(src).
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.objects
  - gitops.k8s.render
  - gitops.k8s.decryption
  - gitops.k8s.app_source
  - gitops.k8s.kube_auth
  - gitops.k8s.attributes
  - gitops.k8s.attributes.read_only
attributes:
  diff_mode:
    details:
      - The per-object diff is always returned in RV(objects[].diff).
options:
  application:
    description: Compare this Application (its namespace is O(application_namespace)).
    type: str
  application_namespace:
    description: Namespace of O(application).
    type: str
    default: gitops-system
"""

EXAMPLES = r"""
- name: What differs between Git and the cluster for one Application
  gitops.k8s.drift_info:
    application: guestbook
  register: drift

- name: Compare a rendered directory with the cluster
  gitops.k8s.drift_info:
    src: manifests/guestbook
    namespace: guestbook
    inventory:
      name: guestbook-inventory
      namespace: guestbook
  register: drift

- name: Fail when anything drifted
  ansible.builtin.assert:
    that: drift.in_sync
    fail_msg: "{{ drift.objects | selectattr('status', 'ne', 'Synced') | map(attribute='id') | list }}"
"""

RETURN = r"""
in_sync:
  description: True when every object is C(Synced) and nothing is C(Extra).
  returned: always
  type: bool
counts:
  description: Number of objects per comparison status.
  returned: always
  type: dict
  contains:
    Synced:
      description: Objects that match the desired state.
      type: int
    OutOfSync:
      description: Objects that differ.
      type: int
    Missing:
      description: Desired objects not in the cluster.
      type: int
    Extra:
      description: Objects of the previous inventory no longer desired (would be pruned).
      type: int
  sample: {"Synced": 12, "OutOfSync": 1, "Missing": 1, "Extra": 0}
objects:
  description: One entry per object.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: C(Kind/namespace/name).
      type: str
    status:
      description: C(Synced), C(OutOfSync), C(Missing) or C(Extra).
      type: str
    reason:
      description: Why (for example the first differing field).
      type: str
    diff:
      description: Unified diff live -> desired (redacted), for objects not C(Synced).
      type: str
  sample:
    - {"id": "ConfigMap/shop/cart-settings", "status": "Synced"}
    - {"id": "Deployment/shop/cart", "status": "OutOfSync", "reason": "spec.replicas: 3 != 2",
       "diff": "--- live/Deployment/shop/cart\n+++ desired/Deployment/shop/cart\n@@ -7 +7 @@\n-  replicas: 2\n+  replicas: 3\n"}
revision:
  description: Commit compared (with O(application)).
  returned: when O(application) is given
  type: str
requests:
  description:
    - API requests made, by verb; verbs not used are absent. A map with one key per verb, not
      fixed keys. C(list) is one per kind and namespace; C(get) counts discovery, health waits and single
      reads; C(dry-run) counts server-side dry-run applies (drift confirmation, validation); C(apply)
      server-side applies; C(patch) Application status and finalizer patches; C(create) Leases; C(replace)
      Lease renewals and releases; C(delete) pruning.
    - Read a verb with the bracket notation, for example C(result.requests['dry-run']).
  returned: always
  type: dict
  sample: {"list": 4, "get": 2, "dry-run": 1, "apply": 1}
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring, arg_specs, objects_wiring, runner
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule


def main():
    spec = arg_specs.compose(
        arg_specs.KUBE_AUTH,
        arg_specs.RENDER,
        arg_specs.DECRYPTION,
        app_wiring.APP_SOURCE,
        objects_wiring.OBJECTS,
        application={"type": "str"},
        application_namespace={"type": "str", "default": runner.DEFAULT_APP_NAMESPACE},
    )
    module = GitOpsModule(
        argument_spec=spec,
        supports_check_mode=True,
        mutually_exclusive=[("definitions", "src", "application")],
        required_one_of=[("definitions", "src", "application")],
    )
    module.execute(runner.run_drift_info)


if __name__ == "__main__":
    main()
