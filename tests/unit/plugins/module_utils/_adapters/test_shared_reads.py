# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared reads of one run (shared_reads.py, _engine/wide_lists.py): one LIST of a kind across
namespaces once several namespaces asked for it, never where the run wrote, never the
plan a sync carries out."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.shared_reads import SharedReads
from ansible_collections.gitops.k8s.plugins.module_utils._engine import wide_lists
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CREATED, FIELD_MANAGER, UNCHANGED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster, World
from tests.unit.plugins.module_utils._engine.test_application import app

NAMESPACES = ["n%d" % i for i in range(5)]


class WritesCluster(FakeCluster):
    """FakeCluster with what KubeCluster adds for shared reads: where it wrote, a LIST of
    every namespace from the watch cache."""

    def __init__(self):
        super().__init__()
        self.written_at = set()

    def list_cached(self, rtype, keep=None):
        self.calls.append(("list-cached", rtype.kind))
        listed = [copy.deepcopy(o) for k, o in sorted(self.objects.items()) if k[:2] == (rtype.group, rtype.kind)]
        return [o for o in listed if keep is None or keep(o) is not None]

    def apply(self, rtype, obj, dry_run=False, force=False):
        if not dry_run:
            meta = obj["metadata"]
            self.written_at.add(wide_lists.written_key(rtype.group, rtype.kind, rtype.namespaced, meta.get("namespace"), meta["name"]))
        return super().apply(rtype, obj, dry_run=dry_run, force=force)


@pytest.fixture
def cluster():
    return populated(WritesCluster())


def populated(c):
    cm_type, ns_type = c.resolve("v1", "ConfigMap"), c.resolve("v1", "Namespace")
    for ns in NAMESPACES:
        c.objects[c.key(ns_type, None, ns)] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        c.objects[c.key(cm_type, ns, "c")] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": ns}, "data": {"ns": ns}}
    c.reset_calls()
    return c


def lists(cluster):
    return [c for c in cluster.calls if c[0].startswith("list")]


def test_a_kind_is_read_across_namespaces_once_several_asked():
    assert not wide_lists.read_wide(True, wide_lists.WIDE_AFTER, False)
    assert wide_lists.read_wide(True, wide_lists.WIDE_AFTER + 1, False)
    assert not wide_lists.read_wide(True, 10, True)  # written in this run
    assert not wide_lists.read_wide(False, 10, False)  # cluster-scoped: one LIST anyway
    # the run's Applications deploy to more namespaces than that: across namespaces from the first ask
    assert wide_lists.read_wide(True, 1, False, wide_lists.WIDE_AFTER + 1)
    assert not wide_lists.read_wide(True, 1, False, wide_lists.WIDE_AFTER)
    assert not wide_lists.read_wide(True, 1, True, 10) and not wide_lists.read_wide(False, 1, False, 10)
    assert wide_lists.get_from_list("", "Namespace", 1, False, wide_lists.WIDE_AFTER + 1)
    assert not wide_lists.get_from_list("", "Namespace", 1, False, wide_lists.WIDE_AFTER)


def test_a_run_deploying_to_many_namespaces_reads_across_them_from_the_first_ask(cluster):
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES)
    cm_type, ns_type = cluster.resolve("v1", "ConfigMap"), cluster.resolve("v1", "Namespace")
    got = dict((ns, reads.list(cm_type, ns)) for ns in NAMESPACES)
    found = [reads.get(ns_type, None, ns) for ns in NAMESPACES]
    assert gets(cluster) == [("list-cached", "ConfigMap"), ("list-cached", "Namespace")]
    for ns in NAMESPACES:
        assert got[ns] == cluster.list(cm_type, ns)
    assert [n["metadata"]["name"] for n in found] == NAMESPACES
    # a run of few namespaces reads them one by one
    few = SharedReads(cluster)
    few.expect_namespaces(NAMESPACES[:2])
    cluster.reset_calls()
    for ns in NAMESPACES[:2]:
        few.list(cm_type, ns)
        few.get(ns_type, None, ns)
    assert [c[0] for c in gets(cluster)] == ["list", "get", "list", "get"]


def test_one_list_serves_every_later_namespace(cluster):
    reads = SharedReads(cluster)
    cm_type = cluster.resolve("v1", "ConfigMap")
    got = dict((ns, reads.list(cm_type, ns)) for ns in NAMESPACES)
    assert lists(cluster) == [("list", "ConfigMap", "n0"), ("list", "ConfigMap", "n1"), ("list-cached", "ConfigMap")]
    for ns in NAMESPACES:
        assert got[ns] == cluster.list(cm_type, ns)
    assert reads.list(cm_type, "empty") == []


def test_shared_objects_are_copies(cluster):
    reads = SharedReads(cluster)
    cm_type = cluster.resolve("v1", "ConfigMap")
    for ns in NAMESPACES[:3]:
        reads.list(cm_type, ns)
    first = reads.list(cm_type, "n4")
    first[0]["data"]["ns"] = "changed"
    assert reads.list(cm_type, "n4")[0]["data"]["ns"] == "n4"


