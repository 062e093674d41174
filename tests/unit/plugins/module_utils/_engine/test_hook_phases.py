# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Phases, hooks and waves that wait, executed against the in-memory cluster."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import phases, plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_SYNCED, CREATED, SKIPPED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions

from .fake_cluster import FakeClock, FakeCluster

OWNER = "gitops-system/demo"


class JobCluster(FakeCluster):
    """The fake cluster with a Job controller and a Deployment controller of sorts: a Job
    whose name starts with a key of ``jobs`` ends Complete or Failed as told (absent:
    keeps running); a Deployment named in ``ready_after`` becomes available after that
    many reads."""

    def __init__(self):
        super().__init__()
        self.jobs = {}
        self.ready_after = {}

    def get(self, rtype, namespace, name):
        obj = super().get(rtype, namespace, name)
        if obj is None:
            return None
        if rtype.kind == "Job":
            outcome = next((v for k, v in self.jobs.items() if name.startswith(k)), None)
            if outcome:
                obj["status"] = {"conditions": [{"type": outcome, "status": "True", "message": "Job %s" % outcome.lower()}]}
        if rtype.kind == "Deployment":
            left = self.ready_after.get(name, 0)
            self.ready_after[name] = left - 1
            replicas = 1 if left <= 0 else 0
            obj["status"] = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": replicas, "availableReplicas": replicas}
            obj["metadata"]["generation"] = 1
        return obj


def cm(name, wave=None):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}
    if wave is not None:
        obj["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return obj


def deployment(name, wave=0):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "annotations": {"argocd.argoproj.io/sync-wave": str(wave)}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
        },
    }


def hook_job(phase, prefix, policy=None, wave=None, fixed_name=False):
    ann = {"argocd.argoproj.io/hook": phase}
    if policy:
        ann["argocd.argoproj.io/hook-delete-policy"] = policy
    if wave is not None:
        ann["argocd.argoproj.io/sync-wave"] = str(wave)
    meta = {"annotations": ann, ("name" if fixed_name else "generateName"): prefix}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "run", "image": "busybox"}]}}},
    }


