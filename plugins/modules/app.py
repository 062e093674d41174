#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app
short_description: Reconcile one GitOps Application end to end
version_added: 1.0.0
description:
  - Reconciles one C(Application) (API group C(gitops-k8s.dev)) in a single process, the way
    Argo CD's application controller does, in this order
    fetch the source, render it, compare it with the cluster, sync when the policy says so,
    assess health, record the status.
  - Comparing makes one LIST per kind and namespace; suspected drift is confirmed by a
    server-side dry-run apply, so fields the API server defaults never count as drift.
  - Syncing uses server-side apply with the field manager C(gitops-k8s), in the order
    Namespaces, CRDs (waited for until Established), other cluster-scoped objects, namespaced
    objects (per sync wave, annotation C(gitops-k8s.dev/sync-wave)). Unchanged objects are not written.
  - Pruning deletes only objects of the previous inventory (kept in the Application status) that
    left Git and still carry this Application's tracking annotation. An empty render never prunes
    unless C(spec.syncPolicy.automated.allowEmpty) is set. Namespaces, CRDs, PersistentVolumes and
    PersistentVolumeClaims are not pruned unless O(prune_protected=true).
  - A failure to fetch, render, parse or validate (including an unknown kind) applies and prunes
    nothing and is recorded as a C(ComparisonError) condition. A failed write stops the sync, prunes
    nothing, and is recorded as a C(SyncError) condition.
  - Writes happen under a per-Application C(Lease), so two reconciles never write at once; a
    reconcile with nothing to do writes nothing at all (not even its status).
  - Secret values never appear in diffs or results; each changed key shows a salted hash.
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.kube_auth
  - gitops.k8s.render
  - gitops.k8s.app_source
  - gitops.k8s.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode computes the same plan (server-side dry-run) and writes nothing, not even the status.
  diff_mode:
    support: full
    details:
      - One before/after pair per object that is (or would be) created, configured or pruned; Secret values redacted.
options:
  name:
    description: Name of the Application. Required unless O(definition) names it.
    type: str
  namespace:
    description: Namespace of the Application.
    type: str
    default: gitops-system
  definition:
    description:
      - An Application manifest to declare (server-side apply) before reconciling it, for example the root
        Application of an app-of-apps repository. C(apiVersion), C(kind), C(metadata.name) and
        C(metadata.namespace) default to this module's values.
    type: dict
  install_crd:
    description: Install or update the Application CRD (and the Application namespace for O(definition)) when missing.
    type: bool
    default: true
  sync:
    description:
      - V(null) follows the Application's sync policy (automated, selfHeal).
      - V(true) syncs now when out of sync (a manual sync).
      - V(false) only compares and records status; nothing else is written.
    type: bool
  prune:
    description: Prune in this sync (default C(spec.syncPolicy.automated.prune)).
    type: bool
  prune_protected:
    description: Allow pruning Namespaces, CRDs, PersistentVolumes and PersistentVolumeClaims.
    type: bool
    default: false
  wait:
    description: Wait until every object is healthy (or O(wait_timeout) passes), after the sync if one happened.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for health when O(wait=true).
    type: int
    default: 300
  lock:
    description: When another reconcile holds this Application's lock, V(wait) for it or V(skip) this sync.
    type: str
    default: wait
    choices: [wait, skip]
  lock_timeout:
    description: Seconds to wait for the lock.
    type: int
    default: 300
  fail_on_error:
    description:
      - Fail the task when the reconcile failed. V(false) returns the error in RV(error) instead, so a
        playbook can reconcile every Application and report at the end.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Reconcile the root Application from the checkout ansible-pull made
  gitops.k8s.app:
    checkout_dir: "{{ gitops_checkout }}"
    definition:
      metadata:
        name: root
      spec:
        source:
          path: apps
        syncPolicy:
          automated:
            prune: true
            selfHeal: true

