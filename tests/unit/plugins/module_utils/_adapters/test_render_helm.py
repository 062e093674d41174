# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import source_locator
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe


@pytest.fixture
def chart_root(tmp_path, fixtures_dir):
    root = tmp_path / "checkout"
    shutil.copytree(os.path.join(fixtures_dir, "chart"), str(root / "charts"))
    (root / "env").mkdir()
    (root / "env" / "prod-extra.yaml").write_text("extra: from env file\n")
    return str(root)


@pytest.fixture
def clean_home(tmp_path, monkeypatch):
    """HOME and XDG dirs pointing at an empty directory: helm must not write there."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


def by_kind(result):
    return {m.obj["kind"]: m for m in result.manifests}


def test_chart_renders_with_crds_and_origins_from_source_comments(chart_root, helm_bin, clean_home):
    result = render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin))
    assert result.renderer == "helm"
    assert [describe(m.obj) for m in result.manifests] == [
        "CustomResourceDefinition/widgets.demo.example.com",
        "ConfigMap/demo-config",
        "Deployment/demo",
    ]
    assert [m.origin for m in result.manifests] == [
        "helm:demo/crds/widgets.yaml",
        "helm:demo/templates/configmap.yaml.gotmpl",
        "helm:demo/templates/deployment.yaml.gotmpl",
    ]
    kinds = by_kind(result)
    assert kinds["ConfigMap"].obj["data"] == {"greeting": "hello"}
    assert kinds["Deployment"].obj["spec"]["replicas"] == 1
    assert kinds["Deployment"].obj["metadata"]["labels"]["app.kubernetes.io/instance"] == "demo"
    assert result.warnings == []
    assert os.listdir(str(clean_home)) == []


def test_value_files_then_inline_values(chart_root, helm_bin, clean_home):
    options = RenderOptions(
        helm_binary=helm_bin,
        release_name="prod",
        namespace="shop",
        value_files=["values-prod.yaml", "../../env/prod-extra.yaml"],
        values={"greeting": "inline wins", "image": "nginx:1.28"},
    )
    kinds = by_kind(render(chart_root, "charts/demo", options))
    assert kinds["Deployment"].obj["metadata"]["name"] == "prod"
    assert kinds["Deployment"].obj["spec"]["replicas"] == 3
    assert kinds["Deployment"].obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert kinds["ConfigMap"].obj["data"] == {"greeting": "inline wins", "extra": "from env file"}
    assert os.listdir(str(clean_home)) == []


def test_without_crds_and_with_tests(chart_root, helm_bin, clean_home):
    result = render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, include_crds=False, skip_tests=False))
    assert [describe(m.obj) for m in result.manifests] == ["ConfigMap/demo-config", "Deployment/demo", "Pod/demo-test"]
    assert result.manifests[-1].origin == "helm:demo/templates/tests/test-connection.yaml.gotmpl"


def test_capabilities_flags(chart_root, helm_bin, clean_home):
    template = os.path.join(chart_root, "charts", "demo", "templates", "caps.yaml")
    with open(template, "w", encoding="utf-8") as handle:
        handle.write(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n"
            "  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
            "  widgets: {{ .Capabilities.APIVersions.Has \"demo.example.com/v1\" | quote }}\n"
        )
    options = RenderOptions(helm_binary=helm_bin, kube_version="1.30.2", api_versions=["demo.example.com/v1"])
    caps = [m for m in render(chart_root, "charts/demo", options).manifests if m.obj["metadata"]["name"] == "caps"][0]
    assert caps.obj["data"] == {"kube": "v1.30.2", "widgets": "true"}


def test_template_failure_carries_helm_stderr(chart_root, helm_bin, clean_home):
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, values={"fail": True}), source="repo@abc")
    message = str(err.value)
    assert message.startswith("charts/demo: helm template failed in repo@abc (exit 1): ")
    assert "demo chart refuses to render: fail is true" in message


def test_value_file_outside_the_root_is_refused(chart_root, helm_bin, tmp_path):
    (tmp_path / "secret-values.yaml").write_text("x: 1\n")
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, value_files=["../../../secret-values.yaml"]))
    assert "value file leaves the root" in str(err.value)


def test_missing_value_file(chart_root, helm_bin):
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, value_files=["values-nope.yaml"]), source="repo@abc")
    assert str(err.value) == "charts/demo/values-nope.yaml: value file not found in repo@abc"


def test_missing_helm_binary_says_how_to_configure_it(chart_root):
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary="/nonexistent/helm"))
    assert "helm binary /nonexistent/helm not found" in str(err.value)
    assert "helm binary option" in str(err.value)


def test_explicit_helm_renderer_wins_over_detection(tmp_path, helm_bin):
    (tmp_path / "notachart").mkdir()
    with pytest.raises(RenderError) as err:
        render(str(tmp_path), "notachart", RenderOptions(renderer="helm", helm_binary=helm_bin))
    assert "Chart.yaml" in str(err.value)


def test_source_locator():
    text = "---\n# Source: c/templates/a.yaml\nkind: A\n---\nkind: NoSource\n---\n# Source: c/crds/b.yaml\nkind: B\n"
    locate = source_locator(text, "helm:c")
    assert [locate(n) for n in (1, 3, 5, 8)] == ["helm:c", "helm:c/templates/a.yaml", "helm:c", "helm:c/crds/b.yaml"]
