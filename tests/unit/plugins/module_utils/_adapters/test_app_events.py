# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Events written on an Application: core/v1 Events naming it, a repeat counted up on the
same Event (as Kubernetes' recorder aggregates), a refused write only a warning."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import app_events as writer
from ansible_collections.gitops.k8s.plugins.module_utils._engine.app_events import Event

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

APP = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": "web", "namespace": "ops", "uid": "u-1"}}
SYNCED = Event("Normal", "SyncSucceeded", "synced r1: 1 created, 0 configured, 0 pruned")


def events(cluster):
    return cluster.list(cluster.resolve("v1", "Event"), "ops")


def test_an_event_names_the_application():
    cluster = FakeCluster()
    assert writer.record(cluster, FakeClock(), APP, [SYNCED]) == []
    (event,) = events(cluster)
    assert event["involvedObject"] == {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "namespace": "ops", "name": "web", "uid": "u-1"}
    assert (event["type"], event["reason"], event["message"], event["count"]) == ("Normal", "SyncSucceeded", SYNCED.message, 1)
    assert event["source"]["component"] == "gitops-k8s" and event["reportingComponent"] == "gitops-k8s"
    assert event["metadata"]["name"].startswith("web.")


def test_a_repeated_event_is_counted_on_one_object():
    cluster, clock = FakeCluster(), FakeClock()
    writer.record(cluster, clock, APP, [SYNCED])
    first = events(cluster)[0]["lastTimestamp"]
    clock.sleep(90)
    writer.record(cluster, clock, APP, [SYNCED])
    writer.record(cluster, clock, APP, [Event("Warning", "SyncFailed", "sync to r2 failed")])
    found = sorted(events(cluster), key=lambda e: e["reason"])
    assert [(e["reason"], e["count"]) for e in found] == [("SyncFailed", 1), ("SyncSucceeded", 2)]
    assert found[1]["firstTimestamp"] == first and found[1]["lastTimestamp"] != first


def test_another_application_of_the_same_name_gets_its_own_events():
    cluster, clock = FakeCluster(), FakeClock()
    writer.record(cluster, clock, APP, [SYNCED])
    writer.record(cluster, clock, dict(APP, metadata=dict(APP["metadata"], uid="u-2")), [SYNCED])
    assert sorted(e["count"] for e in events(cluster)) == [1, 1]


def test_a_refused_write_is_a_warning_not_an_error():
    cluster = FakeCluster().impersonating("system:serviceaccount:ops:reader")  # may do nothing (RBAC)
    warnings = writer.record(cluster, FakeClock(), APP, [SYNCED])
    assert len(warnings) == 1 and "event SyncSucceeded not recorded on Application/ops/web" in warnings[0] and "forbidden" in warnings[0]


def test_a_new_event_is_one_create_and_a_repeat_reads_it_once():
    cluster, clock = FakeCluster(), FakeClock()
    writer.record(cluster, clock, APP, [SYNCED])
    assert [c[0] for c in cluster.calls] == ["create"]  # no read before a new story
    del cluster.calls[:]
    writer.record(cluster, clock, APP, [SYNCED])
    assert [c[0] for c in cluster.calls] == ["create", "get", "patch"]  # 409, then counted up
    assert events(cluster)[0]["count"] == 2
