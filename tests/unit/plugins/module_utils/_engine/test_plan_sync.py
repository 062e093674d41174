# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning and executing syncs against the in-memory cluster."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_SYNC_OPTIONS,
    ANN_SYNC_WAVE,
    ANN_TRACKING_ID,
    APP_OUT_OF_SYNC,
    APP_SYNCED,
    CONFIGURED,
    CREATED,
    PRUNED,
    SKIPPED,
    UNCHANGED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, SafetyError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions

from .fake_cluster import FakeClock, FakeCluster

OWNER = "gitops-system/demo"


def cm(name, ns=None, **data):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"k": "v"}}
    if ns:
        obj["metadata"]["namespace"] = ns
    return obj


def ns(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"kind": "Widget", "plural": "widgets"},
        "versions": [{"name": "v1", "served": True, "storage": True}],
    },
}
WIDGET = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 1}}


def manifests(*objs):
    return [Manifest(copy.deepcopy(o), "test.yaml:%d" % i) for i, o in enumerate(objs)]


def run(cluster, objs, previous=(), **opts):
    options = SyncOptions(namespace="demo", tracking=OWNER, **opts)
    p = plan.build_plan(cluster, manifests(*objs), previous, options)
    return p, sync.execute(cluster, p, options, FakeClock())


@pytest.fixture
def cluster():
    c = FakeCluster()
    c.apply(c.resolve("v1", "Namespace"), ns("demo"))
    c.reset_calls()
    return c


def test_first_sync_creates_in_order_and_stamps_tracking(cluster):
    _plan, result = run(cluster, [cm("b"), WIDGET, ns("other"), CRD, cm("a")])
    applied = [c[1:] for c in cluster.calls if c[0] == "apply"]
    assert applied == [
        ("Namespace", None, "other"),
        ("CustomResourceDefinition", None, "widgets.example.com"),
        ("ConfigMap", "demo", "a"),
        ("ConfigMap", "demo", "b"),
        ("Widget", "demo", "w1"),
    ]
    assert result.error is None
    assert result.changeset.summary()[CREATED] == 5
    live = cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "a")
    assert live["metadata"]["annotations"][ANN_TRACKING_ID] == OWNER + ":/ConfigMap:demo/a"
    assert len(result.inventory) == 5


def test_second_run_writes_nothing(cluster):
    _plan, first = run(cluster, [cm("a"), cm("b")])
    cluster.reset_calls()
    _plan, second = run(cluster, [cm("a"), cm("b")], previous=first.inventory)
    assert cluster.writes() == []
    assert [c[0] for c in cluster.calls] == ["list"]
    assert second.changeset.summary()[UNCHANGED] == 2
    assert not second.changeset.changed
    assert second.sync_status == APP_SYNCED


def test_drift_is_configured_back(cluster):
    _plan, first = run(cluster, [cm("a", k="v")])
    key = cluster.key(cluster.resolve("v1", "ConfigMap"), "demo", "a")
    cluster.objects[key]["data"]["k"] = "edited"
    _plan, second = run(cluster, [cm("a", k="v")], previous=first.inventory)
    assert second.changeset.by_action(CONFIGURED) == ["ConfigMap/demo/a"]
    assert cluster.objects[key]["data"]["k"] == "v"


def test_only_written_objects_carry_before_and_after(cluster):
    """An unchanged object's change set entry has no copies of it (a no-op of 5,000 objects
    made two each); a configured one has both sides, without server bookkeeping."""
    _plan, first = run(cluster, [cm("a", k="v"), cm("b")])
    key = cluster.key(cluster.resolve("v1", "ConfigMap"), "demo", "a")
    cluster.objects[key]["data"]["k"] = "edited"
    _plan, second = run(cluster, [cm("a", k="v"), cm("b")], previous=first.inventory)
    entries = dict((e.subject, e) for e in second.changeset.entries)
    unchanged, configured = entries["ConfigMap/demo/b"], entries["ConfigMap/demo/a"]
    assert unchanged.action == UNCHANGED and unchanged.before is None and unchanged.after is None
    assert configured.action == CONFIGURED
    assert configured.before["data"] == {"k": "edited"} and configured.after["data"] == {"k": "v"}
    assert "resourceVersion" not in configured.before["metadata"]


def test_dry_run_writes_nothing_and_reports_the_plan(cluster):
    p, result = run(cluster, [cm("a"), cm("b")], dry_run=True)
    assert cluster.writes() == []
    assert result.changeset.summary()[CREATED] == 2
    assert result.sync_status == APP_OUT_OF_SYNC
    assert p.items[0].status == "Missing"


def test_prune_deletes_only_owned_objects_of_previous_inventory(cluster):
    _plan, first = run(cluster, [cm("keep"), cm("gone"), cm("taken")])
    cm_type = cluster.resolve("v1", "ConfigMap")
    # someone else adopts "taken": its tracking annotation changes
    cluster.objects[cluster.key(cm_type, "demo", "taken")]["metadata"]["annotations"][ANN_TRACKING_ID] = "x/y:/ConfigMap:demo/taken"
    cluster.apply(cm_type, cm("unrelated", "demo"))  # never in our inventory
    cluster.reset_calls()
    _plan, second = run(cluster, [cm("keep")], previous=first.inventory, prune=True)
    assert [c[3] for c in cluster.calls if c[0] == "delete"] == ["gone"]
    assert second.changeset.by_action(PRUNED) == ["ConfigMap/demo/gone"]
    assert cluster.get(cm_type, "demo", "taken") is not None
    assert cluster.get(cm_type, "demo", "unrelated") is not None
    assert [str(e) for e in second.inventory] == ["ConfigMap/demo/keep"]


