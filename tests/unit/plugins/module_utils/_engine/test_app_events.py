# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The events of a reconcile: what kubectl describe gapp tells, from real reconciles of
the in-memory cluster."""

from __future__ import annotations

import copy
import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_events
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Outcome

from .fake_cluster import World
from .test_application import app

SECRET = "hunter2-very-secret"


def reasons(events):
    return [e.reason for e in events]


def run(world, obj, **settings):
    previous = copy.deepcopy(obj.get("status"))
    outcome = world.run(obj, **settings)
    return app_events.events_of(previous, outcome, settings.get("dry_run", False))


def test_a_first_sync_succeeds_and_counts_what_it_did():
    world, obj = World(), app(automated={"prune": True, "selfHeal": True})
    events = run(world, obj)
    assert reasons(events) == [app_events.SYNC_SUCCEEDED]
    assert events[0].type == app_events.NORMAL and "synced r1: 1 created, 0 configured, 0 pruned" == events[0].message


def test_a_no_op_reconcile_tells_nothing():
    world, obj = World(), app(automated={"prune": True, "selfHeal": True})
    run(world, obj)
    assert run(world, obj) == ()


def test_drift_corrected_and_prune_are_told_with_the_objects():
    world, obj = World(), app(automated={"prune": True, "selfHeal": True})
    world.objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gone"}, "data": {"k": "v"}})
    run(world, obj)
    cm = world.cluster.resolve("v1", "ConfigMap")
    live = world.cluster.get(cm, "demo", "c")
    world.cluster.apply(cm, dict(live, data={"k": "changed by hand"}), force=True)
    world.objects.pop()  # "gone" left Git
    events = run(world, obj)
    assert reasons(events) == [app_events.SYNC_SUCCEEDED, app_events.DRIFT_CORRECTED, app_events.PRUNED_REASON]
    assert "ConfigMap/demo/c" in events[1].message
    assert events[2].message == "pruned 1: ConfigMap/demo/gone"


def test_drift_without_self_heal_is_detected_as_a_warning():
    world, obj = World(), app(automated={})
    run(world, obj)
    cm = world.cluster.resolve("v1", "ConfigMap")
    world.cluster.apply(cm, dict(world.cluster.get(cm, "demo", "c"), data={"k": "x"}), force=True)
    events = run(world, obj)
    assert reasons(events) == [app_events.DRIFT_DETECTED]
    assert events[0].type == app_events.WARNING and "ConfigMap/demo/c" in events[0].message


def test_check_mode_tells_nothing():
    world, obj = World(), app(automated={"prune": True})
    assert run(world, obj, dry_run=True) == ()


def test_a_failed_sync_is_a_warning_without_the_secret_value():
    world, obj = World(), app(automated={"prune": True})
    world.objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": {"password": SECRET}})
    world.cluster.fail_apply_on.add("db")
    world.cluster.failure_message = "denied: password %s is too weak" % SECRET
    events = run(world, obj)
    assert app_events.SYNC_FAILED in reasons(events)
    failed = events[reasons(events).index(app_events.SYNC_FAILED)]
    assert failed.type == app_events.WARNING and "too weak" in failed.message
    assert SECRET not in json.dumps([e.message for e in events])


def test_a_render_error_is_a_comparison_error():
    world, obj = World(), app(automated={"prune": True})
    world.fail_render = True
    events = run(world, obj)
    assert reasons(events) == [app_events.COMPARISON_ERROR] and "kustomize build failed" in events[0].message


class _Health:
    def __init__(self, status, message=""):
        self.status, self.message = status, message


def test_health_changes_are_told_degraded_as_a_warning():
    outcome = Outcome(app="ops/a", health=_Health("Degraded", "Deployment/demo/web: 0/1 ready"))
    events = app_events.events_of({"health": {"status": "Healthy"}}, outcome)
    assert [(e.type, e.reason) for e in events] == [(app_events.WARNING, app_events.HEALTH_CHANGED)]
    assert events[0].message == "health Healthy -> Degraded: Deployment/demo/web: 0/1 ready"
    assert app_events.events_of({"health": {"status": "Degraded"}}, outcome) == ()
    assert app_events.events_of({}, outcome) == ()  # the first assessment is not a change


def test_hook_results_are_told():
    hooks = [
        {"kind": "Job", "namespace": "demo", "name": "migrate", "hookType": "PreSync", "hookPhase": "Succeeded", "message": ""},
        {"kind": "Job", "namespace": "demo", "name": "smoke", "hookType": "PostSync", "hookPhase": "Failed", "message": "BackoffLimitExceeded"},
    ]
    events = app_events.events_of({}, Outcome(app="ops/a", hooks=hooks))
    assert [(e.type, e.reason) for e in events] == [(app_events.NORMAL, app_events.HOOK_SUCCEEDED_REASON), (app_events.WARNING, app_events.HOOK_FAILED_REASON)]
    assert events[1].message == "PostSync hook Job/demo/smoke failed: BackoffLimitExceeded"


def test_events_and_their_messages_are_bounded():
    hooks = [{"kind": "Job", "namespace": "d", "name": "h%d" % i, "hookType": "Sync", "hookPhase": "Failed", "message": "x" * 5000} for i in range(50)]
    events = app_events.events_of({}, Outcome(app="ops/a", hooks=hooks))
    assert len(events) == app_events.MAX_EVENTS
    assert all(len(e.message) <= 1024 for e in events)


def test_a_deleted_application_tells_nothing():
    assert app_events.events_of({}, Outcome(app="ops/a", deleted=True, hooks=[{"hookPhase": "Failed"}])) == ()


def test_a_progressive_strategys_step_at_the_same_revision_is_a_sync_not_a_drift_correction():
    canary, drifted = "Deployment/demo/web-canary", "ConfigMap/demo/c"
    entries = (ChangeSetEntry(subject=canary, action="configured", status="OutOfSync"),)
    previous = {"sync": {"revision": "r1"}}
    step = Outcome(app="demo/app", revision="r1", synced=True, changeset=ChangeSet(entries), strategy_objects=frozenset((canary,)))
    assert reasons(app_events.events_of(previous, step)) == [app_events.SYNC_SUCCEEDED]
    entries += (ChangeSetEntry(subject=drifted, action="configured", status="OutOfSync"),)
    healed = Outcome(app="demo/app", revision="r1", synced=True, changeset=ChangeSet(entries), strategy_objects=frozenset((canary,)))
    events = app_events.events_of(previous, healed)
    assert reasons(events) == [app_events.SYNC_SUCCEEDED, app_events.DRIFT_CORRECTED]
    assert drifted in events[1].message and canary not in events[1].message
