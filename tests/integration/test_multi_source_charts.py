# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's most common multi-source shape end to end through ``ansible-pull``: a chart
from a chart repository (and one from an OCI registry) rendered with a value file of a
Git repository (``$values/envs/prod/values.yaml``), compared with what ``helm template``
gives for the same chart and values; a ``$values`` path leaving its repository is
refused with nothing applied."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from tests.helpers import chart_servers

from .gitops import GitRepo, Runner
from .playbook import REPO_ROOT, ansible_pull
from .test_helm_charts import HELM, PASSWORD, webapp_at

PROD_VALUES = "replicaCount: 2\nmessage: hello from the config repository\nservice:\n  port: 8080\n"


def multi_app(name, namespace, chart_url, config_url, release, value_file="$values/envs/prod/values.yaml"):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "sources": [
                {"repoURL": chart_url, "chart": "webapp", "targetRevision": "1.2.0", "helm": {"releaseName": release, "valueFiles": [value_file]}},
                {"repoURL": config_url, "targetRevision": "main", "ref": "values"},
            ],
            "destination": {"namespace": namespace},
            "syncPolicy": {"automated": {"prune": True}},
        },
    }


def helm_template(release, chart_dir, namespace, values):
    out = subprocess.run([HELM, "template", release, chart_dir, "--namespace", namespace, "-f", values], capture_output=True, text=True, check=True).stdout
    return {d["kind"]: d for d in yaml.safe_load_all(out) if d}


@pytest.fixture
def registry(tmp_path):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as served:
        yield served


def test_chart_repository_and_oci_chart_with_git_values_through_ansible_pull(tmp_path, kubeconfig, namespace, kubectl, registry):
    chart_dir = webapp_at("1.2.0", str(tmp_path / "src"))
    root = str(tmp_path / "chart-repo")
    os.makedirs(root)
    with chart_servers.ChartRepoServer(root, username="charts", password=PASSWORD) as repo_server:
        chart_servers.publish(HELM, [chart_dir], root, repo_server.url)
        chart_servers.push(HELM, os.path.join(root, "webapp-1.2.0.tgz"), registry, path="multi-charts")

        config = GitRepo(tmp_path / "config")
        shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), config.path)
        config.write("envs/prod/values.yaml", PROD_VALUES)
        # Argo CD's OCI form: the registry host and path, no scheme
        apps = (
            multi_app("multi-repo", namespace, repo_server.url, config.url, "shop"),
            multi_app("multi-oci", namespace, "%s/multi-charts" % registry.host, config.url, "store"),
        )
        for obj in apps:
            config.write("apps/%s.yaml" % obj["metadata"]["name"], yaml.safe_dump(obj))
        commit = config.commit("a chart repository and an OCI chart with the values of this repository")
        extra = str(tmp_path / "vars.json")
        with open(extra, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "gitops_k8s_namespace": namespace,
                    "gitops_k8s_root_name": "multi-root",
                    "gitops_k8s_allow_local_repos": True,
                    "gitops_k8s_repo_credentials": [{"url": repo_server.url, "username": "charts", "password": PASSWORD}],
                },
                handle,
            )
        pulled = ansible_pull(config.url, str(tmp_path / "checkout"), kubeconfig, "-e", "@" + extra)
        assert pulled.returncode == 0, pulled.stdout[-5000:] + pulled.stderr[-3000:]
        assert PASSWORD not in pulled.stdout + pulled.stderr

    found = {a["metadata"]["name"]: a for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"]}
    values = os.path.join(config.path, "envs", "prod", "values.yaml")
    for name, release in (("multi-repo", "shop"), ("multi-oci", "store")):
        sync = found[name]["status"]["sync"]
        assert sync["status"] == "Synced", (name, found[name]["status"])
        assert sync["revisions"] == ["1.2.0", commit], sync
        want = helm_template(release, chart_dir, namespace, values)
        live = {kind: json.loads(kubectl("get", kind, want[kind]["metadata"]["name"], "-n", namespace, "-o", "json")) for kind in want}
        assert live["ConfigMap"]["data"] == want["ConfigMap"]["data"] == {"message": "hello from the config repository", "chartVersion": "1.2.0"}
        assert live["Deployment"]["spec"]["replicas"] == want["Deployment"]["spec"]["replicas"] == 2
        assert live["Service"]["spec"]["ports"][0]["port"] == want["Service"]["spec"]["ports"][0]["port"] == 8080
    for name in ("multi-repo", "multi-oci", "multi-root"):
        kubectl.run("patch", "gapp", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')


def test_values_path_leaving_its_repository_is_refused(tmp_path, kubeconfig, namespace, kubectl, registry):
    archive = chart_servers.package(HELM, webapp_at("1.2.0", str(tmp_path / "src")), str(tmp_path / "pkg"))
    chart_servers.push(HELM, archive, registry, path="multi-escape")
    config = GitRepo(tmp_path / "config")
    config.write("envs/prod/values.yaml", PROD_VALUES)
    config.commit("values")
    (tmp_path / "outside.yaml").write_text("message: from outside the repository\n")
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"))
    runner.declare(multi_app("multi-escape", namespace, "oci://%s/multi-escape" % registry.host, config.url, "escape", "$values/../../outside.yaml"))
    outcome = runner.reconcile(namespace, "multi-escape")
    assert outcome.error is not None
    assert "outside" in str(outcome.error) and "$values/../../outside.yaml" in str(outcome.error), str(outcome.error)
    assert kubectl("get", "configmap,deployment,service", "-n", namespace, "-l", "app.kubernetes.io/instance=escape", "-o", "name") == ""
