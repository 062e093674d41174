#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sync
short_description: Apply a set of Kubernetes objects with server-side apply, in order, and prune by inventory
version_added: 1.0.0
description:
  - Applies O(definitions) (or the rendered O(src)) with server-side apply and the field manager
    C(gitops-k8s), in the order Namespaces, CRDs (waited for until Established), other
    cluster-scoped objects, namespaced objects, within each sync wave (annotation
    C(gitops-k8s.dev/sync-wave)).
  - Objects that are already as desired are not written; drift is detected from one LIST per
    kind and namespace and confirmed with a server-side dry-run, so server defaults never count.
  - Every object is validated by a server-side dry-run before the first write; an invalid
    object, an unknown kind or a bad manifest changes nothing.
  - With O(inventory) and O(prune=true), objects of the previous inventory that left the set are
    deleted, but only when they still carry this inventory's tracking annotation.
  - For Applications kept in sync from Git, use M(gitops.k8s.app).
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.workers
  - gitops.k8s.objects
  - gitops.k8s.render
  - gitops.k8s.kube_auth
  - gitops.k8s.attributes
  - gitops.k8s.attributes.writes
attributes:
  check_mode:
    details:
      - Check mode returns the same plan (server-side dry-run) and writes nothing.
  diff_mode:
    details:
      - One before/after pair per object created, configured or pruned; Secret values redacted.
options:
  prune:
    description: Delete objects of the previous O(inventory) that are no longer in the set.
    type: bool
    default: false
  allow_empty:
    description: Allow an empty set to prune every object of the inventory.
    type: bool
    default: false
  prune_protected:
    description:
      - Allow pruning Namespaces, CRDs, PersistentVolumes and PersistentVolumeClaims.
      - Without it, one object is allowed with C(PruneProtected=true) in its C(gitops-k8s.dev/sync-options)
        annotation. A protected object not pruned is listed in a warning.
    type: bool
    default: false
  prune_limit:
    description:
      - The deletion budget of a sync, in objects. A sync that would prune more applies what Git declares but
        prunes nothing, with a warning listing what would have gone.
      - V(0) sets no count limit. See C(docs/prune-guards.md).
    type: int
    default: 0
  prune_limit_percent:
    description:
      - The deletion budget of a sync, in percent of the objects of the inventory. By default a sync
        that would prune more than half of them prunes nothing until allowed.
      - V(100) sets no limit, V(0) holds every prune.
    type: int
    default: 50
  force_conflicts:
    description: Take over fields other field managers own (the desired state wins).
    type: bool
    default: true
  wait:
    description: Wait until every object is healthy.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait when O(wait=true).
    type: int
    default: 300
  hook_timeout:
    description:
      - Seconds one hook (C(argocd.argoproj.io/hook), C(helm.sh/hook)) may run before the sync fails naming it.
      - Hooks run (PreSync, Sync, PostSync; SyncFail after a failure) only when the sync writes something.
    type: int
    default: 300
  wave_timeout:
    description: Seconds a sync wave may take to become healthy before the next wave starts (one wave never waits).
    type: int
    default: 300
"""

EXAMPLES = r"""
- name: Apply a directory and prune what left it
  gitops.k8s.sync:
    src: manifests/guestbook
    namespace: guestbook
    inventory:
      name: guestbook-inventory
      namespace: guestbook
    prune: true
    wait: true

- name: Apply rendered objects
  gitops.k8s.sync:
    definitions: "{{ lookup('gitops.k8s.manifests', 'charts/web', release_name='web', namespace='web') }}"
    namespace: web
"""

RETURN = r"""
summary:
  description: Number of objects per action.
  returned: always
  type: dict
  contains:
    created:
      description: Objects created.
      type: int
    configured:
      description: Objects changed.
      type: int
    unchanged:
      description: Objects left as they were (already in sync).
      type: int
    pruned:
      description: Objects deleted (gone from the desired set).
      type: int
    skipped:
      description: Objects not written (a policy, C(Prune=false), a protected kind, a sync not allowed).
      type: int
  sample: {"created": 1, "configured": 1, "unchanged": 12, "pruned": 0, "skipped": 0}
created:
  description: Ids (C(Kind/namespace/name)) of the objects created.
  returned: always
  type: list
  elements: str
  sample: ["ConfigMap/shop/cart-settings"]
configured:
  description: Ids of the objects changed.
  returned: always
  type: list
  elements: str
  sample: ["Deployment/shop/cart"]
pruned:
  description: Ids of the objects deleted.
  returned: always
  type: list
  elements: str
  sample: ["Service/shop/cart-legacy"]
objects:
  description: One entry per object, in apply order (previous inventory's extra objects last).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: C(Kind/namespace/name) (C(Kind/name) when cluster-scoped).
      type: str
    action:
      description: C(created), C(configured), C(unchanged), C(pruned) or C(skipped).
      type: str
    status:
      description: Comparison status before the sync, C(Synced), C(OutOfSync), C(Missing) or C(Extra).
      type: str
    reason:
      description: Why (the first differing field, why it was skipped, the error); absent when there is nothing to say.
      type: str
      returned: when there is a reason
  sample:
    - {"id": "Namespace/shop", "action": "unchanged", "status": "Synced"}
    - {"id": "Deployment/shop/cart", "action": "configured", "status": "OutOfSync", "reason": "spec.replicas: 3 != 2"}
health_status:
  description: Worst health of the objects after the sync.
  returned: always
  type: str
health_message:
  description: The objects that make the health what it is.
  returned: always
  type: str
hooks:
  description: Every hook this sync ran, in order, in Argo CD's C(syncResult.resources) shape (C(hookType), C(hookPhase)).
  returned: always
  type: list
  elements: dict
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

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import arg_specs, objects_wiring, runner


def main():
    spec = arg_specs.compose(
        arg_specs.KUBE_AUTH,
        arg_specs.RENDER,
        objects_wiring.OBJECTS,
        prune={"type": "bool", "default": False},
        allow_empty={"type": "bool", "default": False},
        prune_protected={"type": "bool", "default": False},
        prune_limit={"type": "int", "default": 0},
        prune_limit_percent={"type": "int", "default": 50},
        force_conflicts={"type": "bool", "default": True},
        wait={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        hook_timeout={"type": "int", "default": 300},
        wave_timeout={"type": "int", "default": 300},
        workers={"type": "int", "default": 8},
    )
    module = objects_wiring.module_of(spec)
    module.execute(runner.run_sync)


if __name__ == "__main__":
    main()
