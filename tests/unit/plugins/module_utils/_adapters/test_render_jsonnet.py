# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import render_jsonnet
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.build_env import build_env
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe

pytest.importorskip("_gojsonnet")

JSONNET = {
    "extVars": [{"name": "env", "value": "prod"}, {"name": "app", "value": "$ARGOCD_APP_NAME"}],
    "tlas": [{"name": "replicas", "value": "1 + 2", "code": True}, {"name": "tag", "value": "0.3"}],
    "libs": ["vendor"],
}


@pytest.fixture
def checkout(tmp_path, fixtures_dir):
    root = tmp_path / "checkout"
    shutil.copytree(os.path.join(fixtures_dir, "jsonnet-app"), str(root))
    return str(root)


def options(jsonnet=None, **kwargs):
    return RenderOptions(jsonnet=JSONNET if jsonnet is None else jsonnet, build_env=build_env(name="guestbook"), **kwargs)


def test_jsonnet_directory_with_ext_vars_tlas_and_libs(checkout):
    result = render(checkout, "apps/guestbook", options())
    assert [describe(m.obj) for m in result.manifests] == ["ConfigMap/guestbook-settings", "Deployment/guestbook-ui", "Service/guestbook-ui"]
    deploy = result.manifests[1].obj
    assert deploy["spec"]["replicas"] == 3  # a TLA given as code
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "gcr.io/heptio-images/ks-guestbook-demo:0.3"
    assert deploy["metadata"]["annotations"] == {"example.test/env": "prod", "example.test/app": "guestbook"}
    assert result.manifests[1].origin == "apps/guestbook/guestbook.jsonnet[0]"
    assert result.warnings == []


def test_include_exclude_apply_to_jsonnet_files(checkout):
    result = render(checkout, "apps/guestbook", options(exclude=("*.jsonnet",)))
    assert [describe(m.obj) for m in result.manifests] == ["ConfigMap/guestbook-settings"]


def test_missing_tla_names_the_file(checkout):
    with pytest.raises(RenderError) as err:
        render(checkout, "apps/guestbook", options(jsonnet={"libs": ["vendor"]}))
    assert "Missing argument: replicas" in str(err.value)
    assert err.value.subject == "apps/guestbook/guestbook.jsonnet"


def test_hostile_import_outside_the_checkout_is_refused(checkout):
    with pytest.raises(RenderError) as err:
        render(checkout, "hostile", options(jsonnet={}, include=("steal.jsonnet",)))
    assert "resolves outside the repository" in str(err.value)
    assert "root:" not in str(err.value)  # nothing of /etc/passwd


def test_symlink_to_a_file_outside_is_refused_at_import(checkout, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    os.symlink(str(secret), os.path.join(checkout, "vendor", "secret.txt"))
    request = render_jsonnet.request(os.path.realpath(checkout), os.path.join(checkout, "apps"), [], {"libs": ["vendor"]}, {}, "repo")
    assert request["search"][-1] == os.path.realpath(os.path.join(checkout, "vendor"))
    program = os.path.join(checkout, "apps", "read.jsonnet")
    with open(program, "w") as handle:
        handle.write("{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {s: importstr 'secret.txt'}}")
    with pytest.raises(RenderError, match="resolves outside the repository"):
        render_jsonnet.evaluate(
            os.path.realpath(checkout), os.path.join(checkout, "apps"), [("apps/read.jsonnet", program)], options(jsonnet={"libs": ["vendor"]}), "repo"
        )


def test_lib_outside_the_checkout_is_refused(checkout):
    with pytest.raises(RenderError, match="leaves the root"):
        render(checkout, "apps/guestbook", options(jsonnet={"libs": ["../.."]}))


def test_endless_program_is_stopped_at_the_timeout(checkout):
    started = time.monotonic()
    with pytest.raises(RenderError, match="did not finish within 2 seconds"):
        render(checkout, "hostile", options(jsonnet={}, include=("loop.jsonnet",), timeout=2))
    assert time.monotonic() - started < 10


def test_missing_gojsonnet_is_a_clear_error(checkout, monkeypatch):
    without = shutil.which("python3")  # the system Python, without the gojsonnet package
    monkeypatch.setattr(render_jsonnet.sys, "executable", without)
    if not without or os.system("%s -c 'import _gojsonnet' 2>/dev/null" % without) == 0:
        pytest.skip("no Python without gojsonnet here")
    with pytest.raises(RenderError, match="Jsonnet needs the gojsonnet Python package"):
        render(checkout, "apps/guestbook", options())


def test_absolute_import_is_refused(checkout):
    program = os.path.join(checkout, "apps", "guestbook", "abs.jsonnet")
    with open(program, "w") as handle:
        handle.write("{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {s: importstr '/etc/hostname'}}")
    with pytest.raises(RenderError, match="absolute paths are not allowed"):
        render(checkout, "apps/guestbook", options(include=("abs.jsonnet",)))


def test_refusal_is_reported_even_when_gojsonnet_garbles_the_callback_error(checkout, tmp_path):
    # CI once saw go-jsonnet hand back a callback's error text with stray bytes after it
    # (UnicodeDecodeError); the child reports the reason it recorded itself.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "_gojsonnet.py").write_text(
        "def evaluate_snippet(path, source, import_callback=None, **kwargs):\n"
        "    try:\n"
        "        import_callback('/base', '../../etc/passwd')\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "    raise UnicodeDecodeError('utf-8', b'\\xa6', 0, 1, 'invalid start byte')\n"
    )
    program = os.path.join(checkout, "hostile", "steal.jsonnet")
    data = render_jsonnet.request(os.path.realpath(checkout), os.path.join(checkout, "hostile"), [("hostile/steal.jsonnet", program)], {}, {}, "repo")
    data["search"] = ["/base"]
    child = subprocess.run(
        [sys.executable, "-c", render_jsonnet._WORKER],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(fake)),
        check=False,
    )
    assert child.returncode == 1
    assert child.stderr == 'hostile/steal.jsonnet: import "../../etc/passwd" resolves outside the repository'
