"""A namespaced agent may not list Secrets: what it is told.

The agent's RBAC is the gitops.k8s.agent role's own (agent_rbac_mode namespaced, rendered
with agent_output_dir and applied here); the run is gitops.k8s.app all=true as that
agent's ServiceAccount (impersonate_user), on the real API server. An Application whose
destination names another cluster and an ApplicationSet with a clusters generator need
the cluster Secrets of the namespace: both fail with an error naming the permission and
the role variable that grants it, not a bare 403. With the namespace added to
agent_rbac_namespaces, as the error says, the Secrets are read.
"""

from __future__ import annotations

import json
import os
import uuid

import yaml

from tests.helpers import appsets

from .gitops import GitRepo, Runner, application
from .playbook import reconcile_all, run_tasks

RBAC_KINDS = ("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")


def agent_rbac(tmp_path, kubeconfig, namespace, agent, rbac_namespaces):
    """The RBAC objects the gitops.k8s.agent role renders for AGENT (namespaced layout)."""
    out = tmp_path / ("rendered-%d" % len(rbac_namespaces))
    role_vars = {
        "agent_name": agent,
        "agent_namespace": namespace,
        "agent_kubeconfig": kubeconfig,
        "agent_apply": False,
        "agent_output_dir": str(out),
        "agent_repo_url": "file:///srv/gitops.git",
        "agent_root_application": False,
        "agent_rbac_mode": "namespaced",
        "agent_rbac_namespaces": rbac_namespaces,
        "agent_rbac_create_namespaces": False,
        "agent_rbac_impersonate": ["%s:nobody" % namespace],  # the namespaced layout needs a namespace or this
    }
    run_tasks(tmp_path, [{"name": "render", "ansible.builtin.include_role": {"name": "gitops.k8s.agent"}, "vars": role_vars}])
    with open(os.path.join(str(out), agent + ".yaml"), encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d and d.get("kind") in RBAC_KINDS]


def run_as_agent(tmp_path, kubeconfig, namespace, agent, checkout):
    """gitops.k8s.app all=true as the agent's ServiceAccount."""
    return reconcile_all(tmp_path, kubeconfig, namespace, checkout, impersonate_user="system:serviceaccount:%s:%s" % (namespace, agent))


def test_a_namespaced_agent_is_told_which_permission_and_variable_it_lacks(tmp_path, kubeconfig, namespace, kubectl):
    agent = "agent-" + uuid.uuid4().hex[:6]  # its ClusterRole and ClusterRoleBinding are cluster-wide: a name of this test
    repo = GitRepo(tmp_path / "checkout")
    repo.write("east/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: east\ndata:\n  k: v\n")
    repo.commit("one ConfigMap")
    east = application("east", namespace, "east", namespace, destination={"namespace": namespace, "name": "east"})
    Runner(kubeconfig=kubeconfig, checkout_dir=repo.path).declare(east)
    per_cluster = appsets.list_set("per-cluster", namespace, [])
    per_cluster["spec"]["generators"] = [{"clusters": {}}]
    per_cluster["spec"]["template"]["metadata"]["name"] = "cluster-{{name}}"
    kubectl("apply", "-f", "-", stdin=json.dumps(per_cluster))
    applied = []
    try:
        applied = agent_rbac(tmp_path, kubeconfig, namespace, agent, [])
        kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": applied}))
        result = run_as_agent(tmp_path, kubeconfig, namespace, agent, repo.path)
        rows = dict((r["application"], r) for r in result["applications"])
        app_error = rows["%s/east" % namespace]["error"]
        set_error = result["application_sets"][0]["error"]
        for error in (app_error, set_error):
            assert "cannot read the cluster Secrets of namespace %s" % namespace in error, error
            assert "forbidden" in error and "needs permission to list secrets in %s" % namespace in error, error
            assert "add %s to agent_rbac_namespaces" % namespace in error and "agent_rbac_mode cluster" in error, error
        assert "an Application's destination names another cluster" in app_error and rows["%s/east" % namespace]["error_step"] == "destination"
        assert "the clusters generator" in set_error

        # as the error says: the namespace in agent_rbac_namespaces
        applied = agent_rbac(tmp_path, kubeconfig, namespace, agent, [namespace])
        kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": applied}))
        result = run_as_agent(tmp_path, kubeconfig, namespace, agent, repo.path)
        rows = dict((r["application"], r) for r in result["applications"])
        assert "is not a registered cluster" in rows["%s/east" % namespace]["error"], rows["%s/east" % namespace]["error"]
        assert result["application_sets"][0].get("error") is None, result["application_sets"]
        assert result["application_sets"][0]["generated"] == ["cluster-in-cluster"]
    finally:
        for obj in applied:
            if obj["kind"] in ("ClusterRole", "ClusterRoleBinding"):
                kubectl.run("delete", obj["kind"].lower(), obj["metadata"]["name"], "--ignore-not-found")
        kubectl.run("patch", "gapp", "cluster-in-cluster", "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