def test_without_prune_extra_objects_stay_and_keep_the_app_out_of_sync(cluster):
    _plan, first = run(cluster, [cm("keep"), cm("gone")])
    _plan, second = run(cluster, [cm("keep")], previous=first.inventory)
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "gone") is not None
    assert second.sync_status == APP_OUT_OF_SYNC
    assert "ConfigMap/demo/gone" in [str(e) for e in second.inventory]


def test_prune_disabled_annotation_is_respected(cluster):
    obj = cm("gone")
    obj["metadata"]["annotations"] = {ANN_SYNC_OPTIONS: "Prune=false"}
    _plan, first = run(cluster, [cm("keep"), obj])
    _plan, second = run(cluster, [cm("keep")], previous=first.inventory, prune=True)
    assert cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "gone") is not None
    assert second.sync_status == APP_SYNCED


def test_namespaces_are_protected_from_prune(cluster):
    _plan, first = run(cluster, [ns("team"), cm("a")])
    _plan, second = run(cluster, [cm("a")], previous=first.inventory, prune=True)
    assert cluster.get(cluster.resolve("v1", "Namespace"), None, "team") is not None
    assert second.changeset.by_action(SKIPPED) == ["Namespace/team"]
    _plan, third = run(cluster, [cm("a")], previous=second.inventory, prune=True, prune_protected=True)
    assert third.changeset.by_action(PRUNED) == ["Namespace/team"]


def test_empty_render_never_prunes(cluster):
    _plan, first = run(cluster, [cm("a")])
    cluster.reset_calls()
    with pytest.raises(SafetyError, match="no objects"):
        run(cluster, [], previous=first.inventory, prune=True)
    assert cluster.writes() == []
    _plan, allowed = run(cluster, [], previous=first.inventory, prune=True, allow_empty=True)
    assert allowed.changeset.by_action(PRUNED) == ["ConfigMap/demo/a"]


def test_failed_apply_stops_and_never_prunes(cluster):
    _plan, first = run(cluster, [cm("a"), cm("old")])
    cluster.fail_apply_on.add("c")
    cluster.reset_calls()
    _plan, second = run(cluster, [cm("a", k="changed"), cm("b"), cm("c"), cm("d")], previous=first.inventory, prune=True)
    assert second.error is not None and "ConfigMap/demo/c" in str(second.error)
    assert [c for c in cluster.calls if c[0] == "delete"] == []
    assert ("apply", "ConfigMap", "demo", "d") not in cluster.calls
    names = sorted(e.name for e in second.inventory)
    assert names == ["a", "b", "old"]


def test_invalid_object_fails_the_plan_before_any_write(cluster):
    _plan, first = run(cluster, [cm("a"), cm("old")])
    cluster.fail_dry_run_on.add("bad")
    cluster.reset_calls()
    with pytest.raises(Exception, match="ConfigMap/demo/bad: dry-run apply failed"):
        run(cluster, [cm("a", k="changed"), cm("bad")], previous=first.inventory, prune=True)
    assert cluster.writes() == []


def test_unknown_kind_fails_before_any_write(cluster):
    bogus = {"apiVersion": "nope.example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    with pytest.raises(UnknownKindError, match="test.yaml:1"):
        run(cluster, [cm("a"), bogus])
    assert cluster.writes() == []


def test_duplicate_after_namespace_defaulting_is_rejected(cluster):
    with pytest.raises(ManifestError, match="duplicate"):
        run(cluster, [cm("a"), cm("a", "demo")])


def test_waves_order_before_kinds(cluster):
    late = ns("late")
    late["metadata"]["annotations"] = {ANN_SYNC_WAVE: "5"}
    run(cluster, [late, cm("a")])
    applied = [c[3] for c in cluster.calls if c[0] == "apply"]
    assert applied == ["a", "late"]


def test_inventory_stale_is_previous_minus_current():
    a = inventory.Entry("", "ConfigMap", "demo", "a", "v1")
    b = inventory.Entry("", "ConfigMap", "demo", "b", "v1")
    b2 = inventory.Entry("", "ConfigMap", "demo", "b", "v2")
    assert inventory.stale((a, b), (b2,)) == (a,)
    assert inventory.from_status(inventory.to_status([b, a])) == (a, b)


def test_inventory_rejects_garbage():
    with pytest.raises(Exception, match="invalid inventory entry"):
        inventory.from_status([{"kind": "ConfigMap"}])


def test_plan_under_the_lock_reuses_unchanged_verdicts(cluster):
    options = SyncOptions(namespace="demo", tracking=OWNER)
    first = plan.build_plan(cluster, manifests(cm("a"), cm("b")), (), options)
    cluster.reset_calls()
    again = plan.build_plan(cluster, manifests(cm("a"), cm("b")), (), options, earlier=first)
    assert [c[0] for c in cluster.calls] == ["list"]
    assert [i.action for i in again.items] == [CREATED, CREATED]
    cluster.apply(cluster.resolve("v1", "ConfigMap"), cm("b", "demo", k="other"))  # b changed meanwhile
    cluster.reset_calls()
    third = plan.build_plan(cluster, manifests(cm("a"), cm("b")), (), options, earlier=first)
    assert [c[0] for c in cluster.calls].count("dry-run") == 1
    assert [i.action for i in third.items] == [CREATED, CONFIGURED]


def test_object_of_another_owner_is_marked_shared(cluster):
    run(cluster, [cm("a")])
    options = SyncOptions(namespace="demo", tracking="gitops-system/other")
    p = plan.build_plan(cluster, manifests(cm("a")), (), options)
    assert p.items[0].shared_with == OWNER
    assert plan.build_plan(cluster, manifests(cm("a")), (), SyncOptions(namespace="demo", tracking=OWNER)).items[0].shared_with == ""
