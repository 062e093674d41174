# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CreateNamespace=true against an API that serves project.openshift.io: the destination
is requested as a Project (a ProjectRequest POST), never applied as a Namespace; against
any other API the Namespace is applied as before. The in-memory OpenShift below answers
as OpenShift's project API does: a ProjectRequest can only be created, and creating one
makes the Namespace (the requester recorded on it)."""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, project_request
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.plan import PlanItem
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

from .fake_cluster import FakeClock, World

PROJECT_REQUEST = ResourceType("project.openshift.io", "v1", "ProjectRequest", "projectrequests", False)
REQUESTER = "openshift.io/requester"


class OpenShift(World):
    """The fake cluster with OpenShift's project API. ``makes_namespace``: False for a
    project API that accepts requests but never makes a Namespace; ``refuse``: the status
    code every ProjectRequest is refused with."""

    def __init__(self, makes_namespace=True, refuse=None):
        super().__init__()
        cluster = self.cluster
        cluster.types[(PROJECT_REQUEST.api_version, PROJECT_REQUEST.kind)] = PROJECT_REQUEST
        create, apply, get = cluster.create, cluster.apply, cluster.get

        def create_project(rtype, obj):
            if rtype.kind != "ProjectRequest":
                return create(rtype, obj)
            cluster.calls.append(("create", "ProjectRequest", None, obj["metadata"]["name"]))
            if refuse:
                raise ClusterError('projectrequests.project.openshift.io is forbidden: User "agent" cannot create', details={"status_code": refuse})
            if makes_namespace:
                name = obj["metadata"]["name"]  # stored as OpenShift's project API does, not through a recorded call
                namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": "ns-" + name, "annotations": {REQUESTER: "agent"}}}
                cluster.objects[cluster.key(cluster.resolve("v1", "Namespace"), None, name)] = namespace
            return copy.deepcopy(obj)

        def refuse_apply(rtype, obj, dry_run=False, force=False):
            if rtype.kind == "ProjectRequest":
                raise ClusterError("the server does not allow this method on the requested resource", details={"status_code": 405})
            return apply(rtype, obj, dry_run=dry_run, force=force)

        def refuse_get(rtype, namespace, name):
            if rtype.kind == "ProjectRequest":
                raise ClusterError("the server does not allow this method on the requested resource", details={"status_code": 405})
            return get(rtype, namespace, name)

        cluster.create, cluster.apply, cluster.get = create_project, refuse_apply, refuse_get
        self.clock = FakeClock()


def app(destination="shop", sync_options=("CreateNamespace=true",), **policy):
    policy = dict(policy, automated={"prune": True}, syncOptions=list(sync_options))
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": destination}, "syncPolicy": policy},
    }


def namespace_of(world, name):
    return world.cluster.get(world.cluster.resolve("v1", "Namespace"), None, name)


def namespace_writes(world, name):
    return [c for c in world.cluster.calls if c[0] in ("apply", "dry-run", "create") and c[1] == "Namespace" and c[3] == name]


def test_openshift_requests_a_project_and_never_applies_the_namespace():
    world = OpenShift()
    outcome = world.run(app())
    assert outcome.error is None, outcome.error
    assert ("create", "ProjectRequest", None, "shop") in world.cluster.calls
    assert namespace_writes(world, "shop") == []  # not even a dry-run: a self-provisioner may not create Namespaces
    assert namespace_of(world, "shop")["metadata"]["annotations"] == {REQUESTER: "agent"}
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "shop", "c") is not None


def test_kubernetes_without_the_project_api_applies_the_namespace():
    world = World()
    outcome = world.run(app())
    assert outcome.error is None, outcome.error
    assert not [c for c in world.cluster.calls if c[1] == "ProjectRequest"]
    assert ("apply", "Namespace", None, "shop") in world.cluster.calls
    assert namespace_of(world, "shop") is not None


def test_openshift_existing_namespace_is_not_requested_again():
    world = OpenShift()
    world.run(app(destination="demo"))  # World's namespace exists
    assert not [c for c in world.cluster.calls if c[1] == "ProjectRequest"]


def test_openshift_managed_namespace_metadata_is_applied_after_the_request():
    world = OpenShift()
    outcome = world.run(app(managedNamespaceMetadata={"labels": {"team": "shop"}}))
    assert outcome.error is None, outcome.error
    calls = world.cluster.calls
    assert calls.index(("create", "ProjectRequest", None, "shop")) < calls.index(("apply", "Namespace", None, "shop"))
    live = namespace_of(world, "shop")
    assert live["metadata"]["labels"] == {"team": "shop"} and live["metadata"]["annotations"] == {REQUESTER: "agent"}


def test_check_mode_plans_the_request_without_sending_it():
    world = OpenShift()
    outcome = world.run(app(), dry_run=True)
    assert not [c for c in world.cluster.calls if c[1] == "ProjectRequest"]
    assert namespace_of(world, "shop") is None
    entries = [e for e in outcome.changeset.entries if e.subject == "Namespace/shop"]
    assert entries and "ProjectRequest" in entries[0].reason, outcome.changeset.entries


def test_a_request_that_makes_no_namespace_fails_naming_it_and_applies_nothing_in_it():
    world = OpenShift(makes_namespace=False)
    outcome = world.run(app())
    assert outcome.error is not None
    assert "ProjectRequest shop was accepted but no Namespace shop appeared" in str(outcome.error)
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "shop", "c") is None


def test_a_refused_request_is_the_error():
    world = OpenShift(refuse=403)
    outcome = world.run(app())
    assert outcome.error is not None and "projectrequests.project.openshift.io is forbidden" in str(outcome.error)


def test_a_request_that_already_exists_goes_on_with_the_namespace():
    world = OpenShift(refuse=409)
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}})
    # the plan saw no Namespace (created meanwhile by someone else's request): 409, then the Namespace is there
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}}
    item = PlanItem(entry=inventory.entry_of(obj), rtype=world.cluster.resolve("v1", "Namespace"), desired=obj, tracked=False, create_with=PROJECT_REQUEST)
    live = project_request.create_namespace(world.cluster, item, None, FakeClock())
    assert live["metadata"]["name"] == "late"


def test_the_request_carries_only_the_name():
    assert project_request.request_body("shop") == {"apiVersion": "project.openshift.io/v1", "kind": "ProjectRequest", "metadata": {"name": "shop"}}
