# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ClusterRegistry: cluster Secrets read once per namespace, a kube client per cluster
from an inline kubeconfig, an unreachable cluster failing with its name (never a credential)."""

from __future__ import annotations

import base64
import json
import socket

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.cluster_registry import ClusterRegistry, kubeconfig_of
from ansible_collections.gitops.k8s.plugins.module_utils._engine import clusters
from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DestinationError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster

TOKEN = "sa-token-that-must-never-show"
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def closed_port():
    """Ports that refuse connections for the whole test: each is held by a bound socket that
    never listens (a port merely freed could be taken by another process on a busy machine)."""
    held = []

    def port():
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        held.append(sock)
        return sock.getsockname()[1]

    yield port
    for sock in held:
        sock.close()


def manager_with(*secrets):
    manager = FakeCluster()
    manager.field_manager, manager.request_timeout = "gitops-k8s", 5
    manager.apply(manager.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gitops"}})
    for name, server in secrets:
        manager.apply(
            manager.resolve("v1", "Secret"),
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": "gitops", "labels": {clusters.SECRET_TYPE_LABEL: "cluster"}},
                "stringData": {"name": name, "server": server, "config": json.dumps({"bearerToken": TOKEN, "tlsClientConfig": {"insecure": True}})},
            },
        )
    manager.reset_calls()
    return manager


def spec(**destination):
    return AppSpec(name="web", namespace="gitops", destination_server=destination.get("server", ""), destination_name=destination.get("name", ""))


def test_kubeconfig_of_a_record():
    record = clusters.ClusterRecord(name="east", server="https://e:6443", bearer_token=TOKEN, ca_data=CA, server_name="east.internal")
    config = kubeconfig_of(record)
    assert config["clusters"][0]["cluster"] == {
        "server": "https://e:6443",
        "certificate-authority-data": base64.b64encode(CA.encode()).decode(),
        "tls-server-name": "east.internal",
    }
    assert config["users"][0]["user"] == {"token": TOKEN}
    certs = kubeconfig_of(clusters.ClusterRecord(name="e", server="https://e", cert_data=CA, key_data="KEY", insecure=True))
    assert certs["clusters"][0]["cluster"]["insecure-skip-tls-verify"] is True
    assert set(certs["users"][0]["user"]) == {"client-certificate-data", "client-key-data"}


def test_the_cluster_of_the_run_reads_no_secret():
    manager = manager_with()
    registry = ClusterRegistry(manager)
    for destination in ({}, {"server": "https://kubernetes.default.svc"}, {"name": "in-cluster"}):
        record = registry.select(spec(**destination))
        assert record.in_cluster and registry.connect(record) is manager
    assert manager.calls == []


def test_secrets_are_read_once_per_namespace_and_an_unreachable_cluster_is_tried_once(monkeypatch, closed_port):
    monkeypatch.setenv("K8S_AUTH_API_KEY", "the-run-clusters-own-token")  # never sent to another cluster
    server = "https://127.0.0.1:%d" % closed_port()
    manager = manager_with(("east", server), ("west", "https://127.0.0.1:%d" % closed_port()))
    registry = ClusterRegistry(manager)
    record = registry.select(spec(name="east"))
    assert registry.select(spec(server=server)) == record
    assert [c[0] for c in manager.calls] == ["list"]  # one LIST of the namespace's Secrets
    with pytest.raises(DestinationError) as first:
        registry.connect(record)
    text = str(first.value)
    assert text.startswith("Secret/gitops/east: cluster east (%s): " % server), text
    assert "refused the connection" in text and TOKEN not in text
    with pytest.raises(DestinationError) as again:
        registry.connect(record)
    assert again.value is first.value  # the same error, no second try in this run
