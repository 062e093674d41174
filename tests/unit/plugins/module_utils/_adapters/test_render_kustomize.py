# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import shutil
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_kustomize import kustomize_command
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe


@pytest.fixture
def kustomize_root(tmp_path, fixtures_dir):
    root = tmp_path / "checkout"
    shutil.copytree(os.path.join(fixtures_dir, "kustomize"), str(root))
    return str(root)


def fake_tool(tmp_path, name, script):
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_overlay_builds_and_stderr_warning_does_not_fail(kustomize_root, kubectl_bin):
    result = render(kustomize_root, "overlays/dev", RenderOptions(kustomize_binary=kubectl_bin))
    assert result.renderer == "kustomize"
    assert sorted(describe(m.obj) for m in result.manifests) == ["Deployment/dev/dev-web", "Service/dev/dev-web"]
    deploy = [m.obj for m in result.manifests if m.obj["kind"] == "Deployment"][0]
    assert deploy["spec"]["replicas"] == 3
    assert deploy["metadata"]["labels"] == {"env": "dev"}
    assert all(m.origin == "kustomize:overlays/dev" for m in result.manifests)
    # kustomize v5 warns about commonLabels on stderr: reported, not fatal.
    assert len(result.warnings) == 1
    assert "commonLabels" in result.warnings[0]


def test_base_without_warnings(kustomize_root, kubectl_bin):
    result = render(kustomize_root, "base", RenderOptions(kustomize_binary=kubectl_bin))
    assert sorted(describe(m.obj) for m in result.manifests) == ["Deployment/web", "Service/web"]
    assert result.warnings == []


def test_failure_carries_kustomize_stderr(kustomize_root, kubectl_bin):
    with pytest.raises(RenderError) as err:
        render(kustomize_root, "broken", RenderOptions(kustomize_binary=kubectl_bin), source="repo@abc")
    message = str(err.value)
    assert message.startswith("broken: kustomize build failed in repo@abc (exit 1): ")
    assert "does-not-exist.yaml" in message
    assert err.value.subject == "broken"


def test_explicit_renderer_on_a_directory_without_kustomization_fails(tmp_path, kubectl_bin):
    (tmp_path / "plain").mkdir()
    with pytest.raises(RenderError) as err:
        render(str(tmp_path), "plain", RenderOptions(renderer="kustomize", kustomize_binary=kubectl_bin))
    assert "kustomize build failed" in str(err.value)


def test_kustomize_binary_is_told_from_kubectl(tmp_path):
    kubectl = fake_tool(tmp_path, "kubectl", "exit 0\n")
    kustomize = fake_tool(tmp_path, "kustomize", "exit 0\n")
    assert kustomize_command(kubectl) == [kubectl, "kustomize"]
    assert kustomize_command(kustomize) == [kustomize, "build"]


def test_default_prefers_kustomize_then_kubectl(tmp_path, monkeypatch):
    kubectl = fake_tool(tmp_path, "kubectl", "exit 0\n")
    monkeypatch.setenv("PATH", os.path.dirname(kubectl))
    assert kustomize_command(None) == [kubectl, "kustomize"]
    kustomize = fake_tool(tmp_path, "kustomize", "exit 0\n")
    assert kustomize_command(None) == [kustomize, "build"]


def test_missing_binary_says_how_to_configure_it(kustomize_root):
    with pytest.raises(RenderError) as err:
        render(kustomize_root, "base", RenderOptions(kustomize_binary="/nonexistent/kustomize"))
    assert "kustomize binary /nonexistent/kustomize not found" in str(err.value)
    assert "kustomize binary option" in str(err.value)


