"""A first sync into a destination that CreateNamespace=true creates, on the real API server.

Nothing can live in a namespace that is not there: the plan reads the destination Namespace
first and lists none of its kinds in it (before the Lease and under it), so a first sync
sends no LIST there and starts no LIST across namespaces for them. Once the namespace
exists, the next run lists its kinds again and finds everything in sync.

Nor can the API server dry-run into it: the objects are dry-run right after the sync
created the Namespace, every one before the first is written, so an invalid object still
stops the sync before any object is written.
"""

from __future__ import annotations

import json
import uuid

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster

from .gitops import GitRepo, Runner, application


class ListsSeen(KubeCluster):
    """The real client, remembering the (kind, namespace) of every LIST it sends."""

    seen: list = []

    def list(self, rtype, namespace=None):
        self.seen.append((rtype.kind, namespace))
        return super().list(rtype, namespace)


class SpyRunner(Runner):
    def cluster(self):
        return ListsSeen(kubeconfig=self.kubeconfig)


@pytest.fixture
def destination(kubectl):
    """A namespace name of this test only, not created: the sync creates it; deleted at the end."""
    name = "t-first-%s" % uuid.uuid4().hex[:8]
    try:
        yield name
    finally:
        kubectl.run("delete", "namespace", name, "--wait=false", "--ignore-not-found")


def objects():
    docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-%d" % i}, "data": {"k": str(i)}} for i in range(3)]
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "pw"}})
    return "\n---\n".join(json.dumps(d) for d in docs) + "\n"


def test_first_sync_lists_nothing_in_the_namespace_it_creates(tmp_path, kubeconfig, namespace, destination, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/objects.yaml", objects())
    repo.commit("objects")
    runner = SpyRunner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))
    app = application("fresh", namespace, "app", destination)
    app["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace=true"]
    runner.declare(app)
    ListsSeen.seen = []
    first = runner.reconcile(namespace, "fresh", workers=4)
    assert first.error is None, first.error
    assert sorted(first.changeset.by_action("created")) == ["ConfigMap/%s/cm-%d" % (destination, i) for i in range(3)] + [
        "Namespace/" + destination,
        "Secret/%s/s" % destination,
    ]
    assert [seen for seen in ListsSeen.seen if seen[1] == destination] == []
    assert kubectl("get", "configmap", "cm-2", "-n", destination, "-o", "jsonpath={.data.k}") == "2"
    ListsSeen.seen = []
    second = runner.reconcile(namespace, "fresh", workers=4)
    assert second.error is None and not second.synced
    assert {kind for kind, where in ListsSeen.seen if where == destination} == {"ConfigMap", "Secret"}


def test_an_invalid_object_stops_the_first_sync_before_any_object_is_written(tmp_path, kubeconfig, namespace, destination, kubectl):
    repo = GitRepo(tmp_path / "repo")
    invalid = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad-port"}, "spec": {"ports": [{"port": 0}]}}
    repo.write("app/objects.yaml", objects() + "---\n" + json.dumps(invalid) + "\n")
    repo.commit("objects, one invalid")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))
    app = application("fresh", namespace, "app", destination)
    app["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace=true"]
    runner.declare(app)
    first = runner.reconcile(namespace, "fresh", workers=4)
    assert first.error is not None
    assert "Service/%s/bad-port" % destination in str(first.error) and "dry-run" in str(first.error), str(first.error)
    assert first.changeset.by_action("created") == ["Namespace/" + destination]
    ours = {"configmap/cm-0", "configmap/cm-1", "configmap/cm-2", "secret/s", "service/bad-port"}
    present = set(kubectl("get", "configmaps,secrets,services", "-n", destination, "-o", "name").split())
    assert present & ours == set(), present  # the controllers' own (the root CA, a token Secret) may be there
