# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plan and the sync decide from Argo CD's sync and compare options (per object
and per Application), against the in-memory cluster."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_OUT_OF_SYNC, APP_SYNCED, CONFIGURED, PRUNED, SKIPPED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError, HealthTimeout, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

from .fake_cluster import FakeClock, FakeCluster, World

OWNER = "gitops-system/demo"
ARGO = "argocd.argoproj.io/sync-options"
ARGO_COMPARE = "argocd.argoproj.io/compare-options"


def cm(name, notes=None, **data):
    meta = {"name": name}
    if notes:
        meta["annotations"] = dict(notes)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


def deployment(name, notes=None, image="nginx:1.25"):
    meta = {"name": name, "annotations": dict(notes or {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}},
        },
    }


WIDGET = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w1", "annotations": {ARGO: "SkipDryRunOnMissingResource=true"}},
    "spec": {"size": 1},
}
WIDGET_TYPE = ResourceType("example.com", "v1", "Widget", "widgets", True)


def options(**opts):
    return SyncOptions(namespace="demo", tracking=OWNER, **opts)


def build(cluster, objs, previous=(), **opts):
    return plan.build_plan(cluster, [Manifest(copy.deepcopy(o), "app.yaml:%d" % i) for i, o in enumerate(objs)], previous, options(**opts))


def run(cluster, objs, previous=(), **opts):
    p = build(cluster, objs, previous, **opts)
    return p, sync.execute(cluster, p, options(**opts), FakeClock())


@pytest.fixture
def cluster():
    c = FakeCluster()
    c.apply(c.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    c.reset_calls()
    return c


def verbs(cluster, name):
    return [c[0] for c in cluster.calls if c[0] in ("apply", "create", "replace", "delete") and c[-1] == name]


# -- Replace / Force --------------------------------------------------------------------


def test_replace_creates_when_missing_and_puts_when_changed(cluster):
    notes = {ARGO: "Replace=true"}
    _p, first = run(cluster, [cm("big", notes, k="1")])
    assert first.error is None and verbs(cluster, "big") == ["create"]
    cluster.reset_calls()
    _p, second = run(cluster, [cm("big", notes, k="2")], previous=first.inventory)
    assert second.error is None and verbs(cluster, "big") == ["replace"]
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "big")["data"] == {"k": "2"}


def test_replace_removes_fields_that_left_git(cluster):
    """A PUT replaces the object: a key another writer added is gone (apply would keep it)."""
    _p, first = run(cluster, [cm("big", {ARGO: "Replace=true"}, k="1")])
    rtype = cluster.resolve("v1", "ConfigMap")
    cluster.patch_merge(rtype, "demo", "big", {"data": {"extra": "x"}})
    _p, second = run(cluster, [cm("big", {ARGO: "Replace=true"}, k="2")], previous=first.inventory)
    assert cluster.get(rtype, "demo", "big")["data"] == {"k": "2"}


def test_immutable_change_without_force_fails_the_plan_before_any_write(cluster):
    _p, first = run(cluster, [cm("job", k="1")])
    cluster.immutable["job"] = "selector"
    cluster.objects[("", "ConfigMap", "demo", "job")]["spec"] = {"selector": "a"}
    cluster.reset_calls()
    changed = dict(cm("job", k="1"), spec={"selector": "b"})
    with pytest.raises(ApplyError, match="immutable"):
        build(cluster, [changed], previous=first.inventory)
    assert cluster.writes() == []


@pytest.mark.parametrize(
    "opts, expected",
    [
        ("Force=true", ["apply", "delete", "apply"]),  # apply refused (422): delete, apply again
        ("Force=true,Replace=true", ["delete", "create"]),  # kubectl replace --force
    ],
)
def test_force_recreates_an_object_the_server_refuses_to_update(cluster, opts, expected):
    _p, first = run(cluster, [cm("job", k="1")])
    cluster.immutable["job"] = "selector"
    cluster.objects[("", "ConfigMap", "demo", "job")]["spec"] = {"selector": "a"}
    old_uid = cluster.objects[("", "ConfigMap", "demo", "job")]["metadata"]["uid"]
    cluster.reset_calls()
    changed = dict(cm("job", {ARGO: opts}, k="1"), spec={"selector": "b"})
    p, result = run(cluster, [changed], previous=first.inventory)
    assert p.items[0].action == CONFIGURED and "Force=true" in p.items[0].reason
    assert result.error is None
    assert verbs(cluster, "job") == expected
    now = cluster.objects[("", "ConfigMap", "demo", "job")]
    assert now["spec"] == {"selector": "b"} and now["metadata"]["uid"] != old_uid


