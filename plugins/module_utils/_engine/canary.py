# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A canary without a controller: a state machine kept in the Application's status.

Each run observes (the rendered pod template, the live stable and canary Deployments, the
run's promote/abort request, an analysis verdict) and ``advance`` gives the next state;
``realize`` turns a state into the objects to apply: the stable Deployment and, while a
canary runs, ``<name>-canary`` with ceil(total x weight / 100) replicas, the stable scaled
down so the total stays. Pure: no I/O, no clock (``now`` is given).

The canary's Pods carry every label of the stable's selector (so the shared Service sends
them their share of the traffic) plus ``gitops-k8s.dev/canary-of: <name>``, which its own
selector also requires. The stable's selector (immutable, the user's) also matches them,
but each Pod and ReplicaSet has its controller owner reference, so neither Deployment
adopts the other's: they never fight.

Phases: Healthy (nothing in progress; ``stableHash`` is the template last rolled out),
Progressing (stepping), Paused (at a ``pause: {}`` until promoted), Promoting (the new
template goes to the stable; the canary is removed), Aborted (the canary removed, the stable
untouched, until Git renders another template).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_STRATEGY_OBJECT, ANNOTATION_PREFIX
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe
from ansible_collections.gitops.k8s.plugins.module_utils._engine.strategy_spec import CANARY, STEP_ANALYSIS, STEP_PAUSE, STEP_SET_WEIGHT

HEALTHY = "Healthy"
PROGRESSING = "Progressing"
PAUSED = "Paused"
PROMOTING = "Promoting"
ABORTED = "Aborted"
PHASES = (HEALTHY, PROGRESSING, PAUSED, PROMOTING, ABORTED)
IN_PROGRESS = (PROGRESSING, PAUSED, PROMOTING)

CANARY_SUFFIX = "-canary"
LABEL_CANARY_OF = ANNOTATION_PREFIX + "canary-of"
MAX_LABEL_VALUE = 63

# analysis verdicts (the analysis step's judge)
PASSED = "Passed"
FAILED = "Failed"
INCONCLUSIVE = "Inconclusive"
RUNNING = "Running"


@dataclass(frozen=True)
class Observed:
    """What one run sees of a Deployment with a canary strategy.

    rendered_hash: template_hash of the rendered pod template. stable_matches: the live
    stable's template already has every value the rendered one sets (or there is no live
    stable: the first rollout is not a canary). canary_ready: the live canary runs the
    replicas the state's weight asks for, all available. canary_failed: why the live
    canary is Degraded ("" when it is not). promote / abort: the run's request.
    analysis: the verdict of the current analysis step (PASSED, FAILED, INCONCLUSIVE,
    RUNNING) and its message; None when not evaluated. now: epoch seconds."""

    rendered_hash: str
    stable_matches: bool
    now: float
    canary_ready: bool = False
    canary_failed: str = ""
    promote: bool = False
    abort: bool = False
    analysis: Optional[tuple] = None


