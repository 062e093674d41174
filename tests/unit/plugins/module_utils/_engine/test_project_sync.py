# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sync checked against its Application's Project before its first write."""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

from .fake_cluster import World

NS = "gitops-system"
TEAM_PROJECT = {
    "apiVersion": "gitops-k8s.dev/v1alpha1",
    "kind": "Project",
    "metadata": {"name": "team-a", "namespace": NS},
    "spec": {
        "sourceRepos": ["repo"],
        "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "demo"}],
        "namespaceResourceBlacklist": [{"group": "", "kind": "Secret"}],
    },
}
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"k": "v"}}
ESCALATION = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "team-a-admin"}, "rules": []}
ELSEWHERE = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "grab", "namespace": "kube-system"}, "data": {}}
PRESYNC = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "migrate", "namespace": "kube-system", "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
    "spec": {"template": {"spec": {"containers": [{"name": "m", "image": "busybox"}], "restartPolicy": "Never"}}},
}


def app(project="team-a", namespace=NS):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"project": project, "source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": True}}},
    }


def world_with(objects, projects=(TEAM_PROJECT,)):
    world = World()
    for name in ("kube-system", NS):
        world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for project in projects:
        world.cluster.apply(world.cluster.resolve(project["apiVersion"], "Project"), copy.deepcopy(project))
    world.objects = [copy.deepcopy(o) for o in objects]
    world.cluster.reset_calls()
    return world


def condition_messages(outcome):
    return " ".join(c["message"] for c in outcome.status.get("conditions") or [])


def test_a_violating_sync_writes_nothing_and_names_each_object_and_rule():
    world = world_with([CONFIG, ESCALATION, ELSEWHERE, PRESYNC])
    outcome = world.run(app())
    assert outcome.error is not None and outcome.error.step == "project"
    assert world.cluster.writes() == []
    message = condition_messages(outcome)
    assert "ClusterRole/team-a-admin: cluster-scoped kind rbac.authorization.k8s.io/ClusterRole is not permitted in project team-a" in message
    assert "ConfigMap/kube-system/grab: namespace kube-system is not a destination of project team-a" in message
    assert "Job/kube-system/migrate" in message  # hooks are checked too
    assert "ConfigMap/demo/web" not in message
    dry_runs = [c for c in world.cluster.calls if c[0] == "apply"]
    assert dry_runs == []  # refused before any dry-run


def test_the_blacklist_refuses_a_namespaced_kind_in_an_allowed_namespace():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}
    outcome = world_with([CONFIG, secret]).run(app())
    assert "Secret/demo/s: namespaced kind Secret is not permitted in project team-a" in condition_messages(outcome)


def test_the_same_render_syncs_under_an_allowing_project():
    allowing = copy.deepcopy(TEAM_PROJECT)
    allowing["spec"] = {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
    world = world_with([CONFIG, ESCALATION, ELSEWHERE], projects=(allowing,))
    outcome = world.run(app())
    assert outcome.error is None, outcome.error
    assert sorted(e.subject for e in outcome.changeset.entries) == ["ClusterRole/team-a-admin", "ConfigMap/demo/web", "ConfigMap/kube-system/grab"]


def test_a_missing_project_is_an_error_not_allow_all():
    world = world_with([CONFIG], projects=())
    outcome = world.run(app(project="team-z"))
    assert "project team-z not found in namespace gitops-system" in condition_messages(outcome)
    assert world.cluster.writes() == []


def test_no_project_is_the_permissive_builtin_default_until_one_is_defined():
    world = world_with([CONFIG, ESCALATION], projects=())
    assert world.run(app(project="")).error is None
    tightened = dict(copy.deepcopy(TEAM_PROJECT), metadata={"name": "default", "namespace": NS})
    world = world_with([CONFIG, ESCALATION], projects=(tightened,))
    outcome = world.run(app(project=""))
    assert "ClusterRole/team-a-admin: cluster-scoped kind" in condition_messages(outcome)


def test_the_source_repository_and_destination_of_the_application_are_checked():
    other_repo = copy.deepcopy(TEAM_PROJECT)
    other_repo["spec"]["sourceRepos"] = ["https://git.example.com/team-a/*"]
    outcome = world_with([CONFIG], projects=(other_repo,)).run(app())
    assert "repository repo is not a source of project team-a" in condition_messages(outcome)
    elsewhere = app()
    elsewhere["spec"]["destination"]["namespace"] = "kube-system"
    outcome = world_with([CONFIG]).run(elsewhere)
    assert "destination namespace kube-system is not a destination of project team-a" in condition_messages(outcome)


def test_an_application_outside_the_control_namespace_needs_source_namespaces():
    world = world_with([CONFIG])
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a-apps"}})
    outcome = world.run(app(namespace="team-a-apps"), control_namespace=NS)
    assert "namespace team-a-apps of the Application may not use project team-a" in condition_messages(outcome)


def test_a_child_application_naming_a_project_its_namespace_may_not_use_is_refused():
    child = app(project="team-a", namespace="team-b-apps")
    child["metadata"]["name"] = "child"
    root_project = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Project",
        "metadata": {"name": "default", "namespace": NS},
        "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]},
    }
    world = world_with([child], projects=(TEAM_PROJECT, root_project))
    root = app(project="default")
    outcome = world.run(root, control_namespace=NS)
    assert "Application/team-b-apps/child: its namespace team-b-apps may not use project team-a" in condition_messages(outcome)
    assert world.cluster.writes() == []


