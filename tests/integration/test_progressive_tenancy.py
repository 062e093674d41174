"""Projects bound what a repository may make the agent do through progressive delivery,
against the real API server.

(a) An analysis address the operator allows but the Application's Project does not
(annotation gitops-k8s.dev/analysis-providers) fails the Application before any write,
naming the Application, the Project and the address; once the Project lists it, the same
Application syncs. (b) A canary under a Project that impersonates a ServiceAccount: a
``web-canary`` of another Application in the namespace is never written over; the canary's
own writes go through the ServiceAccount (the API server's RBAC refuses them when its Role
loses ``create``), and with the right restored the canary runs as this Application's.
"""

from __future__ import annotations

import json

import yaml

from .gitops import GitRepo
from .playbook import run_tasks
from .test_app_authority import app_task, conditions, exists, get_app
from .test_canary_delivery import manifests
from .test_projects import ALL_VERBS, apply_project, deployer_rbac, install_project_crd, yaml_doc

SERVER = "https://kubernetes.default.svc"


def _app(tmp_path, kubeconfig, namespace, repo, name, project, **extra):
    task = app_task(name, kubeconfig, namespace, repo.path, name, "deploy", fail_on_error=False, **extra)
    task["gitops.k8s.app"]["definition"]["spec"]["project"] = project
    return task


def _analysis(port):
    prom = {"address": "http://127.0.0.1:%d" % port, "query": "up"}
    return {"metrics": [{"name": "up", "provider": {"prometheus": prom}}]}


