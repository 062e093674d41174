# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A reconcile whose objects go to another cluster (spec.destination.name/server): the
objects, their LISTs and health on the destination, the Application's status and
Projects on the cluster of the run; an unreachable destination fails its Application."""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine import clusters
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DestinationError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

from .fake_cluster import FakeCluster, World

NS = "gitops-system"
EAST = clusters.ClusterRecord(name="east", server="https://east.example:6443", secret="Secret/gitops-system/east", bearer_token="t0ken-value")


class FakeDestinations:
    """The Destinations port over fake clusters by name; ``down`` holds unreachable ones."""

    def __init__(self, manager, **by_name):
        self.manager = manager
        self.by_name = by_name
        self.down = set()

    def select(self, spec):
        if not spec.destination_name:
            return clusters.RUN_CLUSTER
        if spec.destination_name != EAST.name:
            raise DestinationError("spec.destination.name %r is not a registered cluster" % spec.destination_name)
        return EAST

    def connect(self, record):
        if record.name in self.down:
            raise DestinationError("%s: the API server refused the connection (is it running?) (discovery)" % record.label, subject=record.secret)
        return self.by_name[record.name]


def app(destination, project=None):
    spec = {"source": {"path": "p"}, "destination": dict(destination, namespace="demo"), "syncPolicy": {"automated": {"prune": True}}}
    if project:
        spec["project"] = project
    return {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": "web", "namespace": NS}, "spec": spec}


def setup():
    world = World()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    east = FakeCluster()
    east.apply(east.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    destinations = FakeDestinations(world.cluster, east=east)
    return world, east, destinations


def run(world, destinations, obj):
    return reconcile(obj, world.ports().with_changes(destinations=destinations), Settings())


def configmaps(cluster):
    return sorted(o["metadata"]["name"] for o in cluster.list(cluster.resolve("v1", "ConfigMap"), "demo"))


def test_objects_go_to_the_destination_and_the_status_stays_here():
    world, east, destinations = setup()
    outcome = run(world, destinations, app({"name": "east"}))
    assert outcome.error is None, outcome.error
    assert configmaps(east) == ["c"] and configmaps(world.cluster) == []
    assert world.statuses and world.statuses[-1]["sync"]["status"] == "Synced"
    assert world.statuses[-1]["inventory"]


def test_the_cluster_of_the_run_when_no_destination_is_named():
    world, east, destinations = setup()
    assert run(world, destinations, app({})).error is None
    assert configmaps(world.cluster) == ["c"] and configmaps(east) == []


def test_an_unreachable_destination_fails_its_application_naming_the_cluster():
    world, east, destinations = setup()
    destinations.down.add("east")
    outcome = run(world, destinations, app({"name": "east"}))
    assert isinstance(outcome.error, DestinationError)
    message = world.statuses[-1]["conditions"][0]["message"]
    assert message.startswith("destination failed: Secret/gitops-system/east: cluster east (https://east.example:6443): the API server refused")
    assert "t0ken-value" not in repr(world.statuses)
    assert configmaps(east) == []


def test_an_unregistered_cluster_is_a_condition():
    world, _east, destinations = setup()
    outcome = run(world, destinations, app({"name": "north"}))
    assert outcome.error is not None and "'north' is not a registered cluster" in world.statuses[-1]["conditions"][0]["message"]


def test_project_destinations_are_matched_against_the_resolved_cluster():
    world, east, destinations = setup()
    project = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Project",
        "metadata": {"name": "team-a", "namespace": NS},
        "spec": {"sourceRepos": ["*"], "destinations": [{"name": "west", "namespace": "*"}, {"server": "https://kubernetes.default.svc", "namespace": "*"}]},
    }
    world.cluster.apply(world.cluster.resolve(project["apiVersion"], "Project"), copy.deepcopy(project))
    outcome = run(world, destinations, app({"name": "east"}, project="team-a"))
    assert outcome.error is not None
    assert "destination namespace demo on cluster east (https://east.example:6443) is not a destination of project team-a" in str(outcome.error)
    assert configmaps(east) == []
    project["spec"]["destinations"].append({"server": "https://east.example:*", "namespace": "demo"})
    world.cluster.apply(world.cluster.resolve(project["apiVersion"], "Project"), copy.deepcopy(project))
    assert run(world, destinations, app({"name": "east"}, project="team-a")).error is None
    assert configmaps(east) == ["c"]


def test_a_sync_window_of_the_destination_cluster_holds_its_application():
    world, east, destinations = setup()
    deny_east = {"kind": "deny", "schedule": "* * * * *", "duration": "1h", "clusters": ["east"]}
    outcome = reconcile(app({"name": "east"}), world.ports().with_changes(destinations=destinations), Settings(sync_windows=(deny_east,)))
    assert not outcome.synced and "sync window" in outcome.reason, outcome.reason
    assert configmaps(east) == []
    here = reconcile(app({}), world.ports().with_changes(destinations=destinations), Settings(sync_windows=(deny_east,)))
    assert here.synced and configmaps(world.cluster) == ["c"]  # the window of east does not cover the cluster of the run
