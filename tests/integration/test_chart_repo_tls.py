# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chart repositories over HTTPS with a private CA and client certificates, as Argo CD's
repository Secrets (``tlsClientCertData``, ``tlsClientCertKey``, ``insecure``) and its
``argocd-tls-certs-cm`` give them: served on 127.0.0.1 with a CA made in the test.
A wrong CA is a clear error with nothing applied; the client key is never shown."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls

from tests.helpers import chart_servers
from tests.helpers.pki import CertificateAuthority

from .gitops import GitRepo, Runner
from .playbook import REPO_ROOT, ansible_pull
from .test_helm_charts import CHART_APP, HELM, chart_app, configmap, webapp_at


@pytest.fixture(scope="module")
def pki():
    ca = CertificateAuthority()
    return {"ca": ca, "server": ca.issue("127.0.0.1", server=True), "client": ca.issue("gitops-agent"), "other": CertificateAuthority("another CA")}


def https_repo(tmp_path, pki, client_ca=None):
    root = str(tmp_path / "chart-repo")
    os.makedirs(root)
    server = chart_servers.ChartRepoServer(root, tls=(pki["server"], str(tmp_path), client_ca))
    server.__enter__()
    chart_servers.publish(HELM, [webapp_at("1.0.0", str(tmp_path / "src"))], root, server.url)
    return server


def runner(tmp_path, kubeconfig, url, **credential):
    return Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), credentials=repo_urls.Credentials.from_entries([(url, credential)]))


def applied(kubectl, namespace):
    return kubectl("get", "configmap,deployment,service", "-n", namespace, "-l", "app.kubernetes.io/instance=shop", "-o", "name").split()


def test_private_ca_wrong_ca_and_insecure(tmp_path, kubeconfig, namespace, kubectl, pki):
    server = https_repo(tmp_path, pki)
    try:
        for name, credential in (("tls-system-ca", {}), ("tls-wrong-ca", {"ca_cert": pki["other"].pem})):
            run = runner(tmp_path, kubeconfig, server.url, **credential)
            run.declare(chart_app(name, namespace, server.url, "1.0.0"))
            outcome = run.reconcile(namespace, name)
            assert outcome.error is not None, name
            assert "certificate" in str(outcome.error) and "reading the chart repository index" in str(outcome.error), str(outcome.error)
            assert applied(kubectl, namespace) == [], name
        good = runner(tmp_path, kubeconfig, server.url, ca_cert=pki["ca"].pem)
        good.declare(chart_app("tls-ca", namespace, server.url, "1.0.0"))
        outcome = good.reconcile(namespace, "tls-ca")
        assert outcome.error is None, outcome.error
        assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
        # Argo CD's insecure: no verification at all (a fresh cache: the chart is pulled again)
        insecure = Runner(
            kubeconfig=kubeconfig,
            cache_dir=str(tmp_path / "cache-insecure"),
            credentials=repo_urls.Credentials.from_entries([(server.url, {"insecure": True})]),
        )
        obj = chart_app("tls-insecure", namespace, server.url, "1.0.0")
        obj["spec"]["source"]["helm"]["releaseName"] = "insecure"
        insecure.declare(obj)
        outcome = insecure.reconcile(namespace, "tls-insecure")
        assert outcome.error is None, outcome.error
    finally:
        server.__exit__()


def test_client_certificate_required(tmp_path, kubeconfig, namespace, kubectl, pki):
    server = https_repo(tmp_path, pki, client_ca=pki["ca"].pem)
    try:
        without = runner(tmp_path, kubeconfig, server.url, ca_cert=pki["ca"].pem)
        without.declare(chart_app("tls-no-client", namespace, server.url, "1.0.0"))
        outcome = without.reconcile(namespace, "tls-no-client")
        assert outcome.error is not None
        assert applied(kubectl, namespace) == []

        client = pki["client"]
        run = runner(tmp_path, kubeconfig, server.url, ca_cert=pki["ca"].pem, tls_client_cert_data=client.cert, tls_client_cert_key=client.key)
        run.declare(chart_app("tls-client", namespace, server.url, "1.0.0"))
        outcome = run.reconcile(namespace, "tls-client")
        assert outcome.error is None, outcome.error
        assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
        assert client.key not in json.dumps(run.get(namespace, "tls-client"))
    finally:
        server.__exit__()


def test_ansible_pull_with_a_client_certificate(tmp_path, kubeconfig, namespace, kubectl, pki):
    server = https_repo(tmp_path, pki, client_ca=pki["ca"].pem)
    try:
        repo = GitRepo(tmp_path / "origin")
        shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), os.path.join(repo.path, "local.yml"))
        repo.write("apps/webapp.yaml", CHART_APP.format(namespace=namespace, url=server.url, version="1.0.0"))
        repo.commit("webapp from an HTTPS chart repository with a client certificate")
        client = pki["client"]
        extra = str(tmp_path / "vars.json")
        with open(extra, "w", encoding="utf-8") as handle:
            credential = {"url": server.url, "ca_cert": pki["ca"].pem, "tls_client_cert_data": client.cert, "tls_client_cert_key": client.key}
            json.dump({"gitops_k8s_namespace": namespace, "gitops_k8s_root_name": "tls-root", "gitops_k8s_repo_credentials": [credential]}, handle)
        pulled = ansible_pull(repo.url, str(tmp_path / "checkout"), kubeconfig, "-e", "@" + extra, "-v")
    finally:
        server.__exit__()
    assert pulled.returncode == 0, pulled.stdout[-5000:] + pulled.stderr[-3000:]
    assert client.key.splitlines()[1] not in pulled.stdout + pulled.stderr
    assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
    for name in ("charts-e2e-webapp", "tls-root"):
        kubectl.run("patch", "gapp", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')


def test_oci_registry_over_https_with_a_private_ca(tmp_path, kubeconfig, namespace, kubectl, pki):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry"), tls=(pki["server"], pki["ca"].pem)) as registry:
        archive = chart_servers.package(HELM, webapp_at("1.0.0", str(tmp_path / "src")), str(tmp_path / "pkg"))
        chart_servers.push(HELM, archive, registry, path="tls-charts")
        url = "oci://%s/tls-charts" % registry.host
        wrong = runner(tmp_path, kubeconfig, url, ca_cert=pki["other"].pem)
        wrong.declare(chart_app("tls-oci", namespace, url, "1.0.0"))
        outcome = wrong.reconcile(namespace, "tls-oci")
        assert outcome.error is not None and "certificate" in str(outcome.error), outcome.error
        assert applied(kubectl, namespace) == []
        outcome = runner(tmp_path, kubeconfig, url, ca_cert=pki["ca"].pem).reconcile(namespace, "tls-oci")
    assert outcome.error is None, outcome.error
    assert configmap(kubectl, namespace)["chartVersion"] == "1.0.0"