def test_a_kind_written_in_the_run_is_read_fresh_per_namespace(cluster):
    reads = SharedReads(cluster)
    cm_type = cluster.resolve("v1", "ConfigMap")
    for ns in NAMESPACES[:3]:
        reads.list(cm_type, ns)
    cluster.apply(cm_type, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n4"}, "data": {"ns": "new"}})
    cluster.reset_calls()
    assert reads.list(cm_type, "n4")[0]["data"] == {"ns": "new"}
    assert lists(cluster) == [("list", "ConfigMap", "n4")]


def test_a_namespace_the_run_wrote_in_is_read_fresh_the_others_still_shared(cluster):
    reads = SharedReads(cluster)
    cm_type = cluster.resolve("v1", "ConfigMap")
    reads.list(cm_type, "n0")
    # the first Application synced before the LIST across namespaces was made (a first sync)
    cluster.apply(cm_type, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n0"}, "data": {"ns": "new"}})
    cluster.reset_calls()
    got = dict((ns, reads.list(cm_type, ns)) for ns in NAMESPACES[1:])
    assert lists(cluster) == [("list", "ConfigMap", "n1"), ("list-cached", "ConfigMap")]
    assert got["n3"] == cluster.list(cm_type, "n3")
    cluster.objects[cluster.key(cm_type, "n0", "c")]["data"] = {"ns": "newer"}  # a LIST now would be stale for n0
    cluster.apply(cm_type, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n3"}, "data": {"ns": "3"}})
    cluster.reset_calls()
    assert reads.list(cm_type, "n0")[0]["data"] == {"ns": "newer"}  # never from a LIST
    assert reads.list(cm_type, "n3")[0]["data"] == {"ns": "3"}  # written after the LIST: fresh
    assert reads.list(cm_type, "n4")[0]["data"] == {"ns": "n4"}  # still the LIST's
    assert lists(cluster) == [("list", "ConfigMap", "n0"), ("list", "ConfigMap", "n3")]


def test_only_the_report_plan_reads_through_shared_reads():
    """The plan before the lock reads through Ports.reads; the plan a sync carries out
    reads the cluster itself."""
    world = World()
    world.objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v"}}]
    reads = FakeCluster()
    reads.types, reads.objects = world.cluster.types, world.cluster.objects
    ports = world.ports().with_changes(reads=reads)
    obj = app(automated={"prune": True})
    outcome = reconcile(obj, ports, Settings())
    assert outcome.changeset.by_action(CREATED) == ["ConfigMap/demo/x"]
    assert [c[0] for c in reads.calls] == ["list", "dry-run"]  # the report plan
    assert ("list", "ConfigMap", "demo") in world.cluster.calls  # planned again under the lock
    assert [c[0] for c in reads.calls if c[0] not in ("list", "dry-run", "get")] == []  # nothing written through the reads
    obj["status"] = outcome.status
    reads.reset_calls()
    world.cluster.reset_calls()
    outcome = reconcile(obj, ports, Settings())
    assert outcome.changeset.by_action(UNCHANGED) == ["ConfigMap/demo/x"]
    # a no-op reads its objects through the shared reads only (the Projects are read fresh: they decide what may be written)
    assert world.cluster.writes() == [] and [c[:2] for c in world.cluster.calls] == [("list", "Project")]


def test_a_cluster_that_does_not_say_what_it_wrote_is_never_shared():
    plain = FakeCluster()  # no ``written_at``, no ``list_cached``
    reads = SharedReads(plain)
    cm_type = plain.resolve("v1", "ConfigMap")
    for ns in NAMESPACES:
        reads.list(cm_type, ns)
    assert [c[2] for c in plain.calls if c[0] == "list"] == NAMESPACES


def gets(cluster):
    return [c for c in cluster.calls if c[0] == "get" or c[0].startswith("list")]


def test_namespace_gets_are_answered_by_one_list_once_several_asked(cluster):
    reads = SharedReads(cluster)
    ns_type = cluster.resolve("v1", "Namespace")
    found = [reads.get(ns_type, None, ns) for ns in NAMESPACES]
    assert [n["metadata"]["name"] for n in found] == NAMESPACES
    assert reads.get(ns_type, None, "missing") is None
    assert gets(cluster) == [("get", "Namespace", None, "n0"), ("get", "Namespace", None, "n1"), ("list-cached", "Namespace")]
    found[-1]["metadata"]["name"] = "changed"
    assert reads.get(ns_type, None, "n4")["metadata"]["name"] == "n4"  # a copy


def test_namespace_gets_are_fresh_once_the_run_wrote_a_namespace(cluster):
    reads = SharedReads(cluster)
    ns_type = cluster.resolve("v1", "Namespace")
    for ns in NAMESPACES[:3]:
        reads.get(ns_type, None, ns)
    cluster.apply(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new"}})
    cluster.reset_calls()
    assert reads.get(ns_type, None, "new")["metadata"]["name"] == "new"
    assert gets(cluster) == [("get", "Namespace", None, "new")]
    cluster.apply(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n4", "labels": {"x": "y"}}})
    cluster.reset_calls()
    assert reads.get(ns_type, None, "n4")["metadata"]["labels"] == {"x": "y"}  # the one written: fresh
    assert reads.get(ns_type, None, "n3")["metadata"]["name"] == "n3"  # the others: still the LIST's
    assert gets(cluster) == [("get", "Namespace", None, "n4")]


def test_gets_of_other_kinds_are_the_clusters(cluster):
    reads = SharedReads(cluster)
    cm_type = cluster.resolve("v1", "ConfigMap")
    for ns in NAMESPACES:
        assert reads.get(cm_type, ns, "c")["data"] == {"ns": ns}
    assert [c[0] for c in gets(cluster)] == ["get"] * len(NAMESPACES)


def test_a_list_across_namespaces_keeps_only_the_namespaces_the_run_deploys_to(cluster):
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES[:4])
    cm_type = cluster.resolve("v1", "ConfigMap")
    got = dict((ns, reads.list(cm_type, ns)) for ns in NAMESPACES[:4])
    assert lists(cluster) == [("list-cached", "ConfigMap")]  # four namespaces expected: across them at once
    assert got["n3"] == cluster.list(cm_type, "n3")
    cluster.reset_calls()
    # n4 is no Application's destination: its objects were not kept, it is read on its own
    assert reads.list(cm_type, "n4") == cluster.list(cm_type, "n4") != []
    assert lists(cluster)[0] == ("list", "ConfigMap", "n4")
    kept = reads._wide[(cm_type.group, cm_type.version, cm_type.kind)][1]  # pylint: disable=protected-access
    assert sorted(kept) == NAMESPACES[:4]


def test_a_namespace_told_after_the_list_is_read_on_its_own(cluster):
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES[:3])
    cm_type = cluster.resolve("v1", "ConfigMap")
    for ns in NAMESPACES[:3]:
        reads.list(cm_type, ns)
    reads.expect_namespaces(["n4"])  # an Application created meanwhile (another pass of the run)
    cluster.reset_calls()
    assert reads.list(cm_type, "n4")[0]["data"] == {"ns": "n4"}
    assert lists(cluster) == [("list", "ConfigMap", "n4")]


def test_an_application_without_a_destination_namespace_keeps_every_namespace(cluster):
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES[:3])
    reads.expect_namespaces(wide_lists.deploy_namespaces([{"spec": {"destination": {"server": "https://x"}}}]))
    reads.expect_namespaces(["n0"])  # once unbounded, always
    cm_type = cluster.resolve("v1", "ConfigMap")
    for ns in NAMESPACES[:3]:
        reads.list(cm_type, ns)
    cluster.reset_calls()
    assert reads.list(cm_type, "n4")[0]["data"] == {"ns": "n4"}
    assert lists(cluster) == []


def test_shared_objects_keep_only_our_managed_fields(cluster):
    cm_type = cluster.resolve("v1", "ConfigMap")
    ours = {"manager": FIELD_MANAGER, "operation": "Apply", "fieldsV1": {"f:data": {"f:ns": {}}}}
    theirs = {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:data": {"f:x": {}}}}
    for ns in NAMESPACES:
        cluster.objects[cluster.key(cm_type, ns, "c")]["metadata"]["managedFields"] = [ours, theirs]
    reads = SharedReads(cluster)
    got = [reads.list(cm_type, ns) for ns in NAMESPACES]
    assert got[0][0]["metadata"]["managedFields"] == [ours, theirs]  # read on its own: as the server said
    assert got[4][0]["metadata"]["managedFields"] == [ours]


class RefusingCluster(WritesCluster):
    """An agent whose RBAC is granted per namespace: a LIST at the cluster scope is refused
    with ``status`` (403 Forbidden as the API server answers; another code: a real failure)."""

    def __init__(self, status=403):
        super().__init__()
        self.status = status

    def list_cached(self, rtype, keep=None):
        self.calls.append(("list-cached", rtype.kind))
        raise ClusterError("list failed: %s is forbidden at the cluster scope" % rtype.kind, subject=rtype.kind, details={"status_code": self.status})


def test_a_list_across_namespaces_the_api_server_forbids_is_read_per_namespace():
    cluster = populated(RefusingCluster())
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES)
    cm_type, ns_type = cluster.resolve("v1", "ConfigMap"), cluster.resolve("v1", "Namespace")
    got = dict((ns, reads.list(cm_type, ns)) for ns in NAMESPACES)
    found = [reads.get(ns_type, None, ns) for ns in NAMESPACES]
    for ns in NAMESPACES:
        assert got[ns] == cluster.list(cm_type, ns)
    assert [n["metadata"]["name"] for n in found] == NAMESPACES
    # asked once per kind, then per namespace (per name) for the rest of the run
    assert [c for c in cluster.calls if c[0] == "list-cached"] == [("list-cached", "ConfigMap"), ("list-cached", "Namespace")]


def test_a_list_across_namespaces_that_fails_otherwise_fails_the_read():
    cluster = populated(RefusingCluster(status=500))
    reads = SharedReads(cluster)
    reads.expect_namespaces(NAMESPACES)
    with pytest.raises(ClusterError, match="forbidden at the cluster scope"):
        reads.list(cluster.resolve("v1", "ConfigMap"), "n0")