def test_force_never_deletes_a_namespace_or_crd(cluster):
    meta = {"name": "team", "labels": {"a": "1"}, "annotations": {ARGO: "Force=true,Replace=true"}}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}
    _p, first = run(cluster, [ns])
    cluster.reset_calls()
    ns["metadata"]["labels"]["a"] = "2"
    _p, second = run(cluster, [ns], previous=first.inventory)
    assert second.error is None and verbs(cluster, "team") == ["replace"]


# -- SkipDryRunOnMissingResource ------------------------------------------------------------


def test_kind_not_served_fails_the_plan_without_the_option(cluster):
    widget = copy.deepcopy(WIDGET)
    widget["metadata"]["annotations"] = {}
    with pytest.raises(UnknownKindError, match="Widget"):
        build(cluster, [widget])


def test_skip_dry_run_plans_then_applies_when_the_kind_is_served_by_then(cluster):
    p = build(cluster, [cm("operator"), WIDGET])
    item = [i for i in p.items if i.entry.kind == "Widget"][0]
    assert item.kind_missing and "SkipDryRunOnMissingResource" in item.reason
    assert [c for c in cluster.calls if c[0] == "dry-run" and c[1] == "Widget"] == []
    cluster.types[("example.com/v1", "Widget")] = WIDGET_TYPE  # an operator installed its CRD meanwhile
    result = sync.execute(cluster, p, options(), FakeClock())
    assert result.error is None
    assert cluster.get(WIDGET_TYPE, "demo", "w1")["spec"] == {"size": 1}
    assert "Widget/demo/w1" in [str(e) for e in result.inventory]


def test_skip_dry_run_fails_clearly_when_the_kind_is_still_not_served(cluster):
    p = build(cluster, [cm("operator"), WIDGET])
    result = sync.execute(cluster, p, options(), FakeClock())
    assert isinstance(result.error, ApplyError) and result.error.subject == "Widget/demo/w1"
    assert "still not served" in str(result.error) and "SkipDryRunOnMissingResource" in str(result.error)
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "operator") is not None  # objects before it were applied


def test_skip_dry_run_set_on_the_application_applies_to_every_object(cluster):
    widget = copy.deepcopy(WIDGET)
    widget["metadata"]["annotations"] = {}
    p = build(cluster, [widget], object_defaults=(("SkipDryRunOnMissingResource", "true"),))
    assert p.items[0].kind_missing


# -- pruning: Delete=false, PruneLast, IgnoreExtraneous, propagation -----------------------------------


def test_delete_false_keeps_the_object_when_the_application_is_deleted(cluster):
    _p, first = run(cluster, [cm("keep", {ARGO: "Delete=false"}), cm("gone")])
    _p, result = run(cluster, [], previous=first.inventory, prune=True, allow_empty=True, deleting=True)
    assert result.changeset.by_action(PRUNED) == ["ConfigMap/demo/gone"]
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "keep") is not None
    assert "Delete=false" in [e for e in result.changeset.entries if e.subject == "ConfigMap/demo/keep"][0].reason


def test_delete_false_does_not_stop_pruning_when_the_object_leaves_git(cluster):
    _p, first = run(cluster, [cm("a"), cm("keep", {ARGO: "Delete=false"})])
    _p, result = run(cluster, [cm("a")], previous=first.inventory, prune=True)
    assert result.changeset.by_action(PRUNED) == ["ConfigMap/demo/keep"]


def test_argocd_prune_false_is_honoured(cluster):
    _p, first = run(cluster, [cm("a"), cm("keep", {ARGO: "Prune=false"})])
    _p, result = run(cluster, [cm("a")], previous=first.inventory, prune=True)
    assert result.changeset.by_action(PRUNED) == [] and result.sync_status == APP_SYNCED


