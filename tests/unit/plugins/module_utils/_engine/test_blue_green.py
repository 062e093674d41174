# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue-green: the state machine (blue_green.advance), its objects, and a rollout across
reconciles over the fake cluster (the active Service switched in one write)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import blue_green, canary, durations, strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTHY, PROGRESSING, SUSPENDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .fake_cluster import FakeClock, World

NOW = 100000.0
PROMETHEUS = {"prometheus": {"address": "http://127.0.0.1:9", "query": "e"}}
CONFIG = strategy_spec.parse_blue_green({"activeService": "web", "scaleDownDelaySeconds": 60}, "t")
ANALYSED = strategy_spec.parse_blue_green(
    {
        "activeService": "web",
        "prePromotionAnalysis": {
            "metrics": [{"name": "errors", "successCondition": "result < 0.1", "provider": {"prometheus": {"address": "http://127.0.0.1:9", "query": "e"}}}]
        },
    },
    "t",
)
MANUAL = strategy_spec.parse_blue_green({"activeService": "web", "autoPromotionEnabled": False}, "t")


def seen(**fields):
    base = dict(rendered_hash="new", stable_matches=False, now=NOW)
    base.update(fields)
    return blue_green.Observed(**base)


def at(phase, **extra):
    state = {"strategy": "blueGreen", "phase": phase, "activeHash": "old", "previewHash": "new"}
    state.update(extra)
    return state


@pytest.mark.parametrize(
    "state, config, observed, phase",
    [
        ({}, CONFIG, seen(stable_matches=True), blue_green.HEALTHY),
        ({}, CONFIG, seen(), blue_green.HEALTHY),  # the first rollout with the strategy: direct
        ({"phase": "Healthy", "activeHash": "old"}, CONFIG, seen(), blue_green.PROGRESSING),
        (at("Progressing"), CONFIG, seen(preview_ready=False), blue_green.PROGRESSING),
        (at("Progressing"), CONFIG, seen(preview_ready=True), blue_green.SWITCHED),
        (at("Progressing"), ANALYSED, seen(preview_ready=True), blue_green.PROGRESSING),  # not measured yet
        (at("Progressing"), ANALYSED, seen(preview_ready=True, analysis=("Inconclusive", "down")), blue_green.PROGRESSING),
        (at("Progressing"), ANALYSED, seen(preview_ready=True, analysis=("Failed", "errors 0.5")), blue_green.ABORTED),
        (at("Progressing"), ANALYSED, seen(preview_ready=True, analysis=("Passed", "ok")), blue_green.SWITCHED),
        (at("Progressing"), MANUAL, seen(preview_ready=True), blue_green.PAUSED),
        (at("Paused"), MANUAL, seen(preview_ready=True, promote=True), blue_green.SWITCHED),
        (at("Progressing"), CONFIG, seen(preview_failed="deadline"), blue_green.ABORTED),
        (at("Switched", switchedAt=durations.iso(NOW - 10)), CONFIG, seen(preview_ready=True), blue_green.SWITCHED),
        (at("Switched", switchedAt=durations.iso(NOW - 61)), CONFIG, seen(preview_ready=True), blue_green.PROMOTING),
        (at("Switched", switchedAt=durations.iso(NOW - 10)), CONFIG, seen(abort=True), blue_green.ABORTED),
        (at("Promoting"), CONFIG, seen(stable_matches=True, stable_ready=False), blue_green.PROMOTING),
        (at("Promoting"), CONFIG, seen(stable_matches=True, stable_ready=True), blue_green.HEALTHY),
        (at("Aborted"), CONFIG, seen(preview_ready=True, promote=True), blue_green.ABORTED),
        (at("Aborted"), CONFIG, seen(rendered_hash="newer"), blue_green.PROGRESSING),
        (at("Switched", switchedAt=durations.iso(NOW)), CONFIG, seen(rendered_hash="old", stable_matches=True), blue_green.HEALTHY),
    ],
)
def test_transitions(state, config, observed, phase):
    after, _left = blue_green.advance(state, config, observed)
    assert after["phase"] == phase


def test_healthy_after_promotion_is_on_the_new_revision():
    state, _left = blue_green.advance(at("Promoting"), CONFIG, seen(stable_matches=True, stable_ready=True))
    assert state["activeHash"] == "new" and "previewHash" not in state


def test_the_rollback_window_tells_how_long_is_left():
    _state, left = blue_green.advance(at("Switched", switchedAt=durations.iso(NOW - 10)), CONFIG, seen())
    assert left == 50


def deployment(image):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "annotations": {strategy_spec.ANN_STRATEGY: "blueGreen", strategy_spec.ANN_BLUE_GREEN: json.dumps({"activeService": "web"})},
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": image}]}},
        },
    }


SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP"}]}}


def revision_of(image):
    return canary.template_hash(deployment(image)["spec"]["template"])


class BlueGreenWorld(World):
    def __init__(self):
        super().__init__()
        self.clock = FakeClock()
        self.objects = [deployment("v1"), SERVICE]
        self.declare(
            {
                "apiVersion": "gitops-k8s.dev/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "a", "namespace": "demo"},
                "spec": {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {}}},
            }
        )

    def step(self, **settings):
        outcome = self.run_app("demo", "a", **settings)
        assert outcome.error is None, outcome.error
        for key, obj in self.cluster.objects.items():
            if key[1] == "Deployment":
                replicas = obj["spec"].get("replicas", 1)
                obj["metadata"]["generation"] = 1
                obj["status"] = {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas}
        return outcome

    def get(self, kind, name):
        return self.cluster.get(self.cluster.resolve("apps/v1" if kind == "Deployment" else "v1", kind), "demo", name)

    def selector(self, name="web"):
        return self.get("Service", name)["spec"]["selector"]

    def state(self):
        return self.app("demo", "a")["status"]["strategy"]["demo/web"]