def test_extra_args_and_argv_without_shell(kustomize_root, tmp_path):
    log = tmp_path / "argv.log"
    tool = fake_tool(
        tmp_path, "kustomize", 'for a in "$@"; do echo "$a" >> %s; done\nprintf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n"\n' % log
    )
    result = render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, kustomize_args=["--enable-managedby-label", "--reorder=none"]))
    assert [m.obj["metadata"]["name"] for m in result.manifests] == ["x"]
    argv = log.read_text().splitlines()
    assert argv == [
        "build",
        "--load-restrictor=LoadRestrictionsRootOnly",
        "--enable-managedby-label",
        "--reorder=none",
        "--",
        os.path.join(os.path.realpath(kustomize_root), "base"),
    ]


def test_enable_helm_passes_helm_command(kustomize_root, tmp_path):
    log = tmp_path / "argv.log"
    helm = fake_tool(tmp_path, "helm", "exit 0\n")
    tool = fake_tool(tmp_path, "kustomize", 'echo "$@" > %s\necho "HOME=$HELM_CACHE_HOME" >> %s\n' % (log, log))
    render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, kustomize_enable_helm=True, helm_binary=helm))
    lines = log.read_text().splitlines()
    assert lines[0].endswith("--enable-helm --helm-command=%s -- %s" % (helm, os.path.join(os.path.realpath(kustomize_root), "base")))
    assert "gitops-k8s-kustomize-" in lines[1]


def test_timeout(kustomize_root, tmp_path):
    # The child keeps the output pipes open: the whole process group must be killed.
    tool = fake_tool(tmp_path, "kustomize", "sleep 30 &\nsleep 30\n")
    start = time.monotonic()
    with pytest.raises(RenderError) as err:
        render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, timeout=1))
    assert time.monotonic() - start < 10
    assert "kustomize did not finish within 1 seconds" in str(err.value)


# A hostile repository: paths in a kustomization that leave the checkout.

STOLEN = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  token: agent-only-secret-42\n"


@pytest.fixture
def hostile(tmp_path):
    """A checkout with an overlay, beside a directory holding a kustomization the
    agent can read (another tenant's checkout, a cache) but this repository must not."""
    root = tmp_path / "checkout"
    outside = tmp_path / "outside"
    (outside / "base").mkdir(parents=True)
    (outside / "base" / "kustomization.yaml").write_text("resources:\n  - stolen.yaml\n")
    (outside / "base" / "stolen.yaml").write_text(STOLEN)
    (outside / "patch.yaml").write_text(STOLEN)
    (root / "base").mkdir(parents=True)
    (root / "base" / "kustomization.yaml").write_text("resources:\n  - cm.yaml\n")
    (root / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n")
    (root / "overlays" / "prod").mkdir(parents=True)

    def overlay(text, name="kustomization.yaml"):
        (root / "overlays" / "prod" / name).write_text(text)
        return str(root)

    return root, outside, overlay


def test_a_base_outside_the_repository_is_refused(hostile, kubectl_bin):
    _root, _outside, overlay = hostile
    root = overlay("resources:\n  - ../../base\n  - ../../../outside/base\n")
    with pytest.raises(RenderError) as err:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin), source="repo@abc (overlays/prod)")
    assert err.value.subject == "overlays/prod/kustomization.yaml"
    assert str(err.value) == (
        'overlays/prod/kustomization.yaml: resources[1] "../../../outside/base" resolves outside the repository (repo@abc (overlays/prod))'
    )


