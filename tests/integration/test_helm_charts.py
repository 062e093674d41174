# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applications whose source is a Helm chart of a chart repository or an OCI registry on
127.0.0.1, reconciled on the real API server: install, upgrade by targetRevision, wrong
credentials (an error, nothing pruned)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls

from tests.helpers import chart_servers

from .gitops import Runner, application
from .playbook import REPO_ROOT

WEBAPP = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "charts", "webapp")
HELM = os.path.join(REPO_ROOT, ".venv", "bin", "helm")
PASSWORD = "charts-e2e-s3cret"


def webapp_at(version, dest):
    copy = os.path.join(dest, version, "webapp")
    shutil.copytree(WEBAPP, copy)
    path = os.path.join(copy, "Chart.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read().replace("version: 1.0.0", "version: %s" % version)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return copy


def chart_app(name, namespace, repo_url, version, **helm):
    app = application(name, namespace, ".", namespace, repo_url=repo_url)
    app["spec"]["source"].update(chart="webapp", targetRevision=version, helm=dict(releaseName="shop", **helm))
    return app


def configmap(kubectl, namespace):
    return json.loads(kubectl("get", "configmap", "shop-webapp", "-n", namespace, "-o", "json"))["data"]


@pytest.fixture
def chart_repo(tmp_path):
    root = str(tmp_path / "chart-repo")
    os.makedirs(root)
    with chart_servers.ChartRepoServer(root, username="charts", password=PASSWORD) as server:
        chart_servers.publish(HELM, [webapp_at(v, str(tmp_path / "src")) for v in ("1.0.0", "1.1.0")], root, server.url)
        yield server


def credentials(url, password):
    return repo_urls.Credentials.from_entries([(url, {"username": "charts", "password": password})])


def test_chart_repository_install_upgrade_and_wrong_credentials(tmp_path, kubeconfig, namespace, kubectl, chart_repo):
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), credentials=credentials(chart_repo.url, PASSWORD))
    runner.declare(
        chart_app(
            "charts-webapp",
            namespace,
            chart_repo.url,
            "1.0.0",
            parameters=[{"name": "replicaCount", "value": "2"}, {"name": "podAnnotations.prometheus\\.io/scrape", "value": "true", "forceString": True}],
        )
    )
    first = runner.reconcile(namespace, "charts-webapp")
    assert first.error is None, first.error
    assert first.revision == "1.0.0"
    assert sorted(first.changeset.by_action("created")) == sorted(
        ["ConfigMap/%s/shop-webapp" % namespace, "Deployment/%s/shop-webapp" % namespace, "Service/%s/shop-webapp" % namespace]
    )
    assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
    assert kubectl("get", "deploy", "shop-webapp", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "2"
    status = runner.get(namespace, "charts-webapp")["status"]["sync"]
    assert (status["status"], status["revision"], status["chart"]) == ("Synced", "1.0.0", "webapp")

    # upgrade: a new targetRevision (a range resolving to 1.1.0) changes the objects
    runner.declare(chart_app("charts-webapp", namespace, chart_repo.url, "~1.1", parameters=[{"name": "replicaCount", "value": "2"}]))
    second = runner.reconcile(namespace, "charts-webapp")
    assert second.error is None, second.error
    assert second.revision == "1.1.0"
    assert "ConfigMap/%s/shop-webapp" % namespace in second.changeset.by_action("configured")
    assert configmap(kubectl, namespace)["chartVersion"] == "1.1.0"

    # wrong credentials: a clear error, nothing pruned, the secret nowhere
    wrong = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), credentials=credentials(chart_repo.url, "wrong"))
    third = wrong.reconcile(namespace, "charts-webapp")
    assert third.error is not None
    assert "401" in str(third.error) and PASSWORD not in str(third.error)
    assert configmap(kubectl, namespace)["chartVersion"] == "1.1.0"
    app = runner.get(namespace, "charts-webapp")
    assert any("401" in c["message"] for c in app["status"].get("conditions") or []), app["status"]
    assert PASSWORD not in json.dumps(app)