def test_prune_last_waits_for_the_applied_objects_to_be_healthy(cluster):
    """Without PruneLast the old object goes as soon as the new one is applied; with it, only
    once the new Deployment is healthy (here it never is: it is kept, the sync fails)."""
    _p, first = run(cluster, [cm("old-config"), cm("old-last", {ARGO: "PruneLast=true"})])
    cluster.reset_calls()
    _p, result = run(cluster, [deployment("web")], previous=first.inventory, prune=True, prune_last_timeout=3, prune_limit_percent=100)
    assert result.changeset.by_action(PRUNED) == ["ConfigMap/demo/old-config"]
    assert isinstance(result.error, HealthTimeout) and "old-last" in str(result.error) and "Deployment/demo/web" in str(result.error)
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "old-last") is not None
    assert result.sync_status == APP_OUT_OF_SYNC
    assert "ConfigMap/demo/old-last" in [str(e) for e in result.inventory]


def test_prune_last_prunes_after_every_other_write_once_healthy(cluster):
    _p, first = run(cluster, [cm("old-last", {ARGO: "PruneLast=true"}), cm("old")])
    cluster.reset_calls()
    _p, result = run(cluster, [cm("new")], previous=first.inventory, prune=True, prune_limit_percent=100)  # 2 of 2: over the default budget
    assert result.error is None
    writes = [(c[0], c[3]) for c in cluster.writes()]
    assert writes == [("apply", "new"), ("delete", "old"), ("delete", "old-last")]


def test_prune_last_on_the_application_applies_to_every_pruned_object(cluster):
    _p, first = run(cluster, [cm("old")])
    p, result = run(cluster, [deployment("web")], previous=first.inventory, prune=True, prune_last_timeout=2, object_defaults=(("PruneLast", "true"),))
    assert [i.subject for i in p.prune_last] == ["ConfigMap/demo/old"]
    assert isinstance(result.error, HealthTimeout)


def test_ignore_extraneous_keeps_the_application_synced_and_a_sync_still_prunes_it(cluster):
    notes = {ARGO_COMPARE: "IgnoreExtraneous"}
    _p, first = run(cluster, [cm("a"), cm("generated", notes)])
    p = build(cluster, [cm("a")], previous=first.inventory, prune=False, dry_run=True)
    assert sync.planned_status(p) == APP_SYNCED
    assert [i.action for i in p.extra] == [SKIPPED]
    _p, result = run(cluster, [cm("a")], previous=first.inventory, prune=True)
    assert result.changeset.by_action(PRUNED) == ["ConfigMap/demo/generated"] and result.sync_status == APP_SYNCED


def test_extraneous_without_the_option_makes_it_out_of_sync(cluster):
    _p, first = run(cluster, [cm("a"), cm("generated")])
    p = build(cluster, [cm("a")], previous=first.inventory, prune=False, dry_run=True)
    assert sync.planned_status(p) == APP_OUT_OF_SYNC


@pytest.mark.parametrize("policy", ["Orphan", "Foreground", "Background"])
def test_prune_propagation_policy_is_passed_to_delete(cluster, policy):
    _p, first = run(cluster, [cm("a"), cm("gone")])
    _p, result = run(cluster, [cm("a")], previous=first.inventory, prune=True, prune_propagation=policy)
    assert cluster.deletions == [("ConfigMap/demo/gone", policy)]


# -- warnings and Application-level options through reconcile -------------------------------


def app(sync_options=(), **policy):
    policy = dict(policy, automated={"prune": True}, syncOptions=list(sync_options))
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": policy},
    }


def test_unknown_options_become_an_unsupported_feature_condition_and_warnings():
    world = World()
    world.objects = [cm("c", {ARGO: "Prune=false,Frobnicate=true", "gitops-k8s.dev/sync-options": "ServerSideApply=false"})]
    outcome = world.run(app(["RetryForever=true", "PrunePropagationPolicy=orphan"]))
    condition = [c for c in outcome.status["conditions"] if c["type"] == "UnsupportedFeatureWarning"][0]
    assert "spec.syncPolicy.syncOptions: unknown option RetryForever=true" in condition["message"]
    assert "ConfigMap/demo/c annotation %s: unknown option Frobnicate=true" % ARGO in condition["message"]
    assert "always applies server-side" in condition["message"]
    assert len([w for w in outcome.warnings if w.startswith("UnsupportedFeatureWarning")]) == 3


