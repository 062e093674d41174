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

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, blue_green, canary, compare, health, messages
from ansible_collections.gitops.k8s.plugins.module_utils._engine import strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTHY, PROGRESSING, SUSPENDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import Health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import ObjectId, format_id

FIELD = "strategy"  # status.strategy: {"<namespace>/<name>": state} of each Deployment with a strategy
CONDITION = "RolloutAborted"
_VERDICTS = {analysis.SUCCESSFUL: canary.PASSED, analysis.FAILED: canary.FAILED}  # Error and Inconclusive hold the canary
# the same words in canary.py and blue_green.py
_PHASE_HEALTH = {
    canary.PROGRESSING: PROGRESSING,
    canary.PROMOTING: PROGRESSING,
    blue_green.SWITCHED: PROGRESSING,
    canary.PAUSED: SUSPENDED,
    canary.ABORTED: DEGRADED,
}


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
    the conditions (type, message), why a sync is due for them ("" when none is), the
    subjects (objects.format_id) of the strategies' objects (the Deployments, their canary
    or preview, the blue-green Services: what a sync for the strategies alone writes,
    strategy_sync.py) and the failed analyses that aborted a strategy in this run
    ((analysis.Verdict, analysis.AnalysisSpec) pairs, the message naming the Deployment and
    the step: the Application is rolled back, app_analysis.py)."""

    manifests: tuple
    status: dict = field(default_factory=dict)
    health: Optional[Health] = None
    conditions: tuple = ()
    progressing: str = ""
    objects: frozenset = frozenset()
    failed: tuple = ()
    steered: frozenset = frozenset()  # ObjectIds of the stable Deployments and active Services (strategy_owners.py)


def _live_template(obj):
    return ((obj or {}).get("spec") or {}).get("template") or {}


def _matches(rendered, live_stable, state_hash, rendered_hash):
    """Whether the stable already runs what Git renders (or there is no stable yet)."""
    if live_stable is None or state_hash == rendered_hash:
        return True
    template = (rendered.get("spec") or {}).get("template") or {}
    return compare.covers(compare.fill_list_keys({"spec": {"template": template}})["spec"]["template"], _live_template(live_stable))


def _readiness(live, wanted):
    """(ready, why Degraded or "") of a live Deployment that should run ``wanted`` replicas."""
    if live is None:
        return wanted == 0, ""
    assessed = health.assess(live)
    ready = (live.get("spec") or {}).get("replicas") == wanted and assessed.status == HEALTHY
    return ready, (assessed.message or assessed.status) if assessed.status == DEGRADED else ""


def _judge(controls, spec, dep, where):
    """(verdict of canary.py / blue_green.py, message) of an analysis measured now; a
    Failed one is kept on ``dep`` (it aborts the strategy: the caller made sure no abort
    request or Degraded canary aborts it first), its message naming ``where``."""
    if controls.analyze is None:
        return canary.INCONCLUSIVE, "no analysis in this run (check mode)"
    verdict = controls.analyze(spec)
    if verdict.phase == analysis.FAILED:
        dep.failed = (replace(verdict, message="%s %s: %s" % (dep.subject, where, verdict.message)), spec)
    return _VERDICTS.get(verdict.phase, canary.INCONCLUSIVE), verdict.message


class _Deployment:
    """One Deployment with a strategy in this run: where it is and what it is now."""

    def __init__(self, cluster, rtype, manifest, chosen, namespace, previous):
        self.rendered, self.origin, self.chosen = manifest.obj, manifest.origin, chosen
        self.namespace = (self.rendered.get("metadata") or {}).get("namespace") or namespace
        self.name = self.rendered["metadata"]["name"]
        self.key = "%s/%s" % (self.namespace, self.name)
        self.subject = format_id("Deployment", self.namespace, self.name)
        self.before = previous.get(self.key) or {}
        self.hash = canary.template_hash((self.rendered.get("spec") or {}).get("template") or {})
        self.live = cluster.get(rtype, self.namespace, self.name)
        self.failed = None  # (analysis.Verdict, AnalysisSpec) of an analysis that failed in this run


def _canary(cluster, rtype, dep, controls, clock):
    """(state, objects) of a canary Deployment."""
    state_hash = dep.before.get("stableHash")
    live_canary = cluster.get(rtype, dep.namespace, canary.canary_name(dep.rendered))
    ready, failed = _readiness(live_canary, canary.wanted_canary_replicas(dep.before, dep.rendered, dep.live))
    observed = canary.Observed(
        rendered_hash=dep.hash,
        stable_matches=_matches(dep.rendered, dep.live, state_hash, dep.hash),
        now=clock.now(),
        canary_ready=ready,
        canary_failed=failed,
        promote=controls.promote,
        abort=controls.abort,
    )
    steps = dep.chosen.steps

    def judged(observed, state):
        # the analysis step the state is at before a transition; one reached in this run is measured in the next
        step = canary.current_step(state, steps)
        if step is None or step.kind != strategy_spec.STEP_ANALYSIS or state.get("canaryHash") != observed.rendered_hash:
            return observed
        if observed.abort or observed.canary_failed:  # aborted anyway: nothing to measure
            return observed
        where = "canary step %d (analysis)" % (state.get("step", 0) + 1)
        return replace(observed, analysis=_judge(controls, step.analysis, dep, where))

    state, left = canary.advance(dep.before, steps, judged(observed, dep.before))
    while 0 < left <= controls.pause_wait:  # a short timed pause is waited for within the run
        clock.sleep(left)
        observed = replace(observed, now=clock.now(), promote=False)  # one promote passes one pause
        state, left = canary.advance(state, steps, judged(observed, state))
    return state, canary.realize(state, dep.rendered, dep.live)


def _blue_green(cluster, rtype, dep, controls, clock):
    """(state, Deployments) of a blue-green Deployment."""
    config = dep.chosen.blue_green
    live_preview = cluster.get(rtype, dep.namespace, blue_green.preview_name(dep.rendered))
    ready, failed = _readiness(live_preview, canary.total_replicas(dep.rendered, dep.live))
    stable_ready = dep.live is not None and health.assess(dep.live).status == HEALTHY
    matches = _matches(dep.rendered, dep.live, None, dep.hash)
    observed = blue_green.Observed(
        rendered_hash=dep.hash,
        stable_matches=matches,
        now=clock.now(),
        stable_ready=stable_ready,
        preview_ready=ready and live_preview is not None,
        preview_failed=failed,
        promote=controls.promote,
        abort=controls.abort,
    )
    if blue_green.wants_analysis(dep.before, observed, config) and not (observed.abort or observed.preview_failed):
        observed = replace(observed, analysis=_judge(controls, config.analysis, dep, "blue-green prePromotionAnalysis"))
    state, left = blue_green.advance(dep.before, config, observed)
    if 0 < left <= controls.pause_wait:  # a short rollback window is waited for within the run
        clock.sleep(left)
        state, left = blue_green.advance(state, config, replace(observed, now=clock.now(), promote=False))
    return state, blue_green.realize(state, dep.rendered, dep.live)


_REALIZE = {strategy_spec.CANARY: _canary, strategy_spec.BLUE_GREEN: _blue_green}


def _active_services(states):
    """{(namespace, Service name): (state, BlueGreen)} of the blue-green Deployments."""
    out = {}
    for dep, state in states:
        if dep.chosen.kind == strategy_spec.BLUE_GREEN:
            where = (dep.namespace, dep.chosen.blue_green.active_service)
            if where in out:
                raise InvalidSpec("%s: Service/%s/%s is the active Service of another Deployment too" % (dep.subject, where[0], where[1]))
            out[where] = (state, dep.chosen.blue_green, dep.subject)
    return out


def _with_services(manifests, states, namespace, subjects):
    """``manifests`` with each blue-green active Service narrowed to its revision, and its
    preview Service beside it (their subjects added to ``subjects``); InvalidSpec when an
    active Service is not rendered."""
    wanted = _active_services(states)
    out, found = [], set()
    for manifest in manifests:
        obj = manifest.obj
        meta = obj.get("metadata") or {}
        where = (meta.get("namespace") or namespace, meta.get("name"))
        if obj.get("kind") == "Service" and obj.get("apiVersion") == "v1" and where in wanted:
            state, config, _subject = wanted[where]
            found.add(where)
            made = blue_green.services(state, config, obj)
            subjects.update(_subject_of(o, namespace) for o in made)
            out.extend(Manifest(o, manifest.origin) for o in made)
        else:
            out.append(manifest)
    for where, (_state, _config, subject) in sorted(wanted.items()):
        if where not in found:
            raise InvalidSpec("%s: blue-green activeService Service/%s/%s is not rendered by the Application" % (subject, where[0], where[1]))
    return out


def prepare(cluster, manifests, app_strategy, previous, controls, clock, namespace):
    """The Rollouts of ``manifests`` (manifests.Manifest) for an Application whose
    ``spec.strategy`` parsed to ``app_strategy`` and whose ``status.strategy`` is
    ``previous``; ``namespace``: the destination namespace (of objects without one)."""
    previous = previous if isinstance(previous, dict) else {}
    out, states, status, healths, conditions, due = [], [], {}, [], [], []
    subjects, failed = set(), []
    rtype = None
    for manifest in manifests:
        chosen = strategy_spec.of_object(manifest.obj, app_strategy)
        if chosen is None:
            out.append(manifest)
            continue
        rtype = rtype or cluster.resolve(manifest.obj["apiVersion"], "Deployment")
        dep = _Deployment(cluster, rtype, manifest, chosen, namespace, previous)
        state, objects = _REALIZE[chosen.kind](cluster, rtype, dep, controls, clock)
        states.append((dep, state))
        status[dep.key] = state
        subjects.update(_subject_of(obj, dep.namespace) for obj in objects)
        out.extend(Manifest(obj, dep.origin) for obj in objects)
        if dep.failed is not None and state.get("phase") == canary.ABORTED:
            failed.append(dep.failed)
        phase, label = state.get("phase"), "canary" if chosen.kind == strategy_spec.CANARY else "blue-green"
        if phase in _PHASE_HEALTH:
            healths.append((dep.subject, Health(_PHASE_HEALTH[phase], "%s %s" % (label, state.get("message", phase)))))
        if phase == canary.ABORTED:
            conditions.append((CONDITION, "%s: %s %s" % (dep.subject, label, state.get("message"))))
        if phase in canary.IN_PROGRESS + blue_green.IN_PROGRESS or _moved(dep.before, state):
            due.append("%s %s: %s" % (label, dep.subject, state.get("message", phase)))
    if any(dep.chosen.kind == strategy_spec.BLUE_GREEN for dep, _state in states):
        out = _with_services(out, states, namespace, subjects)
    steered = set(ObjectId("apps", "Deployment", dep.namespace, dep.name) for dep, _state in states)
    steered.update(ObjectId("", "Service", ns, name) for ns, name in _active_services(states))
    return Rollouts(
        manifests=tuple(out),
        status=status,
        health=health.aggregate(healths) if healths else None,
        conditions=tuple((ctype, messages.bounded(text)) for ctype, text in conditions),
        progressing=messages.bounded("; ".join(due)),
        objects=frozenset(subjects),
        failed=tuple(failed),
        steered=frozenset(steered),
    )


def _subject_of(obj, namespace):
    meta = obj.get("metadata") or {}
    return format_id(obj.get("kind"), meta.get("namespace") or namespace, meta.get("name"))


def _moved(before, state):
    """Whether the state changed in a way the cluster must follow (phase, weight, revision)."""
    return any(before.get(k) != state.get(k) for k in ("phase", "weight", "canaryHash", "previewHash", "activeHash"))


def worst(overall, rollouts):
    """The Application's health: the worst of its objects' and its strategies'."""
    if rollouts is None or rollouts.health is None or not health.is_worse(rollouts.health, overall):
        return overall
    return rollouts.health
