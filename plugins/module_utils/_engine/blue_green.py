# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue-green without a controller: a state machine kept in the Application's status.

Every Pod of a blue-green Deployment carries ``gitops-k8s.dev/revision: <template hash>``,
and the active Service (rendered from Git, named by ``activeService``) selects its own
selector plus the active revision. A new template runs as ``<name>-preview`` (all the
replicas) behind the preview Service (``previewService``, by default
``<activeService>-preview``, made here); once the preview is available and its
pre-promotion analysis (when given) passed, the active Service's selector is switched to
the new revision in one write. The old Pods are kept for ``scaleDownDelaySeconds`` (the
rollback window: an abort switches back), then the stable Deployment takes the new template
and, once it is available, the preview is removed. Pure: no I/O, ``now`` is given.

Phases: Healthy, Progressing (the preview comes up, its analysis runs), Paused (waits for
promote: ``autoPromotionEnabled: false``), Switched (the active Service on the new
revision, the old Pods kept), Promoting (the stable rolls to the new template), Aborted
(the active Service on the old revision, no preview, until Git renders another template).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.canary import (
    ABORTED,
    FAILED,
    HEALTHY,
    INCONCLUSIVE,
    PASSED,
    PAUSED,
    PROGRESSING,
    PROMOTING,
    companion,
    total_replicas,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_STRATEGY_OBJECT, ANNOTATION_PREFIX
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe

BLUE_GREEN = "blueGreen"
SWITCHED = "Switched"  # the other phases are the canary's words (canary.py)
PHASES = (HEALTHY, PROGRESSING, PAUSED, SWITCHED, PROMOTING, ABORTED)
IN_PROGRESS = (PROGRESSING, PAUSED, SWITCHED, PROMOTING)

PREVIEW_SUFFIX = "-preview"
LABEL_REVISION = ANNOTATION_PREFIX + "revision"
LABEL_PREVIEW_OF = ANNOTATION_PREFIX + "preview-of"


@dataclass(frozen=True)
class Observed:
    """What one run sees of a blue-green Deployment.

    rendered_hash: the rendered pod template's hash. stable_matches: the live stable's
    template has every value the rendered one sets (or there is none). stable_ready: the
    live stable is Healthy. preview_ready: the live preview runs all its replicas of the
    rendered template, available. preview_failed: why the preview is Degraded ("" when
    not). analysis: (verdict, message) of the pre-promotion analysis; None: not measured."""

    rendered_hash: str
    stable_matches: bool
    now: float
    stable_ready: bool = False
    preview_ready: bool = False
    preview_failed: str = ""
    promote: bool = False
    abort: bool = False
    analysis: Optional[tuple] = None


def _state(phase, **fields):
    out = {"strategy": BLUE_GREEN, "phase": phase}
    out.update((k, v) for k, v in fields.items() if v not in (None, ""))
    return out


def wants_analysis(state, observed, config):
    """Whether the pre-promotion analysis is to be measured in this run."""
    return (
        config.analysis is not None
        and (state or {}).get("phase") in (PROGRESSING, PAUSED)
        and (state or {}).get("previewHash") == observed.rendered_hash
        and observed.preview_ready
        and (state or {}).get("analysed") != observed.rendered_hash
    )


def advance(state, config, observed):
    """(next state, seconds until the rollback window ends or 0) from ``state`` (the
    Deployment's status.strategy entry; {} when none), its ``config``
    (strategy_spec.BlueGreen) and what the run observed."""
    state = dict(state or {})
    phase = state.get("phase")
    if phase == PROMOTING and state.get("previewHash") == observed.rendered_hash:
        if observed.stable_matches and observed.stable_ready:
            return _state(HEALTHY, activeHash=observed.rendered_hash, message="promoted %s" % observed.rendered_hash), 0
        return dict(state, message="waiting for the stable Deployment to run %s" % observed.rendered_hash), 0
    if observed.stable_matches or not state.get("activeHash"):
        # Git renders what the stable runs, or the first rollout with this strategy: applied directly
        return _state(HEALTHY, activeHash=observed.rendered_hash), 0
    if phase not in IN_PROGRESS + (ABORTED,) or state.get("previewHash") != observed.rendered_hash:
        state = _state(PROGRESSING, activeHash=state["activeHash"], previewHash=observed.rendered_hash, message="preview %s started" % observed.rendered_hash)
        phase = PROGRESSING
    elif phase == ABORTED:
        return state, 0
    if observed.abort:
        return _aborted(state, "abort requested"), 0
    if observed.preview_failed and phase in (PROGRESSING, PAUSED):
        return _aborted(state, "the preview is Degraded: %s" % observed.preview_failed), 0
    if phase in (PROGRESSING, PAUSED):
        if not observed.preview_ready:
            return dict(state, phase=PROGRESSING, message="waiting for the preview to be available"), 0
        if config.analysis is not None and state.get("analysed") != observed.rendered_hash:
            verdict, message = observed.analysis or (INCONCLUSIVE, "not measured yet")
            if verdict == FAILED:
                return _aborted(state, "pre-promotion analysis failed: %s" % message), 0
            if verdict != PASSED:
                return dict(state, phase=PROGRESSING, message="pre-promotion analysis %s: %s" % (verdict.lower(), message)), 0
            state = dict(state, analysed=observed.rendered_hash)
        if not config.auto_promotion and not observed.promote:
            return dict(state, phase=PAUSED, message="preview ready: paused until promoted"), 0
        state = dict(state, phase=SWITCHED, switchedAt=durations.iso(observed.now), message="active Service switched to %s" % observed.rendered_hash)
    left = (durations.epoch(state.get("switchedAt")) or observed.now) + config.scale_down_delay - observed.now
    if left > 0:
        return dict(state, message="active Service on %s; old Pods kept %ds more" % (observed.rendered_hash, int(math.ceil(left)))), left
    return dict(state, phase=PROMOTING, message="rollback window over: the stable Deployment takes %s" % observed.rendered_hash), 0


def _aborted(state, why):
    out = dict(state, phase=ABORTED, message="aborted: %s" % why)
    out.pop("switchedAt", None)
    return out


def preview_name(rendered):
    return rendered["metadata"]["name"] + PREVIEW_SUFFIX


def _labelled(template, revision, extra=None):
    template = copy.deepcopy(template or {})
    meta = dict(template.get("metadata") or {})
    meta["labels"] = dict(meta.get("labels") or {}, **{LABEL_REVISION: revision}, **(extra or {}))
    template["metadata"] = meta
    return template


def realize(state, rendered, live_stable):
    """The Deployments to apply in ``state``: the stable (labelled with its revision) and,
    while a preview runs, ``<name>-preview``. New dicts: nothing given is changed."""
    phase = (state or {}).get("phase")
    stable = copy.deepcopy(rendered)
    spec = stable.setdefault("spec", {})
    if phase in (None, HEALTHY) or live_stable is None:
        spec["template"] = _labelled(spec.get("template"), state.get("activeHash"))
        return [stable]
    total = total_replicas(rendered, live_stable)
    preview = companion(rendered, PREVIEW_SUFFIX, LABEL_PREVIEW_OF, total, {LABEL_REVISION: state["previewHash"]})
    if phase == PROMOTING:
        spec["template"] = _labelled(spec.get("template"), state["previewHash"])
        return [stable, preview]
    spec["template"] = copy.deepcopy((live_stable.get("spec") or {}).get("template") or {})
    spec["replicas"] = total
    return [stable] if phase == ABORTED else [stable, preview]


def active_revision(state):
    """The revision the active Service selects in ``state``."""
    if (state or {}).get("phase") in (SWITCHED, PROMOTING):
        return state["previewHash"]
    return (state or {}).get("activeHash")


def services(state, config, rendered_service):
    """The active Service (its selector narrowed to the active revision) and, while a
    preview runs, the preview Service (the same ports, selecting the preview's revision)."""
    active = copy.deepcopy(rendered_service)
    spec = active.setdefault("spec", {})
    base = dict(spec.get("selector") or {})
    if not base:
        raise InvalidSpec("%s: the active Service of a blue-green Deployment needs a selector" % describe(rendered_service))
    spec["selector"] = dict(base, **{LABEL_REVISION: active_revision(state)})
    out = [active]
    if (state or {}).get("phase") in IN_PROGRESS:
        meta = rendered_service["metadata"]
        metadata = {"name": config.preview_service or meta["name"] + PREVIEW_SUFFIX, "annotations": {ANN_STRATEGY_OBJECT: meta["name"]}}
        if meta.get("namespace"):
            metadata["namespace"] = meta["namespace"]
        ports = [dict((k, v) for k, v in p.items() if k != "nodePort") for p in spec.get("ports") or []]
        selector = dict(base, **{LABEL_REVISION: state["previewHash"]})
        out.append({"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": {"selector": selector, "ports": ports}})
    return out
