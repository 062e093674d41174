# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``repo_url_rewrites`` for Helm chart repositories, OCI registries of charts and OCI
artifacts, through ``ansible-pull``: the Applications name the public URLs, the agent
fetches from mirrors on 127.0.0.1; ``status.sync.repoURL`` keeps the named URL and
``status.sync.fetchedURL`` says where the content came from."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml

from tests.helpers import chart_servers

from .gitops import GitRepo
from .playbook import REPO_ROOT, ansible_pull
from .test_helm_charts import HELM, webapp_at

PUBLIC_CHARTS = "https://charts.example.com/stable"
PUBLIC_REGISTRY = "oci://registry.example.com/platform"
SETTINGS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mirrored-artifact\ndata:\n  from: the mirror\n"


def app(name, namespace, source):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"source": source, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True}}},
    }


@pytest.fixture
def registry(tmp_path):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as served:
        yield served


def test_chart_and_oci_urls_are_rewritten_to_mirrors(tmp_path, kubeconfig, namespace, kubectl, registry):
    chart_dir = webapp_at("2.0.0", str(tmp_path / "src"))
    root = str(tmp_path / "mirror")
    os.makedirs(root)
    with chart_servers.ChartRepoServer(root) as mirror:
        chart_servers.publish(HELM, [chart_dir], root, mirror.url)
        chart_servers.push(HELM, os.path.join(root, "webapp-2.0.0.tgz"), registry, path="platform/charts")
        chart_servers.push_artifact(registry, "platform/manifests", "v1", {"settings.yaml": SETTINGS})
        repo = GitRepo(tmp_path / "origin")
        shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), repo.path)
        apps = (
            app("rw-repo", namespace, {"repoURL": PUBLIC_CHARTS, "chart": "webapp", "targetRevision": "2.0.0", "helm": {"releaseName": "rw-repo"}}),
            app("rw-oci", namespace, {"repoURL": PUBLIC_REGISTRY + "/charts", "chart": "webapp", "targetRevision": "2.0.0", "helm": {"releaseName": "rw-oci"}}),
            app("rw-artifact", namespace, {"repoURL": PUBLIC_REGISTRY + "/manifests", "targetRevision": "v1", "path": "."}),
        )
        for obj in apps:
            repo.write("apps/%s.yaml" % obj["metadata"]["name"], yaml.safe_dump(obj))
        repo.commit("charts and an artifact named by their public URLs")
        extra = str(tmp_path / "vars.json")
        rewrites = {PUBLIC_CHARTS: mirror.url + "/", PUBLIC_REGISTRY: "oci://%s/platform" % registry.host}
        with open(extra, "w", encoding="utf-8") as handle:
            json.dump({"gitops_k8s_namespace": namespace, "gitops_k8s_root_name": "rw-root", "gitops_k8s_repo_url_rewrites": rewrites}, handle)
        pulled = ansible_pull(repo.url, str(tmp_path / "checkout"), kubeconfig, "-e", "@" + extra)
    assert pulled.returncode == 0, pulled.stdout[-5000:] + pulled.stderr[-3000:]
    found = {a["metadata"]["name"]: a for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"]}
    expected = {
        "rw-repo": (PUBLIC_CHARTS, mirror.url),
        "rw-oci": (PUBLIC_REGISTRY + "/charts", "oci://%s/platform/charts" % registry.host),
        "rw-artifact": (PUBLIC_REGISTRY + "/manifests", "oci://%s/platform/manifests" % registry.host),
    }
    for name, (named, fetched) in expected.items():
        sync = found[name]["status"]["sync"]
        assert sync["status"] == "Synced", (name, found[name]["status"])
        assert (sync["repoURL"], sync["fetchedURL"]) == (named, fetched), (name, sync)
    for name in ("rw-repo", "rw-oci"):
        data = json.loads(kubectl("get", "configmap", "%s-webapp" % name, "-n", namespace, "-o", "json"))["data"]
        assert data["chartVersion"] == "2.0.0"
    assert json.loads(kubectl("get", "configmap", "mirrored-artifact", "-n", namespace, "-o", "json"))["data"] == {"from": "the mirror"}
    for name in list(expected) + ["rw-root"]:
        kubectl.run("patch", "gapp", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
