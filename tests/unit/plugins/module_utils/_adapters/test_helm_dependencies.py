# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Charts in a checkout with ``dependencies`` (from a chart repository on 127.0.0.1 and
``file://``) built with ``helm dependency build`` before rendering; ``fileParameters``."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe

from tests.helpers import chart_servers
from tests.helpers.pki import CertificateAuthority

from .conftest import REPO_ROOT

WEBAPP = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "charts", "webapp")
PASSWORD = "dep-repo-s3cret"

COMMON_CHART = "apiVersion: v2\nname: common\nversion: 0.3.0\n"
COMMON_CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\ndata:\n  team: {{ .Values.team | default "platform" | quote }}\n'


def umbrella_chart(root, repository):
    """platform/: an umbrella chart (as teams write them) with webapp from a repository
    and common from the same checkout."""
    chart = os.path.join(root, "charts", "platform")
    os.makedirs(os.path.join(chart, "templates"))
    with open(os.path.join(chart, "Chart.yaml"), "w", encoding="utf-8") as handle:
        handle.write(
            "apiVersion: v2\nname: platform\nversion: 0.1.0\ndependencies:\n"
            "  - name: webapp\n    version: ~1.0.0\n    repository: %s\n"
            "  - name: common\n    version: 0.3.0\n    repository: file://../../libs/common\n" % repository
        )
    with open(os.path.join(chart, "values.yaml"), "w", encoding="utf-8") as handle:
        handle.write("webapp:\n  message: from the umbrella\ncommon:\n  team: payments\n")
    common = os.path.join(root, "libs", "common")
    os.makedirs(os.path.join(common, "templates"))
    with open(os.path.join(common, "Chart.yaml"), "w", encoding="utf-8") as handle:
        handle.write(COMMON_CHART)
    with open(os.path.join(common, "templates", "cm.yaml"), "w", encoding="utf-8") as handle:
        handle.write(COMMON_CM)
    return chart


@pytest.fixture
def chart_repo(tmp_path, helm_bin):
    root = str(tmp_path / "repo")
    os.makedirs(root)
    with chart_servers.ChartRepoServer(root, username="deps", password=PASSWORD) as server:
        chart_servers.publish(helm_bin, [WEBAPP], root, server.url)
        yield server


def snapshot(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _s, fs in os.walk(root) for f in fs)


def test_dependencies_are_built_from_their_repository_and_the_checkout(tmp_path, helm_bin, chart_repo):
    root = str(tmp_path / "checkout")
    umbrella_chart(root, chart_repo.url)
    before = snapshot(root)
    credentials = repo_urls.Credentials.from_entries([(chart_repo.url, {"username": "deps", "password": PASSWORD})])
    result = render(root, "charts/platform", RenderOptions(helm_binary=helm_bin, release_name="shop", credentials=credentials))
    objects = {describe(m.obj): m.obj for m in result.manifests}
    assert objects["ConfigMap/shop-webapp"]["data"] == {"message": "from the umbrella", "chartVersion": "1.0.0"}
    assert objects["ConfigMap/shop-common"]["data"] == {"team": "payments"}
    assert "Deployment/shop-webapp" in objects
    assert {auth for _path, auth in chart_repo.requests} == {chart_repo.expected_auth}
    # the checkout is left as it was: no charts/ directory, no Chart.lock written into it
    assert snapshot(root) == before


def test_without_the_credential_the_dependency_fails_and_names_the_chart(tmp_path, helm_bin, chart_repo):
    root = str(tmp_path / "checkout")
    umbrella_chart(root, chart_repo.url)
    with pytest.raises(RenderError) as err:
        render(root, "charts/platform", RenderOptions(helm_binary=helm_bin))
    assert "dependency build failed" in str(err.value) and err.value.subject == "charts/platform/Chart.yaml"
    assert PASSWORD not in str(err.value)


def test_vendored_dependencies_need_no_network(tmp_path, helm_bin):
    root = str(tmp_path / "checkout")
    chart = umbrella_chart(root, "https://charts.invalid")
    chart_servers.package(helm_bin, WEBAPP, os.path.join(chart, "charts"))
    shutil.copytree(os.path.join(root, "libs", "common"), os.path.join(chart, "charts", "common"))
    result = render(root, "charts/platform", RenderOptions(helm_binary=helm_bin, release_name="shop"))
    assert "ConfigMap/shop-webapp" in [describe(m.obj) for m in result.manifests]


