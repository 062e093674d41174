"""Fault suite, control plane: the API server killed (SIGKILL) in the middle of a sync
of a few hundred objects and started again; etcd killed and started again between two
runs and in the middle of a sync; two reconciles of one Application started at once.

The faults are real signals to real processes, so this module runs on its own control
plane (`private_cluster`). A reconcile that must be a process of its own (two at once;
the one whose API server dies, whose pid must be gone afterwards) is an `ansible-playbook`
run of gitops.k8s.app; the others run in the test process. A frozen API server (SIGSTOP)
is in test_api_faults.py, a killed reconcile process and its Lease in test_lease_faults.py.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .faults import agent, ids, lost, module_params, module_reconcile, uids
from .gitops import GitRepo, application

MANY = 300
# What the API server answers for a write in flight when etcd dies (seen: the gRPC stream closing).
ETCD_GONE = re.compile(
    r"^ConfigMap/[a-z0-9-]+/cm-\d{3}: apply failed: apply failed: "
    r"(rpc error: code = Unavailable desc = .+|etcdserver: .+|Timeout: .+)$"
)


def api_server_gone(namespace, server):
    """The error of a write to an API server that was just killed."""
    obj = r"ConfigMap/%s/cm-\d{3}" % re.escape(namespace)
    return re.compile(
        r"^(%s): apply failed: the API server (closed the connection before answering|%s refused the connection "
        r"\(is it running\?\)) \(apply \1\)$" % (obj, re.escape(server))
    )


def write_configmaps(repo, count, value):
    """COUNT ConfigMaps cm-000.. in one file of the repository, committed."""
    docs = ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%03d\ndata:\n  value: "%s"\n' % (i, value) for i in range(count)]
    repo.write("app/configmaps.yaml", "---\n".join(docs))
    return repo.commit("%d ConfigMaps, value %s" % (count, value))


def values(kubectl, namespace):
    """{name: data.value} of the generated ConfigMaps."""
    items = json.loads(kubectl("get", "configmaps", "-n", namespace, "-o", "json"))["items"]
    return dict((i["metadata"]["name"], (i.get("data") or {}).get("value")) for i in items if i["metadata"]["name"].startswith("cm-"))


def wait_until(predicate, what, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def in_background(function, *args):
    """Start FUNCTION(*ARGS) in a thread; returns its future."""
    return ThreadPoolExecutor(max_workers=1).submit(function, *args)


def module_in_background(tmp_path, params, label):
    """Start one gitops.k8s.app run (its own ansible-playbook process); returns its future."""
    workdir = tmp_path / label
    workdir.mkdir()
    return in_background(module_reconcile, workdir, params)


def history(kubectl, namespace, name):
    app = json.loads(kubectl("get", "gapp", name, "-n", namespace, "-o", "json"))
    return app["status"].get("history") or []


@pytest.fixture
def repo(tmp_path):
    return GitRepo(tmp_path / "checkout")


def test_two_reconciles_at_once_sync_once(tmp_path, repo, private_cluster):
    namespace = private_cluster.namespace("two-at-once")
    kubectl = private_cluster.kubectl
    write_configmaps(repo, 100, "1")
    params = module_params(private_cluster.kubeconfig, application("contended", namespace, "app", namespace), checkout_dir=repo.path)
    first, second = module_in_background(tmp_path, params, "first"), module_in_background(tmp_path, params, "second")
    results = [first.result(timeout=600), second.result(timeout=600)]  # both processes exit

    created = [set(r.get("created") or ()) for r in results]
    assert sorted(len(c) for c in created) == [0, 100], [(r.get("summary"), r.get("reason"), r.get("error")) for r in results]
    assert not created[0] & created[1]
    assert len(values(kubectl, namespace)) == 100  # no object lost, none twice
    assert [h["created"] for h in history(kubectl, namespace, "contended")] == [100]  # exactly one sync happened
    assert kubectl("get", "lease", "-n", namespace, "-o", "name").strip() == ""  # released


def test_etcd_restart_between_runs_and_mid_sync(tmp_path, repo, private_cluster):
    namespace = private_cluster.namespace("etcd-restart")
    kubectl = private_cluster.kubectl
    runner = agent(private_cluster.kubeconfig, tmp_path, checkout_dir=repo.path)
    write_configmaps(repo, MANY, "1")
    runner.declare(application("etcd-restart", namespace, "app", namespace))
    assert len(ids(runner.reconcile(namespace, "etcd-restart"), "created")) == MANY
    before = uids(kubectl, namespace)

    # between two runs: the data survives, the next run has nothing to do
    private_cluster.kill("etcd")
    private_cluster.restart("etcd")
    quiet = runner.reconcile(namespace, "etcd-restart")
    assert quiet.error is None and not quiet.changeset.changed and quiet.changeset.summary()["unchanged"] == MANY
    assert lost(before, uids(kubectl, namespace)) == []

    # in the middle of a sync: etcd is killed once part of a new commit is applied
    revision = write_configmaps(repo, MANY, "2")
    running = in_background(runner.reconcile, namespace, "etcd-restart")
    wait_until(lambda: list(values(kubectl, namespace).values()).count("2") >= 30, "the sync to be under way")
    assert not running.done(), "the sync ended before etcd was killed: make MANY larger"
    private_cluster.kill("etcd")
    private_cluster.restart("etcd")
    interrupted = running.result(timeout=600)
    written = list(values(kubectl, namespace).values()).count("2")
    assert 30 <= written <= MANY
    if interrupted.error is not None:  # a write in flight when etcd died fails: named, nothing deleted after it
        assert ETCD_GONE.match(str(interrupted.error)), interrupted.error
        assert ids(interrupted, "pruned") == []
    assert lost(before, uids(kubectl, namespace)) == []

    converged = runner.reconcile(namespace, "etcd-restart")
    assert converged.error is None, converged.error
    assert converged.revision == revision and converged.sync_status == "Synced"
    assert set(values(kubectl, namespace).values()) == {"2"} and len(values(kubectl, namespace)) == MANY
    assert lost(before, uids(kubectl, namespace)) == []
    assert len(runner.get(namespace, "etcd-restart")["status"]["inventory"]) == MANY


def test_api_server_killed_mid_sync_then_restarted_converges(tmp_path, repo, private_cluster):
    namespace = private_cluster.namespace("apiserver-kill")
    kubectl = private_cluster.kubectl
    write_configmaps(repo, MANY, "1")
    app = application("apiserver-kill", namespace, "app", namespace)
    running = module_in_background(tmp_path, module_params(private_cluster.kubeconfig, app, checkout_dir=repo.path), "mid-sync")
    wait_until(lambda: len(values(kubectl, namespace)) >= 30, "the sync to be under way")
    assert not running.done(), "the sync ended before the API server was killed: make MANY larger"
    private_cluster.kill("kube-apiserver")
    interrupted = running.result(timeout=300)  # connections are refused: the run ends, it does not hang
    private_cluster.restart("kube-apiserver")
    before = uids(kubectl, namespace)
    assert 30 <= len(values(kubectl, namespace)) < MANY
    # the write in flight when the API server died (its connection closed), or the next one (refused), fails
    # (with parallel writes, each write in flight fails so: every one is named, then how many)
    parts = re.sub(r"(; \+\d+ more)? \(\d+ objects failed\)$", "", interrupted["error"]).split("; ConfigMap/")
    parts = parts[:1] + ["ConfigMap/" + part for part in parts[1:]]
    gone = api_server_gone(namespace, private_cluster.server)
    assert all(gone.match(part) for part in parts), interrupted["error"]

    runner = agent(private_cluster.kubeconfig, tmp_path, checkout_dir=repo.path)
    converged = runner.reconcile(namespace, "apiserver-kill")  # the next run converges: no object lost, none twice
    assert converged.error is None, converged.error
    assert converged.sync_status == "Synced"
    assert len(values(kubectl, namespace)) == MANY
    assert lost(before, uids(kubectl, namespace)) == []
    inventory = runner.get(namespace, "apiserver-kill")["status"]["inventory"]
    assert len(inventory) == MANY and len({json.dumps(i, sort_keys=True) for i in inventory}) == MANY
