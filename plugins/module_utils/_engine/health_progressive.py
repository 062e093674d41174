# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health of progressive-delivery kinds: Argo Rollouts' Rollout and AnalysisRun, Flagger's Canary.

Each check follows the built-in health check Argo CD ships for the kind
(xref: argo-cd resource_customizations/argoproj.io/Rollout/health.lua,
argoproj.io/AnalysisRun/health.lua, flagger.app/Canary/health.lua), with the same
statuses and messages, so waves and hooks wait for them as an Argo CD user expects:
a Rollout paused (by a pause step or by the user) is Suspended, stepping or scaling is
Progressing, aborted or past its progress deadline is Degraded.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTH_ORDER, HEALTHY, PROGRESSING, SUSPENDED, UNKNOWN
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import Health, HealthCheck, _conditions, _int, _map, _spec, _status

ROLLOUTS_GROUP = "argoproj.io"
FLAGGER_GROUP = "flagger.app"

# metadata.annotations key of a Rollout with spec.workloadRef: the referenced workload's generation
WORKLOAD_GENERATION_ANNOTATION = "rollout.argoproj.io/workload-generation"
# Rollout status.phase written by the controller for a paused rollout (Argo CD's Suspended)
ROLLOUT_PHASE_PAUSED = "Paused"
# Rollout condition (type, reason) pairs that make it Degraded, in Argo CD's order
ROLLOUT_DEGRADED_CONDITIONS = (("InvalidSpec", None), ("Progressing", "RolloutAborted"), ("Progressing", "ProgressDeadlineExceeded"))

ROLLOUT_NOT_OBSERVED = "Waiting for rollout spec update to be observed"
ROLLOUT_PAUSED = "Rollout is paused"
ROLLOUT_NOT_RECONCILED = "Waiting for rollout to finish: status has not been reconciled."
ROLLOUT_MORE_UPDATED = "Waiting for roll out to finish: More replicas need to be updated"
ROLLOUT_BECOMING_AVAILABLE = "Waiting for roll out to finish: updated replicas are still becoming available"
ROLLOUT_OLD_PENDING = "Waiting for roll out to finish: old replicas are pending termination"
ROLLOUT_CUTOVER_PENDING = "active service cutover pending"
ROLLOUT_ANALYSIS_PENDING = "waiting for analysis to complete"
ROLLOUT_STEPS_PENDING = "Waiting for rollout to finish steps"

# AnalysisRun status.phase -> (health, default message)
ANALYSIS_PHASES: Dict[str, Tuple[str, str]] = {
    "Pending": (PROGRESSING, "Analysis run is running"),
    "Running": (PROGRESSING, "Analysis run is running"),
    "Successful": (HEALTHY, "Analysis run completed successfully"),
    "Failed": (DEGRADED, "Analysis run failed"),
    "Error": (DEGRADED, "Analysis run had an error"),
    "Inconclusive": (UNKNOWN, "Analysis run was inconclusive"),
}
ANALYSIS_NOT_RECONCILED = "Waiting for analysis run to finish: status has not been reconciled."

# Flagger Canary status.phase -> health; any other phase is Unknown
CANARY_PHASES: Dict[str, str] = {
    "Failed": DEGRADED,
    "Progressing": PROGRESSING,
    "Finalising": PROGRESSING,
    "Promoting": PROGRESSING,
    "Succeeded": HEALTHY,
    "Initialized": HEALTHY,
}
CANARY_SEPARATOR = " --- "


