# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Analysis: Prometheus measurements judged as Argo Rollouts judges an AnalysisRun. Pure.

API (used by ``spec.analysis`` of an Application and by the native strategies' steps):

- ``parse_analysis(raw, where) -> AnalysisSpec``: an AnalysisTemplate's ``spec`` shape
  (``metrics: [{name, interval, count, initialDelay, successCondition, failureCondition,
  failureLimit, inconclusiveLimit, consecutiveErrorLimit, provider: {prometheus: {address,
  query, timeout}}}]``) plus, for an Application, ``rollback: {resumeOnNewRevision}``.
  A field that would change the meaning and is not supported is an InvalidSpec; one that
  changes nothing here is a warning (``AnalysisSpec.warnings``), each naming the field.
- ``measure(metric, value, at) -> Measurement``: one measurement of a metric from the value
  a query returned (a number, a list of numbers) or the MetricsError it raised.
- ``judge(spec, measurements) -> Verdict``: the phase of each metric and of the analysis
  (RUNNING, SUCCESSFUL, FAILED, INCONCLUSIVE, ERROR) with a message naming the metric,
  its query and the value.
- ``run_analysis(spec, query, sleep, now, deadline=None) -> Verdict``: takes measurements
  every ``interval``, ``count`` times per metric (or until a limit decides), calling
  ``query(address, promql, timeout)`` (``_adapters/prometheus_query.query``), ``sleep(s)``
  and ``now()`` (epoch seconds). Bounded: at most initialDelay + (count-1) * interval plus
  the queries' timeouts; a ``deadline`` (epoch seconds) that comes first ends it
  INCONCLUSIVE.
- ``Verdict.to_status()``: the dict kept in an Application's ``status.analysis``.

Only FAILED means the new version is bad. ERROR (a query failing consecutiveErrorLimit+1
times in a row) and INCONCLUSIVE (neither condition held, or no measurement succeeded)
say nothing about it: callers hold (no promotion, no rollback). A query that cannot be
made (Prometheus unreachable) is an Error measurement, never a Failed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import durations, messages
from ansible_collections.gitops.k8s.plugins.module_utils._engine.analysis_conditions import Condition, ConditionError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, MetricsError

RUNNING = "Running"
SUCCESSFUL = "Successful"
FAILED = "Failed"
INCONCLUSIVE = "Inconclusive"
ERROR = "Error"
# worst first: the phase of an analysis is the worst of its metrics'
_ORDER = (FAILED, ERROR, INCONCLUSIVE, RUNNING, SUCCESSFUL)

DEFAULT_TIMEOUT = 10.0  # seconds of one Prometheus query (Argo Rollouts' default is 30s; a run is short)
DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4  # as Argo Rollouts
# Bounds on what a repository may make the agent do (an analysis is written in Git): a
# query is text sent as it is (never a template), and no analysis can hold a run or its
# memory for long. Each bound refused by name (InvalidSpec), never silently clipped.
MAX_METRICS = 10  # metrics of one analysis
MAX_QUERY_CHARS = 4096  # characters of one query (it travels in the URL of a GET)
MAX_COUNT = 100  # measurements of one metric
MIN_INTERVAL = 1.0  # seconds between two measurements: no query storm against Prometheus
MAX_TIMEOUT = 60.0  # seconds of one query
MAX_METRIC_SECONDS = 3600.0  # initialDelay + (count - 1) x interval of one metric
_METRIC_FIELDS = {
    "name",
    "interval",
    "count",
    "initialDelay",
    "successCondition",
    "failureCondition",
    "failureLimit",
    "inconclusiveLimit",
    "consecutiveErrorLimit",
    "provider",
}
_IGNORED_METRIC_FIELDS = ("consecutiveSuccessLimit", "dryRun")  # warned: see _metric
_PROMETHEUS_FIELDS = {"address", "query", "timeout"}
_SPEC_FIELDS = {"metrics", "rollback"}
_IGNORED_SPEC_FIELDS = ("measurementRetention", "dryRun")


@dataclass(frozen=True)
class Metric:
    name: str
    address: str
    query: str
    timeout: float = DEFAULT_TIMEOUT
    interval: float = 0.0
    count: int = 1
    initial_delay: float = 0.0
    success: Optional[Condition] = None
    failure: Optional[Condition] = None
    failure_limit: int = 0  # failed measurements allowed (-1: any number)
    inconclusive_limit: int = 0
    consecutive_error_limit: int = DEFAULT_CONSECUTIVE_ERROR_LIMIT


@dataclass(frozen=True)
class AnalysisSpec:
    metrics: tuple = ()
    resume_on_new_revision: bool = False  # spec.analysis.rollback.resumeOnNewRevision
    warnings: tuple = ()

    @property
    def seconds(self):
        """The longest an analysis can take (without its queries' time)."""
        return max((m.initial_delay + max(m.count - 1, 0) * m.interval for m in self.metrics), default=0.0)


@dataclass(frozen=True)
class Measurement:
    metric: str
    phase: str  # SUCCESSFUL, FAILED, INCONCLUSIVE or ERROR
    value: Any = None  # what the query returned (None after an error)
    message: str = ""
    at: float = 0.0


@dataclass(frozen=True)
class MetricResult:
    name: str
    query: str
    phase: str
    count: int = 0
    successful: int = 0
    failed: int = 0
    inconclusive: int = 0
    error: int = 0
    consecutive_error: int = 0
    last: Optional[Measurement] = None
    message: str = ""


@dataclass(frozen=True)
class Verdict:
    phase: str
    message: str
    metric: str = ""  # the metric that decided (the first one failing), '' when all passed
    query: str = ""
    value: Any = None
    metrics: tuple = field(default_factory=tuple)  # MetricResult per metric, in spec order

    @property
    def done(self):
        return self.phase != RUNNING

    def to_status(self):
        """``status.analysis`` of an Application (timestamps are added by the caller)."""
        return {
            "phase": self.phase,
            "message": messages.bounded(self.message),
            "metrics": [
                {
                    "name": m.name,
                    "query": messages.bounded(m.query),
                    "phase": m.phase,
                    "count": m.count,
                    "successful": m.successful,
                    "failed": m.failed,
                    "inconclusive": m.inconclusive,
                    "error": m.error,
                    "value": messages.bounded(show(m.last.value)) if m.last is not None and m.last.value is not None else "",
                    "message": messages.bounded(m.message),
                }
                for m in self.metrics
            ],
        }


def show(value):
    """A measured value as messages print it (a list of up to 5 numbers, then a count)."""
    if isinstance(value, list):
        shown = ", ".join(_number_text(v) for v in value[:5])
        return "[%s%s]" % (shown, ", ... %d more" % (len(value) - 5) if len(value) > 5 else "")
    return _number_text(value)


def _number_text(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


def _int(raw, field_name, default, minimum):
    if raw is None:
        return default
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.lstrip("-").isdigit() or int(text) < minimum:
        raise InvalidSpec("%s: %r is not a whole number >= %d" % (field_name, raw, minimum))
    return int(text)


def _seconds(raw, field_name, default):
    return default if raw in (None, "") else durations.parse(raw, field_name)


def _prometheus(provider, where):
    if not isinstance(provider, Mapping) or not provider:
        raise InvalidSpec("%s.provider: a provider is required (prometheus)" % where)
    others = sorted(k for k in provider if k != "prometheus")
    if others:
        raise InvalidSpec("%s.provider: %s not supported (only prometheus)" % (where, ", ".join(others)))
    prom = provider.get("prometheus")
    if not isinstance(prom, Mapping):
        raise InvalidSpec("%s.provider.prometheus: must be a mapping with address and query" % where)
    for key in sorted(set(prom) - _PROMETHEUS_FIELDS):
        # authentication, headers, insecure: a query without them would reach Prometheus differently
        raise InvalidSpec("%s.provider.prometheus.%s: not supported (supported: %s)" % (where, key, ", ".join(sorted(_PROMETHEUS_FIELDS))))
    address, query = str(prom.get("address") or "").strip(), str(prom.get("query") or "").strip()
    if not address.startswith(("http://", "https://")):
        raise InvalidSpec("%s.provider.prometheus.address: %r is not an http(s) URL" % (where, address))
    if "@" in address.split("://", 1)[1].split("/", 1)[0]:
        raise InvalidSpec("%s.provider.prometheus.address: credentials in the URL are not supported" % where)
    if not query:
        raise InvalidSpec("%s.provider.prometheus.query: required" % where)
    if "{{" in query:
        raise InvalidSpec("%s.provider.prometheus.query: templates ({{args...}}) are not supported; write the query in full" % where)
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidSpec("%s.provider.prometheus.query: %d characters, more than %d" % (where, len(query), MAX_QUERY_CHARS))
    timeout = _seconds(prom.get("timeout"), where + ".provider.prometheus.timeout", DEFAULT_TIMEOUT)
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InvalidSpec("%s.provider.prometheus.timeout: must be more than 0 and at most %gs, got %gs" % (where, MAX_TIMEOUT, timeout))
    return address, query, timeout


def _metric(raw, where, warnings):
    if not isinstance(raw, Mapping):
        raise InvalidSpec("%s: a metric must be a mapping" % where)
    name = str(raw.get("name") or "").strip()
    if not name:
        raise InvalidSpec("%s.name: required" % where)
    where = "%s (%s)" % (where, name)
    for key in sorted(set(raw) - _METRIC_FIELDS):
        if key in _IGNORED_METRIC_FIELDS:
            warnings.append("%s.%s: not supported, ignored" % (where, key))
        else:
            raise InvalidSpec("%s.%s: unknown field (known: %s)" % (where, key, ", ".join(sorted(_METRIC_FIELDS))))
    address, query, timeout = _prometheus(raw.get("provider"), where)
    interval = _seconds(raw.get("interval"), where + ".interval", 0.0)
    if raw.get("count") is None and interval:
        raise InvalidSpec("%s.count: required with interval (an analysis here ends; Argo Rollouts would measure forever)" % where)
    count = _int(raw.get("count"), where + ".count", 1, 1)
    if count > 1 and not interval:
        raise InvalidSpec("%s.interval: required when count is more than 1" % where)
    _bounded(where, count, interval, _seconds(raw.get("initialDelay"), where + ".initialDelay", 0.0))
    success = Condition(raw["successCondition"], where + ".successCondition") if raw.get("successCondition") else None
    failure = Condition(raw["failureCondition"], where + ".failureCondition") if raw.get("failureCondition") else None
    return Metric(
        name=name,
        address=address,
        query=query,
        timeout=timeout,
        interval=interval,
        count=count,
        initial_delay=_seconds(raw.get("initialDelay"), where + ".initialDelay", 0.0),
        success=success,
        failure=failure,
        failure_limit=_int(raw.get("failureLimit"), where + ".failureLimit", 0, -1),
        inconclusive_limit=_int(raw.get("inconclusiveLimit"), where + ".inconclusiveLimit", 0, 0),
        consecutive_error_limit=_int(raw.get("consecutiveErrorLimit"), where + ".consecutiveErrorLimit", DEFAULT_CONSECUTIVE_ERROR_LIMIT, 0),
    )


def _bounded(where, count, interval, initial_delay):
    """InvalidSpec when a metric would measure too often or for too long (MAX_* above)."""
    if count > MAX_COUNT:
        raise InvalidSpec("%s.count: %d measurements, more than %d" % (where, count, MAX_COUNT))
    if interval and interval < MIN_INTERVAL:
        raise InvalidSpec("%s.interval: %gs, less than %gs" % (where, interval, MIN_INTERVAL))
    if initial_delay < 0:
        raise InvalidSpec("%s.initialDelay: must not be negative" % where)
    total = initial_delay + (count - 1) * interval
    if total > MAX_METRIC_SECONDS:
        raise InvalidSpec("%s: initialDelay + (count - 1) x interval is %gs, more than %gs" % (where, total, MAX_METRIC_SECONDS))


def parse_analysis(raw, where):
    """AnalysisSpec of ``raw`` (an AnalysisTemplate's spec, or ``spec.analysis``); ``where``
    names it in errors and warnings (e.g. 'GitOpsApplication/ns/app spec.analysis')."""
    if not isinstance(raw, Mapping):
        raise InvalidSpec("%s: must be a mapping with metrics" % where)
    warnings = []
    for key in sorted(set(raw) - _SPEC_FIELDS):
        if key in _IGNORED_SPEC_FIELDS:
            warnings.append("%s.%s: not supported, ignored" % (where, key))
        else:
            raise InvalidSpec("%s.%s: not supported (supported: %s)" % (where, key, ", ".join(sorted(_SPEC_FIELDS))))
    metrics = raw.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        raise InvalidSpec("%s.metrics: a list of at least one metric is required" % where)
    if len(metrics) > MAX_METRICS:
        raise InvalidSpec("%s.metrics: %d metrics, more than %d" % (where, len(metrics), MAX_METRICS))
    parsed = tuple(_metric(m, "%s.metrics[%d]" % (where, i), warnings) for i, m in enumerate(metrics))
    names = [m.name for m in parsed]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidSpec("%s.metrics: names must be unique: %s" % (where, ", ".join(twice)))
    policy = raw.get("rollback") or {}
    if not isinstance(policy, Mapping):
        raise InvalidSpec("%s.rollback: must be a mapping" % where)
    for key in sorted(set(policy) - {"resumeOnNewRevision"}):
        raise InvalidSpec("%s.rollback.%s: unknown field (known: resumeOnNewRevision)" % (where, key))
    resume = policy.get("resumeOnNewRevision", False)
    if not isinstance(resume, bool):
        raise InvalidSpec("%s.rollback.resumeOnNewRevision: must be true or false" % where)
    return AnalysisSpec(metrics=parsed, resume_on_new_revision=resume, warnings=tuple(warnings))


def _describe(metric, value):
    return "metric %s: query %r returned %s" % (metric.name, metric.query, show(value))


def measure(metric, value, at=0.0):
    """One Measurement of ``metric`` from ``value``: the query's result, or the
    MetricsError it raised. Conditions as Argo Rollouts reads them: with both, success
    wins only when failure does not hold and neither holding is Inconclusive; with one,
    its opposite is the other; with none, every value is Successful."""
    if isinstance(value, MetricsError):
        return Measurement(metric.name, ERROR, None, "metric %s: query %r failed: %s" % (metric.name, metric.query, value), at)
    try:
        succeeded = metric.success.holds(value) if metric.success else None
        failed = metric.failure.holds(value) if metric.failure else None
    except ConditionError as exc:
        return Measurement(metric.name, ERROR, value, "%s: condition cannot be evaluated: %s" % (_describe(metric, value), exc), at)
    if succeeded is None and failed is None:
        return Measurement(metric.name, SUCCESSFUL, value, _describe(metric, value), at)
    if failed is None:
        failed = not succeeded
    if succeeded is None:
        succeeded = not failed
    if failed:
        held = ("failureCondition %r holds" % metric.failure.text) if metric.failure else ("successCondition %r does not hold" % metric.success.text)
        return Measurement(metric.name, FAILED, value, "%s: %s" % (_describe(metric, value), held), at)
    if not succeeded:
        return Measurement(metric.name, INCONCLUSIVE, value, "%s: neither condition holds" % _describe(metric, value), at)
    return Measurement(metric.name, SUCCESSFUL, value, _describe(metric, value), at)


def _assess(metric, taken):
    """The MetricResult of ``metric`` from its measurements, in order (Argo Rollouts'
    rules: more than failureLimit failures fail it, more than inconclusiveLimit
    inconclusive ones make it Inconclusive, more than consecutiveErrorLimit errors in a row
    make it Error; after ``count`` measurements it is Successful, unless none succeeded)."""
    counts = {SUCCESSFUL: 0, FAILED: 0, INCONCLUSIVE: 0, ERROR: 0}
    streak = 0
    for m in taken:
        counts[m.phase] += 1
        streak = streak + 1 if m.phase == ERROR else 0
    last = taken[-1] if taken else None
    result = MetricResult(
        metric.name,
        metric.query,
        RUNNING,
        len(taken),
        counts[SUCCESSFUL],
        counts[FAILED],
        counts[INCONCLUSIVE],
        counts[ERROR],
        streak,
        last,
    )
    if metric.failure_limit >= 0 and counts[FAILED] > metric.failure_limit:
        decisive = [m for m in taken if m.phase == FAILED][-1]
        limit = "%d failed, failureLimit %d" % (counts[FAILED], metric.failure_limit)
        return replace(result, phase=FAILED, last=decisive, message="%s (%s)" % (decisive.message, limit))
    if counts[INCONCLUSIVE] > metric.inconclusive_limit:
        decisive = [m for m in taken if m.phase == INCONCLUSIVE][-1]
        limit = "%d inconclusive, inconclusiveLimit %d" % (counts[INCONCLUSIVE], metric.inconclusive_limit)
        return replace(result, phase=INCONCLUSIVE, last=decisive, message="%s (%s)" % (decisive.message, limit))
    if streak > metric.consecutive_error_limit:
        limit = "%d errors in a row, consecutiveErrorLimit %d" % (streak, metric.consecutive_error_limit)
        return replace(result, phase=ERROR, message="%s (%s)" % (last.message, limit))
    if len(taken) >= metric.count:
        if not counts[SUCCESSFUL]:
            return replace(result, phase=INCONCLUSIVE, message="%s (no measurement of %d succeeded)" % (last.message, len(taken)))
        return replace(result, phase=SUCCESSFUL, message=last.message)
    return replace(result, message=last.message if last else "metric %s: not measured yet" % metric.name)


def judge(spec, measurements):
    """The Verdict of ``spec`` from ``measurements`` (any order of metrics; each metric's
    in the order taken). The analysis is the worst of its metrics; it is over (not
    RUNNING) as soon as one metric fails, errs or is inconclusive, or all succeeded."""
    results = tuple(_assess(m, [x for x in measurements if x.metric == m.name]) for m in spec.metrics)
    worst = min(results, key=lambda r: _ORDER.index(r.phase))
    if worst.phase == SUCCESSFUL:
        message = "analysis Successful: " + "; ".join(r.message for r in results)
        return Verdict(SUCCESSFUL, message, metrics=results)
    if worst.phase == RUNNING:
        return Verdict(RUNNING, "analysis Running: %d of %d metrics done" % (sum(r.phase == SUCCESSFUL for r in results), len(results)), metrics=results)
    value = worst.last.value if worst.last is not None else None
    return Verdict(worst.phase, "analysis %s: %s" % (worst.phase, worst.message), worst.name, worst.query, value, results)


def run_analysis(spec, query, sleep, now, deadline=None):
    """Measure ``spec``'s metrics until judge() decides; see the module docstring."""
    start = now()
    due = {m.name: start + m.initial_delay for m in spec.metrics}
    taken = []
    while True:
        verdict = judge(spec, taken)
        if verdict.done:
            return verdict
        running = {r.name for r in verdict.metrics if r.phase == RUNNING}
        following = min(due[name] for name in running)
        if deadline is not None and following > deadline:
            message = "analysis Inconclusive: the run's deadline comes before the next measurement (%s)" % verdict.message
            return replace(verdict, phase=INCONCLUSIVE, message=message)
        wait = following - now()
        if wait > 0:
            sleep(wait)
        for metric in spec.metrics:
            if metric.name in running and due[metric.name] <= now() + 0.001:
                try:
                    value = query(metric.address, metric.query, metric.timeout)
                except MetricsError as exc:
                    value = exc
                taken.append(measure(metric, value, now()))
                due[metric.name] += metric.interval
