# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authority flows down: an Application is only written by its parent.

Table cases are ``fixtures/authority/<case>-<refused|allowed>.yaml``: the reconciling
Application, the live objects, the render, and the refused ids with a piece of their rule.
"""

from __future__ import annotations

import copy
import json
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, plan
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_TRACKING_ID,
    APP_API_VERSION,
    APP_KIND,
    APP_MAX_DEPTH,
    PRUNED,
    SKIPPED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SafetyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

from .fake_cluster import FakeCluster, World

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "authority")
FILES = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".yaml"))
NS = "gitops-system"


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def cluster_with(objs):
    cluster = FakeCluster()
    for name in (NS, "demo"):
        cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for obj in objs:
        cluster.apply(cluster.resolve(obj["apiVersion"], obj["kind"]), copy.deepcopy(obj))
    cluster.reset_calls()
    return cluster


def plan_of(cluster, owner, objs, previous=(), **opts):
    manifests = [Manifest(copy.deepcopy(o), "apps/x.yaml:%d" % i) for i, o in enumerate(objs)]
    return plan.build_plan(cluster, manifests, previous, SyncOptions(namespace=NS, tracking=owner, **opts))


def application(name, owner=None, path="p", namespace=NS):
    obj = {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"source": {"path": path}, "destination": {"namespace": "demo"}},
    }
    if owner:
        entry = inventory.entry_of(obj)
        obj["metadata"]["annotations"] = {ANN_TRACKING_ID: tracking_id(owner, entry)}
    return obj


def test_fixtures_are_named_by_outcome():
    assert len(FILES) >= 8
    for name in FILES:
        outcome = name[: -len(".yaml")].rsplit("-", 1)[1]
        assert outcome in ("refused", "allowed"), name
        assert bool(load(name)["refused"]) == (outcome == "refused"), name


@pytest.mark.parametrize("name", FILES)
def test_authority_fixture(name):
    case = load(name)
    cluster = cluster_with(case["live"])
    if not case["refused"]:
        plan_of(cluster, case["reconciling"], case["render"])
        return
    with pytest.raises(SafetyError) as caught:
        plan_of(cluster, case["reconciling"], case["render"])
    message = str(caught.value)
    for subject, rule in case["refused"].items():
        assert "%s: %s" % (subject, rule) in message, message
    assert [c for c in cluster.calls if c[0] in ("apply", "dry-run", "delete")] == []


def test_every_refused_object_is_named_once_with_the_way_out():
    cluster = cluster_with([application("root"), application("team-a", owner="gitops-system/root-a")])
    with pytest.raises(SafetyError) as caught:
        plan_of(cluster, "gitops-system/team-b", [application("team-a"), application("root")])
    message = str(caught.value)
    assert message.count("Application/gitops-system/team-a") == 1 and message.count("Application/gitops-system/root:") == 1
    assert "only the Application that declared it may write it" in message
    assert "delete it" in message


def test_a_parent_chain_deeper_than_the_bound_is_refused():
    owner, chain = None, []
    for depth in range(APP_MAX_DEPTH + 2):
        chain.append(application("level-%d" % depth, owner=owner))
        owner = "%s/level-%d" % (NS, depth)
    cluster = cluster_with(chain)
    with pytest.raises(SafetyError, match="deeper than %d" % APP_MAX_DEPTH):
        plan_of(cluster, owner, [application("new-child")])
    gets = [c for c in cluster.calls if c[0] == "get"]
    assert len(gets) <= APP_MAX_DEPTH + 1


def test_renders_without_applications_read_no_parent():
    cluster = cluster_with([application("root")])
    plan_of(cluster, NS + "/root", [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "demo"}, "data": {}}])
    assert [c for c in cluster.calls if c[0] == "get" or c[1] == APP_KIND] == []


def test_without_tracking_nothing_is_checked():
    """The sync module without an inventory applies without ownership (the playbook's author decides)."""
    cluster = cluster_with([application("root")])
    p = plan.build_plan(cluster, [Manifest(application("root", path="other"), "x:1")], (), SyncOptions(namespace=NS))
    assert p.items[0].action == "configured"


@pytest.mark.parametrize("annotation_owner, action", [("gitops-system/root", PRUNED), ("gitops-system/other", SKIPPED), (None, SKIPPED)])
def test_only_applications_still_carrying_our_annotation_are_pruned(annotation_owner, action):
    child = application("shop", owner=annotation_owner)
    cluster = cluster_with([application("root"), child])
    previous = (inventory.entry_of(child),)
    p = plan_of(cluster, NS + "/root", [], previous=previous, prune=True, allow_empty=True)
    assert [(i.subject, i.action) for i in p.extra] == [("Application/gitops-system/shop", action)]


# -- end to end over the fake cluster ----------------------------------------------------------


def root_world(*extra_apps):
    """A root Application (declared by a playbook: no tracking annotation) whose path
    ``apps`` holds a ConfigMap plus ``extra_apps``."""
    world = World()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    root = application("root", path="apps")
    root["spec"]["destination"]["namespace"] = NS
    root["spec"]["syncPolicy"] = {"automated": {"prune": True, "selfHeal": True}}
    world.declare(root)
    world.paths["apps"] = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "demo"}, "data": {"k": "v"}}]
    world.paths["apps"] += list(extra_apps)
    return world


def test_a_manifest_naming_the_root_is_refused_and_nothing_is_written():
    hostile = application("root", path="elsewhere")
    hostile["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    world = root_world(hostile)
    spec_before = world.app(NS, "root")["spec"]
    sizes = []
    for _run in range(3):
        world.cluster.reset_calls()
        outcome = world.run_app(NS, "root")
        assert outcome.error is not None and not outcome.synced
        assert world.cluster.writes() == []
        root = world.app(NS, "root")
        assert root["spec"] == spec_before and ANN_TRACKING_ID not in (root["metadata"].get("annotations") or {})
        sizes.append(len(json.dumps(root["status"], sort_keys=True)))
    assert len(set(sizes)) == 1, sizes
    [cond] = world.app(NS, "root")["status"]["conditions"]
    assert "Application/gitops-system/root: names this Application itself" in cond["message"]
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "demo", "c") is None


def test_the_root_declares_and_then_updates_its_children():
    world = root_world(application("shop", path="shop"))
    assert world.run_app(NS, "root").error is None
    assert world.app(NS, "shop")["metadata"]["annotations"][ANN_TRACKING_ID].startswith(NS + "/root:")
    world.paths["apps"][1] = application("shop", path="shop/v2")
    world.revision = "r2"
    assert world.run_app(NS, "root").error is None
    assert world.app(NS, "shop")["spec"]["source"]["path"] == "shop/v2"
