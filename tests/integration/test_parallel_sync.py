"""Dry-runs and applies side by side (workers) and the shared reads of a run, against the
real API server: every object written once, an invalid object still stops the whole sync
before any write (each one named), request counts exact from several threads, and a LIST
across namespaces that serves exactly what per-namespace LISTs serve."""

from __future__ import annotations

import json

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.shared_reads import SharedReads

from .gitops import GitRepo, Runner, application

CONFIGMAPS = 40
SECRETS = 10


def manifests(bad=()):
    docs = []
    for i in range(CONFIGMAPS):
        name = "cm-%02d" % i
        key = "not a valid key!" if name in bad else "key"
        docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {key: "v%d" % i}})
    for i in range(SECRETS):
        docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s-%02d" % i}, "stringData": {"password": "pw-%d" % i}})
    return "\n---\n".join(json.dumps(d) for d in docs) + "\n"


def names(kubectl, kind, namespace):
    out = kubectl("get", kind, "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}")
    return sorted(n for n in out.split() if not n.startswith("default-token") and n != "kube-root-ca.crt")


def test_parallel_first_sync_then_noop(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/objects.yaml", manifests())
    repo.commit("objects")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))
    runner.declare(application("many", namespace, "app", namespace))
    first = runner.reconcile(namespace, "many", workers=8)
    assert first.error is None, first.error
    assert len(first.changeset.by_action("created")) == CONFIGMAPS + SECRETS
    # counted from 8 threads: one dry-run and one apply per object, none lost
    assert first.requests.get("apply") == CONFIGMAPS + SECRETS, first.requests
    assert first.requests.get("dry-run", 0) >= CONFIGMAPS + SECRETS, first.requests
    assert names(kubectl, "configmap", namespace) == ["cm-%02d" % i for i in range(CONFIGMAPS)]
    assert names(kubectl, "secret", namespace) == ["s-%02d" % i for i in range(SECRETS)]
    second = runner.reconcile(namespace, "many", workers=8)
    assert second.error is None and not second.synced
    assert {k: v for k, v in second.requests.items() if k in ("apply", "dry-run", "create", "delete")} == {}


def test_invalid_objects_stop_the_parallel_sync_before_any_write(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/objects.yaml", manifests(bad=("cm-07", "cm-31")))
    repo.commit("objects")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))
    runner.declare(application("many", namespace, "app", namespace))
    outcome = runner.reconcile(namespace, "many", workers=8)
    assert outcome.error is not None and outcome.error.step == "apply"
    message = str(outcome.error)
    assert "ConfigMap/%s/cm-07" % namespace in message and "ConfigMap/%s/cm-31" % namespace in message
    assert "(2 objects failed)" in message
    assert outcome.requests.get("apply", 0) == 0
    assert names(kubectl, "configmap", namespace) == [] and names(kubectl, "secret", namespace) == []


def test_one_list_across_namespaces_serves_what_per_namespace_lists_serve(namespace, kubectl):
    others = ["%s-%d" % (namespace, i) for i in range(4)]
    try:
        for i, ns in enumerate(others):
            kubectl("create", "namespace", ns)
            kubectl("create", "configmap", "c%d" % i, "-n", ns, "--from-literal=k=v%d" % i)
        cluster = KubeCluster(kubeconfig=kubectl.kubeconfig)
        cm_type = cluster.resolve("v1", "ConfigMap")
        reads = SharedReads(cluster)
        shared = [reads.list(cm_type, ns) for ns in others]
        assert cluster.stats["list"] == 3  # two namespaces one by one, then one LIST of all
        for ns, got in zip(others, shared):
            fresh = [o for o in cluster.list(cm_type, ns) if o["metadata"]["name"] != "kube-root-ca.crt"]
            assert [o["metadata"]["name"] for o in got if o["metadata"]["name"] != "kube-root-ca.crt"] == [o["metadata"]["name"] for o in fresh]
        # a namespace the run wrote in is read fresh from then on; the others still from the one LIST
        cluster.apply(cm_type, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "namespace": others[3]}, "data": {"k": "v"}})
        listed = cluster.stats["list"]
        assert "new" in [o["metadata"]["name"] for o in reads.list(cm_type, others[3])]
        assert cluster.stats["list"] == listed + 1
        assert "c2" in [o["metadata"]["name"] for o in reads.list(cm_type, others[2])]
        assert cluster.stats["list"] == listed + 1
    finally:
        kubectl.run("delete", "namespace", "--wait=false", *others)
