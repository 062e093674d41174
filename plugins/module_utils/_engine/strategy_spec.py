# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Deployments of an Application roll out progressively, and how (docs/progressive-delivery.md).

A Deployment opts in with the annotation ``gitops-k8s.dev/strategy: canary`` and its steps
in ``gitops-k8s.dev/canary-steps`` (a JSON list), or through the Application's
``spec.strategy``: ``canary: {steps: [...]}`` for every Deployment of the Application, or
``deployments: {<name>: {canary: {steps: [...]}}}`` for one (the annotation wins, then the
Deployment's entry, then the Application-wide one). Steps are written as Argo Rollouts
writes them: ``setWeight: 20``, ``pause: {}`` (until promoted), ``pause: {duration: 30s}``,
``analysis: {...}``. Pure: every bad value is an InvalidSpec naming the Deployment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANNOTATION_PREFIX
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations, describe

ANN_STRATEGY = ANNOTATION_PREFIX + "strategy"
ANN_CANARY_STEPS = ANNOTATION_PREFIX + "canary-steps"
CANARY = "canary"
STRATEGIES = (CANARY,)
STEP_SET_WEIGHT = "setWeight"
STEP_PAUSE = "pause"
STEP_ANALYSIS = "analysis"
STEP_KINDS = (STEP_SET_WEIGHT, STEP_PAUSE, STEP_ANALYSIS)
# Argo Rollouts' default when a canary has no steps: all at once after the canary is ready
DEFAULT_STEPS = ()


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
class Strategy:
    """The strategy of one Deployment: its kind and steps (canary)."""

    kind: str
    steps: tuple = ()


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
    return tuple(_step(item, "%s.steps[%d]" % (where, index)) for index, item in enumerate(raw))


def _from_mapping(raw, where):
    """The Strategy of ``{canary: {steps: [...]}}``, or None for an empty mapping."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in STRATEGIES:
        raise InvalidSpec("%s must be {canary: {steps: [...]}}, got %r" % (where, raw))
    kind, body = next(iter(raw.items()))
    body = {} if body is None else body
    if not isinstance(body, dict) or set(body) - {"steps"}:
        raise InvalidSpec("%s.%s takes steps only, got %r" % (where, kind, body))
    return Strategy(kind, parse_steps(body.get("steps"), "%s.%s" % (where, kind)))


def parse_app(raw):
    """(default Strategy or None, {deployment name: Strategy}) of ``spec.strategy``."""
    if raw is None or raw == {}:
        return None, {}
    if not isinstance(raw, dict) or set(raw) - {CANARY, "deployments"}:
        raise InvalidSpec("spec.strategy takes canary and deployments, got %r" % (raw,))
    default = _from_mapping({CANARY: raw[CANARY]}, "spec.strategy") if CANARY in raw else None
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
        raw = notes.get(ANN_CANARY_STEPS)
        try:
            steps = json.loads(raw) if raw is not None else None
        except ValueError as exc:
            raise InvalidSpec("%s: annotation %s is not a JSON list: %s" % (where, ANN_CANARY_STEPS, exc)) from None
        return Strategy(kind, parse_steps(steps, "%s: %s" % (where, ANN_CANARY_STEPS)))
    default, per = app_strategy
    name = (obj.get("metadata") or {}).get("name")
    if name in per:
        return per[name]
    return default
