# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""reconcile() and execute() when the Application's lock is held elsewhere or lost."""

from __future__ import annotations

import contextlib

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CREATED, PRUNED, SKIPPED, UNCHANGED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, LockError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

from .fake_cluster import FakeClock, FakeCluster, World
from .test_application import app
from .test_plan_sync import OWNER, cm, manifests

HOLDER = "other-host/42/beef"


class BlockedWorld(World):
    """The lock port raises what a Lease held by HOLDER raises."""

    def __init__(self, skipped=False):
        super().__init__()
        self.skipped = skipped
        self.cluster.reset_calls()

    def lock(self, _spec):
        raise LockError("Lease ops/gapp-a is held by %s" % HOLDER, subject="Lease/ops/gapp-a", details={"holder": HOLDER, "skipped": self.skipped})

    def ports(self):
        return super().ports().with_changes(lock=self.lock)


def two_objects(world):
    world.objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}, "data": {"k": "v"}})


@pytest.mark.parametrize("skipped", [False, True])
def test_blocked_sync_claims_no_action_and_says_who_holds_the_lock(skipped):
    world, obj = BlockedWorld(skipped), app(automated={"prune": True})
    two_objects(world)
    outcome = world.run(obj)
    assert world.cluster.writes() == []
    assert not outcome.synced
    assert outcome.changeset.by_action(CREATED) == []
    assert outcome.changeset.summary()[SKIPPED] == 2
    assert [(e.status, e.reason) for e in outcome.changeset.entries] == [("Missing", "not synced: Lease ops/gapp-a is held by %s" % HOLDER)] * 2
    assert outcome.reason == "not synced: Lease ops/gapp-a is held by %s" % HOLDER
    assert outcome.lock_holder == HOLDER
    assert outcome.warnings == [outcome.reason]
    assert outcome.sync_status == "OutOfSync"
    # a skipped lock is a choice (lock: skip), a lock wait that ran out is a failure
    assert (outcome.error is None) is skipped
    if not skipped:
        assert outcome.error.step == "lock"


def test_blocked_sync_does_not_overwrite_the_holders_status():
    world, obj = BlockedWorld(), app(automated={"prune": True})
    outcome = world.run(obj)
    assert not outcome.status_written and world.statuses == []


def test_blocked_sync_with_nothing_to_do_is_not_blocked():
    world, obj = World(), app(automated={"prune": True})
    world.run(obj)
    blocked = BlockedWorld()
    blocked.cluster = world.cluster
    outcome = blocked.run(obj)
    assert outcome.error is None and outcome.reason != "" and outcome.lock_holder == ""
    assert outcome.changeset.summary()[UNCHANGED] == 1


class LostAfter:
    """A lock handle whose check() fails from the n-th call on (renewal saw a thief)."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def check(self):
        self.calls += 1
        if self.calls >= self.n:
            raise LockError("Lease ops/gapp-a was taken over by %s" % HOLDER, subject="Lease/ops/gapp-a")


def demo_cluster():
    cluster = FakeCluster()
    cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    return cluster


@pytest.mark.parametrize("workers", [1, 4])
def test_execute_stops_at_the_next_object_once_the_lock_is_lost(workers):
    cluster = demo_cluster()
    options = SyncOptions(namespace="demo", tracking=OWNER, prune=True, workers=workers)
    first = sync.execute(cluster, plan.build_plan(cluster, manifests(cm("old")), (), options), options, FakeClock())
    cluster.reset_calls()
    p = plan.build_plan(cluster, manifests(cm("a"), cm("b"), cm("c")), first.inventory, options)
    held = LostAfter(3)
    result = sync.execute(cluster, p, options, FakeClock(), held=held)
    written = [c[3] for c in cluster.writes()]
    # one after another: the first two; side by side: any two (the third check fails)
    assert written == ["a", "b"] if workers == 1 else len(written) == 2
    assert isinstance(result.error, LockError) and "taken over" in str(result.error)
    assert result.changeset.by_action(PRUNED) == []  # nothing pruned after the lock was lost
    assert ("ConfigMap/demo/old", SKIPPED) in [(e.subject, e.action) for e in result.changeset.entries]


def test_execute_checks_the_lock_before_each_prune():
    cluster = demo_cluster()
    options = SyncOptions(namespace="demo", tracking=OWNER, prune=True, prune_limit_percent=100)  # 2 of 3: over the default budget
    first = sync.execute(cluster, plan.build_plan(cluster, manifests(cm("a"), cm("x"), cm("y")), (), options), options, FakeClock())
    cluster.reset_calls()
    p = plan.build_plan(cluster, manifests(cm("a")), first.inventory, options)
    result = sync.execute(cluster, p, options, FakeClock(), held=LostAfter(2))
    assert [c[3] for c in cluster.writes()] == ["y"]  # reverse apply order
    assert isinstance(result.error, LockError)


def test_reconcile_hands_the_lock_handle_to_the_sync():
    world, obj = World(), app(automated={"prune": True})
    two_objects(world)
    world.cluster.reset_calls()
    handle = LostAfter(2)
    ports = world.ports()
    ports.lock = lambda spec: contextlib.nullcontext(handle)
    outcome = reconcile(obj, ports, Settings())
    assert handle.calls == 2 and outcome.error.step == "lock"
    assert len([c for c in world.cluster.writes() if c[0] == "apply"]) == 1


@pytest.mark.parametrize("settings", [{}, {"sync": False}])
def test_a_run_the_policy_did_not_sync_claims_no_action(settings):
    """Manual policy (or sync=false): the drift is reported with its diff, nothing is
    counted as created (the summary would print 'created 2' for a run that wrote nothing)."""
    world, obj = World(), app()
    two_objects(world)
    world.cluster.reset_calls()
    outcome = world.run(obj, **settings)
    assert world.cluster.writes() == []
    assert not outcome.synced and not outcome.changeset.changed
    assert outcome.changeset.by_action(CREATED) == [] and outcome.changeset.summary()[SKIPPED] == 2
    assert all(e.after is not None for e in outcome.changeset.entries)  # the diff stays
    assert outcome.sync_status == "OutOfSync"


def test_check_mode_keeps_the_planned_actions():
    world, obj = World(), app()
    two_objects(world)
    outcome = world.run(obj, dry_run=True, sync=True)
    assert len(outcome.changeset.by_action(CREATED)) == 2


def test_a_failed_status_write_is_the_applications_error_not_an_exception():
    """reconcile() never raises: a status write that fails (API server gone) is recorded
    in the outcome, so a run of many Applications goes on with the next one."""
    world, obj = World(), app(automated={"prune": True})

    def gone(_app, _status):
        raise ClusterError("the API server did not answer within 30 s (status Application/ops/a)")

    world.write_status = gone
    outcome = world.run(obj)
    assert outcome.synced and not outcome.status_written
    assert outcome.error is not None and "did not answer" in str(outcome.error)
