"""Projects bound what an Application may write, against the real API server.

(a) A Project that forbids cluster-scoped kinds and other namespaces: a sync rendering a
ClusterRoleBinding to cluster-admin and a ConfigMap in kube-system writes nothing at all
(not even its allowed ConfigMap) and names each refused object with its rule; the same
Application under an allowing Project syncs. (b) An app-of-apps child in a namespace its
project's sourceNamespaces do not list is refused, and the child is not created.
"""

from __future__ import annotations

import json
import os

from .gitops import GitRepo
from .playbook import run_tasks
from .test_app_authority import app_task, conditions, exists, get_app

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT_CRD = os.path.join(REPO_ROOT, "roles", "agent", "files", "project-crd.yaml")


def install_project_crd(kubectl):
    """The CRD the agent role ships (gitops.k8s.app installs the same one)."""
    kubectl("apply", "-f", PROJECT_CRD)
    kubectl("wait", "--for", "condition=established", "--timeout", "30s", "crd/projects.gitops-k8s.dev")


def apply_project(kubectl, namespace, name, spec):
    body = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Project", "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    kubectl("apply", "-f", "-", stdin=json.dumps(body))


def yaml_doc(obj):
    return json.dumps(obj)


def tenant_repo(tmp_path, namespace):
    """A team's path as a team writes it: its app, plus what a tenant must not do."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("team/config.yaml", yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "team-config"}, "data": {"color": "blue"}}))
    repo.write(
        "team/escalate.yaml",
        yaml_doc(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "%s-admin" % namespace},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": namespace}],
            }
        ),
    )
    repo.write(
        "team/kube-system.yaml",
        yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "%s-grab" % namespace, "namespace": "kube-system"}, "data": {"k": "v"}}),
    )
    repo.commit()
    return repo


def test_a_project_bounds_a_tenant_and_an_allowing_project_lets_the_same_app_sync(tmp_path, kubeconfig, namespace, kubectl):
    install_project_crd(kubectl)
    repo = tenant_repo(tmp_path, namespace)
    project = "projects-team"
    apply_project(kubectl, namespace, project, {"sourceRepos": ["*"], "destinations": [{"server": "https://kubernetes.default.svc", "namespace": namespace}]})
    task = app_task("team", kubeconfig, namespace, repo.path, "projects-team-app", "team", fail_on_error=False)
    task["gitops.k8s.app"]["definition"]["spec"]["project"] = project
    try:
        _rc, res = run_tasks(tmp_path, [task])
        assert res["team"]["error_step"] == "project", res["team"]
        [message] = conditions(get_app(kubectl, namespace, "projects-team-app"), "ComparisonError")
        assert (
            "ClusterRoleBinding/%s-admin: cluster-scoped kind rbac.authorization.k8s.io/ClusterRoleBinding is not permitted in project %s"
            % (namespace, project)
            in message
        )
        assert "ConfigMap/kube-system/%s-grab: namespace kube-system is not a destination of project %s" % (namespace, project) in message
        assert "team-config" not in message
        assert not exists(kubectl, "clusterrolebinding", "", "%s-admin" % namespace)
        assert not exists(kubectl, "configmap", "kube-system", "%s-grab" % namespace)
        assert not exists(kubectl, "configmap", namespace, "team-config")  # nothing of that sync is written

        allowing = {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
        apply_project(kubectl, namespace, project, allowing)
        _rc, res = run_tasks(tmp_path, [task])
        assert not res["team"].get("error_step"), res["team"]
        assert get_app(kubectl, namespace, "projects-team-app")["status"]["sync"]["status"] == "Synced"
        assert exists(kubectl, "clusterrolebinding", "", "%s-admin" % namespace)
        assert exists(kubectl, "configmap", "kube-system", "%s-grab" % namespace)
        assert exists(kubectl, "configmap", namespace, "team-config")
    finally:  # cluster-scoped and kube-system objects outlive the test namespace
        kubectl.run("delete", "clusterrolebinding", "%s-admin" % namespace, "--ignore-not-found")
        kubectl.run("delete", "configmap", "-n", "kube-system", "%s-grab" % namespace, "--ignore-not-found")


def test_an_app_of_apps_child_naming_a_project_its_namespace_may_not_use_is_refused(tmp_path, kubeconfig, namespace, kubectl):
    install_project_crd(kubectl)
    tenant_ns = namespace + "-tenant"
    kubectl("create", "namespace", tenant_ns)
    try:
        apply_project(
            kubectl,
            namespace,
            "projects-team",
            {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], "sourceNamespaces": ["%s-other" % namespace]},
        )
        repo = GitRepo(tmp_path / "repo")
        child = {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "projects-child", "namespace": tenant_ns},
            "spec": {"project": "projects-team", "source": {"path": "child"}, "destination": {"namespace": tenant_ns}},
        }
        repo.write("apps/child.yaml", yaml_doc(child))
        repo.write("child/config.yaml", yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}))
        repo.commit()
        _rc, res = run_tasks(tmp_path, [app_task("root", kubeconfig, namespace, repo.path, "projects-root", "apps", fail_on_error=False)])
        assert res["root"]["error_step"] == "project", res["root"]
        [message] = conditions(get_app(kubectl, namespace, "projects-root"), "ComparisonError")
        assert "Application/%s/projects-child: its namespace %s may not use project projects-team" % (tenant_ns, tenant_ns) in message
        assert not exists(kubectl, "applications.gitops-k8s.dev", tenant_ns, "projects-child")
    finally:
        kubectl.run("delete", "namespace", tenant_ns, "--wait=false")


ALL_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")


def deployer_rbac(namespace, rules=None):
    """A ServiceAccount that may do ``rules`` in its namespace (by default: manage ConfigMaps), and nothing else."""
    rules = rules or [{"apiGroups": [""], "resources": ["configmaps"], "verbs": list(ALL_VERBS)}]
    return {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer", "namespace": namespace}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "deployer", "namespace": namespace}, "rules": rules},
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": "deployer", "namespace": namespace},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"},
                "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": namespace}],
            },
        ],
    }


def test_impersonation_lets_rbac_decide_and_a_denial_fails_cleanly(tmp_path, kubeconfig, namespace, kubectl):
    install_project_crd(kubectl)
    kubectl("apply", "-f", "-", stdin=json.dumps(deployer_rbac(namespace)))
    apply_project(
        kubectl,
        namespace,
        "projects-imp",
        {
            "sourceRepos": ["*"],
            "destinations": [{"server": "https://kubernetes.default.svc", "namespace": namespace}],
            "destinationServiceAccounts": [{"server": "https://kubernetes.default.svc", "namespace": namespace, "defaultServiceAccount": "deployer"}],
        },
    )
    repo = GitRepo(tmp_path / "repo")
    repo.write("allowed/config.yaml", yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "imp-config"}, "data": {"k": "v"}}))
    repo.write("denied/config.yaml", yaml_doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "imp-other"}, "data": {"k": "v"}}))
    repo.write("denied/secret.yaml", yaml_doc({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "imp-secret"}, "stringData": {"k": "v"}}))
    repo.commit()
    tasks = []
    for name in ("allowed", "denied"):
        task = app_task(name, kubeconfig, namespace, repo.path, "projects-imp-" + name, name, fail_on_error=False)
        task["gitops.k8s.app"]["definition"]["spec"]["project"] = "projects-imp"
        tasks.append(task)
    _rc, res = run_tasks(tmp_path, tasks)
    assert not res["allowed"].get("error_step"), res["allowed"]
    assert exists(kubectl, "configmap", namespace, "imp-config")
    assert get_app(kubectl, namespace, "projects-imp-allowed")["status"]["sync"]["status"] == "Synced"
    # the agent (cluster-admin here) could read Secrets: the ServiceAccount may not, and the sync fails before any write
    denied = res["denied"]
    assert denied.get("error_step") == "cluster", denied
    [message] = conditions(get_app(kubectl, namespace, "projects-imp-denied"), "ComparisonError")
    assert 'User "system:serviceaccount:%s:deployer" cannot list resource "secrets"' % namespace in message, message
    assert "Secret/%s/imp-secret" % namespace in message, message
    assert not exists(kubectl, "configmap", namespace, "imp-other")
    assert not exists(kubectl, "secret", namespace, "imp-secret")
