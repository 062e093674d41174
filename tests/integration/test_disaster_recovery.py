"""Disaster recovery: a cluster is lost with its data; a fresh, empty cluster plus the
bootstrap playbook and one reconcile bring every object back.

The test runs its OWN throwaway cluster (hack/cluster.sh with GITOPS_K8S_CLUSTER_DIR in a
temporary directory), never the shared test cluster. The bootstrap installs the agent's
CronJob; the test cluster has no kubelet, so "one reconcile" is the CronJob's own
ansible-pull command line, read back from the cluster and run here against it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from .gitops import GitRepo
from .playbook import REPO_ROOT, VENV_BIN, ansible_env
from .playbook import bootstrap as run_bootstrap
from .private_cluster import control_plane_binaries

CLUSTER_SH = os.path.join(REPO_ROOT, "hack", "cluster.sh")
AGENT_NAMESPACE = "gitops-system"
# (kind, namespace) read before and after the disaster; every object must come back
WATCHED = [
    ("applications.gitops-k8s.dev", AGENT_NAMESPACE),
    ("cronjobs", AGENT_NAMESPACE),
    ("serviceaccounts", AGENT_NAMESPACE),
    ("deployments", "guestbook"),
    ("services", "guestbook"),
    ("configmaps", "guestbook"),
    ("deployments", "podinfo"),
    ("services", "podinfo"),
    ("deployments", "web"),
    ("services", "web"),
    ("routes.web.example.test", "web"),
    ("customresourcedefinitions", None),
    ("clusterroles", None),
]


class ThrowawayCluster:
    """hack/cluster.sh on a private state directory."""

    def __init__(self, state_dir):
        self.dir = str(state_dir)
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        # No node: the shared cluster's node owns the Pod network (one bridge per machine).
        self.env = dict(os.environ, GITOPS_K8S_CLUSTER_DIR=self.dir, GITOPS_K8S_NODE="0")
        self.env.pop("GITOPS_K8S_TEST_KUBECONFIG", None)  # never link an external cluster

    def run(self, *args):
        proc = subprocess.run(["bash", CLUSTER_SH, *args], env=self.env, capture_output=True, text=True, timeout=1800, check=False)
        assert proc.returncode == 0, "hack/cluster.sh %s failed:\n%s\n%s" % (" ".join(args), proc.stdout[-3000:], proc.stderr[-3000:])
        return proc.stdout

    def up(self):
        self.run("up")
        assert os.path.isfile(self.kubeconfig)

    def down(self):
        self.run("down", "--purge")

    def kubectl(self, *args, check=True):
        proc = subprocess.run(
            [os.path.join(VENV_BIN, "kubectl"), "--kubeconfig", self.kubeconfig, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if check:
            assert proc.returncode == 0, "kubectl %s: %s" % (" ".join(args), proc.stderr)
        return proc


def bootstrap(cluster, repo):
    run_bootstrap({"agent_kubeconfig": cluster.kubeconfig, "agent_repo_url": repo.url, "agent_repo_revision": "main"})


def cronjob_reconcile(cluster, workdir):
    """Run the agent CronJob's command line here, against the cluster (the test cluster has no kubelet)."""
    cronjob = json.loads(cluster.kubectl("get", "cronjob", "gitops-agent", "-n", AGENT_NAMESPACE, "-o", "json").stdout)
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    command = container["command"] + container.get("args", [])
    assert command[0] == "ansible-pull" and "--only-if-changed" not in command, command
    checkout = os.path.join(str(workdir), "checkout")
    shutil.rmtree(checkout, ignore_errors=True)  # each Pod starts with an empty /tmp
    argv = [os.path.join(VENV_BIN, "ansible-pull")] + [arg.replace("/tmp/checkout", checkout) for arg in command[1:-1]]
    argv += ["-e", "gitops_k8s_kubeconfig=%s" % cluster.kubeconfig, command[-1]]
    proc = subprocess.run(argv, env=ansible_env(), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return proc


def snapshot(cluster):
    """{resource: sorted names} of every watched (kind, namespace); the gitops-k8s ones only for cluster-scoped kinds."""
    state = {}
    for resource, namespace in WATCHED:
        args = ["get", resource, "-o", "json"] + (["-n", namespace] if namespace else [])
        items = json.loads(cluster.kubectl(*args).stdout)["items"]
        names = sorted(i["metadata"]["name"] for i in items if namespace or "gitops" in i["metadata"]["name"] or "web.example.test" in i["metadata"]["name"])
        state["%s/%s" % (namespace or "-", resource)] = names
    return state


def applications(cluster):
    items = json.loads(cluster.kubectl("get", "gapp", "-n", AGENT_NAMESPACE, "-o", "json").stdout)["items"]
    return dict((a["metadata"]["name"], (a["status"]["sync"]["status"], a["status"]["sync"]["revision"])) for a in items)


def test_new_cluster_plus_bootstrap_and_one_reconcile_brings_everything_back(tmp_path):
    if not control_plane_binaries() and os.environ.get("GITOPS_K8S_TEST_KUBECONFIG"):
        pytest.skip(
            "the disaster recovery test starts its own local control plane; its binaries are not built "
            "(GITOPS_K8S_TEST_KUBECONFIG points at an external cluster): run `make cluster-up` without it once"
        )
    repo = GitRepo(tmp_path / "origin")
    shutil.copytree(os.path.join(REPO_ROOT, "examples"), repo.path, dirs_exist_ok=True)
    revision = repo.commit("examples")
    cluster = ThrowawayCluster(tmp_path / "cluster")
    try:
        cluster.up()
        bootstrap(cluster, repo)
        cronjob_reconcile(cluster, tmp_path)
        before = snapshot(cluster)
        assert applications(cluster) == dict((n, ("Synced", revision)) for n in ("root", "guestbook", "podinfo", "web"))
        assert before["guestbook/deployments"] == ["guestbook-ui"] and before["web/routes.web.example.test"] == ["web"]

        # the disaster: the control plane and all its data are gone
        cluster.down()
        assert not os.path.exists(cluster.dir)
        cluster.up()
        assert cluster.kubectl("get", "namespace", AGENT_NAMESPACE, check=False).returncode != 0
        assert cluster.kubectl("get", "crd", "applications.gitops-k8s.dev", check=False).returncode != 0

        # recovery: bootstrap, then one run of the agent
        bootstrap(cluster, repo)
        cronjob_reconcile(cluster, tmp_path)
        after = snapshot(cluster)
        assert after == before
        assert applications(cluster) == dict((n, ("Synced", revision)) for n in ("root", "guestbook", "podinfo", "web"))
        assert cluster.kubectl("get", "deploy", "podinfo", "-n", "podinfo", "-o", "jsonpath={.spec.replicas}").stdout == "2"
    finally:
        cluster.down()
