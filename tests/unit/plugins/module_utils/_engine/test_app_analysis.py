# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""spec.analysis of an Application over the fake cluster: measured after a sync that
changed something, a failed one rolls back and suspends automation, an inconclusive one
holds; the resumeOnNewRevision policy both ways; events and triggers."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_analysis, app_events, application, triggers
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, MetricsError

from .fake_cluster import FakeClock
from .test_rollback import R1, R2, PinnedWorld, app, live_value

R3 = "3" * 40
QUERY = "sum(rate(errors[1m]))"


def analysed_app(**rollback_policy):
    obj = app()
    obj["spec"]["analysis"] = {
        "metrics": [
            {
                "name": "error-rate",
                "interval": "2s",
                "count": 2,
                "successCondition": "result[0] < 0.05",
                "provider": {"prometheus": {"address": "http://127.0.0.1:9090", "query": QUERY}},
            }
        ]
    }
    if rollback_policy:
        obj["spec"]["analysis"]["rollback"] = rollback_policy
    return obj


class MeteredWorld(PinnedWorld):
    """PinnedWorld with a metrics port: the error rate of the revision live now."""

    def __init__(self):
        super().__init__()
        self.clock = FakeClock()
        self.rates = {}
        self.queries = []

    def metrics(self, address, promql, timeout):
        self.queries.append((address, promql, timeout))
        rate = self.rates.get(live_value(self))
        if isinstance(rate, MetricsError):
            raise rate
        return [rate]

    def ports(self):
        return super().ports().with_changes(metrics=self.metrics)


def types(status):
    return [c["type"] for c in status.get("conditions") or []]


def good_then(world, obj, value, rate):
    world.rates.update({"one": 0.01, value: rate})
    world.commit(R1, "one")
    first = world.run(obj)
    assert first.analysis.phase == "Successful" and obj["status"]["analysis"]["revision"] == R1
    world.commit(R2, value)
    return world.run(obj)


def test_a_good_revision_passes_and_stays():
    world, obj = MeteredWorld(), analysed_app()
    outcome = good_then(world, obj, "two", 0.02)
    assert outcome.analysis.phase == "Successful" and live_value(world) == "two"
    assert len(world.queries) == 4 and world.queries[0] == ("http://127.0.0.1:9090", QUERY, 10.0)
    assert "rolledBack" not in obj["status"] and "AnalysisFailed" not in types(obj["status"])
    assert obj["status"]["metrics"]["deployedRevision"] == R2
    world.queries.clear()
    assert world.run(obj).analysis is None and world.queries == []  # a no-op run measures nothing


def test_a_bad_revision_is_rolled_back_and_automation_suspended():
    world, obj = MeteredWorld(), analysed_app()
    previous = dict(obj)
    outcome = good_then(world, obj, "two", 0.3)
    status = obj["status"]
    assert live_value(world) == "one" and outcome.revision == R1 and outcome.synced
    assert outcome.analysis.phase == "Failed" and outcome.before_rollback.revision == R2
    assert status["rolledBack"] == dict(status["rolledBack"], revision=R1, automatic=True, failedRevision=R2)
    assert {"AnalysisFailed", "AutomatedSyncSuspended"} <= set(types(status))
    failed = [c["message"] for c in status["conditions"] if c["type"] == "AnalysisFailed"][0]
    assert "error-rate" in failed and QUERY in failed and "0.3" in failed and R2[:12] in failed
    assert "rolled back automatically" in [c["message"] for c in status["conditions"] if c["type"] == "AutomatedSyncSuspended"][0]
    assert status["metrics"]["deployedRevision"] == R1  # the failed revision was never promoted
    assert triggers.ANALYSIS_FAILED in outcome.triggers and triggers.ROLLED_BACK in outcome.triggers
    reasons = [e.reason for e in app_events.events_of(previous.get("status"), outcome)]
    assert reasons.count("SyncSucceeded") == 2 and "AnalysisFailed" in reasons and "RolledBack" in reasons

    world.rates["three"] = 0.01
    world.commit(R3, "three")  # default policy: a new commit waits for the user
    held = world.run(obj)
    assert not held.synced and live_value(world) == "one" and "AnalysisFailed" in types(obj["status"])
    resumed = world.run(obj, resume=True)
    assert resumed.synced and live_value(world) == "three" and resumed.analysis.phase == "Successful"
    assert "rolledBack" not in obj["status"] and "AnalysisFailed" not in types(obj["status"])


def test_resume_on_new_revision_syncs_the_next_commit_at_once():
    world, obj = MeteredWorld(), analysed_app(resumeOnNewRevision=True)
    good_then(world, obj, "two", 0.3)
    assert live_value(world) == "one" and obj["status"]["rolledBack"]["automatic"]
    same = world.run(obj)  # targetRevision still at the failed commit: the rollback holds
    assert not same.synced and live_value(world) == "one" and "rolledBack" in obj["status"]
    world.rates["three"] = 0.01
    world.commit(R3, "three")
    moved = world.run(obj)
    assert moved.synced and live_value(world) == "three" and moved.analysis.phase == "Successful"
    assert "rolledBack" not in obj["status"] and "AutomatedSyncSuspended" not in types(obj["status"])


def test_an_unreachable_prometheus_is_inconclusive_and_rolls_nothing_back():
    world, obj = MeteredWorld(), analysed_app()
    outcome = good_then(world, obj, "two", MetricsError("Prometheus not reachable: connection refused", subject="http://127.0.0.1:9090"))
    assert outcome.analysis.phase == "Inconclusive" and live_value(world) == "two" and outcome.before_rollback is None
    status = obj["status"]
    assert "rolledBack" not in status and "AnalysisInconclusive" in types(status) and "AnalysisFailed" not in types(status)
    assert "not reachable" in [c["message"] for c in status["conditions"] if c["type"] == "AnalysisInconclusive"][0]
    assert status["metrics"]["deployedRevision"] == R1  # not promoted
    assert triggers.DEPLOYED not in outcome.triggers and triggers.ROLLED_BACK not in outcome.triggers