def test_a_base_of_a_base_outside_the_repository_is_refused(hostile, kubectl_bin):
    root, _outside, overlay = hostile
    (root / "base" / "Kustomization").unlink(missing_ok=True)
    (root / "base" / "kustomization.yaml").unlink()
    (root / "base" / "kustomization.yml").write_text("components:\n  - ../../outside/base\n")
    with pytest.raises(RenderError) as err:
        render(overlay("resources:\n  - ../../base\n"), "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin))
    assert err.value.subject == "base/kustomization.yml"
    assert "components[0]" in str(err.value)


@pytest.mark.parametrize(
    "field, text",
    [
        ("bases[0]", "bases:\n  - ../../../outside/base\n"),
        ("components[0]", "components:\n  - ../../../outside/base\n"),
        ("resources[0]", "resources:\n  - ../../../outside/base/stolen.yaml\n"),
        ("patches[0].path", "patches:\n  - path: ../../../outside/patch.yaml\n"),
        ("patchesStrategicMerge[0]", "patchesStrategicMerge:\n  - ../../../outside/patch.yaml\n"),
        ("patchesJson6902[0].path", "patchesJson6902:\n  - path: ../../../outside/patch.yaml\n    target:\n      kind: X\n"),
        ("configMapGenerator[0].files[0]", "configMapGenerator:\n  - name: c\n    files:\n      - key=../../../outside/patch.yaml\n"),
        ("secretGenerator[0].envs[0]", "secretGenerator:\n  - name: c\n    envs:\n      - ../../../outside/patch.yaml\n"),
        ("configMapGenerator[0].env", "configMapGenerator:\n  - name: c\n    env: ../../../outside/patch.yaml\n"),
        ("crds[0]", "crds:\n  - ../../../outside/patch.yaml\n"),
        ("configurations[0]", "configurations:\n  - ../../../outside/patch.yaml\n"),
        ("replacements[0].path", "replacements:\n  - path: ../../../outside/patch.yaml\n"),
        ("openapi.path", "openapi:\n  path: ../../../outside/patch.yaml\n"),
        ("transformers[0]", "transformers:\n  - ../../../outside/patch.yaml\n"),
        ("generators[0]", "generators:\n  - ../../../outside/base\n"),
        ("validators[0]", "validators:\n  - ../../../outside/patch.yaml\n"),
        ("resources[0]", "resources:\n  - /etc/hostname\n"),
        ("resources[0]", "resources:\n  - file:///{outside}/base\n"),
        ("resources[0]", "resources:\n  - FILE://{outside}/base\n"),
        ("resources[0]", "resources:\n  - git::file://{outside}/base\n"),
        ("resources[0]", "resources:\n  - file:{outside}/base\n"),
    ],
)
def test_every_path_field_is_confined_to_the_repository(hostile, kubectl_bin, field, text):
    _root, outside, overlay = hostile
    root = overlay("resources:\n  - ../../base\n" if not text.startswith("resources") else "")
    with open(os.path.join(root, "overlays", "prod", "kustomization.yaml"), "a", encoding="utf-8") as handle:
        handle.write(text.format(outside=outside))
    with pytest.raises(RenderError) as err:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin))
    assert err.value.subject == "overlays/prod/kustomization.yaml"
    assert str(err.value).startswith("overlays/prod/kustomization.yaml: %s " % field)
    assert str(outside) not in str(err.value) or "file" in text.lower()


def test_a_generator_reading_git_metadata_is_refused(hostile, kubectl_bin):
    root, _outside, overlay = hostile
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text('[remote "origin"]\n  url = https://x:token@git.example.test/r\n')
    (root / "kustomization.yaml").write_text("configMapGenerator:\n  - name: c\n    files: [.git/config]\n")
    with pytest.raises(RenderError) as err:
        render(str(root), ".", RenderOptions(kustomize_binary=kubectl_bin))
    assert str(err.value).startswith('kustomization.yaml: configMapGenerator[0].files[0] ".git/config" resolves outside')


