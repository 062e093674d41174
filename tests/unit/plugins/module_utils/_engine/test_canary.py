# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The canary state machine (canary.advance) and the objects of each state (canary.realize)."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import canary, durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_STRATEGY_OBJECT
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.strategy_spec import parse_steps

ANALYSIS = {"metrics": [{"name": "errors", "successCondition": "result < 0.1", "provider": {"prometheus": {"address": "http://127.0.0.1:9", "query": "e"}}}]}
STEPS = parse_steps([{"setWeight": 25}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "30s"}}, {"analysis": ANALYSIS}], "t")
NOW = 100000.0


def seen(**fields):
    base = dict(rendered_hash="new", stable_matches=False, now=NOW)
    base.update(fields)
    return canary.Observed(**base)


def at(step, weight, phase=canary.PROGRESSING, started=NOW, **extra):
    state = {"strategy": "canary", "phase": phase, "step": step, "weight": weight, "canaryHash": "new", "stepStartedAt": durations.iso(started)}
    state.update(extra)
    return state


def test_matching_stable_is_healthy_and_records_its_hash():
    state, left = canary.advance({}, STEPS, seen(stable_matches=True))
    assert state == {"strategy": "canary", "phase": canary.HEALTHY, "stableHash": "new"} and left == 0


def test_a_new_template_starts_at_the_first_step_and_sets_its_weight():
    state, _left = canary.advance({"phase": canary.HEALTHY, "stableHash": "old"}, STEPS, seen())
    assert (state["phase"], state["step"], state["weight"], state["canaryHash"], state["stableHash"]) == (canary.PROGRESSING, 0, 25, "new", "old")
    assert "scaling the canary" in state["message"]


@pytest.mark.parametrize(
    "state, observed, expected",
    [
        # setWeight waits for the canary at that weight
        (at(0, 25), seen(canary_ready=False), (canary.PROGRESSING, 0, 25)),
        # ready: passes, then stops at the indefinite pause
        (at(0, 25), seen(canary_ready=True), (canary.PAUSED, 1, 25)),
        # paused stays paused without promote
        (at(1, 25, canary.PAUSED), seen(canary_ready=True), (canary.PAUSED, 1, 25)),
        # promote passes one pause; the next setWeight changes the weight
        (at(1, 25, canary.PAUSED), seen(canary_ready=True, promote=True), (canary.PROGRESSING, 2, 50)),
        # a timed pause not over yet
        (at(3, 50, started=NOW - 10), seen(canary_ready=True), (canary.PROGRESSING, 3, 50)),
        # a timed pause over: the analysis step is next; not judged yet
        (at(3, 50, started=NOW - 31), seen(canary_ready=True), (canary.PROGRESSING, 4, 50)),
        # analysis passed: all steps done
        (at(4, 50), seen(canary_ready=True, analysis=(canary.PASSED, "ok")), (canary.PROMOTING, 5, 50)),
        (at(4, 50), seen(canary_ready=True, analysis=(canary.INCONCLUSIVE, "down")), (canary.PROGRESSING, 4, 50)),
        (at(4, 50), seen(canary_ready=True, analysis=(canary.FAILED, "error rate 0.3")), (canary.ABORTED, 4, 50)),
        # abort, a Degraded canary
        (at(2, 50), seen(abort=True), (canary.ABORTED, 2, 50)),
        (at(2, 50), seen(canary_failed="exceeded its progress deadline"), (canary.ABORTED, 2, 50)),
        # aborted and promoting stay while Git renders the same template
        (at(2, 50, canary.ABORTED), seen(canary_ready=True, promote=True), (canary.ABORTED, 2, 50)),
        (at(5, 50, canary.PROMOTING), seen(), (canary.PROMOTING, 5, 50)),
    ],
)
def test_transitions(state, observed, expected):
    after, _left = canary.advance(state, STEPS, observed)
    assert (after["phase"], after["step"], after["weight"]) == expected
    assert state["phase"] in canary.PHASES


def test_timed_pause_tells_how_long_is_left():
    _state, left = canary.advance(at(3, 50, started=NOW - 10), STEPS, seen(canary_ready=True))
    assert left == 20