def test_a_failed_first_deploy_has_nothing_to_roll_back_to():
    world, obj = MeteredWorld(), analysed_app()
    world.rates["one"] = 0.5
    world.commit(R1, "one")
    outcome = world.run(obj)
    assert outcome.analysis.phase == "Failed" and live_value(world) == "one" and "rolledBack" not in obj["status"]
    assert "not rolled back: no earlier revision" in outcome.reason and "AnalysisFailed" in types(obj["status"])


def first_then_second(rates):
    """An analysed Application synced at R1 ("one"), with R2 ("two") committed, not yet synced."""
    world, obj = MeteredWorld(), analysed_app()
    world.rates.update(rates)
    world.commit(R1, "one")
    world.run(obj)
    world.commit(R2, "two")
    return world, obj


def test_check_mode_and_a_rollback_sync_do_not_analyse():
    world, obj = first_then_second({"one": 0.01, "two": 0.01})
    world.queries.clear()
    assert world.run(obj, dry_run=True).analysis is None and world.queries == []
    world.run(obj)
    world.queries.clear()
    back = world.run(obj, rollback="0")
    assert back.synced and back.analysis is None and world.queries == []


def test_removing_spec_analysis_forgets_the_last_verdict():
    world, obj = MeteredWorld(), analysed_app()
    good_then(world, obj, "two", MetricsError("down", subject="x"))
    assert "AnalysisInconclusive" in types(obj["status"])
    del obj["spec"]["analysis"]
    world.run(obj)
    assert "analysis" not in obj["status"] and "AnalysisInconclusive" not in types(obj["status"])


def test_no_metrics_port_is_inconclusive():
    world, obj = MeteredWorld(), analysed_app()
    world.commit(R1, "one")
    world.ports = lambda: PinnedWorld.ports(world)  # the metrics port left out
    assert world.run(obj).analysis.phase == "Inconclusive"


def test_a_bad_spec_analysis_is_a_comparison_error_and_nothing_syncs():
    world, obj = MeteredWorld(), analysed_app()
    obj["spec"]["analysis"]["metrics"][0]["successCondition"] = "__import__('os').system('x')"
    world.commit(R1, "one")
    world.cluster.reset_calls()
    outcome = world.run(obj)
    assert outcome.error is not None and isinstance(outcome.error, InvalidSpec) and "successCondition" in str(outcome.error)
    assert world.cluster.writes() == [] and world.queries == []


def test_rollback_target_prefers_the_deployed_revision():
    history = [
        {"id": 3, "revision": R3, "result": "Succeeded"},
        {"id": 2, "revision": R2, "result": "Failed"},
        {"id": 1, "revision": R2, "result": "Succeeded"},
        {"id": 0, "revision": R1, "result": "Succeeded"},
    ]
    status = {"history": history, "metrics": {"deployedRevision": R1}}
    assert app_analysis.rollback_target(status, R3)["id"] == 0
    assert app_analysis.rollback_target(dict(status, metrics={}), R3)["id"] == 1
    assert app_analysis.rollback_target({"history": history[:1]}, R3) is None


def test_conditions_follow_the_recorded_analysis():
    failed = {"analysis": {"phase": "Failed", "message": "analysis Failed: metric m", "revision": R2}}
    (cond,) = app_analysis.conditions(failed, {}, "T")
    assert cond["type"] == "AnalysisFailed" and R2[:12] in cond["message"]
    assert app_analysis.conditions({"analysis": {"phase": "Successful"}}, {}, "T") == []
    (held,) = app_analysis.conditions({"analysis": {"phase": "Error", "message": "x", "revision": R2}}, {}, "T")
    assert held["type"] == "AnalysisInconclusive" and "not rolled back" in held["message"]
    kept = application.condition("AnalysisFailed", cond["message"], [dict(cond, lastTransitionTime="EARLIER")], "T")
    assert kept["lastTransitionTime"] == "EARLIER"


def test_an_argo_cd_application_with_spec_analysis_is_warned_about():
    from ansible_collections.gitops.k8s.plugins.module_utils._engine import argocd_application  # pylint: disable=import-outside-toplevel
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest  # pylint: disable=import-outside-toplevel

    theirs = dict(analysed_app(), apiVersion="argoproj.io/v1alpha1")
    converted, warnings = argocd_application.convert([Manifest(theirs, "apps/a.yaml:1")], "ops")
    assert converted[0].obj["spec"]["analysis"] == theirs["spec"]["analysis"]
    assert any("spec.analysis is not an Argo CD field" in w and "apps/a.yaml:1" in w for w in warnings)


class Killed(BaseException):
    """The agent's process ending in the middle of the measurements."""


def test_an_analysis_cut_short_is_measured_again_by_the_next_run():
    world, obj = first_then_second({"one": 0.01, "two": 0.3})
    real = world.metrics

    def killed(*_args):
        raise Killed()

    world.metrics = killed
    try:
        world.run(obj)
    except Killed:
        pass
    recorded = obj["status"] = world.statuses[-1]  # the sync was recorded before the measurements began
    assert recorded["analysis"] == dict(recorded["analysis"], phase="Running", revision=R2) and recorded["sync"]["revision"] == R2
    assert live_value(world) == "two"
    world.metrics = real
    again = world.run(obj)  # nothing to sync: the analysis left Running is measured now
    assert again.analysis.phase == "Failed" and live_value(world) == "one"
    assert obj["status"]["rolledBack"]["failedRevision"] == R2
