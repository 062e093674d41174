# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progressive strategies in one reconcile: before the plan, each Deployment with a strategy
(strategy_spec.py) is observed (two GETs: the live stable and canary), its state in
``status.strategy`` advanced (canary.advance) and its rendered manifest replaced by the
objects of that state (canary.realize). The plan, sync, prune and drift then work on those
objects as on any other: the canary Deployment is desired (ours, not drift) while it runs,
and pruned when the state no longer wants it.

A timed pause shorter than the run's ``pause_wait`` is waited for within the run (the
clock port sleeps); a longer one ends in a later run. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, canary, compare, health, messages
from ansible_collections.gitops.k8s.plugins.module_utils._engine import strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTHY, PROGRESSING, SUSPENDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import Health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

FIELD = "strategy"  # status.strategy: {"<namespace>/<name>": state} of each Deployment with a strategy
CONDITION = "RolloutAborted"
_VERDICTS = {analysis.SUCCESSFUL: canary.PASSED, analysis.FAILED: canary.FAILED}  # Error and Inconclusive hold the canary
_PHASE_HEALTH = {canary.PROGRESSING: PROGRESSING, canary.PROMOTING: PROGRESSING, canary.PAUSED: SUSPENDED, canary.ABORTED: DEGRADED}


@dataclass(frozen=True)
class Controls:
    """The run's requests: promote (pass the current ``pause: {}``), abort (remove the
    canary, keep the stable), pause_wait (seconds: the longest timed pause waited for
    within the run; 0 in check mode), analyze (measures an analysis step:
    ``analyze(analysis.AnalysisSpec) -> analysis.Verdict``; None: no analysis in this run,
    check mode for one: the step is then Inconclusive, it holds)."""

    promote: bool = False
    abort: bool = False
    pause_wait: float = 0.0
    analyze: Optional[Callable[..., Any]] = None


@dataclass(frozen=True)
class Rollouts:
    """What the strategies made of a render: the manifests to plan, the next
    ``status.strategy``, the worst health of the strategies (None: nothing in progress),
    the conditions (type, message) and why a sync is due for them ("" when none is)."""

    manifests: tuple
    status: dict = field(default_factory=dict)
    health: Optional[Health] = None
    conditions: tuple = ()
    progressing: str = ""


def _live_template(obj):
    return ((obj or {}).get("spec") or {}).get("template") or {}


def _observe(cluster, rtype, rendered, namespace, state, controls, now):
    """The canary.Observed of one Deployment (two GETs)."""
    name = rendered["metadata"]["name"]
    live_stable = cluster.get(rtype, namespace, name)
    live_canary = cluster.get(rtype, namespace, canary.canary_name(rendered))
    template = (rendered.get("spec") or {}).get("template") or {}
    rendered_hash = canary.template_hash(template)
    matches = live_stable is None or state.get("stableHash") == rendered_hash
    if not matches:
        matches = compare.covers(compare.fill_list_keys({"spec": {"template": template}})["spec"]["template"], _live_template(live_stable))
    assessed = health.assess(live_canary) if live_canary is not None else None
    wanted = canary.wanted_canary_replicas(state, rendered, live_stable)
    if live_canary is None:
        ready = wanted == 0
    else:
        ready = (live_canary.get("spec") or {}).get("replicas") == wanted and assessed.status == HEALTHY
    failed = assessed.message or assessed.status if assessed is not None and assessed.status == DEGRADED else ""
    observed = canary.Observed(
        rendered_hash=rendered_hash,
        stable_matches=matches,
        now=now,
        canary_ready=ready,
        canary_failed=failed,
        promote=controls.promote,
        abort=controls.abort,
    )
    return observed, live_stable


def _judged(observed, state, steps, controls):
    """``observed`` with the verdict of the analysis step the state is at (when there is one).

    The step is measured when the state is at it before this run's transitions; a canary
    that reaches it in this run (its weight just became ready) is measured in the next."""
    step = canary.current_step(state, steps)
    if step is None or step.kind != strategy_spec.STEP_ANALYSIS or state.get("canaryHash") != observed.rendered_hash:
        return observed
    if controls.analyze is None:
        return replace(observed, analysis=(canary.INCONCLUSIVE, "no analysis in this run (check mode)"))
    verdict = controls.analyze(step.analysis)
    return replace(observed, analysis=(_VERDICTS.get(verdict.phase, canary.INCONCLUSIVE), verdict.message))


def _advance(previous, steps, observed, controls, clock):
    """Advance the state, waiting within the run for a timed pause of at most pause_wait."""
    state, left = canary.advance(previous, steps, _judged(observed, previous, steps, controls))
    while 0 < left <= controls.pause_wait:
        clock.sleep(left)
        observed = replace(observed, now=clock.now(), promote=False)  # one promote passes one pause
        state, left = canary.advance(state, steps, _judged(observed, state, steps, controls))
    return state


def prepare(cluster, manifests, app_strategy, previous, controls, clock, namespace):
    """The Rollouts of ``manifests`` (manifests.Manifest) for an Application whose
    ``spec.strategy`` parsed to ``app_strategy`` and whose ``status.strategy`` is
    ``previous``; ``namespace``: the destination namespace (of objects without one)."""
    previous = previous if isinstance(previous, dict) else {}
    out, status, healths, conditions, due = [], {}, [], [], []
    rtype = None
    for manifest in manifests:
        chosen = strategy_spec.of_object(manifest.obj, app_strategy)
        if chosen is None:
            out.append(manifest)
            continue
        rendered = manifest.obj
        ns = (rendered.get("metadata") or {}).get("namespace") or namespace
        name = rendered["metadata"]["name"]
        key = "%s/%s" % (ns, name)
        subject = format_id("Deployment", ns, name)
        rtype = rtype or cluster.resolve(rendered["apiVersion"], "Deployment")
        before = previous.get(key) or {}
        observed, live_stable = _observe(cluster, rtype, rendered, ns, before, controls, clock.now())
        state = _advance(before, chosen.steps, observed, controls, clock)
        status[key] = state
        for obj in canary.realize(state, rendered, live_stable):
            out.append(Manifest(obj, manifest.origin))
        phase = state.get("phase")
        if phase in _PHASE_HEALTH:
            healths.append((subject, Health(_PHASE_HEALTH[phase], "canary %s" % state.get("message", phase))))
        if phase == canary.ABORTED:
            conditions.append((CONDITION, "%s: canary %s" % (subject, state.get("message"))))
        if phase in canary.IN_PROGRESS or _moved(before, state):
            due.append("canary %s: %s" % (subject, state.get("message", phase)))
    return Rollouts(
        manifests=tuple(out),
        status=status,
        health=health.aggregate(healths) if healths else None,
        conditions=tuple((ctype, messages.bounded(text)) for ctype, text in conditions),
        progressing=messages.bounded("; ".join(due)),
    )


def _moved(before, state):
    """Whether the state changed in a way the cluster must follow (phase or weight)."""
    return any(before.get(k) != state.get(k) for k in ("phase", "weight", "canaryHash"))


def worst(overall, rollouts):
    """The Application's health: the worst of its objects' and its strategies'."""
    if rollouts is None or rollouts.health is None or not health.is_worse(rollouts.health, overall):
        return overall
    return rollouts.health
