# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Analysis: parsing an AnalysisTemplate-shaped spec, judging measurements, the driver."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, MetricsError

ADDRESS = "http://127.0.0.1:9090"


def metric(**fields):
    raw = {"name": "error-rate", "provider": {"prometheus": {"address": ADDRESS, "query": "sum(rate(errors[1m]))"}}}
    raw.update(fields)
    return raw


def spec(*metrics, **fields):
    return analysis.parse_analysis(dict({"metrics": list(metrics) or [metric()]}, **fields), "spec.analysis")


def test_parse_reads_the_argo_rollouts_fields():
    parsed = spec(
        metric(
            interval="2s",
            count=3,
            initialDelay="1s",
            successCondition="result[0] < 0.05",
            failureCondition="result[0] > 0.5",
            failureLimit=1,
            inconclusiveLimit="2",
            consecutiveErrorLimit=0,
            provider={"prometheus": {"address": ADDRESS, "query": "up", "timeout": 5}},
        ),
        rollback={"resumeOnNewRevision": True},
    )
    (m,) = parsed.metrics
    assert (m.interval, m.count, m.initial_delay, m.failure_limit, m.inconclusive_limit, m.consecutive_error_limit) == (2, 3, 1, 1, 2, 0)
    assert (m.address, m.query, m.timeout) == (ADDRESS, "up", 5)
    assert m.success.text == "result[0] < 0.05" and m.failure.text == "result[0] > 0.5"
    assert parsed.resume_on_new_revision is True
    assert parsed.seconds == 5


def test_parse_defaults():
    (m,) = spec().metrics
    assert (m.count, m.interval, m.failure_limit, m.inconclusive_limit, m.consecutive_error_limit) == (1, 0, 0, 0, 4)
    assert m.timeout == analysis.DEFAULT_TIMEOUT
    assert spec().resume_on_new_revision is False


@pytest.mark.parametrize(
    "raw, names",
    [
        ({}, "metrics"),
        ({"metrics": [metric(provider={"datadog": {"query": "x"}})]}, "datadog"),
        ({"metrics": [metric(provider={"prometheus": {"address": ADDRESS, "query": "up", "headers": []}})]}, "headers"),
        ({"metrics": [metric(provider={"prometheus": {"address": "file:///etc/passwd", "query": "up"}})]}, "address"),
        ({"metrics": [metric(provider={"prometheus": {"address": "http://u:secret@h:9090", "query": "up"}})]}, "credentials"),
        ({"metrics": [metric(provider={"prometheus": {"address": ADDRESS, "query": "{{args.service}}"}})]}, "templates"),
        ({"metrics": [metric(interval="1s")]}, "count"),
        ({"metrics": [metric(count=3)]}, "interval"),
        ({"metrics": [metric(count=0)]}, "count"),
        ({"metrics": [metric(interval="soon", count=2)]}, "interval"),
        ({"metrics": [metric(successCondition="result <")]}, "successCondition"),
        ({"metrics": [metric(), metric()]}, "unique"),
        ({"metrics": [metric(provider={"job": {}})]}, "job"),
        ({"metrics": [metric(unknownField=1)]}, "unknownField"),
        ({"metrics": [metric()], "args": [{"name": "x"}]}, "args"),
        ({"metrics": [metric()], "rollback": {"resumeOnNewRevision": "yes"}}, "resumeOnNewRevision"),
        ({"metrics": [metric()], "rollback": {"auto": True}}, "auto"),
    ],
)
def test_parse_refuses_by_name(raw, names):
    with pytest.raises(InvalidSpec) as err:
        analysis.parse_analysis(raw, "GitOpsApplication/ns/app spec.analysis")
    assert names in str(err.value) and "GitOpsApplication/ns/app spec.analysis" in str(err.value)


def test_parse_warns_of_ignored_fields_by_name():
    parsed = spec(metric(dryRun=True), measurementRetention=[])
    assert any("measurementRetention" in w for w in parsed.warnings)
    assert any("dryRun" in w and "error-rate" in w for w in parsed.warnings)


def test_measure_follows_argo_rollouts_condition_rules():
    both = spec(metric(successCondition="result[0] < 0.05", failureCondition="result[0] > 0.5")).metrics[0]
    assert analysis.measure(both, [0.01]).phase == analysis.SUCCESSFUL
    assert analysis.measure(both, [0.9]).phase == analysis.FAILED
    assert analysis.measure(both, [0.2]).phase == analysis.INCONCLUSIVE
    only_success = spec(metric(successCondition="result[0] < 0.05")).metrics[0]
    assert analysis.measure(only_success, [0.2]).phase == analysis.FAILED
    only_failure = spec(metric(failureCondition="result[0] > 0.5")).metrics[0]
    assert analysis.measure(only_failure, [0.2]).phase == analysis.SUCCESSFUL
    assert analysis.measure(spec().metrics[0], [42]).phase == analysis.SUCCESSFUL
    assert analysis.measure(only_success, []).phase == analysis.ERROR
    down = analysis.measure(only_success, MetricsError("Prometheus not reachable: refused", subject=ADDRESS))
    assert down.phase == analysis.ERROR and "not reachable" in down.message


