"""An Application's Events on the real API server: a new one is one create (no read first);
the same story again finds it (409), reads it and counts it up on the same Event."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import app_events as writer
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._engine.app_events import Event


def test_a_new_event_is_one_create_and_a_repeat_is_counted_up(namespace, kubectl):
    cluster = KubeCluster(kubeconfig=kubectl.kubeconfig)
    app = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": "web", "namespace": namespace, "uid": "u-1"}}
    synced = Event("Normal", "SyncSucceeded", "synced r1: 1 created, 0 configured, 0 pruned")
    assert writer.record(cluster, SystemClock(), app, [synced]) == []
    assert dict(cluster.stats) == {"create": 1}
    assert writer.record(cluster, SystemClock(), app, [synced]) == []
    assert dict(cluster.stats) == {"create": 2, "get": 1, "patch": 1}  # the create found it: read, then counted up
    event_type = cluster.resolve("v1", "Event")
    (event,) = [e for e in cluster.list(event_type, namespace) if e["reason"] == "SyncSucceeded"]
    assert event["count"] == 2 and event["involvedObject"]["name"] == "web" and event["message"] == synced.message