@pytest.mark.parametrize(
    "repository, why",
    [
        ("file://../../../outside", "leaves the root"),
        ("@stable", "local helm repository alias"),
        ("alias:stable", "local helm repository alias"),
        ("ssh://git@example.com/charts", "scheme 'ssh'"),
        ("https://user:pw@charts.example.com", "must not hold credentials"),
    ],
)
def test_dependency_repositories_are_checked(tmp_path, helm_bin, repository, why):
    root = str(tmp_path / "checkout")
    chart = umbrella_chart(root, "https://charts.example.com")
    path = os.path.join(chart, "Chart.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read().replace("repository: https://charts.example.com", 'repository: "%s"' % repository)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    with pytest.raises(RenderError, match=why):
        render(root, "charts/platform", RenderOptions(helm_binary=helm_bin))


def test_file_parameters_are_set_like_helm_set_file(tmp_path, helm_bin):
    root = tmp_path / "checkout"
    shutil.copytree(WEBAPP, str(root / "webapp"))
    (root / "webapp" / "files").mkdir()
    (root / "webapp" / "files" / "motd.txt").write_text("line one, with a comma\nline two\n")
    options = RenderOptions(helm_binary=helm_bin, release_name="web", file_parameters=(("message", "files/motd.txt"),))
    ours = {describe(m.obj): m.obj for m in render(str(root), "webapp", options).manifests}["ConfigMap/web-webapp"]
    out = subprocess.run(
        [helm_bin, "template", "web", str(root / "webapp"), "--set-file", "message=%s" % (root / "webapp" / "files" / "motd.txt")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ours["data"]["message"] == "line one, with a comma\nline two\n"
    assert '"line one, with a comma\\nline two\\n"' in out


@pytest.mark.parametrize("path, why", [("../../outside.txt", "leaves the root"), ("/etc/hostname", "must be relative")])
def test_file_parameters_stay_inside_the_checkout(tmp_path, helm_bin, path, why):
    root = tmp_path / "checkout"
    shutil.copytree(WEBAPP, str(root / "webapp"))
    with pytest.raises(RenderError, match=why):
        render(str(root), "webapp", RenderOptions(helm_binary=helm_bin, file_parameters=(("message", path),)))


CAPS = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n"
    "  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
    '  widgets: {{ .Capabilities.APIVersions.Has "widgets.example.com/v1" | quote }}\n'
)


@pytest.mark.parametrize(
    "helm, kube, widgets",
    [
        ({}, "v1.20.15", "true"),
        ({"kubeVersion": "1.29.0", "apiVersions": ["other.example.com/v1"]}, "v1.29.0", "false"),
    ],
)
def test_kube_version_and_api_versions_default_to_the_cluster(tmp_path, helm_bin, helm, kube, widgets):
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec

    root = tmp_path / "checkout"
    (root / "caps" / "templates").mkdir(parents=True)
    (root / "caps" / "Chart.yaml").write_text("apiVersion: v2\nname: caps\nversion: 0.1.0\n")
    (root / "caps" / "templates" / "cm.yaml").write_text(CAPS)
    asked = []

    def discovery(spec):
        asked.append(spec.name)
        return "v1.20.15", ["v1", "apps/v1", "widgets.example.com/v1"]

    sources = Sources(None, render_defaults={"helm_binary": helm_bin}, discovery=discovery)
    spec = AppSpec(name="caps", namespace="gitops", path="caps", helm=helm)
    manifests = sources.render(str(root), spec)
    sources.render(str(root), spec)
    assert manifests[0].obj["data"] == {"kube": kube, "widgets": widgets}
    assert len(asked) == (0 if helm else 1)  # asked once per run, and only when needed


def test_a_dependency_from_an_oci_registry(tmp_path, helm_bin):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as registry:
        chart_servers.push(helm_bin, chart_servers.package(helm_bin, WEBAPP, str(tmp_path / "pkg")), registry)
        root = str(tmp_path / "checkout")
        umbrella_chart(root, "oci://%s/charts" % registry.host)
        result = render(root, "charts/platform", RenderOptions(helm_binary=helm_bin, release_name="shop"))
    assert "Deployment/shop-webapp" in [describe(m.obj) for m in result.manifests]


def test_a_dependency_repository_a_rewrite_covers_is_refused_not_bypassed(tmp_path, helm_bin):
    """helm fetches a dependency from the URL Chart.yaml names (Chart.lock's digest covers
    it): the operator's mirror cannot be substituted, so the render stops and says so
    rather than reach the public URL behind the mirror's back."""
    root = str(tmp_path / "checkout")
    umbrella_chart(root, "https://charts.example.com/stable")
    rewrites = repo_urls.Rewrites.from_mapping({"https://charts.example.com/": "https://charts-mirror.example.net/"})
    with pytest.raises(RenderError, match="repo_url_rewrites covers") as info:
        render(root, "charts/platform", RenderOptions(helm_binary=helm_bin, rewrites=rewrites))
    assert "vendor" in str(info.value)


def test_a_dependency_from_an_https_repository_with_a_private_ca_and_client_certificate(tmp_path, helm_bin):
    ca = CertificateAuthority()
    client = ca.issue("gitops-agent")
    root_dir = str(tmp_path / "repo")
    os.makedirs(root_dir)
    with chart_servers.ChartRepoServer(root_dir, tls=(ca.issue("127.0.0.1", server=True), str(tmp_path), ca.pem)) as server:
        chart_servers.publish(helm_bin, [WEBAPP], root_dir, server.url)
        root = str(tmp_path / "checkout")
        umbrella_chart(root, server.url)
        with pytest.raises(RenderError, match="certificate"):
            render(root, "charts/platform", RenderOptions(helm_binary=helm_bin))
        credentials = repo_urls.Credentials.from_entries(
            [(server.url, {"ca_cert": ca.pem, "tls_client_cert_data": client.cert, "tls_client_cert_key": client.key})]
        )
        result = render(root, "charts/platform", RenderOptions(helm_binary=helm_bin, release_name="shop", credentials=credentials))
    objects = {describe(m.obj): m.obj for m in result.manifests}
    assert objects["ConfigMap/shop-webapp"]["data"]["chartVersion"] == "1.0.0"