def test_the_active_service_switches_only_after_the_preview_is_ready_then_the_old_pods_go():
    world = BlueGreenWorld()
    world.step()
    old, new = revision_of("v1"), revision_of("v2")
    assert world.selector() == {"app": "web", blue_green.LABEL_REVISION: old}
    assert world.get("Deployment", "web")["spec"]["template"]["metadata"]["labels"][blue_green.LABEL_REVISION] == old

    world.objects = [deployment("v2"), SERVICE]
    out = world.run_app("demo", "a")  # the preview is created, not ready yet
    assert world.selector()[blue_green.LABEL_REVISION] == old and out.health.status == PROGRESSING
    assert world.get("Service", "web-preview")["spec"]["selector"] == {"app": "web", blue_green.LABEL_REVISION: new}
    preview = world.get("Deployment", "web-preview")
    assert preview["spec"]["replicas"] == 2 and preview["spec"]["template"]["spec"]["containers"][0]["image"] == "v2"
    assert world.get("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "v1"

    world.step()  # the preview is not ready when observed: still old
    assert world.selector()[blue_green.LABEL_REVISION] == old
    world.cluster.reset_calls()
    world.step()  # ready: switched, in one write of the active Service
    assert world.selector()[blue_green.LABEL_REVISION] == new and world.state()["phase"] == blue_green.SWITCHED
    assert [c for c in world.cluster.writes() if c[1] == "Service"] == [("apply", "Service", "demo", "web")]
    assert world.get("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "v1"  # kept: the rollback window

    world.clock.sleep(31)
    world.step()  # the window is over: the stable takes the new template; the preview stays until it runs
    assert world.state()["phase"] == blue_green.PROMOTING and world.get("Deployment", "web-preview") is not None
    assert world.get("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "v2"
    out = world.step()
    assert world.state() == {"strategy": "blueGreen", "phase": "Healthy", "activeHash": new, "message": "promoted %s" % new}
    assert world.get("Deployment", "web-preview") is None and world.get("Service", "web-preview") is None
    assert world.selector()[blue_green.LABEL_REVISION] == new and out.health.status == HEALTHY


def test_abort_in_the_rollback_window_switches_back():
    world = BlueGreenWorld()
    world.step()
    world.objects = [deployment("v2"), SERVICE]
    world.step()
    world.step()
    assert world.state()["phase"] == blue_green.SWITCHED
    out = world.step(abort=True)
    assert world.selector()[blue_green.LABEL_REVISION] == revision_of("v1") and world.get("Deployment", "web-preview") is None
    assert out.health.status == DEGRADED and world.state()["phase"] == blue_green.ABORTED


def test_manual_promotion_waits_suspended():
    world = BlueGreenWorld()
    world.objects = [dict(deployment("v1"), metadata=dict(deployment("v1")["metadata"], annotations={})), SERVICE]
    world.step()
    world.objects[0]["metadata"]["annotations"] = {
        strategy_spec.ANN_STRATEGY: "blueGreen",
        strategy_spec.ANN_BLUE_GREEN: json.dumps({"activeService": "web", "autoPromotionEnabled": False}),
    }
    world.step()
    world.objects = [deployment("v2"), SERVICE]
    world.objects[0]["metadata"]["annotations"][strategy_spec.ANN_BLUE_GREEN] = json.dumps({"activeService": "web", "autoPromotionEnabled": False})
    world.step()
    assert world.step().health.status == SUSPENDED and world.state()["phase"] == blue_green.PAUSED
    world.step(promote=True)
    assert world.state()["phase"] == blue_green.SWITCHED


def test_an_active_service_missing_from_the_render_is_an_error():
    world = BlueGreenWorld()
    world.objects = [deployment("v1")]
    out = world.run_app("demo", "a")
    assert isinstance(out.error, InvalidSpec) and "activeService Service/demo/web is not rendered" in str(out.error)


@pytest.mark.parametrize(
    "raw, message",
    [
        ({}, "activeService must name a Service"),
        ({"activeService": "web", "scaleDownDelaySeconds": -1}, "scaleDownDelaySeconds must be an integer"),
        ({"activeService": "web", "autoPromotionEnabled": "no"}, "autoPromotionEnabled must be true or false"),
        ({"activeService": "web", "antiAffinity": {}}, r"unknown field\(s\) antiAffinity"),
    ],
)
def test_bad_settings(raw, message):
    with pytest.raises(InvalidSpec, match=message):
        strategy_spec.parse_blue_green(raw, "Deployment/demo/web")


def test_the_preview_is_pruned_outside_the_deletion_budget():
    world = BlueGreenWorld()
    world.step()
    world.objects = [deployment("v2"), SERVICE]
    world.step()
    out = world.step(abort=True, prune_limit_percent=10)  # 2 of 4 objects: over a 10 % budget, were they the user's
    assert world.get("Deployment", "web-preview") is None and world.get("Service", "web-preview") is None
    assert sorted(str(e.subject) for e in out.changeset.entries if e.action == "pruned") == ["Deployment/demo/web-preview", "Service/demo/web-preview"]
    assert "PruneHeldWarning" not in json.dumps(world.app("demo", "a")["status"].get("conditions"))
