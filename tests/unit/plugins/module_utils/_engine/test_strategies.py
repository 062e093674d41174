# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A canary across reconciles over the fake cluster: the state in status.strategy, the
canary Deployment applied and pruned, the stable's template kept until promotion."""

from __future__ import annotations

import copy
import json
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis_providers, canary, strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTHY, PROGRESSING, SUSPENDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, MetricsError

from .fake_cluster import FakeClock, World

STEPS = [{"setWeight": 25}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "20s"}}]


def deployment(image, steps=None):
    notes = {strategy_spec.ANN_STRATEGY: "canary", strategy_spec.ANN_CANARY_STEPS: json.dumps(STEPS if steps is None else steps)}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "annotations": notes},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": image}]}},
        },
    }


def application(prune=True, **spec):
    body = {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": prune}}}
    body.update(spec)
    return {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": "a", "namespace": "demo"}, "spec": body}


PROMETHEUS = {"prometheus": {"address": "http://127.0.0.1:9", "query": "rate"}}
ANALYSIS = {"metrics": [{"name": "errors", "count": 2, "interval": "10s", "successCondition": "result < 0.1", "provider": PROMETHEUS}]}


class CanaryWorld(World):
    analysis_providers = analysis_providers.parse(["http://127.0.0.1:9"])

    def __init__(self, prune=True, **spec):
        super().__init__()
        self.clock = FakeClock()
        self.values = []  # what the metrics port answers, one value per query (an exception is raised)
        self.queries = []
        self.objects = [deployment("v1")]
        self.declare(application(prune, **spec))
        self.dtype = self.cluster.resolve("apps/v1", "Deployment")

    def metrics(self, address, query, timeout):
        self.queries.append((address, query, self.clock.now()))
        value = self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value

    def ports(self):
        return super().ports().with_changes(metrics=self.metrics)

    def step(self, **settings):
        outcome = self.run_app("demo", "a", **settings)
        assert outcome.error is None, outcome.error
        self.available()
        return outcome

    def available(self):
        """Play the Deployment controller: every Deployment has all its replicas available."""
        for key, obj in self.cluster.objects.items():
            if key[1] == "Deployment":
                replicas = obj["spec"].get("replicas", 1)
                obj["metadata"]["generation"] = 1
                obj["status"] = {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas}

    def live(self, name):
        return self.cluster.get(self.dtype, "demo", name)

    def image(self, name):
        return self.live(name)["spec"]["template"]["spec"]["containers"][0]["image"]

    def state(self):
        return (self.app("demo", "a").get("status") or {}).get("strategy", {}).get("demo/web")


def test_first_rollout_is_direct_then_a_new_image_goes_step_by_step():
    world = CanaryWorld()
    world.step()
    assert world.image("web") == "v1" and world.live("web-canary") is None
    assert world.state() == {"strategy": "canary", "phase": canary.HEALTHY, "stableHash": canary.template_hash(deployment("v1")["spec"]["template"])}

    world.objects = [deployment("v2")]
    out = world.step()
    assert (world.live("web")["spec"]["replicas"], world.image("web")) == (3, "v1")
    assert (world.live("web-canary")["spec"]["replicas"], world.image("web-canary")) == (1, "v2")
    assert world.state()["phase"] == canary.PROGRESSING and out.health.status == PROGRESSING

    out = world.step()  # the canary is available: on to the indefinite pause
    assert world.state()["phase"] == canary.PAUSED and out.health.status == SUSPENDED
    assert world.step().health.status == SUSPENDED and world.state()["step"] == 1  # stays paused

    world.step(promote=True)  # setWeight 50
    assert (world.live("web")["spec"]["replicas"], world.live("web-canary")["spec"]["replicas"]) == (2, 2)
    world.step()  # ready: the 20 s pause starts
    assert world.state()["step"] == 3
    world.clock.sleep(25)
    world.step()  # over: promoting
    assert world.state()["phase"] == canary.PROMOTING
    assert (world.image("web"), world.live("web")["spec"]["replicas"], world.live("web-canary")) == ("v2", 4, None)
    out = world.step()
    assert world.state()["phase"] == canary.HEALTHY and out.health.status == HEALTHY
    assert "RolloutAborted" not in json.dumps(world.app("demo", "a")["status"].get("conditions"))


def test_a_short_pause_is_waited_for_within_the_run():
    world = CanaryWorld()
    world.objects = [deployment("v1", steps=[{"setWeight": 50}, {"pause": {"duration": "5s"}}])]
    world.step()
    world.objects = [deployment("v2", steps=[{"setWeight": 50}, {"pause": {"duration": "5s"}}])]
    world.step()
    started = world.clock.now()
    world.step(pause_wait=10)
    assert world.clock.now() - started == 5 and world.state()["phase"] == canary.PROMOTING and world.image("web") == "v2"


def test_abort_removes_the_canary_keeps_the_stable_and_degrades_the_app():
    world = CanaryWorld(prune=False)  # the canary goes even when the Application does not prune
    world.step()
    world.objects = [deployment("v2")]
    world.step()
    out = world.step(abort=True)
    assert world.live("web-canary") is None and (world.image("web"), world.live("web")["spec"]["replicas"]) == ("v1", 4)
    assert out.health.status == DEGRADED and world.state()["phase"] == canary.ABORTED
    conditions = world.app("demo", "a")["status"]["conditions"]
    assert [c["message"] for c in conditions if c["type"] == "RolloutAborted"] == ["Deployment/demo/web: canary aborted at step 1 (weight 25): abort requested"]
    out = world.step()  # stays aborted while Git renders v2; the stable's template is not drift
    assert world.image("web") == "v1" and out.health.status == DEGRADED and out.sync_status == "Synced"
    world.objects = [deployment("v3")]
    world.step()
    assert world.state()["phase"] == canary.PROGRESSING and world.image("web-canary") == "v3"


def test_a_degraded_canary_is_aborted():
    world = CanaryWorld()
    world.step()
    world.objects = [deployment("v2")]
    world.run_app("demo", "a")
    live = world.cluster.objects[world.cluster.key(world.dtype, "demo", "web-canary")]
    live["status"] = {"conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}
    world.step()
    assert world.state()["phase"] == canary.ABORTED and "exceeded its progress deadline" in world.state()["message"]
    assert world.live("web-canary") is None


def test_check_mode_advances_nothing():
    world = CanaryWorld()
    world.step()
    world.objects = [deployment("v2")]
    before = copy.deepcopy(world.cluster.objects)
    out = world.run_app("demo", "a", dry_run=True)
    assert world.cluster.objects == before and world.state()["phase"] == canary.HEALTHY
    assert sorted(e.action for e in out.changeset.entries) == ["configured", "created"]


def test_spec_strategy_per_deployment_and_for_all():
    plain = deployment("v1")
    plain["metadata"]["annotations"] = {}
    for strategy in ({"canary": {"steps": [{"setWeight": 50}]}}, {"deployments": {"web": {"canary": {"steps": [{"setWeight": 50}]}}}}):
        world = CanaryWorld(strategy=strategy)
        world.objects = [plain]
        world.step()
        changed = copy.deepcopy(plain)
        changed["spec"]["template"]["spec"]["containers"][0]["image"] = "v2"
        world.objects = [changed]
        world.step()
        assert world.live("web-canary")["spec"]["replicas"] == 2
        assert not world.app("demo", "a")["status"].get("conditions")  # spec.strategy is a known field


@pytest.mark.parametrize(
    "steps, message",
    [
        ([{"setWeight": 101}], r"Deployment/demo/web: gitops-k8s.dev/canary-steps.steps\[0\]: setWeight must be an integer from 0 to 100"),
        ([{"pause": {"duration": "soon"}}], "is not a duration"),
        ([{"wait": 1}], "unknown step 'wait'"),
        ("x", "is not JSON"),
        ([{"pause": {"duration": "1s"}}] * 101, r"gitops-k8s.dev/canary-steps: 101 steps, more than 100"),
    ],
)
def test_bad_steps_are_a_comparison_error_naming_the_deployment(steps, message):
    world = CanaryWorld()
    obj = deployment("v1")
    obj["metadata"]["namespace"] = "demo"
    obj["metadata"]["annotations"][strategy_spec.ANN_CANARY_STEPS] = steps if isinstance(steps, str) else json.dumps(steps)
    world.objects = [obj]
    out = world.run_app("demo", "a")
    assert isinstance(out.error, InvalidSpec)
    assert pytest.importorskip("re").search(message, str(out.error))
    assert world.live("web") is None


def analysed_world(values):
    world = CanaryWorld()
    steps = [{"setWeight": 50}, {"analysis": ANALYSIS}]
    world.objects = [deployment("v1", steps=steps)]
    world.step()
    world.objects = [deployment("v2", steps=steps)]
    world.step()  # weight 50
    world.step()  # ready: the analysis step is next
    assert world.state()["step"] == 1 and not world.queries
    world.values = list(values)
    return world


def test_a_passing_analysis_step_promotes():
    world = analysed_world([0.01, 0.02])
    started = world.clock.now()
    world.step()
    assert [q[1:] for q in world.queries] == [("rate", started), ("rate", started + 10)]
    assert world.state()["phase"] == canary.PROMOTING and world.image("web") == "v2" and world.live("web-canary") is None


def test_a_failing_analysis_step_aborts_naming_the_query_and_value():
    world = analysed_world([0.5, 0.6])
    out = world.step()
    state = world.state()
    assert state["phase"] == canary.ABORTED and out.health.status == DEGRADED
    assert "analysis failed" in state["message"] and "0.5" in state["message"] and "errors" in state["message"]
    assert world.image("web") == "v1" and world.live("web")["spec"]["replicas"] == 4 and world.live("web-canary") is None


def test_an_unreachable_prometheus_holds_the_canary():
    world = analysed_world([MetricsError("Prometheus not reachable: refused", subject="http://127.0.0.1:9")] * 6)
    world.step()
    state = world.state()
    assert state["phase"] == canary.PROGRESSING and state["step"] == 1 and "not reachable" in state["message"]
    assert world.live("web-canary")["spec"]["replicas"] == 2 and world.image("web") == "v1"


def test_check_mode_measures_no_analysis():
    world = analysed_world([])
    world.run_app("demo", "a", dry_run=True)
    assert not world.queries


def test_the_examples_opt_in_as_documented():
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "examples", "progressive")
    kinds = {}
    for folder in ("canary", "blue-green"):
        with open(os.path.join(root, folder, "deployment.yaml"), encoding="utf-8") as handle:
            obj = yaml.safe_load(handle)
        kinds[folder] = strategy_spec.of_object(obj, (None, {}))
    assert [s.describe() for s in kinds["canary"].steps] == ["setWeight 25", "pause 120s", "setWeight 50", "pause"]
    assert (kinds["blue-green"].blue_green.active_service, kinds["blue-green"].blue_green.scale_down_delay) == ("checkout", 300)
