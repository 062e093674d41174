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
  revision:
    description:
      - Compare this revision (a branch, tag or commit) of the repository of O(application) instead of its C(targetRevision),
        for example the branch of a pull request; see the previews guide (C(docs/previews.md)).
      - With O(children=true) it applies to every Application compared whose source names the same repository (or
        O(repo_url)); an Application without C(repoURL) follows its declaring Application, as in a sync.
        Sources of other repositories keep their C(targetRevision).
    type: str
  repo_url:
    description:
      - Fetch O(application) from this repository URL (with O(revision)), for example when the Application syncs from
        the local checkout of C(ansible-pull). Applications naming the same repository are moved to O(revision) too.
      - A local path or C(file://) URL needs O(allow_local_repos=true).
    type: str
  children:
    description:
      - Also compare every Application the render of O(application) declares, as that render declares it (its spec
        from O(revision), its status and inventory from the cluster), recursively (nested app-of-apps), and each
        Application the render no longer declares (what its finalizer would prune).
      - Everything is read or dry-run; nothing is written to the cluster (no status, no Lease, no Event).
      - One row per Application in RV(applications); an Application that cannot be compared (fetch, render, dry-run)
        has its error in its row and does not fail the task. Turn the rows into a pull-request comment with
        P(gitops.k8s.preview_comment#filter).
    type: bool
    default: false
  analysis_providers:
    description:
      - The Prometheus base URLs an analysis of O(application) may query, as O(gitops.k8s.app#module:analysis_providers).
        Nothing is queried here, but an Application whose analysis names an address not in this list fails, as it
        does in a check-mode run of M(gitops.k8s.app).
      - The default, an empty list, allows no address.
    type: list
    elements: str
    default: []
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

- name: Preview a pull request's branch for every Application of the root (read-only)
  gitops.k8s.drift_info:
    application: root
    revision: my-feature
    repo_url: https://git.example.com/org/gitops.git
    children: true
  register: preview

- name: Write the pull-request comment
  ansible.builtin.copy:
    content: "{{ preview.applications | gitops.k8s.preview_comment(revision='my-feature') }}"
    dest: preview.md
    mode: "0644"

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
  returned: when O(application) is given and O(children=false)
  type: str
applications:
  description:
    - With O(children=true), one row per Application compared, the root first, then level by level.
    - Each row's RV(applications[].objects) are the rows of RV(objects) plus their C(action).
  returned: when O(children=true)
  type: list
  elements: dict
  contains:
    application:
      description: The Application, C(namespace/name).
      type: str
    revision:
      description: The commit rendered.
      type: str
    sync_status:
      description: C(Synced), C(OutOfSync) or C(Unknown) (could not be compared).
      type: str
    deleted:
      description: True for an Application the revision removes; its objects are those its finalizer would prune.
      type: bool
    error:
      description: Why the Application could not be compared (a render error names the file and line); Secret values scrubbed.
      type: str
      returned: on failure
    error_step:
      description: The step that failed (C(fetch), C(render), C(plan), ...).
      type: str
      returned: on failure
    objects:
      description: One row per object, with C(id), C(status), C(action) (C(created), C(configured), C(pruned), C(unchanged), C(skipped)),
        C(reason) and C(diff) (redacted).
      type: list
      elements: dict
  sample:
    - {"application": "gitops-system/shop", "revision": "3f9c0b1d2e4a5b6c7d8e9f00112233445566778", "sync_status": "OutOfSync",
       "deleted": false, "objects": [{"id": "ConfigMap/shop/settings", "status": "OutOfSync", "action": "configured",
       "diff": "--- live/ConfigMap/shop/settings\n+++ desired/ConfigMap/shop/settings\n"}]}
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

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

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
        revision={"type": "str"},
        repo_url={"type": "str"},
        children={"type": "bool", "default": False},
        analysis_providers={"type": "list", "elements": "str", "default": []},
    )
    module = GitOpsModule(
        argument_spec=spec,
        supports_check_mode=True,
        mutually_exclusive=[("definitions", "src", "application")],
        required_one_of=[("definitions", "src", "application")],
        required_by={"revision": "application", "repo_url": "application"},
        required_if=[("children", True, ("application",))],
    )
    module.execute(runner.run_drift_info)


if __name__ == "__main__":
    main()
