# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of a sync, as one frozen value built once by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    CRD_TIMEOUT,
    DEFAULT_PRUNE_LIMIT,
    DEFAULT_PRUNE_LIMIT_PERCENT,
    DEFAULT_PRUNE_PROPAGATION,
    HOOK_TIMEOUT,
    RECREATE_TIMEOUT,
    WAVE_TIMEOUT,
)


@dataclass(frozen=True)
class SyncOptions:
    """How to plan and execute a sync.

    namespace: destination namespace of namespaced objects that set none.
    tracking: owner of the objects, ``<namespace>/<name>`` of the Application; it is
        written to each object's tracking annotation and checked before pruning.
        Empty: objects are applied without ownership and never pruned.
    prune: delete objects of the previous inventory that left the desired set.
    allow_empty: allow an empty desired set to prune everything (Argo CD allowEmpty).
    prune_protected: allow pruning Namespaces, CRDs, PVs and PVCs.
    prune_limit, prune_limit_percent: the deletion budget of this sync (prune_guard.py):
        at most that many objects (0: no count limit) and that percentage of the previous
        inventory (100: no limit); over it, nothing is pruned.
    force_conflicts: take ownership of fields other managers own (GitOps wins).
    create_namespace: create the destination namespace when missing (never pruned).
    dry_run: plan only (check mode): no write.
    ignore_differences: Argo CD style rules (group, kind, name, namespace, jsonPointers).
    respect_ignore_differences: also leave ignored fields out of the applied object.
    wait_timeout: seconds to wait for health after applying (0: do not wait).
    crd_timeout: seconds to wait for a CRD created in this sync to be Established.
    salt: per-run salt for Secret value hashes in diffs.
    fail_on_shared_resource: fail the sync before its first write when an object
        carries another owner's tracking annotation (Argo CD's FailOnSharedResource);
        by default such an object is applied, with a SharedResourceWarning.
    object_defaults: the Application's per-object sync options (Prune=false,
        Replace=true, PruneLast=true...) as sorted (name, value) pairs; each object's
        annotations override them (sync_options.object_options).
    prune_propagation: DELETE's propagationPolicy when pruning (PrunePropagationPolicy).
    deleting: the Application is being deleted (finalizer): Delete=false keeps an object.
    recreate_timeout: seconds a Force=true recreate waits for the old object to be gone.
    prune_last_timeout: seconds PruneLast waits for the applied objects to be healthy
        before pruning (0: wait_timeout, else 60).
    namespace_metadata: {labels, annotations} of the namespace CreateNamespace creates
        (spec.syncPolicy.managedNamespaceMetadata).
    hook_timeout: seconds one hook (a Job, a Pod, anything else until healthy) may run.
    wave_timeout: seconds the objects of a sync wave may take to become healthy before
        the next wave (or the PostSync hooks) start.
    time_left: seconds every wait of this sync may take in all (the run's deadline);
        0: no bound beyond the timeouts above.
    workers: how many dry-runs of a plan, and writes of one kind group of a sync wave, are
        sent side by side (fanout.py); 1: one after another, the engine's default (the
        modules default to DEFAULT_WORKERS).
    slots: the run's semaphore of requests in flight, shared by the Applications
        reconciled side by side (fanout.py ``slots``); None: only ``workers`` bounds them.
    bounds: project_check.Bounds of the Application's Project: every object (and every
        prune) is checked against it before the first write; None: no project (the sync
        module, which writes what its caller gives it).
    strategy_steered: ObjectIds of the rendered objects a progressive strategy steers (a
        stable Deployment, an active Service): one of another Application is refused
        before the first write (strategy_owners.py).
    """

    namespace: str = "default"
    tracking: str = ""
    prune: bool = False
    allow_empty: bool = False
    prune_protected: bool = False
    prune_limit: int = DEFAULT_PRUNE_LIMIT
    prune_limit_percent: int = DEFAULT_PRUNE_LIMIT_PERCENT
    force_conflicts: bool = True
    create_namespace: bool = False
    dry_run: bool = False
    ignore_differences: tuple = ()
    respect_ignore_differences: bool = False
    wait_timeout: int = 0
    crd_timeout: int = CRD_TIMEOUT
    salt: str = ""
    fail_on_shared_resource: bool = False
    object_defaults: tuple = ()
    prune_propagation: str = DEFAULT_PRUNE_PROPAGATION
    deleting: bool = False
    recreate_timeout: int = RECREATE_TIMEOUT
    prune_last_timeout: int = 0
    namespace_metadata: Optional[dict] = None
    hook_timeout: float = HOOK_TIMEOUT
    wave_timeout: float = WAVE_TIMEOUT
    time_left: float = 0
    bounds: Optional[object] = None
    workers: int = 1
    slots: Optional[object] = None
    strategy_steered: frozenset = frozenset()
