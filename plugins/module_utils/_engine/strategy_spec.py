# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Deployments of an Application roll out progressively, and how (docs/progressive-delivery.md).

A Deployment opts in with the annotation ``gitops-k8s.dev/strategy: canary`` and its steps
in ``gitops-k8s.dev/canary-steps`` (a JSON list), or ``gitops-k8s.dev/strategy: blueGreen``
and its settings in ``gitops-k8s.dev/blue-green`` (a JSON mapping); or through the
Application's ``spec.strategy``: ``canary: {steps: [...]}`` (or ``blueGreen: {...}``) for
every Deployment of the Application, or ``deployments: {<name>: {canary: {...}}}`` for one
(the annotation wins, then the Deployment's entry, then the Application-wide one). Field
names are Argo Rollouts': steps ``setWeight: 20``, ``pause: {}`` (until promoted),
``pause: {duration: 30s}``, ``analysis: {...}``; blue-green ``activeService``,
``previewService``, ``prePromotionAnalysis``, ``autoPromotionEnabled``,
``scaleDownDelaySeconds``. Pure: every bad value is an InvalidSpec naming the Deployment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANNOTATION_PREFIX
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations, describe

ANN_STRATEGY = ANNOTATION_PREFIX + "strategy"
ANN_CANARY_STEPS = ANNOTATION_PREFIX + "canary-steps"
ANN_BLUE_GREEN = ANNOTATION_PREFIX + "blue-green"
CANARY = "canary"
BLUE_GREEN = "blueGreen"
STRATEGIES = (CANARY, BLUE_GREEN)
BLUE_GREEN_FIELDS = ("activeService", "previewService", "prePromotionAnalysis", "autoPromotionEnabled", "scaleDownDelaySeconds")
DEFAULT_SCALE_DOWN_DELAY = 30  # seconds, Argo Rollouts' default
STEP_SET_WEIGHT = "setWeight"
STEP_PAUSE = "pause"
STEP_ANALYSIS = "analysis"
STEP_KINDS = (STEP_SET_WEIGHT, STEP_PAUSE, STEP_ANALYSIS)
# Argo Rollouts' default when a canary has no steps: all at once after the canary is ready
DEFAULT_STEPS = ()
MAX_STEPS = 100  # steps of one canary: each is a run or more of the agent, and its index is kept in the status
# a Service name (DNS-1035 label): activeService and previewService become object names and API paths
_SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Step:
    """One canary step: kind is one of STEP_KINDS; weight (setWeight), duration (a timed
    pause, seconds; None: until promoted), analysis (analysis.AnalysisSpec: the metrics the
    step measures, as an Argo Rollouts AnalysisTemplate reads)."""

    kind: str
    weight: int = 0
    duration: Optional[float] = None
    analysis: Optional[analysis.AnalysisSpec] = None

    def describe(self):
        if self.kind == STEP_SET_WEIGHT:
            return "setWeight %d" % self.weight
        if self.kind == STEP_PAUSE:
            return "pause" if self.duration is None else "pause %gs" % self.duration
        return "analysis"


@dataclass(frozen=True)
class BlueGreen:
    """Blue-green settings (Argo Rollouts' names): the active Service (rendered from Git),
    the preview Service's name ("": ``<activeService>-preview``), the pre-promotion
    analysis (analysis.AnalysisSpec or None), whether a ready preview is switched to
    without ``promote``, and the seconds the old Pods are kept after the switch."""

    active_service: str
    preview_service: str = ""
    analysis: Optional[analysis.AnalysisSpec] = None
    auto_promotion: bool = True
    scale_down_delay: float = DEFAULT_SCALE_DOWN_DELAY


@dataclass(frozen=True)
class Strategy:
    """The strategy of one Deployment: its kind and steps (canary) or settings (blueGreen)."""

    kind: str
    steps: tuple = ()
    blue_green: Optional[BlueGreen] = None


def parse_blue_green(raw, where):
    """The BlueGreen of a mapping as Argo Rollouts writes ``strategy.blueGreen``."""
    if not isinstance(raw, dict):
        raise InvalidSpec("%s must be a mapping with activeService, got %r" % (where, raw))
    unknown = sorted(set(raw) - set(BLUE_GREEN_FIELDS))
    if unknown:
        raise InvalidSpec("%s: unknown field(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(BLUE_GREEN_FIELDS)))
    active, preview = raw.get("activeService"), raw.get("previewService") or ""
    if not isinstance(active, str) or not active or not isinstance(preview, str):
        raise InvalidSpec("%s: activeService must name a Service of the Application (previewService too, when given)" % where)
    for key, value in (("activeService", active), ("previewService", preview)):
        if value and not _SERVICE_NAME.match(value):
            raise InvalidSpec("%s: %s %r is not a Service name (lower case letters, digits and '-', at most 63)" % (where, key, value))
    if preview == active:
        raise InvalidSpec("%s: previewService must differ from activeService %r" % (where, active))
    auto = raw.get("autoPromotionEnabled", True)
    delay = raw.get("scaleDownDelaySeconds", DEFAULT_SCALE_DOWN_DELAY)
    if not isinstance(auto, bool):
        raise InvalidSpec("%s: autoPromotionEnabled must be true or false, got %r" % (where, auto))
    if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
        raise InvalidSpec("%s: scaleDownDelaySeconds must be an integer of at least 0, got %r" % (where, delay))
    pre = raw.get("prePromotionAnalysis")
    parsed = analysis.parse_analysis(pre, where + ".prePromotionAnalysis") if pre is not None else None
    return BlueGreen(active, preview, parsed, auto, float(delay))


def _step(raw, where):
    if not isinstance(raw, dict) or len(raw) != 1:
        raise InvalidSpec("%s: each step is a mapping with one of %s" % (where, ", ".join(STEP_KINDS)))
    kind, value = next(iter(raw.items()))
    if kind == STEP_SET_WEIGHT:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidSpec("%s: setWeight must be an integer from 0 to 100, got %r" % (where, value))
        return Step(kind, weight=value)
    if kind == STEP_PAUSE:
        value = {} if value is None else value
        if not isinstance(value, dict) or set(value) - {"duration"}:
            raise InvalidSpec("%s: pause is {} (until promoted) or {duration: 30s}, got %r" % (where, value))
        duration = value.get("duration")
        return Step(kind, duration=None if duration is None else durations.parse(duration, where + ".pause.duration"))
    if kind == STEP_ANALYSIS:
        return Step(kind, analysis=analysis.parse_analysis(value, where + ".analysis"))
    raise InvalidSpec("%s: unknown step %r (known: %s)" % (where, kind, ", ".join(STEP_KINDS)))


def parse_steps(raw, where):
    """The Steps of a list as Argo Rollouts writes it; InvalidSpec naming ``where``."""
    if raw is None:
        return DEFAULT_STEPS
    if not isinstance(raw, list):
        raise InvalidSpec("%s: steps must be a list, got %r" % (where, raw))
    if len(raw) > MAX_STEPS:
        raise InvalidSpec("%s: %d steps, more than %d" % (where, len(raw), MAX_STEPS))
    return tuple(_step(item, "%s.steps[%d]" % (where, index)) for index, item in enumerate(raw))


def _from_mapping(raw, where):
    """The Strategy of ``{canary: {steps: [...]}}`` or ``{blueGreen: {...}}``, or None for
    an empty mapping."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in STRATEGIES:
        raise InvalidSpec("%s must be {canary: {steps: [...]}} or {blueGreen: {activeService: ...}}, got %r" % (where, raw))
    kind, body = next(iter(raw.items()))
    if kind == BLUE_GREEN:
        return Strategy(kind, blue_green=parse_blue_green(body, "%s.%s" % (where, kind)))
    body = {} if body is None else body
    if not isinstance(body, dict) or set(body) - {"steps"}:
        raise InvalidSpec("%s.%s takes steps only, got %r" % (where, kind, body))
    return Strategy(kind, parse_steps(body.get("steps"), "%s.%s" % (where, kind)))


def parse_app(raw):
    """(default Strategy or None, {deployment name: Strategy}) of ``spec.strategy``."""
    if raw is None or raw == {}:
        return None, {}
    if not isinstance(raw, dict) or set(raw) - {CANARY, BLUE_GREEN, "deployments"} or (CANARY in raw and BLUE_GREEN in raw):
        raise InvalidSpec("spec.strategy takes canary or blueGreen, and deployments, got %r" % (raw,))
    kinds = [k for k in (CANARY, BLUE_GREEN) if k in raw]
    default = _from_mapping({kinds[0]: raw[kinds[0]]}, "spec.strategy") if kinds else None
    per = raw.get("deployments") or {}
    if not isinstance(per, dict):
        raise InvalidSpec("spec.strategy.deployments must map Deployment names to a strategy, got %r" % (per,))
    return default, dict((str(name), _from_mapping(body, "spec.strategy.deployments.%s" % name)) for name, body in per.items())


def of_object(obj, app_strategy):
    """The Strategy of a rendered object (None: applied as it is). ``app_strategy``: what
    parse_app returned for the Application."""
    if obj.get("kind") != "Deployment" or not str(obj.get("apiVersion", "")).startswith("apps/"):
        return None
    notes = annotations(obj)
    where = describe(obj)
    kind = notes.get(ANN_STRATEGY)
    if kind is not None:
        if kind not in STRATEGIES:
            raise InvalidSpec("%s: annotation %s must be one of %s, got %r" % (where, ANN_STRATEGY, ", ".join(STRATEGIES), kind))
        key = ANN_BLUE_GREEN if kind == BLUE_GREEN else ANN_CANARY_STEPS
        raw = notes.get(key)
        try:
            value = json.loads(raw) if raw is not None else None
        except ValueError as exc:
            raise InvalidSpec("%s: annotation %s is not JSON: %s" % (where, key, exc)) from None
        if kind == BLUE_GREEN:
            return Strategy(kind, blue_green=parse_blue_green(value, "%s: %s" % (where, key)))
        return Strategy(kind, parse_steps(value, "%s: %s" % (where, key)))
    default, per = app_strategy
    name = (obj.get("metadata") or {}).get("name")
    if name in per:
        return per[name]
    return default