@pytest.mark.parametrize(
    "field, text",
    [
        ("helmGlobals.chartHome", "helmGlobals:\n  chartHome: ../../../outside\nhelmCharts:\n  - name: base\n"),
        ("helmGlobals.chartHome", "helmGlobals:\n  chartHome: /srv/charts\nhelmCharts:\n  - name: base\n"),
        ("helmGlobals.configHome", "helmGlobals:\n  configHome: ../../conf\nhelmCharts:\n  - name: base\n"),
        ("helmCharts[0].valuesFile", "helmCharts:\n  - name: base\n    valuesFile: ../../../outside/patch.yaml\n"),
        ("helmCharts[0].additionalValuesFiles[0]", "helmCharts:\n  - name: base\n    additionalValuesFiles: [/etc/hostname]\n"),
        ("helmCharts[0].releaseName", "helmCharts:\n  - name: base\n    releaseName: --post-renderer=/bin/sh\n"),
        ("helmCharts[0].namespace", "helmCharts:\n  - name: base\n    namespace: --post-renderer=/bin/sh\n"),
        ("helmCharts[0].kubeVersion", "helmCharts:\n  - name: base\n    kubeVersion: --post-renderer=/bin/sh\n"),
        ("helmCharts[0].apiVersions[0]", "helmCharts:\n  - name: base\n    apiVersions: [--post-renderer=/bin/sh]\n"),
        ("helmCharts[0].name", "helmCharts:\n  - name: ../../../outside/base\n"),
        ("helmCharts[0].name", "helmCharts:\n  - name: --post-renderer=/bin/sh\n"),
        ("helmCharts[0].nameTemplate", "helmCharts:\n  - name: base\n    nameTemplate: '{{{{ env \"HOME\" }}}}'\n"),
        ("helmChartInflationGenerator[0].chartHome", "helmChartInflationGenerator:\n  - chartName: base\n    chartHome: ../../../outside\n"),
        ("helmChartInflationGenerator[0].releaseName", "helmChartInflationGenerator:\n  - chartName: base\n    releaseName: --post-renderer=/x\n"),
    ],
)
def test_helm_charts_of_a_kustomization_are_confined(hostile, tmp_path, field, text):
    _root, _outside, overlay = hostile
    root = overlay(text)
    marker = tmp_path / "ran"
    tool = fake_tool(tmp_path, "kustomize", "touch %s\n" % marker)
    helm = fake_tool(tmp_path, "helm", "touch %s\n" % marker)
    with pytest.raises(RenderError) as err:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=tool, kustomize_enable_helm=True, helm_binary=helm))
    assert err.value.subject == "overlays/prod/kustomization.yaml"
    assert str(err.value).startswith("overlays/prod/kustomization.yaml: %s " % field)
    assert not marker.exists()


def test_helm_charts_need_the_operator_to_enable_helm(hostile, tmp_path):
    _root, _outside, overlay = hostile
    root = overlay("helmCharts:\n  - name: base\n")
    with pytest.raises(RenderError) as err:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=fake_tool(tmp_path, "kustomize", "exit 0\n")))
    assert str(err.value).startswith("overlays/prod/kustomization.yaml: helmCharts needs ")


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0",
        "http://git.example.test/team/repo.git//base",
        "ssh://git@git.example.test/team/repo.git//base?ref=main",
        "git@github.com:team/repo.git//base",
        "github.com/kubernetes-sigs/kustomize/examples/helloWorld?ref=v5.0.0",
        "https://raw.githubusercontent.com/team/repo/main/deploy.yaml",
    ],
)
def test_remote_bases_are_left_to_kustomize(hostile, tmp_path, remote):
    _root, _outside, overlay = hostile
    root = overlay("resources:\n  - ../../base\n  - %s\n" % remote)
    tool = fake_tool(tmp_path, "kustomize", 'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n"\n')
    assert [m.obj["metadata"]["name"] for m in render(root, "overlays/prod", RenderOptions(kustomize_binary=tool)).manifests] == ["x"]


