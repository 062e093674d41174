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
    tool = fake_tool(tmp_path, "kustomize", 'for a in "$@"; do echo "$a" >> %s; done\n'
                     'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n"\n' % log)
    result = render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, kustomize_args=["--load-restrictor", "LoadRestrictionsNone"]))
    assert [m.obj["metadata"]["name"] for m in result.manifests] == ["x"]
    argv = log.read_text().splitlines()
    assert argv == ["build", os.path.join(os.path.realpath(kustomize_root), "base"), "--load-restrictor", "LoadRestrictionsNone"]


def test_enable_helm_passes_helm_command(kustomize_root, tmp_path):
    log = tmp_path / "argv.log"
    helm = fake_tool(tmp_path, "helm", "exit 0\n")
    tool = fake_tool(tmp_path, "kustomize", 'echo "$@" > %s\necho "HOME=$HELM_CACHE_HOME" >> %s\n' % (log, log))
    render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, kustomize_enable_helm=True, helm_binary=helm))
    lines = log.read_text().splitlines()
    assert lines[0].endswith("--enable-helm --helm-command %s" % helm)
    assert "gitops-k8s-kustomize-" in lines[1]


def test_timeout(kustomize_root, tmp_path):
    # The child keeps the output pipes open: the whole process group must be killed.
    tool = fake_tool(tmp_path, "kustomize", "sleep 30 &\nsleep 30\n")
    start = time.monotonic()
    with pytest.raises(RenderError) as err:
        render(kustomize_root, "base", RenderOptions(kustomize_binary=tool, timeout=1))
    assert time.monotonic() - start < 10
    assert "kustomize did not finish within 1 seconds" in str(err.value)
