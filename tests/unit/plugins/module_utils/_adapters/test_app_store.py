# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AppStore against the in-memory Cluster port: the CRD installed once and waited for,
declarations not rewritten when unchanged, status replaced by a merge patch, the
finalizer removed optimistically, a failed status write named as such."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_FINALIZER, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

NS = "gitops-system"


def without_crd():
    cluster = FakeCluster()
    del cluster.types[(APP_API_VERSION, APP_KIND)]
    return cluster


def with_namespace(cluster=None):
    cluster = cluster or FakeCluster()
    cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    return cluster


def definition(name="root", path="apps"):
    return {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": {"path": path}, "destination": {"namespace": "demo"}},
    }


def writes(cluster):
    return [c for c in cluster.writes() if c[1] != "Namespace"]


def test_ensure_crd_installs_once_and_refreshes_discovery():
    cluster = without_crd()
    store = AppStore(cluster, FakeClock())
    assert store.crd_installed() is False
    assert store.ensure_crd() is True
    assert store.crd_installed() is True and ("refresh",) in cluster.calls
    cluster.reset_calls()
    assert store.ensure_crd() is False
    assert cluster.writes() == []  # unchanged: not written again


def test_ensure_crd_times_out_when_the_crd_never_becomes_established():
    class NeverEstablished(FakeCluster):
        def get(self, rtype, namespace, name):
            obj = super().get(rtype, namespace, name)
            if obj is not None and rtype.kind == "CustomResourceDefinition":
                obj["status"] = {"conditions": [{"type": "Established", "status": "False"}]}
            return obj

    cluster = NeverEstablished()
    del cluster.types[(APP_API_VERSION, APP_KIND)]
    clock = FakeClock()
    with pytest.raises(ClusterError, match="did not become Established in 5s"):
        AppStore(cluster, clock).ensure_crd(timeout=5)
    assert 5 <= clock.now() - 1000.0 <= 6  # waited by the injected clock, not for real


def test_ensure_namespace_dry_run_creates_nothing():
    cluster = FakeCluster()
    store = AppStore(cluster, FakeClock())
    assert store.ensure_namespace(NS, dry_run=True) is True
    assert cluster.get(cluster.resolve("v1", "Namespace"), None, NS) is None
    assert store.ensure_namespace(NS) is True and store.ensure_namespace(NS) is False


def test_declare_writes_only_a_changed_definition():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    app, changed = store.declare(definition())
    assert changed is True and app["metadata"]["uid"]
    cluster.reset_calls()
    again, changed = store.declare(definition())
    assert changed is False and again["metadata"]["uid"] == app["metadata"]["uid"] and cluster.writes() == []
    live, changed = store.declare(definition(path="other"), dry_run=True)
    assert changed is True and live["spec"]["source"]["path"] == "apps"  # dry run: the live object is returned
    assert store.get(NS, "root")["spec"]["source"]["path"] == "apps"


def test_list_is_sorted_by_namespace_and_name():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    for name in ("b", "a", "c"):
        store.declare(definition(name))
    assert [a["metadata"]["name"] for a in store.list(NS)] == ["a", "b", "c"]


def test_write_status_replaces_the_status_and_nulls_removed_keys():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    app, _changed = store.declare(definition())
    store.write_status(app, {"sync": {"status": "Synced"}, "conditions": [{"type": "X"}]})
    app = store.get(NS, "root")
    store.write_status(app, {"sync": {"status": "OutOfSync"}})
    assert store.get(NS, "root")["status"] == {"sync": {"status": "OutOfSync"}}
    assert cluster.calls[-2][:4] == ("patch", APP_KIND, NS, "root") and cluster.calls[-2][4] == "status"


def test_a_failed_status_write_is_a_cluster_error_naming_the_application():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    ghost = definition("gone")
    ghost["metadata"]["resourceVersion"] = "1"
    with pytest.raises(ClusterError) as caught:
        store.write_status(ghost, {"sync": {"status": "Synced"}})
    assert caught.value.message == "cannot record status: patch failed: not found"
    assert caught.value.subject == "%s/%s/gone" % (APP_KIND, NS)


def test_remove_finalizer_keeps_other_finalizers_and_refuses_a_stale_object():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    obj = definition()
    obj["metadata"]["finalizers"] = [APP_FINALIZER, "example.test/other"]
    app, _changed = store.declare(obj)
    stale = store.get(NS, "root")
    store.remove_finalizer(app)
    assert store.get(NS, "root")["metadata"]["finalizers"] == ["example.test/other"]
    with pytest.raises(ClusterError, match="modified"):
        store.remove_finalizer(stale)  # changed since it was read: optimistic concurrency


def test_ensure_crd_installs_the_project_crd_beside_the_application_crd():
    cluster = without_crd()
    AppStore(cluster, FakeClock()).ensure_crd()
    crd_type = cluster.resolve("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    assert cluster.get(crd_type, None, "projects.gitops-k8s.dev") is not None


def test_write_status_removes_nested_keys_and_sends_nothing_when_equal():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    app, _changed = store.declare(definition())
    assert store.write_status(app, {"health": {"status": "Progressing", "message": "Waiting for rollout"}}) is True
    app = store.get(NS, "root")
    assert store.write_status(app, {"health": {"status": "Healthy"}}) is True
    app = store.get(NS, "root")
    assert app["status"] == {"health": {"status": "Healthy"}}  # the old message is gone
    cluster.reset_calls()
    assert store.write_status(app, {"health": {"status": "Healthy"}}) is False
    assert cluster.writes() == []


def test_a_second_status_write_from_the_same_read_diffs_against_the_first():
    # A run records its sync with the analysis Running, then the verdict, from one read of
    # the Application: the verdict must reach the server even where it equals the old status.
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    app, _changed = store.declare(definition())
    store.write_status(app, {"analysis": {"phase": "Successful", "revision": "a"}})
    app = store.get(NS, "root")
    assert store.write_status(app, {"analysis": {"phase": "Running", "revision": "b"}}) is True
    assert store.write_status(app, {"analysis": {"phase": "Successful", "revision": "b"}}) is True
    assert store.get(NS, "root")["status"] == {"analysis": {"phase": "Successful", "revision": "b"}}
    cluster.reset_calls()
    assert store.write_status(app, {"analysis": {"phase": "Successful", "revision": "b"}}) is False
    assert cluster.writes() == []


def test_what_was_written_from_a_read_is_let_go_once_the_application_was_reconciled():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    app, _changed = store.declare(definition())
    app = store.get(NS, "root")
    assert store.write_status(app, {"analysis": {"phase": "Running"}}) is True
    assert len(store._written) == 1  # pylint: disable=protected-access
    store.reconciled(app)
    assert not store._written  # pylint: disable=protected-access
    # a later write from the same read diffs against that read again (the run is done with it)
    assert store.write_status(app, {"analysis": {"phase": "Running"}}) is True


def test_listed_applications_leave_out_their_managed_fields():
    cluster = with_namespace()
    store = AppStore(cluster, FakeClock())
    store.declare(definition())
    stored = cluster.objects[cluster.key(store.rtype, NS, "root")]
    stored["metadata"]["managedFields"] = [{"manager": "gitops-k8s", "operation": "Update", "subresource": "status", "fieldsV1": {"f:status": {}}}]
    (listed,) = store.list(NS)
    assert "managedFields" not in listed["metadata"] and listed["spec"] == definition()["spec"]
    assert "managedFields" in store.get(NS, "root")["metadata"]  # a read by name is whole