def test_a_failed_verdict_names_metric_query_and_value():
    m = spec(metric(successCondition="result[0] < 0.05")).metrics[0]
    verdict = analysis.judge(spec(metric(successCondition="result[0] < 0.05")), [analysis.measure(m, [0.25])])
    assert verdict.phase == analysis.FAILED
    assert (verdict.metric, verdict.query, verdict.value) == ("error-rate", "sum(rate(errors[1m]))", [0.25])
    assert "error-rate" in verdict.message and "sum(rate(errors[1m]))" in verdict.message and "0.25" in verdict.message
    status = verdict.to_status()
    assert status["phase"] == "Failed" and status["metrics"][0]["value"] == "[0.25]" and status["metrics"][0]["failed"] == 1


def judged(raw_metric, values):
    parsed = spec(raw_metric)
    m = parsed.metrics[0]
    return analysis.judge(parsed, [analysis.measure(m, v) for v in values])


ERR = MetricsError("down", subject=ADDRESS)


@pytest.mark.parametrize(
    "fields, values, phase",
    [
        ({}, [], analysis.RUNNING),
        ({"count": 3, "interval": "1s"}, [[0.01]], analysis.RUNNING),
        ({"count": 3, "interval": "1s"}, [[0.01]] * 3, analysis.SUCCESSFUL),
        ({"count": 3, "interval": "1s", "failureLimit": 1}, [[0.9], [0.01], [0.01]], analysis.SUCCESSFUL),
        ({"count": 3, "interval": "1s", "failureLimit": 1}, [[0.9], [0.9]], analysis.FAILED),
        ({"count": 3, "interval": "1s", "failureLimit": -1}, [[0.9], [0.9], [0.01]], analysis.SUCCESSFUL),
        ({"count": 3, "interval": "1s"}, [[0.9]], analysis.FAILED),
        ({"count": 3, "interval": "1s"}, [ERR, ERR, ERR], analysis.INCONCLUSIVE),
        ({"count": 9, "interval": "1s", "consecutiveErrorLimit": 1}, [ERR, ERR], analysis.ERROR),
        ({"count": 9, "interval": "1s", "consecutiveErrorLimit": 1}, [ERR, [0.01], ERR], analysis.RUNNING),
        ({"count": 2, "interval": "1s", "failureCondition": "result[0] > 0.5"}, [[0.2]], analysis.INCONCLUSIVE),
        ({"count": 2, "interval": "1s", "failureCondition": "result[0] > 0.5", "inconclusiveLimit": 1}, [[0.2], [0.01]], analysis.SUCCESSFUL),
    ],
)
def test_judge_applies_the_limits(fields, values, phase):
    assert judged(metric(successCondition="result[0] < 0.05", **fields), values).phase == phase


def test_judge_is_the_worst_metric_and_never_failed_on_errors():
    parsed = spec(metric(successCondition="result[0] < 0.05"), metric(name="latency", successCondition="result[0] < 1"))
    ok, slow = parsed.metrics
    assert analysis.judge(parsed, [analysis.measure(ok, [0.01])]).phase == analysis.RUNNING
    failed = analysis.judge(parsed, [analysis.measure(ok, [0.01]), analysis.measure(slow, [3])])
    assert failed.phase == analysis.FAILED and failed.metric == "latency"
    down = analysis.judge(parsed, [analysis.measure(ok, ERR), analysis.measure(slow, ERR)])
    assert down.phase == analysis.INCONCLUSIVE


class FakeTime:
    def __init__(self):
        self.t = 1000.0
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


def test_run_analysis_measures_at_the_interval_and_stops_at_count():
    clock, asked = FakeTime(), []

    def query(address, promql, timeout):
        asked.append((address, promql, timeout, clock.t))
        return [0.01]

    parsed = spec(metric(successCondition="result[0] < 0.05", count=3, interval="2s", initialDelay="1s"))
    verdict = analysis.run_analysis(parsed, query, clock.sleep, clock.now)
    assert verdict.phase == analysis.SUCCESSFUL
    assert [a[3] for a in asked] == [1001.0, 1003.0, 1005.0]
    assert asked[0][:3] == (ADDRESS, "sum(rate(errors[1m]))", analysis.DEFAULT_TIMEOUT)


def test_run_analysis_stops_at_the_first_failure():
    clock, asked = FakeTime(), []

    def query(address, promql, timeout):
        asked.append(clock.t)
        return [0.3]

    parsed = spec(metric(successCondition="result[0] < 0.05", count=5, interval="2s"))
    verdict = analysis.run_analysis(parsed, query, clock.sleep, clock.now)
    assert verdict.phase == analysis.FAILED and len(asked) == 1 and "0.3" in verdict.message


def test_run_analysis_counts_an_unreachable_prometheus_as_errors():
    clock = FakeTime()

    def query(address, promql, timeout):
        raise MetricsError("Prometheus not reachable: connection refused", subject=address)

    parsed = spec(metric(successCondition="result[0] < 0.05", count=3, interval="1s"))
    verdict = analysis.run_analysis(parsed, query, clock.sleep, clock.now)
    assert verdict.phase == analysis.INCONCLUSIVE and "not reachable" in verdict.message


def test_run_analysis_respects_a_deadline():
    clock = FakeTime()
    parsed = spec(metric(successCondition="result[0] < 0.05", count=10, interval="10s"))
    verdict = analysis.run_analysis(parsed, lambda *a: [0.01], clock.sleep, clock.now, deadline=1025.0)
    assert verdict.phase == analysis.INCONCLUSIVE and "deadline" in verdict.message
    assert clock.t <= 1025.0