def test_application_prune_propagation_policy_reaches_the_delete():
    world = World()
    world.objects = [cm("a"), cm("gone")]
    obj = app(["PrunePropagationPolicy=orphan"])
    world.run(obj)
    world.objects = [cm("a")]
    world.revision = "r2"
    outcome = world.run(obj)
    assert outcome.error is None and world.cluster.deletions == [("ConfigMap/demo/gone", "Orphan")]


def test_application_delete_false_keeps_every_object_on_deletion():
    world = World()
    obj = app(["Delete=false"])
    world.run(obj)
    obj["metadata"].update(deletionTimestamp="2026-11-22T00:00:00Z", finalizers=["gitops-k8s.dev/resources-finalizer"])
    outcome = world.run(obj)
    assert outcome.error is None and outcome.changeset.by_action(PRUNED) == []
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "demo", "c") is not None
    assert world.finalized == ["a"]


def test_create_namespace_with_managed_namespace_metadata():
    world = World()
    obj = app(["CreateNamespace=true"], managedNamespaceMetadata={"labels": {"team": "shop"}, "annotations": {"owner": "ops"}})
    obj["spec"]["destination"]["namespace"] = "shop"
    outcome = world.run(obj)
    assert outcome.error is None
    live = world.cluster.get(world.cluster.resolve("v1", "Namespace"), None, "shop")
    assert live["metadata"]["labels"] == {"team": "shop"} and live["metadata"]["annotations"] == {"owner": "ops"}


def test_create_namespace_lists_nothing_in_the_destination_it_creates():
    """A first sync into a missing destination: nothing can live there, so no LIST of its
    kinds (before and under the Lease); once it exists, its kinds are listed again."""
    world = World()
    world.objects = [cm("c"), deployment("d")]
    obj = app(["CreateNamespace=true"])
    obj["spec"]["destination"]["namespace"] = "fresh"
    outcome = world.run(obj)
    assert outcome.error is None and sorted(outcome.changeset.by_action("created")) == ["ConfigMap/fresh/c", "Deployment/fresh/d", "Namespace/fresh"]
    assert [c for c in world.cluster.calls if c[0] == "list" and c[2] == "fresh"] == []
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "fresh", "c") is not None
    world.cluster.reset_calls()
    again = world.run(obj)  # its status now holds the inventory of the first sync
    assert again.error is None
    assert {c[1] for c in world.cluster.calls if c[0] == "list" and c[2] == "fresh"} == {"ConfigMap", "Deployment"}


def test_create_namespace_validates_every_object_before_writing_one():
    """The server cannot dry-run into a namespace that is not there: the objects of a
    destination CreateNamespace creates are dry-run right after the Namespace is created,
    all of them before the first is written; an invalid one stops the sync there, named."""
    world = World()
    world.objects = [cm("a"), cm("bad"), deployment("d"), cm("worse")]
    world.cluster.fail_dry_run_on = {"bad", "worse"}
    obj = app(["CreateNamespace=true"])
    obj["spec"]["destination"]["namespace"] = "fresh"
    outcome = world.run(obj)
    assert isinstance(outcome.error, ApplyError)
    assert "ConfigMap/fresh/bad" in str(outcome.error) and "ConfigMap/fresh/worse" in str(outcome.error), str(outcome.error)
    writes = [c for c in world.cluster.calls if c[0] == "apply" and "fresh" in (c[2], c[3])]
    assert writes == [("apply", "Namespace", None, "fresh")], writes
    for name in ("a", "d"):
        assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "fresh", name) is None


def test_create_namespace_dry_runs_the_objects_then_writes_them():
    world = World()
    world.objects = [cm("a"), deployment("d")]
    obj = app(["CreateNamespace=true"])
    obj["spec"]["destination"]["namespace"] = "fresh"
    outcome = world.run(obj)
    assert outcome.error is None
    calls = [c for c in world.cluster.calls if c[0] in ("apply", "dry-run") and c[2] == "fresh"]
    dry = [c for c in calls if c[0] == "dry-run"]
    assert sorted(c[3] for c in dry) == ["a", "d"]
    assert calls.index(dry[-1]) < min(i for i, c in enumerate(calls) if c[0] == "apply")