def test_abort_message_names_step_weight_and_cause():
    state, _left = canary.advance(at(2, 50), STEPS, seen(abort=True))
    assert state["message"] == "aborted at step 3 (weight 50): abort requested"
    assert "stepStartedAt" not in state


def test_another_template_replaces_an_aborted_or_running_canary():
    for phase in (canary.ABORTED, canary.PAUSED, canary.PROMOTING):
        state, _left = canary.advance(at(2, 50, phase), STEPS, seen(rendered_hash="newer"))
        assert (state["phase"], state["step"], state["canaryHash"]) == (canary.PROGRESSING, 0, "newer")


def test_git_back_on_the_stable_ends_any_canary():
    for phase in (canary.ABORTED, canary.PAUSED, canary.PROGRESSING):
        state, _left = canary.advance(at(2, 50, phase), STEPS, seen(stable_matches=True))
        assert state["phase"] == canary.HEALTHY


def test_no_steps_promotes_once_started():
    state, _left = canary.advance({}, (), seen())
    assert state["phase"] == canary.PROMOTING


@pytest.mark.parametrize("total, weight, expected", [(4, 25, 1), (4, 30, 2), (1, 10, 1), (10, 0, 0), (3, 100, 3), (5, 99, 5)])
def test_canary_replicas_round_up(total, weight, expected):
    assert canary.canary_replicas(total, weight) == expected


def deployment(image, replicas=4, name="web"):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "demo", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": image}]}},
        },
    }


def test_realize_splits_replicas_and_keeps_the_stable_template():
    rendered, live = deployment("v2"), deployment("v1")
    stable, canary_obj = canary.realize(at(0, 25), rendered, live)
    assert stable["spec"]["replicas"] == 3 and stable["spec"]["template"] == live["spec"]["template"]
    assert canary_obj["metadata"]["name"] == "web-canary" and canary_obj["spec"]["replicas"] == 1
    assert canary_obj["spec"]["template"]["spec"]["containers"][0]["image"] == "v2"
    assert canary_obj["spec"]["selector"]["matchLabels"] == {"app": "web", canary.LABEL_CANARY_OF: "web"}
    assert canary_obj["spec"]["template"]["metadata"]["labels"] == {"app": "web", canary.LABEL_CANARY_OF: "web"}
    assert canary_obj["metadata"]["annotations"] == {ANN_STRATEGY_OBJECT: "web"}
    assert rendered == deployment("v2") and live == deployment("v1")  # nothing given is changed


def test_realize_aborted_keeps_the_stable_whole_and_no_canary():
    (stable,) = canary.realize(at(2, 50, canary.ABORTED), deployment("v2"), deployment("v1", replicas=2))
    assert stable["spec"]["replicas"] == 4 and stable["spec"]["template"]["spec"]["containers"][0]["image"] == "v1"


@pytest.mark.parametrize("phase", [canary.HEALTHY, canary.PROMOTING, None])
def test_realize_rendered_when_nothing_runs(phase):
    assert canary.realize({"phase": phase} if phase else {}, deployment("v2"), deployment("v1")) == [deployment("v2")]


def test_realize_first_rollout_is_the_rendered_deployment():
    assert canary.realize(at(0, 25), deployment("v2"), None) == [deployment("v2")]


def test_realize_without_replicas_takes_the_live_count():
    rendered = deployment("v2")
    del rendered["spec"]["replicas"]
    stable, canary_obj = canary.realize(at(0, 50), rendered, deployment("v1", replicas=6))
    assert (stable["spec"]["replicas"], canary_obj["spec"]["replicas"]) == (3, 3)


def test_long_name_is_refused_naming_the_deployment():
    with pytest.raises(InvalidSpec, match="Deployment/demo/" + "x" * 64):
        canary.realize(at(0, 25), deployment("v2", name="x" * 64), deployment("v1", name="x" * 64))


def test_template_hash_is_stable_and_order_free():
    assert canary.template_hash({"a": 1, "b": [1, 2]}) == canary.template_hash({"b": [1, 2], "a": 1})
    assert canary.template_hash({"a": 1}) != canary.template_hash({"a": 2})