def test_a_project_narrows_the_analysis_addresses_of_its_applications(tmp_path, kubeconfig, namespace, kubectl):
    install_project_crd(kubectl)
    spec = {"sourceRepos": ["*"], "destinations": [{"server": SERVER, "namespace": namespace}]}
    body = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Project", "metadata": {"name": "pd-team", "namespace": namespace}, "spec": spec}
    body["metadata"]["annotations"] = {"gitops-k8s.dev/analysis-providers": json.dumps(["http://127.0.0.1:1"])}
    kubectl("apply", "-f", "-", stdin=json.dumps(body))
    repo = GitRepo(tmp_path / "repo")
    repo.write("deploy/config.yaml", yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pd-config"}, "data": {"k": "v"}}))
    repo.commit()
    # the operator allows two addresses (nothing listens on either: the analysis is then Inconclusive, never Failed)
    task = _app(tmp_path, kubeconfig, namespace, repo, "pd-analysis", "pd-team", analysis_providers=["http://127.0.0.1:1", "http://127.0.0.1:2"])
    task["gitops.k8s.app"]["definition"]["spec"]["analysis"] = _analysis(2)  # another team's Prometheus
    _rc, res = run_tasks(tmp_path, [task])
    assert res["pd-analysis"]["error_step"] == "project", res["pd-analysis"]
    [message] = conditions(get_app(kubectl, namespace, "pd-analysis"), "ComparisonError")
    for part in ("Application/%s/pd-analysis" % namespace, "project pd-team", "http://127.0.0.1:2", "gitops-k8s.dev/analysis-providers"):
        assert part in message, message
    assert not exists(kubectl, "configmap", namespace, "pd-config")  # refused before any write

    body["metadata"]["annotations"]["gitops-k8s.dev/analysis-providers"] = json.dumps(["http://127.0.0.1:1", "http://127.0.0.1:2"])
    kubectl("apply", "-f", "-", stdin=json.dumps(body))
    _rc, res = run_tasks(tmp_path, [task])
    assert res["pd-analysis"].get("error_step") != "project", res["pd-analysis"]
    assert exists(kubectl, "configmap", namespace, "pd-config")
    assert get_app(kubectl, namespace, "pd-analysis")["status"]["analysis"]["phase"] in ("Inconclusive", "Error")


STEPS = [{"setWeight": 25}, {"pause": {}}]


def _web(namespace, image):
    """deploy/web.yaml: Deployment web (4 replicas, a canary) and Service web."""
    return manifests(namespace, image, STEPS)


def _deployer(namespace, verbs):
    rules = [
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": list(verbs)},
        {"apiGroups": [""], "resources": ["services", "configmaps"], "verbs": list(ALL_VERBS)},
    ]
    return deployer_rbac(namespace, rules)


def _get(kubectl, namespace, name):
    out = kubectl.run("get", "deployment", name, "-n", namespace, "-o", "json")
    return json.loads(out.stdout) if out.returncode == 0 else None


def _image(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]["image"].rsplit(":", 1)[1]


def test_a_canary_writes_only_its_own_objects_and_as_the_projects_service_account(tmp_path, kubeconfig, namespace, kubectl):
    install_project_crd(kubectl)
    kubectl("apply", "-f", "-", stdin=json.dumps(_deployer(namespace, ALL_VERBS)))
    account = {"server": SERVER, "namespace": namespace, "defaultServiceAccount": "deployer"}
    bounds = {"sourceRepos": ["*"], "destinations": [{"server": SERVER, "namespace": namespace}], "destinationServiceAccounts": [account]}
    apply_project(kubectl, namespace, "pd-canary", bounds)
    repo = GitRepo(tmp_path / "repo")
    repo.write("deploy/web.yaml", _web(namespace, "example.test/web:v1"))
    repo.commit()
    task = _app(tmp_path, kubeconfig, namespace, repo, "pd-web", "pd-canary")
    _rc, res = run_tasks(tmp_path, [task])
    assert not res["pd-web"].get("error_step"), res["pd-web"]
    assert _image(_get(kubectl, namespace, "web")) == "v1"  # the first rollout: direct

    # another Application's Deployment happens to be named web-canary
    theirs = next(yaml.safe_load_all(_web(namespace, "example.test/web:theirs")))
    theirs["metadata"] = {
        "name": "web-canary",
        "namespace": namespace,
        "annotations": {"gitops-k8s.dev/tracking-id": "%s/other:apps/Deployment:%s/web-canary" % (namespace, namespace)},
    }
    theirs["spec"]["selector"]["matchLabels"] = theirs["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    kubectl("apply", "-f", "-", stdin=json.dumps(theirs))
    repo.write("deploy/web.yaml", _web(namespace, "example.test/web:v2"))
    repo.commit()
    _rc, res = run_tasks(tmp_path, [task])
    assert res["pd-web"]["error_step"] == "safety", res["pd-web"]
    [message] = conditions(get_app(kubectl, namespace, "pd-web"), "ComparisonError")
    assert "Deployment/%s/web-canary: exists and belongs to Application %s/other" % (namespace, namespace) in message, message
    live = _get(kubectl, namespace, "web-canary")
    assert _image(live) == "theirs" and live["spec"]["replicas"] == 4 and "gitops-k8s.dev/strategy-object" not in live["metadata"]["annotations"]
    stable = _get(kubectl, namespace, "web")
    assert (_image(stable), stable["spec"]["replicas"]) == ("v1", 4)  # nothing of that sync is written

    # the name is free again, but the ServiceAccount may no longer create Deployments: the API server refuses it
    kubectl("delete", "deployment", "web-canary", "-n", namespace)
    kubectl("apply", "-f", "-", stdin=json.dumps(_deployer(namespace, [v for v in ALL_VERBS if v != "create"])))
    _rc, res = run_tasks(tmp_path, [task])
    assert res["pd-web"].get("error_step"), res["pd-web"]
    [message] = conditions(get_app(kubectl, namespace, "pd-web"), "ComparisonError") or conditions(get_app(kubectl, namespace, "pd-web"), "SyncError")
    # the agent's own credentials may create anything here: only the ServiceAccount is refused
    assert "web-canary" in message and "forbidden" in message and "system:serviceaccount:%s:deployer" % namespace in message, message
    assert _get(kubectl, namespace, "web-canary") is None

    kubectl("apply", "-f", "-", stdin=json.dumps(_deployer(namespace, ALL_VERBS)))
    _rc, res = run_tasks(tmp_path, [task])
    assert not res["pd-web"].get("error_step"), res["pd-web"]
    canary = _get(kubectl, namespace, "web-canary")
    notes = canary["metadata"]["annotations"]
    assert _image(canary) == "v2" and canary["spec"]["replicas"] == 1, canary["spec"]
    assert notes["gitops-k8s.dev/tracking-id"] == "%s/pd-web:apps/Deployment:%s/web-canary" % (namespace, namespace)
    assert notes["gitops-k8s.dev/strategy-object"] == "web"
    assert _get(kubectl, namespace, "web")["spec"]["replicas"] == 3

    _rc, res = run_tasks(tmp_path, [dict(task, **{"gitops.k8s.app": dict(task["gitops.k8s.app"], abort=True)})])
    assert not res["pd-web"].get("error_step"), res["pd-web"]
    assert _get(kubectl, namespace, "web-canary") is None  # pruned through the ServiceAccount
    assert _get(kubectl, namespace, "web")["spec"]["replicas"] == 4
