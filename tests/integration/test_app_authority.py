"""Authority flows down, shared objects are never silent, status stays bounded: the real
gitops.k8s.app module against the real API server.

(a) a file under the root's path naming the root itself is refused (root unchanged, status
size stable); (b) team B's repository declaring team A's Application is refused;
(c) a ConfigMap declared by two Applications warns on both, and with
FailOnSharedResource=true the second one fails and writes nothing.
"""

from __future__ import annotations

import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_API_VERSION, APP_KIND

from .gitops import GitRepo
from .playbook import run_tasks

POLICY = {"automated": {"prune": True, "selfHeal": True}}


def app_task(title, kubeconfig, namespace, checkout, name, path, options=(), **extra):
    """A gitops.k8s.app task declaring (like the reconcile playbook's root) and reconciling one Application."""
    policy = dict(POLICY, syncOptions=list(options)) if options else POLICY
    spec = {"source": {"path": path}, "destination": {"namespace": namespace}, "syncPolicy": policy}
    args = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": checkout, "definition": {"metadata": {"name": name}, "spec": spec}}
    args.update(extra)
    return {"name": title, "gitops.k8s.app": args}


def application_yaml(name, namespace, path, dest):
    return json.dumps(
        {
            "apiVersion": APP_API_VERSION,
            "kind": APP_KIND,
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"source": {"path": path}, "destination": {"namespace": dest}, "syncPolicy": POLICY},
        }
    )


def configmap_yaml(name, value):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}})


def get_app(kubectl, namespace, name):
    return json.loads(kubectl("get", "applications.gitops-k8s.dev", name, "-n", namespace, "-o", "json"))


def conditions(app, ctype):
    return [c["message"] for c in (app.get("status") or {}).get("conditions") or [] if c["type"] == ctype]


def exists(kubectl, kind, namespace, name):
    return kubectl.run("get", kind, name, "-n", namespace).returncode == 0


def test_a_manifest_naming_the_root_is_refused_and_the_root_stays_put(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("apps/root.yaml", application_yaml("root", namespace, "elsewhere", "kube-system"))
    repo.write("apps/settings.yaml", configmap_yaml("settings", "root"))
    repo.commit()
    task = app_task("root", kubeconfig, namespace, repo.path, "root", "apps", fail_on_error=False)
    sizes = []
    for _run in range(3):
        _rc, res = run_tasks(tmp_path, [task])
        assert res["root"]["error_step"] == "safety", res["root"]
        root = get_app(kubectl, namespace, "root")
        assert root["spec"]["source"] == {"path": "apps"} and root["spec"]["destination"] == {"namespace": namespace}
        assert ANN_TRACKING_ID not in (root["metadata"].get("annotations") or {})
        sizes.append(len(json.dumps(root["status"], sort_keys=True)))
    [message] = conditions(root, "ComparisonError")
    assert "Application/%s/root: names this Application itself" % namespace in message
    assert len(set(sizes)) == 1, sizes
    assert not exists(kubectl, "configmap", namespace, "settings")  # nothing of that sync is written


def test_team_b_cannot_take_over_team_a_application(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("team-a-apps/team-a.yaml", application_yaml("team-a", namespace, "team-a", namespace))
    repo.write("team-a/config.yaml", configmap_yaml("team-a-config", "a"))
    repo.write("team-b-apps/team-a.yaml", application_yaml("team-a", namespace, "team-b/evil", namespace))
    repo.write("team-b-apps/config.yaml", configmap_yaml("team-b-config", "b"))
    repo.commit()
    root_a = app_task("root-a", kubeconfig, namespace, repo.path, "root-a", "team-a-apps")
    root_b = app_task("root-b", kubeconfig, namespace, repo.path, "root-b", "team-b-apps", fail_on_error=False)
    _rc, res = run_tasks(tmp_path, [root_a, root_b])
    assert res["root-a"]["created"] == ["Application/%s/team-a" % namespace]
    assert res["root-b"]["error_step"] == "safety"
    team_a = get_app(kubectl, namespace, "team-a")
    assert team_a["spec"]["source"] == {"path": "team-a"}
    assert team_a["metadata"]["annotations"][ANN_TRACKING_ID].startswith("%s/root-a:" % namespace)
    [message] = conditions(get_app(kubectl, namespace, "root-b"), "ComparisonError")
    assert "Application/%s/team-a: owned by %s/root-a" % (namespace, namespace) in message
    assert not exists(kubectl, "configmap", namespace, "team-b-config")


def shared_repo(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    for name in ("a", "b"):
        repo.write("%s/shared.yaml" % name, configmap_yaml("shared", name))
        repo.write("%s/own.yaml" % name, configmap_yaml("own-%s" % name, name))
    repo.commit()
    return repo


def test_an_object_declared_by_two_applications_warns_on_both(tmp_path, kubeconfig, namespace, kubectl):
    repo = shared_repo(tmp_path)
    # one after another: side by side (app_workers > 1) the two plan at once, and only the one that
    # finds the other's tracking id on the live object warns in that run (docs/architecture.md)
    every = {"name": "every", "gitops.k8s.app": {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": repo.path, "all": True, "app_workers": 1}}
    _rc, res = run_tasks(
        tmp_path, [app_task("a", kubeconfig, namespace, repo.path, "a", "a"), app_task("b", kubeconfig, namespace, repo.path, "b", "b"), every]
    )
    shared = "ConfigMap/%s/shared" % namespace
    for name, other in (("a", "b"), ("b", "a")):
        [message] = conditions(get_app(kubectl, namespace, name), "SharedResourceWarning")
        assert "%s is also managed by Application %s/%s" % (shared, namespace, other) in message
    printed = json.dumps(res["b"].get("warnings")) + json.dumps(res["every"].get("warnings"))
    assert "%s/b: SharedResourceWarning: %s" % (namespace, shared) in printed, res["b"]
    assert "%s/a: SharedResourceWarning: %s" % (namespace, shared) in printed, res["every"]


def test_fail_on_shared_resource_fails_and_writes_nothing(tmp_path, kubeconfig, namespace, kubectl):
    repo = shared_repo(tmp_path)
    _rc, res = run_tasks(
        tmp_path,
        [
            app_task("a", kubeconfig, namespace, repo.path, "a", "a"),
            app_task("b", kubeconfig, namespace, repo.path, "b", "b", options=["FailOnSharedResource=true"]),
        ],
        check=False,
    )
    assert res["b"]["failed"] and res["b"]["error_step"] == "safety"
    assert "FailOnSharedResource=true" in res["b"]["msg"] and "ConfigMap/%s/shared" % namespace in res["b"]["msg"]
    assert not exists(kubectl, "configmap", namespace, "own-b")
    live = json.loads(kubectl("get", "configmap", "shared", "-n", namespace, "-o", "json"))
    assert live["data"] == {"k": "a"} and live["metadata"]["annotations"][ANN_TRACKING_ID].startswith("%s/a:" % namespace)
    [message] = conditions(get_app(kubectl, namespace, "b"), "SyncError")
    assert "ConfigMap/%s/shared is also managed by Application %s/a" % (namespace, namespace) in message
