# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry of failed automated syncs: backoff math, limits, a new commit preempting, and
what reconcile records (operationState.retryCount / nextRetryAt) over the fake cluster."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, durations, retry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .fake_cluster import FakeClock, World

ARGO_RETRY = {"limit": 3, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "12s"}}


def test_parse_defaults_are_argo_cds():
    policy, warnings = retry.parse({})
    assert policy == retry.RetryPolicy(limit=0, duration=5.0, factor=2.0, max_duration=180.0) and warnings == ()
    assert retry.parse(None) == (None, ())


def test_refresh_false_and_unknown_fields_are_warnings_not_silent_drops():
    _policy, warnings = retry.parse({"limit": 1, "refresh": False, "jitter": 1, "backoff": {"cap": "1m"}})
    assert warnings == (
        "spec.syncPolicy.retry.jitter is not supported",
        "spec.syncPolicy.retry.backoff.cap is not supported",
        "spec.syncPolicy.retry.refresh=false is not carried out: a new commit always preempts a retrying sync",
    )
    assert retry.parse({"limit": 1, "refresh": True})[1] == ()


@pytest.mark.parametrize(
    "bad, message",
    [
        ("x", "must be a mapping"),
        ({"limit": "3"}, "limit must be an integer"),
        ({"backoff": {"factor": 0.5}}, "factor"),
        ({"backoff": {"duration": "5 minutes"}}, "backoff.duration"),
        ({"backoff": {"maxDuration": "1d"}}, "maxDuration"),
    ],
)
def test_parse_rejects(bad, message):
    with pytest.raises(InvalidSpec, match=message):
        retry.parse(bad)


def test_backoff_grows_by_factor_and_is_capped():
    policy = retry.parse(ARGO_RETRY)[0]
    assert [retry.backoff(policy, n) for n in range(4)] == [5, 10, 12, 12]


def test_decide_waits_for_the_backoff_then_retries_until_the_limit():
    policy = retry.parse(ARGO_RETRY)[0]
    last = {"revision": "r1", "phase": "Failed", "retryCount": 1, "nextRetryAt": durations.iso(1010)}
    assert retry.decide(policy, last, "r1", 1009)[0] is False
    assert "backoff until" in retry.decide(policy, last, "r1", 1009)[1]
    assert retry.decide(policy, last, "r1", 1010) == (True, "retrying the failed sync of r1 (retry 2 of 3)")
    done = dict(last, retryCount=3)
    allowed, reason = retry.decide(policy, done, "r1", 5000)
    assert not allowed and "retry limit (3) reached" in reason
    assert retry.decide(retry.RetryPolicy(limit=-1), done, "r1", 5000)[0] is True  # negative limit: unlimited
    assert retry.decide(None, done, "r1", 0)[0] is True  # no retry policy: every run


def test_after_failure_counts_retries_of_one_revision_only():
    policy = retry.parse(ARGO_RETRY)[0]
    first, note = retry.after_failure(policy, {}, "r1", False, 1000)
    assert first == {"retryCount": 0, "nextRetryAt": durations.iso(1005)} and note == ""
    second = retry.after_failure(policy, dict(first, revision="r1"), "r1", True, 1005)[0]
    assert second == {"retryCount": 1, "nextRetryAt": durations.iso(1015)}
    other = retry.after_failure(policy, dict(second, revision="r1"), "r2", True, 1020)[0]
    assert other["retryCount"] == 0
    last, note = retry.after_failure(policy, {"revision": "r1", "retryCount": 2}, "r1", True, 2000)
    assert last == {"retryCount": 3} and "retry limit (3) reached" in note


def failing_app(**policy):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": "missing-ns"}, "syncPolicy": dict({"automated": {"prune": True}}, **policy)},
    }


def failing_world():
    world = World()
    world.clock = FakeClock()
    return world


def test_reconcile_records_backoff_and_honours_it():
    world, obj = failing_world(), failing_app(retry={"limit": 2, "backoff": {"duration": "10s", "factor": 3}})
    first = world.run(obj)  # namespace missing-ns does not exist: the apply fails
    assert first.synced and first.error is not None
    state = first.status["operationState"]
    assert state["retryCount"] == 0 and state["nextRetryAt"] == durations.iso(1010)
    world.clock.t = 1009
    early = world.run(obj)
    assert not early.synced and "backoff until %s" % durations.iso(1010) in early.reason
    assert early.status["operationState"]["retryCount"] == 0  # the failed attempt stays recorded
    world.clock.t = 1010
    second = world.run(obj)
    assert second.synced and second.status["operationState"]["retryCount"] == 1
    assert second.status["operationState"]["nextRetryAt"] == durations.iso(1040)  # 10s * 3^1
    world.clock.t = 1040
    third = world.run(obj)
    assert third.synced and third.status["operationState"]["retryCount"] == 2
    assert "nextRetryAt" not in third.status["operationState"] and "retry limit (2) reached" in third.warnings[-1]
    world.clock.t = 9999
    stopped = world.run(obj)
    assert not stopped.synced and "retry limit (2) reached" in stopped.reason
    manual = world.run(obj, sync=True)  # a manual sync still syncs, and starts counting again
    assert manual.synced and manual.status["operationState"]["retryCount"] == 0


def test_a_new_commit_preempts_a_backoff():
    world, obj = failing_world(), failing_app(retry={"limit": 5, "backoff": {"duration": "1h"}})
    world.run(obj)
    world.revision = "r2"
    preempted = world.run(obj)
    assert preempted.synced and preempted.reason == "new revision r2"
    assert preempted.status["operationState"]["retryCount"] == 0


def test_without_retry_a_failed_sync_is_retried_on_every_run():
    world, obj = failing_world(), failing_app()
    world.run(obj)
    again = world.run(obj)
    assert again.synced and again.status["operationState"]["retryCount"] == 1
    assert "nextRetryAt" not in again.status["operationState"]


def test_revision_history_limit_bounds_the_history_and_ids_grow():
    world = World()
    obj = failing_app()
    obj["spec"]["destination"]["namespace"] = "demo"
    obj["spec"]["revisionHistoryLimit"] = 2
    for i in range(4):
        world.revision = "r%d" % i
        world.objects[0]["data"]["k"] = str(i)
        world.run(obj)
    history = obj["status"]["history"]
    assert [(h["id"], h["revision"]) for h in history] == [(3, "r3"), (2, "r2")]
    with pytest.raises(InvalidSpec, match="revisionHistoryLimit"):
        application.parse(dict(obj, spec=dict(obj["spec"], revisionHistoryLimit=-1)))


def test_an_unsupported_retry_field_is_a_condition_and_a_warning():
    world, obj = World(), failing_app(retry={"limit": 1, "refresh": False})
    obj["spec"]["destination"]["namespace"] = "demo"
    outcome = world.run(obj)
    [condition] = [c for c in outcome.status["conditions"] if c["type"] == "UnsupportedFeatureWarning"]
    assert "retry.refresh=false is not carried out" in condition["message"]
    assert any("retry.refresh=false" in w for w in outcome.warnings)
