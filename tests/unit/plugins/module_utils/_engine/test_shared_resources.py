# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An object declared by two Applications: never a silent owner flip.

Default (Argo CD's): each sync applies it, and both Applications carry a
SharedResourceWarning condition naming the object and the other Application, plus a
warning in the run. With the sync option FailOnSharedResource=true, the sync fails
before its first write, naming the object and its owner.
"""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SafetyError

from .fake_cluster import World

NS = "gitops-system"
SHARED = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"k": "v"}}


def app(name, options=()):
    policy = {"automated": {"prune": True, "selfHeal": True}}
    if options:
        policy["syncOptions"] = list(options)
    return {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": {"path": name}, "destination": {"namespace": "demo"}, "syncPolicy": policy},
    }


def own(name, extra=()):
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "%s-own" % name}, "data": {"k": name}}] + list(extra)


@pytest.fixture
def world():
    w = World()
    w.cluster.apply(w.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    w.paths["a"] = own("a", [SHARED])
    w.paths["b"] = own("b", [SHARED])
    return w


def shared_condition(world, name):
    conditions = (world.app(NS, name).get("status") or {}).get("conditions") or []
    found = [c for c in conditions if c["type"] == application.SHARED_RESOURCE_WARNING]
    return found[0]["message"] if found else None


def owner(world):
    live = world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "demo", "shared")
    return live["metadata"]["annotations"][ANN_TRACKING_ID].split(":")[0]


def test_both_applications_carry_the_warning_and_the_run_warns(world):
    world.declare(app("a"))
    world.declare(app("b"))
    warnings = []
    for name in ("a", "b", "a", "b"):
        outcome = world.run_app(NS, name)
        assert outcome.error is None, outcome.error
        warnings.append(outcome.warnings)
    assert warnings[0] == []  # a created it: nobody else had declared it yet
    assert any("ConfigMap/demo/shared" in w and NS + "/a" in w for w in warnings[1]), warnings[1]
    assert any("ConfigMap/demo/shared" in w and NS + "/b" in w for w in warnings[2]), warnings[2]
    for name, other in (("a", "b"), ("b", "a")):
        message = shared_condition(world, name)
        assert message is not None, name
        assert "ConfigMap/demo/shared" in message and "%s/%s" % (NS, other) in message


def test_the_warning_stays_while_the_object_is_shared_and_goes_when_it_is_not(world):
    world.declare(app("a"))
    world.declare(app("b"))
    for name in ("a", "b", "a", "b"):
        world.run_app(NS, name)
    world.paths["b"] = own("b")
    world.revision = "r2"
    world.run_app(NS, "b")
    assert shared_condition(world, "b") is None
    world.run_app(NS, "a")
    assert owner(world) == NS + "/a"
    world.run_app(NS, "a")
    assert shared_condition(world, "a") is None


def test_fail_on_shared_resource_fails_before_the_first_write(world):
    world.declare(app("a"))
    world.declare(app("b", options=["FailOnSharedResource=true"]))
    assert world.run_app(NS, "a").error is None
    world.cluster.reset_calls()
    outcome = world.run_app(NS, "b")
    assert isinstance(outcome.error, SafetyError)
    assert world.cluster.writes() == []  # not even b's own ConfigMap
    assert owner(world) == NS + "/a"
    status = world.app(NS, "b")["status"]
    [sync_error] = [c["message"] for c in status["conditions"] if c["type"] == application.SYNC_ERROR]
    assert "ConfigMap/demo/shared" in sync_error and NS + "/a" in sync_error and "FailOnSharedResource" in sync_error
    assert "ConfigMap/demo/shared" in shared_condition(world, "b")
    assert status["operationState"]["phase"] == application.FAILED
    assert any("ConfigMap/demo/shared" in w for w in outcome.warnings)
    # a keeps its object and sees nothing shared: b never wrote it
    assert world.run_app(NS, "a").error is None and shared_condition(world, "a") is None


def test_fail_on_shared_resource_does_not_block_the_drift_report(world):
    world.declare(app("a"))
    world.declare(app("b", options=["FailOnSharedResource=true"]))
    world.run_app(NS, "a")
    world.cluster.reset_calls()
    outcome = world.run_app(NS, "b", dry_run=True)
    assert outcome.error is None and world.cluster.writes() == []
    assert "shared" in dict((e.subject, e.reason) for e in outcome.changeset.entries)["ConfigMap/demo/shared"]