@pytest.fixture
def cluster():
    c = JobCluster()
    c.apply(c.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    c.reset_calls()
    return c


def run(cluster, objs, previous=(), **opts):
    options = SyncOptions(namespace="demo", tracking=OWNER, prune=True, **dict({"hook_timeout": 10, "wave_timeout": 10}, **opts))
    p = plan.build_plan(cluster, [Manifest(copy.deepcopy(o), "f.yaml:%d" % i) for i, o in enumerate(objs)], previous, options)
    return p, sync.execute(cluster, p, options, FakeClock())


def writes(cluster):
    return [(c[0], c[1], c[3]) for c in cluster.writes()]


def test_steps_are_phase_then_wave_then_kind(cluster):
    objs = [
        cm("late", wave=2),
        hook_job("PostSync", "post-"),
        hook_job("PreSync", "pre-b-", wave=1),
        hook_job("PreSync", "pre-a-", wave=-1),
        cm("early"),
        hook_job("Sync", "sync-", wave=2),
        hook_job("SyncFail", "fail-"),
    ]
    p = plan.build_plan(cluster, [Manifest(o, "f.yaml") for o in objs], (), SyncOptions(namespace="demo", tracking=OWNER))
    got = [(s.phase, s.wave, [i.subject for i in s.items]) for s in phases.steps(p)]
    assert got == [
        ("PreSync", -1, ["Job/demo/pre-a-"]),
        ("PreSync", 1, ["Job/demo/pre-b-"]),
        ("Sync", 0, ["ConfigMap/demo/early"]),
        ("Sync", 2, ["ConfigMap/demo/late", "Job/demo/sync-"]),
        ("PostSync", 0, ["Job/demo/post-"]),
    ]
    assert [(s.phase, [i.subject for i in s.items]) for s in phases.fail_steps(p)] == [("SyncFail", ["Job/demo/fail-"])]
    assert [s.phase for s in phases.steps(p, with_hooks=False)] == ["Sync", "Sync"]


def test_hooks_are_not_compared_tracked_or_in_the_inventory(cluster):
    p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")], **{"dry_run": True})
    assert [i.subject for i in p.items] == ["ConfigMap/demo/app"]
    assert sync.planned_status(p) == "OutOfSync"
    cluster.jobs["migrate-"] = "Complete"
    p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")])
    assert [str(e) for e in result.inventory] == ["ConfigMap/demo/app"]
    p, _result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")], previous=result.inventory, dry_run=True)
    assert sync.planned_status(p) == APP_SYNCED  # the hook Job is not part of the comparison


def test_successful_sync_runs_phases_in_order_and_deletes_hook_succeeded(cluster):
    cluster.jobs.update({"migrate-": "Complete", "smoke-": "Complete"})
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-", policy="HookSucceeded"), hook_job("PostSync", "smoke-")])
    assert result.error is None
    created = [w for w in writes(cluster) if w[0] in ("create", "apply")]
    assert [(w[0], w[2][:-5] if w[0] == "create" else w[2]) for w in created] == [("create", "migrate-"), ("apply", "app"), ("create", "smoke-")]
    deleted = [w[2] for w in writes(cluster) if w[0] == "delete"]
    assert len(deleted) == 1 and deleted[0].startswith("migrate-")  # HookSucceeded; smoke- keeps BeforeHookCreation
    assert [(h.phase, h.status) for h in result.hooks] == [("PreSync", "Succeeded"), ("PostSync", "Succeeded")]
    status = result.hooks[0].to_status()
    assert status["hookType"] == "PreSync" and status["hookPhase"] == "Succeeded" and status["name"].startswith("migrate-")
    assert status["kind"] == "Job" and status["namespace"] == "demo"
    hook_entries = [e for e in result.changeset.entries if e.subject.startswith("Job/")]
    assert [e.action for e in hook_entries] == [CREATED, CREATED] and "PreSync hook: Succeeded" in hook_entries[0].reason


def test_presync_failure_applies_nothing_prunes_nothing_and_runs_syncfail(cluster):
    cluster.jobs.update({"migrate-": "Failed", "notify-": "Complete"})
    _p, first = run(cluster, [cm("old")])
    cluster.reset_calls()
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-", policy="HookFailed"), hook_job("SyncFail", "notify-")], previous=first.inventory)
    assert result.error is not None and result.error.step == "hook"
    assert "PreSync hook failed: Job failed" in str(result.error) and result.error.subject.startswith("Job/demo/migrate-")
    kinds = [(w[0], w[1]) for w in writes(cluster)]
    assert ("apply", "ConfigMap") not in kinds and ("delete", "ConfigMap") not in kinds
    assert [(h.phase, h.status) for h in result.hooks] == [("PreSync", "Failed"), ("SyncFail", "Succeeded")]
    assert [w[2][:-5] for w in writes(cluster) if w[0] == "delete"] == ["migrate-"]  # HookFailed
    assert result.sync_status == "OutOfSync"
    assert [e.reason for e in result.changeset.entries if e.subject == "ConfigMap/demo/old"] == ["not pruned: the sync failed"]


def test_presync_failure_still_reports_the_live_objects_it_left_untouched(cluster):
    cluster.jobs.update({"migrate-": "Failed"})
    _p, first = run(cluster, [cm("app")])
    changed = dict(cm("app"), data={"k": "v2"})
    p, result = run(cluster, [changed, hook_job("PreSync", "migrate-")], previous=first.inventory)
    assert result.error is not None and result.error.step == "hook"
    # the health of the Application is that of the objects still live, not "Missing"
    assert [(s, h.status) for s, h in sync.assess(p, result.live)] == [("ConfigMap/demo/app", "Healthy")]


def test_hooks_do_not_run_when_nothing_is_written(cluster):
    cluster.jobs["migrate-"] = "Complete"
    _p, first = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")])
    cluster.reset_calls()
    _p, again = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")], previous=first.inventory)
    assert writes(cluster) == [] and again.hooks == ()


def test_hooks_do_not_run_in_check_mode(cluster):
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-")], dry_run=True)
    assert writes(cluster) == [] and result.hooks == ()


def test_a_hook_that_never_finishes_fails_after_hook_timeout(cluster):
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "slow-")], hook_timeout=3)
    assert result.error.step == "hook" and "did not finish within 3s (hook_timeout)" in str(result.error)
    assert str(result.error).startswith("Job/demo/slow-")
    assert ("apply", "ConfigMap", "app") not in writes(cluster)


