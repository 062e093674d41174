# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of pruning: inventory subtraction (inventory.py) and the plan (plan.py, sync.py).

- previous minus current never holds an entry of current, loses no other entry, and does not
  depend on the order of either list;
- a plan, then its execution, never deletes an object that is in the render, whatever the
  previous inventory (versions, stray namespaces, duplicates) and the live state (ours,
  someone else's, a copied tracking annotation, Prune=false) hold; it deletes only objects
  of the previous inventory that carry this Application's own tracking annotation.
"""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_SYNC_OPTIONS, ANN_TRACKING_ID, OPT_PRUNE_DISABLED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SafetyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import ObjectId, split_api_version
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

from .fake_cluster import FakeClock, FakeCluster
from .strategies import examples

OWNER = "gitops-system/demo"
# (apiVersion, kind, namespaced): a small universe, so that desired, previous and live overlap
KINDS = (
    ("v1", "ConfigMap", True),
    ("v1", "Secret", True),
    ("v1", "ServiceAccount", True),
    ("v1", "Namespace", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", False),
)
NAMES = ("a", "b", "other")
NAMESPACES = ("demo", "other")

entries = st.builds(
    inventory.Entry,
    st.sampled_from(["", "rbac.authorization.k8s.io", "apps"]),
    st.sampled_from([k[1] for k in KINDS]),
    st.sampled_from(("",) + NAMESPACES),
    st.sampled_from(NAMES),
    st.sampled_from(["v1", "v1beta1"]),
)
kinds = st.sampled_from(KINDS)


def universe():
    """Every ObjectId the strategies can name, with its kind's apiVersion."""
    for api_version, kind, namespaced in KINDS:
        for namespace in NAMESPACES if namespaced else ("",):
            for name in NAMES:
                yield api_version, ObjectId(split_api_version(api_version)[0], kind, namespace, name)


@st.composite
def desired_objects(draw):
    """Rendered manifests: namespaced objects with or without a namespace (default `demo`),
    cluster-scoped ones sometimes with a stray namespace the plan drops."""
    out = []
    for api_version, kind, dummy_namespaced in draw(st.lists(kinds, max_size=6)):
        meta = {"name": draw(st.sampled_from(NAMES))}
        namespace = draw(st.sampled_from((None,) + NAMESPACES))
        if namespace:
            meta["namespace"] = namespace
        out.append({"apiVersion": api_version, "kind": kind, "metadata": meta, "data": {"k": draw(st.sampled_from("xy"))}})
    return out


def desired_id(obj, namespaced):
    group = split_api_version(obj["apiVersion"])[0]
    namespace = (obj["metadata"].get("namespace") or "demo") if namespaced else ""
    return ObjectId(group, obj["kind"], namespace, obj["metadata"]["name"])


@st.composite
def live_states(draw):
    """Live objects keyed by ObjectId: ours, ours with a tracking id copied from another
    object, someone else's, untracked, or ours with Prune=false."""
    live = {}
    for api_version, oid in universe():
        state = draw(st.sampled_from(["absent", "ours", "copied", "foreign", "untracked", "ours-prune-false"]))
        if state == "absent":
            continue
        entry = inventory.Entry(oid.group, oid.kind, oid.namespace, oid.name, "v1")
        notes = {}
        if state.startswith("ours"):
            notes[ANN_TRACKING_ID] = tracking_id(OWNER, entry)
        elif state == "copied":
            notes[ANN_TRACKING_ID] = tracking_id(OWNER, inventory.Entry(oid.group, oid.kind, oid.namespace, "a" + oid.name, "v1"))
        elif state == "foreign":
            notes[ANN_TRACKING_ID] = tracking_id("gitops-system/other", entry)
        if state == "ours-prune-false":
            notes[ANN_SYNC_OPTIONS] = OPT_PRUNE_DISABLED
        meta = {"name": oid.name, "annotations": notes}
        if oid.namespace:
            meta["namespace"] = oid.namespace
        live[oid] = {"apiVersion": api_version, "kind": oid.kind, "metadata": meta, "data": {"k": "live"}}
    return live


def cluster_with(live):
    cluster = FakeCluster()
    ns_type = cluster.resolve("v1", "Namespace")
    for name in NAMESPACES:
        cluster.apply(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for oid, obj in sorted(live.items()):
        cluster.apply(cluster.resolve(obj["apiVersion"], oid.kind), copy.deepcopy(obj))
    cluster.reset_calls()
    return cluster


def deleted_ids(cluster):
    groups = dict((t.kind, t.group) for t in cluster.types.values())
    return [ObjectId(groups[c[1]], c[1], c[2] or "", c[3]) for c in cluster.calls if c[0] == "delete"]


# -- inventory subtraction ------------------------------------------------------------------


@settings(max_examples=examples(100))
@given(st.lists(entries, max_size=12), st.lists(entries, max_size=12), st.randoms(use_true_random=False))
def test_stale_is_previous_minus_current_in_any_order(previous, current, rnd):
    stale = inventory.stale(previous, current)
    current_ids = set(e.id for e in current)
    assert not [e for e in stale if e.id in current_ids]
    assert set(stale) == set(e for e in previous if e.id not in current_ids)
    assert list(stale) == sorted(set(stale))
    shuffled_previous, shuffled_current = list(previous), list(current)
    rnd.shuffle(shuffled_previous)
    rnd.shuffle(shuffled_current)
    assert inventory.stale(shuffled_previous, shuffled_current) == stale


@settings(max_examples=examples(50))
@given(st.lists(entries, max_size=12))
def test_inventory_status_round_trips(items):
    assert inventory.from_status(inventory.to_status(items)) == tuple(sorted(set(items)))


# -- plan and sync --------------------------------------------------------------------------


@settings(max_examples=examples(150))
@given(desired_objects(), st.lists(entries, max_size=10), live_states(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_sync_never_deletes_a_rendered_object(objs, previous, live, prune, prune_protected, allow_empty, dry_run):
    namespaced = dict((k[1], k[2]) for k in KINDS)
    unique = dict((desired_id(o, namespaced[o["kind"]]), o) for o in objs)  # one object per id, as validate() ensures
    rendered = set(unique)
    cluster = cluster_with(live)
    options = SyncOptions(namespace="demo", tracking=OWNER, prune=prune, prune_protected=prune_protected, allow_empty=allow_empty, dry_run=dry_run)
    manifests = [Manifest(copy.deepcopy(o), "app.yaml:%d" % n) for n, o in enumerate(unique.values())]
    the_plan = plan.build_plan(cluster, manifests, previous, options)

    assert set(i.entry.id for i in the_plan.items if i.tracked) == rendered
    assert not [i for i in the_plan.extra if i.entry.id in rendered]
    try:
        result = sync.execute(cluster, the_plan, options, FakeClock())
    except SafetyError:
        result = None  # an empty render refused to prune: nothing may have been written
        assert cluster.writes() == []

    deleted = deleted_ids(cluster)
    assert not rendered & set(deleted)
    previous_ids = set(e.id for e in previous)
    for oid in deleted:
        assert oid in previous_ids
        assert live[oid]["metadata"]["annotations"].get(ANN_TRACKING_ID) == tracking_id(OWNER, oid)
        assert OPT_PRUNE_DISABLED not in live[oid]["metadata"]["annotations"].get(ANN_SYNC_OPTIONS, "")
    if dry_run:
        assert cluster.writes() == []
    for oid in rendered & set(live):
        assert cluster.get(cluster.resolve(unique[oid]["apiVersion"], oid.kind), oid.namespace or None, oid.name) is not None
    if result is not None and result.error is None and not dry_run:
        assert rendered <= set(e.id for e in result.inventory)


@settings(max_examples=examples(75))
@given(desired_objects(), st.lists(entries, max_size=10), live_states(), st.booleans(), st.booleans())
def test_second_sync_of_the_same_render_writes_nothing(objs, previous, live, prune, prune_protected):
    namespaced = dict((k[1], k[2]) for k in KINDS)
    unique = dict((desired_id(o, namespaced[o["kind"]]), o) for o in objs)
    cluster = cluster_with(live)
    options = SyncOptions(namespace="demo", tracking=OWNER, prune=prune, prune_protected=prune_protected, allow_empty=True)
    inventory_after = previous
    for _run in range(2):
        cluster.reset_calls()
        manifests = [Manifest(copy.deepcopy(o), "app.yaml:%d" % n) for n, o in enumerate(unique.values())]
        result = sync.execute(cluster, plan.build_plan(cluster, manifests, inventory_after, options), options, FakeClock())
        assert result.error is None
        inventory_after = result.inventory
    assert cluster.writes() == []
    assert result.changeset.changed is False