- name: Sync one Application by hand (like argocd app sync)
  gitops.k8s.app:
    name: guestbook
    sync: true
    prune: true
    wait: true

- name: Show what a sync would do
  gitops.k8s.app:
    name: guestbook
    sync: true
  check_mode: true
  diff: true
"""

RETURN = r"""
application:
  description: The Application reconciled, C(namespace/name).
  returned: always
  type: str
  sample: gitops-system/guestbook
revision:
  description: The commit rendered.
  returned: always
  type: str
sync_status:
  description: C(Synced), C(OutOfSync) or C(Unknown) (the comparison failed) after this reconcile.
  returned: always
  type: str
health_status:
  description: Worst health of the Application's objects (C(Healthy), C(Suspended), C(Progressing), C(Missing), C(Degraded), C(Unknown)).
  returned: always
  type: str
health_message:
  description: The objects that make the health what it is.
  returned: always
  type: str
synced:
  description: Whether this reconcile synced (in check mode, whether it would).
  returned: always
  type: bool
reason:
  description: Why it synced or not.
  returned: always
  type: str
summary:
  description: Number of objects per action (created, configured, unchanged, pruned, skipped).
  returned: always
  type: dict
created:
  description: Ids (C(Kind/namespace/name)) of the objects created.
  returned: always
  type: list
  elements: str
configured:
  description: Ids of the objects changed.
  returned: always
  type: list
  elements: str
pruned:
  description: Ids of the objects deleted.
  returned: always
  type: list
  elements: str
objects:
  description: One entry per object with C(id), C(action), C(status) (C(Synced), C(OutOfSync), C(Missing), C(Extra)) and C(reason).
  returned: always
  type: list
  elements: dict
status:
  description: The Application status as recorded (sync, health, inventory, conditions, history).
  returned: always
  type: dict
status_updated:
  description:
    - Whether the Application status was written (sync or health changed). Status writes alone do not make
      the task C(changed).
  returned: always
  type: bool
requests:
  description: API requests made, by verb (list, get, dry-run, apply, patch, delete, create, replace).
  returned: always
  type: dict
duration:
  description: Seconds the reconcile took.
  returned: always
  type: float
error:
  description: What failed (only when the reconcile failed).
  returned: on failure
  type: str
error_step:
  description: The step that failed (fetch, render, spec, cluster, apply, prune, safety, lock).
  returned: on failure
  type: str
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import apps, arg_specs, results
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import reconcile


def run(module):
    cluster, store, clock = apps.open_store(module)
    p = module.params
    app, declared = apps.load_app(module, store, p["name"], p["namespace"], p["definition"], p["install_crd"])
    outcome = reconcile(app, apps.make_ports(module, cluster, store, clock), apps.settings_of(module))
    outcome.requests = dict(cluster.stats)
    result = results.outcome_result(outcome, module._diff)
    result["changed"] = result["changed"] or declared
    if outcome.error is not None and module.params["fail_on_error"]:
        result.update(failed=True, msg="%s: %s failed: %s" % (outcome.app, outcome.error.step, outcome.error))
    return result


def main():
    spec = arg_specs.compose(
        arg_specs.KUBE_AUTH,
        arg_specs.RENDER,
        apps.APP_SOURCE,
        name={"type": "str"},
        namespace={"type": "str", "default": "gitops-system"},
        definition={"type": "dict"},
        install_crd={"type": "bool", "default": True},
        sync={"type": "bool"},
        prune={"type": "bool"},
        prune_protected={"type": "bool", "default": False},
        wait={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        lock={"type": "str", "default": "wait", "choices": ["wait", "skip"]},
        lock_timeout={"type": "int", "default": 300},
        fail_on_error={"type": "bool", "default": True},
    )
    module = GitOpsModule(argument_spec=spec, supports_check_mode=True, required_one_of=[("name", "definition")])
    module.execute(run)


if __name__ == "__main__":
    main()