def _number(value: Any) -> Optional[float]:
    """Lua's tonumber: a number, or a string that reads as one; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


# --- Argo Rollouts: Rollout ------------------------------------------------------------


def _generation_observed(obj: Mapping[str, Any]) -> bool:
    """The controller saw the current spec. A v0.9 Rollout (observedGeneration a hash, or a
    number above the generation) always counts as observed."""
    status = obj.get("status")
    if not isinstance(status, Mapping):
        return False
    observed = _number(status.get("observedGeneration"))
    generation = _number(_map(obj.get("metadata")).get("generation"))
    if observed is None or generation is None or observed > generation:
        return True
    return observed == generation


def _workload_generation_observed(obj: Mapping[str, Any]) -> bool:
    """With spec.workloadRef (v1.1+): the workload generation annotation matches
    status.workloadObservedGeneration."""
    annotations = _map(obj.get("metadata")).get("annotations")
    if _spec(obj).get("workloadRef") is None or not isinstance(annotations, Mapping):
        return True
    return _number(annotations.get(WORKLOAD_GENERATION_ANNOTATION)) == _number(_status(obj).get("workloadObservedGeneration"))


def _stable_rs(status: Mapping[str, Any]) -> str:
    """status.stableRS, or the pre-v0.8 status.canary.stableRS."""
    if status.get("stableRS") is not None:
        return str(status["stableRS"])
    return str(_map(status.get("canary")).get("stableRS") or "")


def _phase_health(status: Mapping[str, Any]) -> Health:
    """Rollouts v1.0+ record a phase and message that are surfaced as they are."""
    phase = str(status["phase"])
    message = str(status.get("message") or "")
    if phase == ROLLOUT_PHASE_PAUSED:
        return Health(SUSPENDED, message)
    if phase not in HEALTH_ORDER:
        return Health(UNKNOWN, "unknown Rollout phase %r%s" % (phase[:40], ": " + message if message else ""))
    return Health(phase, message)


def _rollout_replicas(spec: Mapping[str, Any], status: Mapping[str, Any]) -> Optional[Health]:
    desired = _int(spec.get("replicas"), 1)
    updated = _int(status.get("updatedReplicas"))
    if updated < desired:
        return Health(PROGRESSING, ROLLOUT_MORE_UPDATED)
    if _int(status.get("availableReplicas")) < updated:
        return Health(PROGRESSING, ROLLOUT_BECOMING_AVAILABLE)
    return None


def _rollout_strategy(spec: Mapping[str, Any], status: Mapping[str, Any]) -> Optional[Health]:
    strategy = _map(spec.get("strategy"))
    current = status.get("currentPodHash")
    stable = _stable_rs(status)
    if strategy.get("blueGreen") is not None:
        if _map(status.get("blueGreen")).get("activeSelector") != current:
            return Health(PROGRESSING, ROLLOUT_CUTOVER_PENDING)
        if stable and stable != current:
            return Health(PROGRESSING, ROLLOUT_ANALYSIS_PENDING)
    elif strategy.get("canary") is not None:
        if _int(status.get("replicas")) > _int(status.get("updatedReplicas")):
            return Health(PROGRESSING, ROLLOUT_OLD_PENDING)
        if not stable or stable != current:
            return Health(PROGRESSING, ROLLOUT_STEPS_PENDING)
    return None


def rollout_health(obj: Mapping[str, Any]) -> Health:
    """argoproj.io Rollout: observed, phase (v1.0+), Degraded conditions, paused, replicas,
    then the strategy (blue-green cutover and analysis, canary steps)."""
    if not _generation_observed(obj) or not _workload_generation_observed(obj):
        return Health(PROGRESSING, ROLLOUT_NOT_OBSERVED)
    spec, status = _spec(obj), _status(obj)
    if status.get("phase") is not None:
        return _phase_health(status)
    for cond in _conditions(status):
        for cond_type, reason in ROLLOUT_DEGRADED_CONDITIONS:
            if cond.get("type") == cond_type and (reason is None or cond.get("reason") == reason):
                return Health(DEGRADED, str(cond.get("message") or ""))
    pauses = status.get("pauseConditions")
    if (isinstance(pauses, list) and pauses) or spec.get("paused"):
        return Health(SUSPENDED, ROLLOUT_PAUSED)
    if status.get("currentPodHash") is None:
        return Health(PROGRESSING, ROLLOUT_NOT_RECONCILED)
    return _rollout_replicas(spec, status) or _rollout_strategy(spec, status) or Health(HEALTHY)


# --- Argo Rollouts: AnalysisRun --------------------------------------------------------


def analysisrun_health(obj: Mapping[str, Any]) -> Health:
    """argoproj.io AnalysisRun: its phase; Inconclusive is Unknown, Failed and Error Degraded."""
    status = obj.get("status")
    if not isinstance(status, Mapping):
        return Health(PROGRESSING, ANALYSIS_NOT_RECONCILED)
    phase = status.get("phase")
    if phase not in ANALYSIS_PHASES:
        return Health(UNKNOWN, "AnalysisRun phase is %s" % (str(phase)[:40] if phase else "not set"))
    code, default = ANALYSIS_PHASES[str(phase)]
    if code == PROGRESSING:
        return Health(code, default)
    return Health(code, str(status.get("message") or default))


# --- Flagger: Canary -------------------------------------------------------------------


def canary_health(obj: Mapping[str, Any]) -> Health:
    """flagger.app Canary: its phase, with the canary weight and the condition messages."""
    status = obj.get("status")
    if not isinstance(status, Mapping):
        return Health(UNKNOWN, "No status")
    parts = []
    weight = _number(status.get("canaryWeight"))
    if weight is not None and weight > 0:
        parts.append("Canary Weight: %s %%" % status["canaryWeight"])
    parts.extend(str(cond.get("message") or "") for cond in _conditions(status))
    phase = str(status.get("phase") or "")
    return Health(CANARY_PHASES.get(phase, UNKNOWN), phase + CANARY_SEPARATOR + CANARY_SEPARATOR.join(parts))


CHECKS: Dict[Tuple[str, str], HealthCheck] = {
    (ROLLOUTS_GROUP, "Rollout"): rollout_health,
    (ROLLOUTS_GROUP, "AnalysisRun"): analysisrun_health,
    (FLAGGER_GROUP, "Canary"): canary_health,
}