def test_before_hook_creation_replaces_our_previous_hook(cluster):
    cluster.jobs["db-init"] = "Complete"
    run(cluster, [cm("app"), hook_job("PreSync", "db-init", fixed_name=True)])
    cluster.reset_calls()
    _p, result = run(cluster, [cm("app", wave=1), hook_job("PreSync", "db-init", fixed_name=True)])
    assert result.error is None
    assert [(w[0], w[2]) for w in writes(cluster)][:2] == [("delete", "db-init"), ("create", "db-init")]


def test_before_hook_creation_never_deletes_another_owners_object(cluster):
    jobs = cluster.resolve("batch/v1", "Job")
    cluster.create(jobs, dict(hook_job("PreSync", "db-init", fixed_name=True), metadata={"name": "db-init", "namespace": "demo"}))
    cluster.reset_calls()
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "db-init", fixed_name=True)])
    assert result.error.step == "hook" and "is not a hook of gitops-system/demo" in str(result.error)
    assert writes(cluster) == []


def test_skip_objects_are_not_applied_and_say_so(cluster):
    obj = cm("manual")
    obj["metadata"]["annotations"] = {"argocd.argoproj.io/hook": "Skip"}
    p, result = run(cluster, [cm("app"), obj])
    assert ("apply", "ConfigMap", "manual") not in writes(cluster)
    entry = [e for e in result.changeset.entries if e.subject == "ConfigMap/demo/manual"][0]
    assert entry.action == SKIPPED and "Skip" in entry.reason
    assert p.warnings == ()


def test_a_wave_waits_for_the_previous_wave_to_be_healthy(cluster):
    cluster.ready_after["db"] = 3
    _p, result = run(cluster, [deployment("db", wave=0), cm("web-config", wave=1)])
    assert result.error is None
    calls = [(c[0], c[1], c[3]) for c in cluster.calls if c[0] in ("apply", "get")]
    first_apply_cm = calls.index(("apply", "ConfigMap", "web-config"))
    assert calls[:first_apply_cm].count(("get", "Deployment", "db")) >= 3  # waited until available


def test_an_unhealthy_wave_stops_the_sync_after_wave_timeout(cluster):
    cluster.ready_after["db"] = 1000
    _p, result = run(cluster, [deployment("db", wave=0), cm("web-config", wave=1)], wave_timeout=4)
    assert result.error.step == "health"
    assert "not healthy after 4s (wave_timeout) before wave 1: Deployment/demo/db" in str(result.error)
    assert ("apply", "ConfigMap", "web-config") not in writes(cluster)


def test_a_single_wave_does_not_wait(cluster):
    cluster.ready_after["db"] = 1000
    _p, result = run(cluster, [deployment("db"), cm("web-config")], wave_timeout=4)
    assert result.error is None and not [c for c in cluster.calls if c[0] == "get"]


def test_the_run_deadline_bounds_the_waits(cluster):
    cluster.ready_after["db"] = 1000
    _p, result = run(cluster, [deployment("db", wave=0), cm("web-config", wave=1)], wave_timeout=300, time_left=2)
    assert "not healthy after 2s" in str(result.error)


def test_hooks_carry_the_tracking_annotation(cluster):
    cluster.jobs["migrate-"] = "Complete"
    run(cluster, [cm("app"), hook_job("PreSync", "migrate-")])
    job = [o for k, o in cluster.objects.items() if k[1] == "Job"][0]
    assert job["metadata"]["annotations"][ANN_TRACKING_ID].startswith(OWNER + ":")


def deleted_app_world(objects):
    from .fake_cluster import World  # pylint: disable=import-outside-toplevel
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_FINALIZER  # pylint: disable=import-outside-toplevel

    world = World()
    world.cluster = JobCluster()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    world.objects = objects
    app = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "gitops-system"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": True}}},
    }
    first = world.run(app)
    assert first.error is None and first.hooks == []  # deletion hooks do not run on a sync
    app["metadata"].update(deletionTimestamp="2026-11-22T00:00:00Z", finalizers=[APP_FINALIZER])
    world.cluster.reset_calls()
    return world, app