def test_oci_registry_chart(tmp_path, kubeconfig, namespace, kubectl):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as registry:
        archive = chart_servers.package(HELM, webapp_at("1.2.0", str(tmp_path / "src")), str(tmp_path / "pkg"))
        chart_servers.push(HELM, archive, registry, path="charts-e2e")
        runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"))
        # Argo CD's form: the registry host and path, no scheme
        runner.declare(chart_app("charts-oci", namespace, "%s/charts-e2e" % registry.host, "1.2.0"))
        outcome = runner.reconcile(namespace, "charts-oci")
    assert outcome.error is None, outcome.error
    assert outcome.revision == "1.2.0"
    assert configmap(kubectl, namespace)["chartVersion"] == "1.2.0"


CHART_APP = """---
apiVersion: gitops-k8s.dev/v1alpha1
kind: Application
metadata:
  name: charts-e2e-webapp
  namespace: {namespace}
spec:
  source:
    repoURL: {url}
    chart: webapp
    targetRevision: "{version}"
    helm:
      releaseName: shop
      parameters:
        - name: replicaCount
          value: "3"
  destination:
    namespace: {namespace}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
"""


def test_ansible_pull_deploys_a_chart_from_a_repository_with_credentials(tmp_path, kubeconfig, namespace, kubectl, chart_repo):
    from .gitops import GitRepo
    from .playbook import ansible_pull

    repo = GitRepo(tmp_path / "origin")
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), os.path.join(repo.path, "local.yml"))
    repo.write("apps/webapp.yaml", CHART_APP.format(namespace=namespace, url=chart_repo.url, version="1.0.0"))
    repo.commit("webapp from the chart repository")
    extra = str(tmp_path / "vars.json")
    with open(extra, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "gitops_k8s_namespace": namespace,
                "gitops_k8s_root_name": "charts-e2e-root",
                "gitops_k8s_repo_credentials": [{"url": chart_repo.url, "username": "charts", "password": PASSWORD}],
            },
            handle,
        )
    checkout = str(tmp_path / "checkout")

    first = ansible_pull(repo.url, checkout, kubeconfig, "-e", "@" + extra)
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
    assert PASSWORD not in first.stdout + first.stderr
    assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
    assert kubectl("get", "deploy", "shop-webapp", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "3"
    app = json.loads(kubectl("get", "gapp", "charts-e2e-webapp", "-n", namespace, "-o", "json"))
    assert app["status"]["sync"]["revision"] == "1.0.0" and app["status"]["sync"]["status"] == "Synced"

    # an upgrade is a commit changing targetRevision
    repo.write("apps/webapp.yaml", CHART_APP.format(namespace=namespace, url=chart_repo.url, version="1.1.0"))
    repo.commit("webapp 1.1.0")
    second = ansible_pull(repo.url, checkout, kubeconfig, "-e", "@" + extra)
    assert second.returncode == 0, second.stdout[-5000:] + second.stderr[-3000:]
    assert configmap(kubectl, namespace)["chartVersion"] == "1.1.0"
    for name in ("charts-e2e-webapp", "charts-e2e-root"):
        kubectl.run("patch", "gapp", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')


CAPS_TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  appGroup: {{ .Capabilities.APIVersions.Has "gitops-k8s.dev/v1alpha1" | quote }}
  appKind: {{ .Capabilities.APIVersions.Has "gitops-k8s.dev/v1alpha1/Application" | quote }}
"""


def test_capabilities_are_the_clusters(tmp_path, kubeconfig, namespace, kubectl, kube_api):
    from .gitops import GitRepo

    repo = GitRepo(tmp_path / "repo")
    repo.write("caps/Chart.yaml", "apiVersion: v2\nname: caps\nversion: 0.1.0\n")
    repo.write("caps/templates/cm.yaml", CAPS_TEMPLATE)
    repo.commit("capabilities chart")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("charts-caps", namespace, "caps", namespace))
    outcome = runner.reconcile(namespace, "charts-caps")
    assert outcome.error is None, outcome.error
    data = json.loads(kubectl("get", "configmap", "caps", "-n", namespace, "-o", "json"))["data"]
    server = kube_api.dynamic.version["kubernetes"]["gitVersion"]
    assert data == {"kube": server, "appGroup": "true", "appKind": "true"}