def template_hash(template):
    """A short, stable hash of a pod template (the canary's revision)."""
    text = json.dumps(template or {}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def canary_replicas(total, weight):
    """Replicas of the canary at ``weight`` percent of ``total`` (rounded up, as Argo
    Rollouts does without traffic routing), never more than ``total``."""
    return min(total, int(math.ceil(total * weight / 100.0)))


def _state(phase, observed, **fields):
    out = {"strategy": CANARY, "phase": phase}
    out.update((k, v) for k, v in fields.items() if v not in (None, ""))
    return out


def _started(state, observed):
    """A new canary of the rendered template, at its first step."""
    return _state(
        PROGRESSING,
        observed,
        step=0,
        weight=0,
        canaryHash=observed.rendered_hash,
        stableHash=state.get("stableHash"),
        stepStartedAt=durations.iso(observed.now),
        message="canary %s started" % observed.rendered_hash,
    )


def _aborted(state, why):
    out = dict(state, phase=ABORTED, message="aborted at step %d (weight %d): %s" % (state.get("step", 0) + 1, state.get("weight", 0), why))
    out.pop("stepStartedAt", None)
    return out


def _next_step(state, observed):
    return dict(state, step=state.get("step", 0) + 1, stepStartedAt=durations.iso(observed.now), phase=PROGRESSING)


def advance(state, steps, observed):
    """(next state, seconds until a timed pause ends or 0): one run's transitions from
    ``state`` (status.strategy's entry of the Deployment; {} when none) with ``steps``
    (strategy_spec.Step) and what the run ``observed``. Passes as many steps as can pass
    now (a setWeight already ready, an ended pause, a passed analysis)."""
    state = dict(state or {})
    phase = state.get("phase")
    if observed.stable_matches:  # Git renders what the stable runs: nothing (left) to roll out
        return _state(HEALTHY, observed, stableHash=observed.rendered_hash), 0
    if phase not in IN_PROGRESS + (ABORTED,) or state.get("canaryHash") != observed.rendered_hash:
        state = _started(state, observed)  # a new template (also replaces a canary in progress)
    elif phase in (ABORTED, PROMOTING):  # stays until Git renders another template (or the stable's)
        return state, 0
    if observed.abort:
        return _aborted(state, "abort requested"), 0
    if observed.canary_failed:
        return _aborted(state, "the canary is Degraded: %s" % observed.canary_failed), 0
    promote = observed.promote
    while True:
        index = state.get("step", 0)
        if index >= len(steps):
            return dict(state, phase=PROMOTING, message="all %d steps passed: promoting %s" % (len(steps), state["canaryHash"])), 0
        step = steps[index]
        where = "step %d/%d (%s)" % (index + 1, len(steps), step.describe())
        if step.kind == STEP_SET_WEIGHT:
            if state.get("weight") != step.weight:
                return dict(state, weight=step.weight, phase=PROGRESSING, message="%s: scaling the canary" % where), 0
            if not observed.canary_ready:
                return dict(state, phase=PROGRESSING, message="%s: waiting for the canary to be available" % where), 0
        elif step.kind == STEP_PAUSE and step.duration is None:
            if not promote:
                return dict(state, phase=PAUSED, message="%s: paused until promoted" % where), 0
            promote = False  # one promote passes one indefinite pause
        elif step.kind == STEP_PAUSE:
            left = (durations.epoch(state.get("stepStartedAt")) or observed.now) + step.duration - observed.now
            if left > 0:
                return dict(state, phase=PROGRESSING, message="%s: %ds left" % (where, int(math.ceil(left)))), left
        elif step.kind == STEP_ANALYSIS:
            verdict, message = observed.analysis or (RUNNING, "not evaluated yet")
            if verdict == FAILED:
                return _aborted(state, "analysis failed: %s" % message), 0
            if verdict != PASSED:
                return dict(state, phase=PROGRESSING, message="%s: %s (%s)" % (where, verdict.lower(), message)), 0
        state = _next_step(state, observed)


def current_step(state, steps):
    """The Step the state is at, or None (done, or not stepping)."""
    index = (state or {}).get("step", 0)
    if (state or {}).get("phase") not in (PROGRESSING, PAUSED) or index >= len(steps):
        return None
    return steps[index]


def total_replicas(rendered, live_stable):
    """The replicas the Deployment runs in all: the rendered count, else the live one, else 1."""
    replicas = (rendered.get("spec") or {}).get("replicas")
    if replicas is None and live_stable is not None:
        replicas = (live_stable.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def canary_name(rendered):
    return rendered["metadata"]["name"] + CANARY_SUFFIX


def companion(rendered, suffix, owner_label, replicas, labels=None):
    """A Deployment a strategy runs beside the rendered one (``<name><suffix>``): the
    rendered spec with ``replicas``, its selector and Pods also labelled ``owner_label:
    <name>`` (its ReplicaSets and the stable's never adopt each other's Pods: each Pod has
    its controller owner), ``labels`` added to its Pods, and ANN_STRATEGY_OBJECT."""
    name = rendered["metadata"]["name"]
    if len(name) > MAX_LABEL_VALUE:
        raise InvalidSpec(
            "%s: a canary or preview needs a Deployment name of at most %d characters (it becomes a label value)" % (describe(rendered), MAX_LABEL_VALUE)
        )
    spec = copy.deepcopy(rendered.get("spec") or {})
    selector = spec.get("selector") or {}
    spec["selector"] = dict(selector, matchLabels=dict(selector.get("matchLabels") or {}, **{owner_label: name}))
    template = spec.get("template") or {}
    template_meta = dict(template.get("metadata") or {})
    template_meta["labels"] = dict(template_meta.get("labels") or {}, **dict(labels or {}, **{owner_label: name}))
    spec["template"] = dict(template, metadata=template_meta)
    spec["replicas"] = replicas
    meta = rendered["metadata"]
    metadata = {
        "name": name + suffix,
        "labels": dict(meta.get("labels") or {}, **{owner_label: name}),
        "annotations": {ANN_STRATEGY_OBJECT: name},
    }
    if meta.get("namespace"):
        metadata["namespace"] = meta["namespace"]
    return {"apiVersion": rendered["apiVersion"], "kind": "Deployment", "metadata": metadata, "spec": spec}


def realize(state, rendered, live_stable):
    """The objects to apply for a Deployment in ``state``: [stable] or [stable, canary].

    The stable keeps its live pod template while a canary runs or after an abort (the new
    template reaches only the canary), so its template drift is not drift then; at Promoting
    and Healthy it is the rendered Deployment itself. New dicts: nothing given is changed."""
    phase = (state or {}).get("phase")
    if phase in (None, HEALTHY, PROMOTING) or live_stable is None:
        return [rendered]
    total = total_replicas(rendered, live_stable)
    stable = copy.deepcopy(rendered)
    stable["spec"] = dict(stable.get("spec") or {}, template=copy.deepcopy((live_stable.get("spec") or {}).get("template") or {}))
    if phase == ABORTED:
        stable["spec"]["replicas"] = total
        return [stable]
    share = canary_replicas(total, state.get("weight", 0))
    stable["spec"]["replicas"] = total - share
    return [stable, companion(rendered, CANARY_SUFFIX, LABEL_CANARY_OF, share)]


def wanted_canary_replicas(state, rendered, live_stable):
    """Replicas the canary runs at the state's weight (for Observed.canary_ready)."""
    return canary_replicas(total_replicas(rendered, live_stable), (state or {}).get("weight", 0))