def test_deletion_hooks_run_before_and_after_pruning():
    world, app = deleted_app_world([cm("app"), hook_job("PreDelete", "backup-"), hook_job("PostDelete", "goodbye-")])
    world.cluster.jobs.update({"backup-": "Complete", "goodbye-": "Complete"})
    outcome = world.run(app)
    assert outcome.error is None and world.finalized == ["a"]
    assert [(w[0], w[2].rstrip("0123456789")) for w in writes(world.cluster)] == [("create", "backup-"), ("delete", "app"), ("create", "goodbye-")]
    assert [(h["hookType"], h["hookPhase"]) for h in outcome.hooks] == [("PreDelete", "Succeeded"), ("PostDelete", "Succeeded")]


def test_a_failed_predelete_hook_prunes_nothing_and_keeps_the_finalizer():
    world, app = deleted_app_world([cm("app"), hook_job("PreDelete", "backup-")])
    world.cluster.jobs["backup-"] = "Failed"
    outcome = world.run(app)
    assert outcome.error.step == "hook" and world.finalized == []
    assert ("delete", "ConfigMap", "app") not in writes(world.cluster)


def test_deletion_does_not_depend_on_the_repository():
    world, app = deleted_app_world([cm("app"), hook_job("PreDelete", "backup-")])
    world.fail_render = True
    outcome = world.run(app)
    assert outcome.error is None and world.finalized == ["a"]
    assert any("deletion hooks not run: render failed" in w for w in outcome.warnings)


def test_an_object_that_became_a_hook_leaves_the_inventory_without_being_pruned(cluster):
    cluster.jobs["db-init"] = "Complete"
    _p, first = run(cluster, [cm("app"), cm("db-init")])
    as_hook = cm("db-init")
    as_hook["metadata"]["annotations"] = {"argocd.argoproj.io/hook": "PreSync"}
    cluster.reset_calls()
    p, result = run(cluster, [cm("app", wave=1), as_hook], previous=first.inventory)
    assert p.extra == () and result.error is None
    assert [str(e) for e in result.inventory] == ["ConfigMap/demo/app"]
    assert [(w[0], w[2]) for w in writes(cluster)][:2] == [("delete", "db-init"), ("create", "db-init")]  # BeforeHookCreation


def test_an_application_cannot_be_a_hook(cluster):
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import AuthorityError  # pylint: disable=import-outside-toplevel

    meta = {"name": "sneaky", "namespace": "gitops-system", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}
    child = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": meta, "spec": {"source": {"path": "x"}}}
    with pytest.raises(AuthorityError, match="an Application cannot be a hook"):
        run(cluster, [cm("app"), child])
    assert writes(cluster) == []


def test_waves_of_child_applications_do_not_wait_for_their_health():
    """The run reconciles child Applications after their parent, in wave order: a parent
    waiting for them to be healthy would wait for what only happens after it."""
    from .fake_cluster import World  # pylint: disable=import-outside-toplevel

    world = World()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gitops-system"}})
    children = [
        {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "gitops-system", "annotations": {"argocd.argoproj.io/sync-wave": wave}},
            "spec": {"source": {"path": name}, "destination": {"namespace": "demo"}},
        }
        for name, wave in (("db", "-1"), ("web", "0"))
    ]
    world.objects = children
    root = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "root", "namespace": "gitops-system"},
        "spec": {"source": {"path": "apps"}, "destination": {"namespace": "gitops-system"}, "syncPolicy": {"automated": {"prune": True}}},
    }
    outcome = world.run(root, wave_timeout=5)
    assert outcome.error is None, outcome.error
    assert sorted(k[3] for k in world.cluster.objects if k[1] == "Application") == ["db", "web"]


def test_a_hook_that_cannot_be_deleted_is_a_note_not_a_failure(cluster):
    cluster.jobs["migrate-"] = "Complete"
    real_delete = cluster.delete

    def delete(rtype, namespace, name, uid=None, propagation="Background"):
        if name.startswith("migrate-"):
            from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError  # pylint: disable=import-outside-toplevel

            raise ClusterError("forbidden: cannot delete jobs")
        return real_delete(rtype, namespace, name, uid, propagation)

    cluster.delete = delete
    _p, result = run(cluster, [cm("app"), hook_job("PreSync", "migrate-", policy="HookSucceeded")])
    assert result.error is None
    assert len(result.notes) == 1 and "HookSucceeded hook not deleted: forbidden: cannot delete jobs" in result.notes[0]