def test_a_prune_outside_the_project_is_refused():
    world = world_with(
        [CONFIG, ELSEWHERE], projects=(dict(copy.deepcopy(TEAM_PROJECT), spec={"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}]}),)
    )
    obj = app()
    assert world.run(obj).error is None
    # the project is tightened to demo; the next render leaves kube-system's object out: pruning it is refused
    world.cluster.apply(world.cluster.resolve("gitops-k8s.dev/v1alpha1", "Project"), copy.deepcopy(TEAM_PROJECT))
    world.objects = [copy.deepcopy(CONFIG)]
    world.revision = "r2"
    world.cluster.reset_calls()
    outcome = world.run(obj)
    assert "ConfigMap/kube-system/grab: namespace kube-system is not a destination of project team-a (not pruned)" in condition_messages(outcome)
    assert world.cluster.deletions == []
    live = world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "kube-system", "grab")
    assert live["metadata"]["annotations"][ANN_TRACKING_ID] == tracking_id("gitops-system/web", _entry(live))


def _entry(obj):
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.inventory import entry_of

    return entry_of(obj)


def test_project_warnings_reach_the_application():
    warned = copy.deepcopy(TEAM_PROJECT)
    warned["spec"]["roles"] = [{"name": "ci", "policies": ["p, proj:team-a:ci, applications, sync, team-a/*, allow"]}]
    outcome = world_with([CONFIG], projects=(warned,)).run(app())
    assert any("spec.roles is not carried out" in w for w in outcome.warnings + [c["message"] for c in outcome.status.get("conditions") or []])


def impersonating_project(account="deployer"):
    project = copy.deepcopy(TEAM_PROJECT)
    project["spec"]["destinationServiceAccounts"] = [{"server": "https://kubernetes.default.svc", "namespace": "demo", "defaultServiceAccount": account}]
    return project


def test_the_sync_runs_as_the_projects_service_account():
    world = world_with([CONFIG], projects=(impersonating_project(),))
    world.cluster.grants["system:serviceaccount:demo:deployer"] = {"ConfigMap"}
    outcome = world.run(app())
    assert outcome.error is None, outcome.error
    users = set(u for u, _verb, _kind in world.cluster.requests_as)
    assert users == {"system:serviceaccount:demo:deployer"}
    assert ("system:serviceaccount:demo:deployer", "patch", "ConfigMap") in world.cluster.requests_as
    # the Application's status is the agent's own write, not the tenant's
    assert not any(kind == "Application" for _u, _v, kind in world.cluster.requests_as)


def test_rbac_denying_the_service_account_fails_cleanly_naming_the_object():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {}}
    world = world_with([CONFIG, deployment], projects=(impersonating_project("demo:deployer"),))
    world.cluster.grants["system:serviceaccount:demo:deployer"] = {"ConfigMap"}
    outcome = world.run(app())
    assert outcome.error is not None
    assert 'User "system:serviceaccount:demo:deployer" cannot list' in str(outcome.error)
    assert str(outcome.error).startswith("Deployment/demo/web: ")  # the refused object, named
    assert world.cluster.writes() == []


def test_no_matching_service_account_is_an_error_not_the_agents_rights():
    project = impersonating_project()
    project["spec"]["destinationServiceAccounts"][0]["namespace"] = "other"
    world = world_with([CONFIG], projects=(project,))
    outcome = world.run(app())
    assert "no destinationServiceAccounts entry of project team-a matches destination namespace demo" in condition_messages(outcome)
    assert world.cluster.writes() == []


def test_a_service_account_name_never_reaches_a_header_unchecked():
    world = world_with([CONFIG], projects=(impersonating_project("demo:deployer\r\nX-Evil: 1"),))
    outcome = world.run(app())
    assert "is not a ServiceAccount name" in condition_messages(outcome)


def test_the_projects_sync_windows_hold_its_applications():
    windowed = copy.deepcopy(TEAM_PROJECT)
    windowed["spec"]["syncWindows"] = [{"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": ["*"]}]
    world = world_with([CONFIG], projects=(windowed,))
    outcome = world.run(app())
    assert outcome.error is None and not outcome.synced
    assert "sync window" in outcome.reason, outcome.reason
    assert not any(kind == "ConfigMap" for _verb, kind, *_rest in world.cluster.writes())


def test_create_namespace_needs_the_namespace_kind_in_the_project_as_in_argo_cd():
    creating = app()
    creating["spec"]["destination"]["namespace"] = "fresh"
    creating["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace=true"]
    project = copy.deepcopy(TEAM_PROJECT)
    project["spec"]["destinations"] = [{"server": "*", "namespace": "fresh"}]
    outcome = world_with([CONFIG], projects=(project,)).run(creating)
    assert "Namespace/fresh: cluster-scoped kind Namespace is not permitted in project team-a" in condition_messages(outcome)
    project["spec"]["clusterResourceWhitelist"] = [{"group": "", "kind": "Namespace"}]
    world = world_with([CONFIG], projects=(project,))
    outcome = world.run(creating)
    assert outcome.error is None, outcome.error
    assert world.cluster.get(world.cluster.resolve("v1", "Namespace"), None, "fresh") is not None


def test_deleting_an_application_prunes_nothing_outside_its_project():
    wide = dict(copy.deepcopy(TEAM_PROJECT), spec={"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}]})
    world = world_with([CONFIG, ELSEWHERE], projects=(wide,))
    obj = app()
    assert world.run(obj).error is None
    world.cluster.apply(world.cluster.resolve("gitops-k8s.dev/v1alpha1", "Project"), copy.deepcopy(TEAM_PROJECT))  # tightened to demo
    obj["metadata"].update(deletionTimestamp="2026-11-22T00:00:00Z", finalizers=["gitops-k8s.dev/resources-finalizer"])
    outcome = world.run(obj)
    assert outcome.error is not None and "ConfigMap/kube-system/grab" in str(outcome.error)
    assert world.cluster.deletions == [] and world.finalized == []


def test_a_tenant_cannot_hand_its_children_a_wider_project():
    """A tenant whose project lets it write Applications in the control namespace still
    cannot declare an Application of project default (or another team's)."""
    tenant = copy.deepcopy(TEAM_PROJECT)
    tenant["spec"]["destinations"].append({"server": "*", "namespace": NS})
    own_child, escaping_child = app(project="team-a"), app(project="default")
    own_child["metadata"]["name"], escaping_child["metadata"]["name"] = "own", "escape"
    world = world_with([own_child, escaping_child], projects=(tenant,))
    outcome = world.run(app(), control_namespace=NS)
    message = condition_messages(outcome)
    assert (
        "Application/gitops-system/escape: names project default: an Application of project team-a may only declare Applications of its own project" in message
    )
    assert "Application/gitops-system/own" not in message
    assert world.cluster.writes() == []
    world = world_with([own_child], projects=(tenant,))
    assert world.run(app(), control_namespace=NS).error is None


def test_the_projects_signature_keys_reach_the_source_before_anything_is_fetched():
    signed = copy.deepcopy(TEAM_PROJECT)
    signed["spec"]["signatureKeys"] = [{"keyID": "4AEE18F83AFDEB23"}]
    world = world_with([CONFIG], projects=(signed,))
    asked = []
    plain = world.ports

    def ports():
        base = plain()
        return base.with_changes(source=lambda a, spec: asked.append(spec.signature_keys) or base.source(a, spec))

    world.ports = ports
    outcome = world.run(app())
    assert outcome.error is None and asked == [("4AEE18F83AFDEB23",)]
    # an Application asking for keys the project does not list fails before the fetch
    asked.clear()
    narrower = app()
    narrower["spec"]["signatureKeys"] = [{"keyID": "FFFFFFFFFFFFFFFF"}]
    outcome = world.run(narrower)
    assert outcome.error is not None and outcome.error.step == "project" and asked == []
    assert "no key in common with project team-a's signatureKeys" in condition_messages(outcome)
