#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app_info
short_description: Read GitOps Applications and their status
version_added: 1.0.0
description:
  - Lists C(Application) objects (API group C(gitops-k8s.dev)) with their sync status, health,
    revision, conditions, last sync and history, like C(argocd app list) / C(argocd app get).
  - Read-only.
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.kube_auth
  - gitops.k8s.attributes
  - gitops.k8s.attributes.read_only
options:
  name:
    description: Only this Application.
    type: str
  namespace:
    description: Namespace to read from; V(null) reads every namespace.
    type: str
  include_inventory:
    description: Also return the inventory (every object the Application owns).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: List every Application
  gitops.k8s.app_info:
  register: gitops_apps

- name: Show the history of one Application
  gitops.k8s.app_info:
    name: guestbook
    namespace: gitops-system
    include_inventory: true
  register: guestbook
"""

RETURN = r"""
applications:
  description: One entry per Application, sorted by namespace and name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Application name.
      type: str
    namespace:
      description: Application namespace.
      type: str
    sync_status:
      description: C(Synced), C(OutOfSync) or C(Unknown) (never reconciled, or the comparison failed).
      type: str
    health_status:
      description: Aggregated health.
      type: str
    health_message:
      description: Why the health is what it is.
      type: str
    revision:
      description:
        - Commit last compared.
        - For a multi-source Application, the revisions of its sources joined by commas (see RV(applications[].revisions)).
      type: str
    revisions:
      description: Revision of each source of a multi-source Application (C(spec.sources)), in order; empty otherwise.
      type: list
      elements: str
    last_synced_at:
      description: Time of the last successful sync.
      type: str
    conditions:
      description: Errors and warnings (C(ComparisonError), C(SyncError), C(SharedResourceWarning)).
      type: list
      elements: dict
      contains:
        type:
          description: C(ComparisonError), C(SyncError) or C(SharedResourceWarning).
          type: str
        message:
          description: What happened (at most 1,024 characters).
          type: str
        lastTransitionTime:
          description: When this message first appeared.
          type: str
      sample:
        - {"type": "SyncError", "message": "apply failed: ConfigMap/shop/cart: admission webhook denied the request",
           "lastTransitionTime": "2026-11-22T10:00:02Z"}
    history:
      description: The last syncs, newest first.
      type: list
      elements: dict
      contains:
        id:
          description: Number of the entry (what M(gitops.k8s.app)'s O(gitops.k8s.app#module:rollback) names).
          type: int
        revision:
          description: Commit synced.
          type: str
        startedAt:
          description: When the sync started.
          type: str
        syncedAt:
          description: When the sync finished.
          type: str
        result:
          description: C(Succeeded) or C(Failed).
          type: str
        created:
          description: Objects created.
          type: int
        configured:
          description: Objects changed.
          type: int
        pruned:
          description: Objects deleted.
          type: int
      sample:
        - {"revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "startedAt": "2026-11-22T10:00:00Z",
           "syncedAt": "2026-11-22T10:00:02Z", "result": "Succeeded", "created": 1, "configured": 1, "pruned": 0}
    resources:
      description: Number of objects the Application manages.
      type: int
    source:
      description:
        - C(spec.source) of the Application (Argo CD's field names; absent fields are not listed).
        - C(helm), C(kustomize) and C(directory) are returned as written in the spec.
      type: dict
      contains:
        repoURL:
          description: Repository; absent when the Application uses the repository of the Application that declared it.
          type: str
        targetRevision:
          description: Branch, tag or commit.
          type: str
        path:
          description: Directory rendered, relative to the repository root.
          type: str
      sample: {"repoURL": "https://git.example.com/shop.git", "targetRevision": "main", "path": "deploy"}
    sources:
      description: C(spec.sources) of a multi-source Application as written (Argo CD's field names); empty otherwise.
      type: list
      elements: dict
      sample:
        - {"repoURL": "https://git.example.com/charts.git", "path": "charts/shop", "helm": {"valueFiles": ["$values/shop/values.yaml"]}}
        - {"repoURL": "https://git.example.com/config.git", "ref": "values"}
    commit_subject:
      description: The subject line of the synced commit (C(status.sync.commitSubject), at most 200 characters); empty when not a Git commit.
      type: str
      sample: "shop: two replicas of the cart"
    parent:
      description: C(namespace/name) of the Application that declared this one, if any.
      type: str
    wave:
      description: Sync wave (annotation C(gitops-k8s.dev/sync-wave)); the reconcile playbook reconciles lower waves first.
      type: int
    rolled_back:
      description:
        - The rollback in effect (C(id), C(revision), C(at)); automated sync is suspended until resumed. Empty when none.
        - An automatic rollback (a failed C(spec.analysis)) also has C(automatic), C(failedRevision) and C(reason).
      type: dict
      sample: {"id": 3, "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "at": "2026-11-22T10:00:02Z"}
    analysis:
      description:
        - The verdict of the last C(spec.analysis) (C(phase) Successful, Failed, Inconclusive or Error, C(message), C(revision),
          C(startedAt), C(finishedAt), and each metric's counts and last value). Empty when none. See docs/progressive-delivery.md.
      type: dict
      sample: {"phase": "Successful", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "message": "analysis Successful: ..."}
    sync_window:
      description: When a sync window held the last due sync, why (C(message)) and when it may sync (C(opensAt)). Empty otherwise.
      type: dict
      sample: {"message": "automated sync held by a sync window: ...", "opensAt": "2026-11-22T23:00:00Z"}
    inventory:
      description: Objects owned (with O(include_inventory)); with it also RV(applications[].objects) and RV(applications[].hooks).
      type: list
      elements: dict
      returned: with O(include_inventory)
      contains:
        group:
          description: API group (empty for the core group).
          type: str
        version:
          description: API version the object was applied with.
          type: str
        kind:
          description: Kind.
          type: str
        namespace:
          description: Namespace (empty when cluster-scoped).
          type: str
        name:
          description: Name.
          type: str
      sample:
        - {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "shop", "name": "cart"}
    objects:
      description:
        - Each object of the Application with its sync status after the last reconcile (C(status)) and its health
          (C(health.status)); C(requiresPruning) for an object left in the cluster that Git no longer has.
        - C(status.resources) of the Application, in Argo CD's shape; what P(gitops.k8s.status_tree#filter) prints.
      type: list
      elements: dict
      returned: with O(include_inventory)
      sample:
        - {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "shop", "name": "cart",
           "status": "Synced", "health": {"status": "Healthy"}}
    hooks:
      description: The hooks the last sync ran (C(status.operationState.syncResult.resources)).
      type: list
      elements: dict
      returned: with O(include_inventory)
      sample:
        - {"kind": "Job", "namespace": "shop", "name": "migrate", "hookType": "PreSync", "hookPhase": "Succeeded", "message": ""}
  sample:
    - {"name": "shop", "namespace": "gitops-system", "sync_status": "Synced", "health_status": "Healthy", "health_message": "",
       "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "last_synced_at": "2026-11-22T10:00:02Z", "conditions": [],
       "history": [], "resources": 2, "source": {"path": "deploy"}, "parent": "gitops-system/root", "wave": 0}
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import arg_specs, runner
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule


def main():
    spec = arg_specs.compose(
        arg_specs.KUBE_AUTH,
        name={"type": "str"},
        namespace={"type": "str"},
        include_inventory={"type": "bool", "default": False},
    )
    module = GitOpsModule(argument_spec=spec, supports_check_mode=True)
    module.execute(runner.run_app_info)


if __name__ == "__main__":
    main()
