# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Status messages are bounded in size and never nest."""

from __future__ import annotations

import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import messages
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_API_VERSION, APP_KIND, STATUS_MESSAGE_LIMIT

from .fake_cluster import World

NS = "gitops-system"


@pytest.mark.parametrize("length", [0, 1, STATUS_MESSAGE_LIMIT - 1, STATUS_MESSAGE_LIMIT])
def test_short_messages_are_kept(length):
    assert messages.bounded("m" * length) == "m" * length


@pytest.mark.parametrize("length", [STATUS_MESSAGE_LIMIT + 1, 5000, 10**6])
def test_long_messages_keep_their_head_and_say_how_much_was_cut(length):
    text = "apply failed: " + "x" * length
    out = messages.bounded(text)
    assert len(out) <= STATUS_MESSAGE_LIMIT
    assert out.startswith("apply failed: xxx")
    kept = out.index("... (")
    assert out.endswith("... (%d more characters)" % (len(text) - kept))


def test_a_smaller_limit_and_none():
    assert messages.bounded("abcdefghijklmnopqrstuvwxyz" * 4, 40) == "abcdefghijklmno... (89 more characters)"
    assert messages.bounded(None) == ""


def app(path="p", policy=None):
    return {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": "a", "namespace": NS},
        "spec": {
            "source": {"path": path},
            "destination": {"namespace": "demo"},
            "syncPolicy": policy if policy is not None else {"automated": {"prune": True}},
        },
    }


def test_a_huge_render_error_is_bounded_in_the_condition():
    world, obj = World(), app()
    world.fail_render = True
    world.render_error = "kustomize build failed: " + "e" * 20000
    outcome = world.run(obj)
    [cond] = outcome.status["conditions"]
    assert len(cond["message"]) <= STATUS_MESSAGE_LIMIT and cond["message"].startswith("render failed: p: kustomize build failed: eee")
    again = world.run(obj)
    assert not again.status_written  # same bounded message: the condition keeps its transition time


def test_a_huge_apply_error_is_bounded_in_operation_state_and_conditions():
    world, obj = World(), app()
    world.cluster.fail_apply_on.add("c")
    world.cluster.failure_message = "admission webhook denied the request: " + "w" * 20000
    outcome = world.run(obj)
    assert outcome.error is not None
    status = outcome.status
    assert len(status["operationState"]["message"]) <= STATUS_MESSAGE_LIMIT
    assert all(len(c["message"]) <= STATUS_MESSAGE_LIMIT for c in status["conditions"])
    assert len(json.dumps(status)) < 4 * STATUS_MESSAGE_LIMIT


def degraded_deployment(name):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "demo", "generation": 1},
        "spec": {"replicas": 1},
        "status": {"observedGeneration": 1, "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]},
    }


def test_the_health_message_is_bounded():
    world, obj = World(), app()
    names = ["d%d-%s" % (i, "n" * 240) for i in range(3)]
    for name in names:
        world.cluster.apply(world.cluster.resolve("apps/v1", "Deployment"), degraded_deployment(name))
    world.objects = [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": {"replicas": 1}} for name in names]
    outcome = world.run(obj)
    assert outcome.status["health"]["status"] == "Degraded"
    assert len(outcome.status["health"]["message"]) <= STATUS_MESSAGE_LIMIT
    assert len(outcome.health.message) <= STATUS_MESSAGE_LIMIT


def test_a_child_application_health_message_is_not_nested_in_its_parent():
    world = World()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    child_message = "Deployment/shop/worker: " + "M" * 3000
    child = {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": "child", "namespace": NS},
        "spec": {"source": {"path": "child"}, "destination": {"namespace": "demo"}},
    }
    world.objects = [child]
    parent = app(path="apps", policy={"automated": {"prune": True, "selfHeal": True}})
    sizes = []
    for _run in range(3):
        outcome = world.run(parent)
        assert outcome.error is None, outcome.error
        live = world.app(NS, "child")
        assert live["metadata"]["annotations"][ANN_TRACKING_ID].startswith(NS + "/a:")
        live["status"] = {"health": {"status": "Degraded", "message": child_message}}
        world.cluster.objects[world.cluster.key(world.app_type, NS, "child")] = live
        sizes.append(len(json.dumps(parent.get("status") or {})))
    health = parent["status"]["health"]
    assert health["status"] == "Degraded"
    assert "MMMM" not in health["message"] and len(health["message"]) < 200, health["message"]
    assert "Application/%s/child" % NS in health["message"]
    assert sizes[1] == sizes[2]
