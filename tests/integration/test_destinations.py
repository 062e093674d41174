"""Many clusters through Argo CD cluster Secrets, on three real control planes at once.

The shared cluster is the manager (the Applications, their status and the cluster
Secrets live there) and a destination (``in-cluster``); ``east`` and ``west`` are named
instances of hack/cluster.sh started once per session. Then:

- gitops.k8s.cluster registers east and west from their kubeconfigs (what
  ``argocd cluster add`` does): check mode writes nothing, a second run changes nothing,
  the token appears nowhere in the output;
- one run of gitops.k8s.app (all=true) deploys an app-of-apps to all three clusters
  (east by ``destination.name``, west by ``destination.server``);
- west's API server is killed: a new revision reaches the manager and east, west's
  Application fails alone with a condition naming the cluster and its server (no
  credential); after west's API server returns, the next run converges it;
- a Project whose destinations do not match east refuses its Application before anything
  is written there.
"""

from __future__ import annotations

import base64
import json
import textwrap

import pytest
import yaml

from .gitops import GitRepo
from .playbook import run_tasks

APP_API = "gitops-k8s.dev/v1alpha1"


def configmap(value):
    return textwrap.dedent(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: greeting
        data:
          value: %s
        """
        % json.dumps(value)
    )


def child(name, namespace, target_ns, destination, project="default"):
    return {
        "apiVersion": APP_API,
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "project": project,
            "source": {"path": "workload"},
            "destination": dict(destination, namespace=target_ns),
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
        },
    }


def register_task(title, kubeconfig, namespace, cluster, **extra):
    args = {"kubeconfig": kubeconfig, "namespace": namespace, "name": cluster.name, "target_kubeconfig": cluster.kubeconfig, "labels": {"env": "test"}}
    args.update(extra)
    return {"name": title, "gitops.k8s.cluster": args}


def reconcile_task(kubeconfig, namespace, repo):
    root = {
        "metadata": {"name": "root"},
        "spec": {"source": {"path": "apps"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True}}},
    }
    common = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": repo.path, "fail_on_error": False, "request_timeout": 10}
    return [
        {"name": "root", "gitops.k8s.app": dict(common, definition=root)},
        {"name": "all", "gitops.k8s.app": dict(common, all=True)},
    ]


def greeting(cluster_kubectl, namespace):
    proc = cluster_kubectl.run("get", "configmap", "greeting", "-n", namespace, "-o", "jsonpath={.data.value}")
    return proc.stdout if proc.returncode == 0 else None


def rows_of(result):
    return dict((r["application"].split("/", 1)[1], r) for r in result["applications"])


def condition_text(kubectl, namespace, name):
    app = json.loads(kubectl("get", "applications.gitops-k8s.dev", name, "-n", namespace, "-o", "json"))
    return " ".join(c.get("message", "") for c in (app.get("status") or {}).get("conditions") or [])


@pytest.fixture
def registered(tmp_path, kubeconfig, namespace, kubectl, named_clusters):
    """east and west registered on the manager by gitops.k8s.cluster (check mode first)."""
    east, west = named_clusters["east"], named_clusters["west"]
    account = ("get", "serviceaccount", "gitops-k8s-manager", "-n", "kube-system")
    had_account = east.kubectl.run(*account).returncode == 0  # an earlier test of the session registered east already
    _rc, planned = run_tasks(tmp_path, [register_task("east", kubeconfig, namespace, east)], "--check", "--diff")
    assert planned["east"]["changed"] and "Secret/%s/cluster-east" % namespace in planned["east"]["created"], planned
    assert kubectl.run("get", "secret", "cluster-east", "-n", namespace).returncode != 0  # check mode wrote nothing
    assert (east.kubectl.run(*account).returncode == 0) == had_account
    _rc, done = run_tasks(tmp_path, [register_task("east", kubeconfig, namespace, east), register_task("west", kubeconfig, namespace, west)], "--diff")
    actions = dict((row["id"], row["action"]) for row in done["east"]["objects"])
    assert actions == {
        "ServiceAccount/kube-system/gitops-k8s-manager": "unchanged" if had_account else "created",
        "ClusterRole/gitops-k8s-manager-role": "unchanged" if had_account else "created",
        "ClusterRoleBinding/gitops-k8s-manager-rolebinding": "unchanged" if had_account else "created",
        "Secret/kube-system/gitops-k8s-manager-token": "unchanged" if had_account else "created",
        "Secret/%s/cluster-east" % namespace: "created",
    }, done["east"]
    assert done["west"]["server"] == west.server and done["west"]["secret"] == "Secret/%s/cluster-west" % namespace
    encoded = east.kubectl("get", "secret", "gitops-k8s-manager-token", "-n", "kube-system", "-o", "jsonpath={.data.token}")
    token = base64.b64decode(encoded).decode()
    assert token and token not in json.dumps(done) and encoded not in json.dumps(done)
    secret = json.loads(kubectl("get", "secret", "cluster-east", "-n", namespace, "-o", "json"))
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster" and secret["metadata"]["labels"]["env"] == "test"
    _rc, again = run_tasks(tmp_path, [register_task("east", kubeconfig, namespace, east)])
    assert not again["east"]["changed"], again  # idempotent: the same token, the same config text
    return east, west


def test_one_run_deploys_to_three_clusters_and_a_stopped_one_fails_alone(tmp_path, kubeconfig, namespace, kubectl, registered):
    east, west = registered
    target = "dest-" + namespace[-6:]
    repo = GitRepo(tmp_path / "repo")
    apps = [
        child("here", namespace, target, {"server": "https://kubernetes.default.svc"}),
        child("east", namespace, target, {"name": "east"}),
        child("west", namespace, target, {"server": west.server}),
    ]
    repo.write("apps/apps.yaml", yaml.safe_dump_all(apps))
    repo.write("workload/cm.yaml", configmap("v1"))
    repo.commit()
    try:
        _rc, res = run_tasks(tmp_path, reconcile_task(kubeconfig, namespace, repo))
        rows = rows_of(res["all"])
        for name in ("here", "east", "west"):
            assert rows[name]["sync_status"] == "Synced" and not rows[name].get("error"), rows[name]
        assert greeting(kubectl, target) == "v1"
        assert greeting(east.kubectl, target) == "v1"
        assert greeting(west.kubectl, target) == "v1"
        # the objects went to the destinations; the Applications and their status stayed on the manager
        assert east.kubectl.run("get", "applications.gitops-k8s.dev", "-A").returncode != 0  # no CRD there

        west.kill("kube-apiserver")
        repo.write("workload/cm.yaml", configmap("v2"))
        repo.commit()
        _rc, res = run_tasks(tmp_path, reconcile_task(kubeconfig, namespace, repo))
        rows = rows_of(res["all"])
        assert greeting(kubectl, target) == "v2" and greeting(east.kubectl, target) == "v2"
        assert rows["here"]["sync_status"] == "Synced" and rows["east"]["sync_status"] == "Synced"
        assert rows["west"]["error"], rows["west"]
        message = condition_text(kubectl, namespace, "west")
        assert "cluster west (%s)" % west.server in message and "refused the connection" in message, message
        secret = json.loads(kubectl("get", "secret", "cluster-west", "-n", namespace, "-o", "json"))
        config = json.loads(base64.b64decode(secret["data"]["config"]).decode())
        assert config["bearerToken"] not in message and config["bearerToken"] not in json.dumps(res)

        west.restart("kube-apiserver")
        _rc, res = run_tasks(tmp_path, reconcile_task(kubeconfig, namespace, repo))
        rows = rows_of(res["all"])
        assert rows["west"]["sync_status"] == "Synced" and not rows["west"].get("error"), rows["west"]
        assert greeting(west.kubectl, target) == "v2"
        assert "refused" not in condition_text(kubectl, namespace, "west")
    finally:
        kubectl.run("delete", "namespace", target, "--wait=false")
        for cluster in (east, west):
            cluster.kubectl.run("delete", "namespace", target, "--wait=false")


def test_a_project_whose_destinations_miss_the_cluster_refuses_it(tmp_path, kubeconfig, namespace, kubectl, registered):
    east, _west = registered
    target = "proj-" + namespace[-6:]
    project = {
        "apiVersion": APP_API,
        "kind": "Project",
        "metadata": {"name": "here-only", "namespace": namespace},
        "spec": {
            "sourceRepos": ["*"],
            "destinations": [{"name": "in-cluster", "namespace": "*"}, {"server": "https://kubernetes.default.svc", "namespace": "*"}],
        },
    }
    kubectl("apply", "-f", "-", stdin=json.dumps(project))
    repo = GitRepo(tmp_path / "repo")
    repo.write("apps/apps.yaml", yaml.safe_dump(child("east", namespace, target, {"name": "east"}, project="here-only")))
    repo.write("workload/cm.yaml", configmap("v1"))
    repo.commit()
    _rc, res = run_tasks(tmp_path, reconcile_task(kubeconfig, namespace, repo))
    row = rows_of(res["all"])["east"]
    assert row["error_step"] == "project", row
    assert "destination namespace %s on cluster east (%s) is not a destination of project here-only" % (target, east.server) in row["error"]
    assert east.kubectl.run("get", "namespace", target).returncode != 0  # nothing written there
