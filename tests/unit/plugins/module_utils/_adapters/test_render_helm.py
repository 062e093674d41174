# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import shutil
import sys

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
            '  widgets: {{ .Capabilities.APIVersions.Has "demo.example.com/v1" | quote }}\n'
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


def test_value_file_in_git_metadata_is_refused(chart_root, helm_bin):
    os.mkdir(os.path.join(chart_root, ".git"))
    with open(os.path.join(chart_root, ".git", "config"), "w", encoding="utf-8") as handle:
        handle.write("token: from-the-pull-url\n")
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, value_files=["../../.git/config"]), source="repo@abc")
    assert str(err.value) == ".git/config: value file is in the .git directory of repo@abc"


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


def fake_helm(tmp_path, log):
    """A helm stand-in recording its argv (one per line) and environment (JSON)."""
    path = tmp_path / "bin" / "helm"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do echo "$a" >> %s; done\n'
        "%s -c 'import json, os; print(json.dumps(dict(os.environ)))' > %s.env\n"
        'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n"\n' % (log, sys.executable, log)
    )
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def marker_script(tmp_path):
    """A post-renderer that would leave a marker file behind if helm ever ran it."""
    marker = tmp_path / "post-renderer-ran"
    script = tmp_path / "post.sh"
    script.write_text("#!/bin/sh\ntouch %s\ncat\n" % marker)
    script.chmod(0o755)
    return str(script), marker


@pytest.mark.parametrize(
    "hostile",
    [
        "--post-renderer={script}",
        "--post-renderer",
        "--set-file=greeting={secret}",
        "-f{secret}",
        "Demo",
        "demo_app",
        "-demo",
        "demo-",
        "a" * 54,
        "",
    ],
)
def test_release_name_must_be_a_helm_release_name(chart_root, helm_bin, clean_home, tmp_path, marker_script, hostile):
    script, marker = marker_script
    secret = tmp_path / "outside-secret"
    secret.write_text("agent-only-content\n")
    name = hostile.format(script=script, secret=secret)
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, release_name=name or "\n"))
    assert err.value.subject == "spec.source.helm.releaseName"
    assert "not a valid Helm release name" in str(err.value)
    assert len(str(err.value)) < 400
    assert not marker.exists()


@pytest.mark.parametrize("name", ["demo", "a" * 53, "web.v2", "0abc-9"])
def test_release_names_helm_accepts_render(chart_root, helm_bin, clean_home, name):
    kinds = by_kind(render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, release_name=name)))
    assert kinds["Deployment"].obj["metadata"]["name"] == name


def test_a_long_hostile_value_is_not_echoed_whole(chart_root, helm_bin):
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, release_name="--post-renderer=" + "x" * 5000))
    assert len(str(err.value)) < 400


@pytest.mark.parametrize(
    "field, options",
    [
        ("spec.destination.namespace", {"namespace": "--post-renderer={script}"}),
        ("spec.destination.namespace", {"namespace": "shop.prod"}),
        ("spec.destination.namespace", {"namespace": "n" * 64}),
        ("spec.source.helm.kubeVersion", {"kube_version": "--post-renderer={script}"}),
        ("spec.source.helm.kubeVersion", {"kube_version": "1.30 --post-renderer={script}"}),
        ("spec.source.helm.apiVersions", {"api_versions": ["apps/v1", "--post-renderer={script}"]}),
        ("spec.source.helm.apiVersions", {"api_versions": ["apps/v1=x"]}),
    ],
)
def test_repo_values_for_other_flags_are_validated(chart_root, helm_bin, clean_home, marker_script, field, options):
    script, marker = marker_script
    options = {k: ([x.format(script=script) for x in v] if isinstance(v, list) else v.format(script=script)) for k, v in options.items()}
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, **options))
    assert err.value.subject == field
    assert not marker.exists()


@pytest.mark.parametrize("kube_version", ["1.30.2", "v1.29.0", "1.28", "v1.30.4-eks-a737599", "1.31.0+k3s1"])
def test_kube_versions_helm_accepts_are_kept(chart_root, helm_bin, clean_home, kube_version):
    render(
        chart_root,
        "charts/demo",
        RenderOptions(helm_binary=helm_bin, kube_version=kube_version, api_versions=["v1", "apps/v1/Deployment", "monitoring.coreos.com/v1"]),
    )