def test_inside_paths_cycles_and_inline_entries_are_fine(hostile, kubectl_bin):
    root, _outside, overlay = hostile
    (root / "components" / "labels").mkdir(parents=True)
    (root / "components" / "labels" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs: {team: web}\n"
    )
    (root / "overlays" / "prod" / "extra.env").write_text("MODE=prod\n")
    overlay(
        "resources:\n  - ../../base\ncomponents:\n  - ../../components/labels\n"
        "configMapGenerator:\n  - name: settings\n    envs: [extra.env]\n    literals: [a=b]\n"
        "patches:\n  - patch: |-\n      - op: add\n        path: /data\n        value: {x: blue}\n    target: {kind: ConfigMap, name: web}\n"
    )
    result = render(str(root), "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin))
    web = [m.obj for m in result.manifests if describe(m.obj) == "ConfigMap/web"][0]
    assert web["data"] == {"x": "blue"} and web["metadata"]["labels"] == {"team": "web"}


def test_a_cycle_of_bases_ends(hostile, tmp_path):
    root, _outside, overlay = hostile
    (root / "base" / "kustomization.yaml").write_text("resources:\n  - ../overlays/prod\n")
    overlay("resources:\n  - ../../base\n")
    tool = fake_tool(tmp_path, "kustomize", "echo cycle >&2\nexit 1\n")
    with pytest.raises(RenderError) as err:
        render(str(root), "overlays/prod", RenderOptions(kustomize_binary=tool))
    assert "cycle" in str(err.value)


def test_argv_restricts_loading_and_puts_the_directory_after_double_dash(kustomize_root, tmp_path):
    log = tmp_path / "argv.log"
    for name in ("kustomize", "kubectl"):
        tool = fake_tool(tmp_path, name, 'for a in "$@"; do echo "$a" >> %s; done\nenv >> %s.env\n' % (log, log))
        render(kustomize_root, "base", RenderOptions(kustomize_binary=tool))
        argv = log.read_text().splitlines()
        log.unlink()
        assert argv == [
            {"kustomize": "build", "kubectl": "kustomize"}[name],
            "--load-restrictor=LoadRestrictionsRootOnly",
            "--",
            os.path.join(os.path.realpath(kustomize_root), "base"),
        ]
    env = dict(line.split("=", 1) for line in (tmp_path / "argv.log.env").read_text().splitlines() if "=" in line)
    plugin_home = env["KUSTOMIZE_PLUGIN_HOME"]
    assert "gitops-k8s-kustomize-" in plugin_home and env["XDG_CONFIG_HOME"].startswith(os.path.dirname(plugin_home))
    assert not os.path.exists(plugin_home)


@pytest.mark.parametrize(
    "arg",
    [
        "--enable-alpha-plugins",
        "--enable-exec",
        "--load-restrictor=LoadRestrictionsNone",
        "--load-restrictor",
        "--mount=type=bind,src=/,dst=/host",
        "--network",
        "-e",
        "--env=X=1",
    ],
)
def test_extra_args_cannot_reopen_plugins_exec_or_loading(kustomize_root, tmp_path, arg):
    marker = tmp_path / "ran"
    tool = fake_tool(tmp_path, "kustomize", "touch %s\n" % marker)
    with pytest.raises(RenderError) as err:
        render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, kustomize_args=[arg]))
    assert err.value.subject == "kustomize_args"
    assert not marker.exists()


def test_helm_charts_inside_the_repository_inflate_with_real_tools(hostile, fixtures_dir, kubectl_bin, helm_bin):
    root, _outside, overlay = hostile
    shutil.copytree(os.path.join(fixtures_dir, "chart", "demo"), str(root / "overlays" / "prod" / "charts" / "demo"))
    overlay(
        "helmCharts:\n  - name: demo\n    releaseName: web\n    namespace: shop\n    kubeVersion: '1.30.0'\n"
        "    apiVersions: [monitoring.coreos.com/v1]\n    valuesInline: {greeting: from-kustomize}\n"
    )
    options = RenderOptions(kustomize_binary=kubectl_bin, kustomize_enable_helm=True, helm_binary=helm_bin)
    result = render(str(root), "overlays/prod", options)
    config = [m.obj for m in result.manifests if m.obj["kind"] == "ConfigMap"][0]
    assert config["metadata"]["name"] == "web-config" and config["data"] == {"greeting": "from-kustomize"}