def test_argv_is_flags_then_double_dash_then_release_and_chart(chart_root, tmp_path):
    log = tmp_path / "argv.log"
    helm = fake_helm(tmp_path, log)
    options = RenderOptions(
        helm_binary=helm,
        release_name="prod",
        namespace="shop",
        value_files=["values-prod.yaml"],
        values={"a": 1},
        kube_version="1.30.2",
        api_versions=["apps/v1"],
    )
    render(chart_root, "charts/demo", options)
    argv = log.read_text().splitlines()
    chart = os.path.join(os.path.realpath(chart_root), "charts", "demo")
    assert argv[0] == "template"
    assert argv[-3:] == ["--", "prod", chart]
    flags = argv[1:-3]
    assert all(flag.startswith("--") and ("=" in flag or flag in ("--include-crds", "--skip-tests")) for flag in flags), flags
    assert "--namespace=shop" in flags and "--kube-version=1.30.2" in flags and "--api-versions=apps/v1" in flags
    assert "--values=%s" % os.path.join(chart, "values-prod.yaml") in flags
    assert not any("post-renderer" in flag for flag in flags)


def test_helm_runs_with_plugins_and_repository_config_in_an_empty_temporary_home(chart_root, tmp_path, monkeypatch):
    plugins = tmp_path / "operator-plugins"
    plugins.mkdir()
    monkeypatch.setenv("HELM_PLUGINS", str(plugins))
    monkeypatch.setenv("HELM_REPOSITORY_CONFIG", str(tmp_path / "repositories.yaml"))
    monkeypatch.setenv("HELM_KUBECONTEXT", "production")
    log = tmp_path / "argv.log"
    render(chart_root, "charts/demo", RenderOptions(helm_binary=fake_helm(tmp_path, log)))
    env = json.loads((tmp_path / "argv.log.env").read_text())
    home = os.path.dirname(env["HELM_CACHE_HOME"])
    assert "gitops-k8s-helm-" in home
    for name in ("HELM_PLUGINS", "HELM_REPOSITORY_CONFIG", "HELM_REPOSITORY_CACHE", "HELM_REGISTRY_CONFIG", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        assert env[name].startswith(home + os.sep), name
    assert "HELM_KUBECONTEXT" not in env
    assert env["KUBECONFIG"].startswith(home + os.sep)
    assert not os.path.exists(home)  # removed after the run


def test_a_chart_name_that_is_no_release_name_needs_one(chart_root, helm_bin):
    chart_file = os.path.join(chart_root, "charts", "demo", "Chart.yaml")
    with open(chart_file, encoding="utf-8") as handle:
        text = handle.read()
    with open(chart_file, "w", encoding="utf-8") as handle:
        handle.write(text.replace("name: demo", "name: Demo_Chart"))
    with pytest.raises(RenderError) as err:
        render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin))
    assert err.value.subject == "name in charts/demo/Chart.yaml"
    assert render(chart_root, "charts/demo", RenderOptions(helm_binary=helm_bin, release_name="demo")).manifests


def test_chart_at_the_root_of_a_checkout_cannot_read_its_git_metadata(tmp_path, helm_bin, clean_home):
    """A local checkout's .git/config may hold the pull URL's token: .Files.Get must not see it."""
    root = tmp_path / "checkout"
    (root / "templates").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text('[remote "origin"]\n\turl = https://x-access-token:s3cr3t-t0ken@git.example/o/r\n')
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: leak\nversion: 0.1.0\n")
    (root / "conf").mkdir()
    (root / "conf" / "app.conf").write_text("level=info\n")
    (root / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n"
        '  config: {{ .Files.Get ".git/config" | quote }}\n'
        '  gitFiles: {{ len (.Files.Glob ".git/**") | quote }}\n'
        '  chartFiles: {{ len (.Files.Glob "conf/*") | quote }}\n'
    )
    result = render(str(root), ".", RenderOptions(renderer="helm", helm_binary=helm_bin))
    data = result.manifests[0].obj["data"]
    assert data["config"] == ""
    assert (data["gitFiles"], data["chartFiles"]) == ("0", "1")
    assert (root / ".git" / "config").exists()  # the checkout itself is untouched
