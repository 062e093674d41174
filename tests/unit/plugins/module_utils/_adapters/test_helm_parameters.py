# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helm parameters (Argo CD's ``spec.source.helm.parameters``) become values exactly as
``helm template --set`` / ``--set-string`` would make them: each case is run through the
real helm binary with the argv Argo CD builds (commas in a value escaped unless it is a
``{a,b}`` list), and the values helm saw are compared with ours."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.helm_parameters import (
    apply_parameters,
    argo_escape,
)

CHART_YAML = "apiVersion: v2\nname: echo\nversion: 0.1.0\n"
# The values helm computed, as JSON in a ConfigMap: what we compare with.
TEMPLATE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: echo\ndata:\n  values: {{ toJson .Values | quote }}\n"

CASES = [
    [{"name": "image.tag", "value": "1.2.3"}],
    [{"name": "replicas", "value": "3"}],
    [{"name": "replicas", "value": "3", "forceString": True}],
    [{"name": "enabled", "value": "true"}, {"name": "off", "value": "FALSE"}, {"name": "gone", "value": "null"}],
    [{"name": "zero", "value": "0"}, {"name": "octal", "value": "0755"}, {"name": "big", "value": "99999999999999999999"}],
    [{"name": "annotations.kubernetes\\.io/ingress\\.class", "value": "nginx"}],
    [{"name": "hosts[0]", "value": "a.example.com"}, {"name": "hosts[2]", "value": "c.example.com"}],
    [{"name": "servers[0].port", "value": "80"}, {"name": "servers[0].host", "value": "x"}, {"name": "servers[1].port", "value": "81"}],
    [{"name": "matrix[0][1]", "value": "m"}],
    [{"name": "list", "value": "{a,b,3}"}],
    [{"name": "csv", "value": "a,b,c"}],
    [{"name": "escaped", "value": "a\\,b"}, {"name": "path", "value": "C:\\dir\\file"}],
    [{"name": "empty", "value": ""}],
    [{"name": "eq", "value": "a=b=c"}, {"name": "space", "value": " padded "}],
    [{"name": "s", "value": "true", "forceString": True}, {"name": "s2", "value": "{x,y}", "forceString": True}],
    [{"name": "a.b", "value": "1"}, {"name": "a.c", "value": "2"}],
    [{"name": "a", "value": "first"}, {"name": "a", "value": "second"}],
    [{"name": "order", "value": "str", "forceString": True}, {"name": "order", "value": "7"}],
]


@pytest.fixture(scope="module")
def echo_chart(tmp_path_factory):
    chart = tmp_path_factory.mktemp("echo") / "echo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "templates" / "cm.yaml").write_text(TEMPLATE)
    return str(chart)


def helm_values(helm_bin, chart, parameters):
    """The values helm computes for ``parameters`` passed the way Argo CD passes them."""
    argv = [helm_bin, "template", "echo", chart]
    for flag, force in (("--set", False), ("--set-string", True)):
        for param in parameters:
            if bool(param.get("forceString")) == force:
                argv += [flag, "%s=%s" % (param["name"], argo_escape(param["value"]))]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    line = [x for x in out.splitlines() if x.strip().startswith("values:")][0]
    return json.loads(json.loads(line.split(":", 1)[1]))


@pytest.mark.parametrize("parameters", CASES, ids=[",".join(p["name"] for p in case) for case in CASES])
def test_parameters_match_helm_set(parameters, helm_bin, echo_chart):
    ours = apply_parameters({}, parameters)
    assert ours == helm_values(helm_bin, echo_chart, parameters)


def test_parameters_override_earlier_values_and_keep_siblings():
    assert apply_parameters({"image": {"repo": "r", "tag": "old"}}, [{"name": "image.tag", "value": "new"}]) == {"image": {"repo": "r", "tag": "new"}}


@pytest.mark.parametrize("name", ["a,b", "x[-1]", "x[zz]", "x[70000]", "", "a." + ".b" * 0, "y[0]junk"])
def test_bad_parameter_names_are_errors_naming_the_parameter(name):
    with pytest.raises(RenderError) as err:
        apply_parameters({}, [{"name": name, "value": "v"}])
    assert "spec.source.helm.parameters[0]" in str(err.value.subject)


def test_argo_escape_keeps_lists_and_escaped_commas():
    assert argo_escape("a,b") == "a\\,b"
    assert argo_escape("a\\,b") == "a\\,b"
    assert argo_escape("{a,b}") == "{a,b}"


VALUE_FILE = """
hosts: [a.example.com, b.example.com]
image: {repository: nginx, tag: "1.25"}
resources: {limits: {memory: 128Mi}}
"""


def test_parameters_apply_on_top_of_value_files_and_inline_values_like_helm(tmp_path, helm_bin, echo_chart):
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import render
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import render_options
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec

    root = tmp_path / "checkout"
    shutil.copytree(echo_chart, str(root / "echo"))
    (root / "echo" / "values-prod.yaml").write_text(VALUE_FILE)
    (root / "echo" / "motd.txt").write_text("hello, world\n")
    params = [
        {"name": "hosts[1]", "value": "c.example.com"},
        {"name": "image.tag", "value": "1.26"},
        {"name": "ingress.annotations.kubernetes\\.io/tls-acme", "value": "true", "forceString": True},
    ]
    spec = AppSpec(
        name="echo",
        namespace="gitops",
        path="echo",
        helm={
            "valueFiles": ["values-prod.yaml"],
            "valuesObject": {"resources": {"limits": {"cpu": "1"}}},
            "parameters": params,
            "fileParameters": [{"name": "motd", "path": "motd.txt"}],
        },
    )
    options = dataclasses.replace(render_options(spec, {}), helm_binary=helm_bin, release_name="echo")
    ours = json.loads(render(str(root), "echo", options).manifests[0].obj["data"]["values"])
    inline = tmp_path / "inline.json"
    inline.write_text(json.dumps({"resources": {"limits": {"cpu": "1"}}}))
    argv = [
        helm_bin,
        "template",
        "echo",
        str(root / "echo"),
        "--values",
        str(root / "echo" / "values-prod.yaml"),
        "--values",
        str(inline),
        "--set-file",
        "motd=%s" % (root / "echo" / "motd.txt"),
    ]
    for flag, force in (("--set", False), ("--set-string", True)):
        argv += [x for p in params if bool(p.get("forceString")) == force for x in (flag, "%s=%s" % (p["name"], argo_escape(p["value"])))]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    line = [x for x in out.splitlines() if x.strip().startswith("values:")][0]
    assert ours == json.loads(json.loads(line.split(":", 1)[1]))
    assert ours["hosts"] == ["a.example.com", "c.example.com"]


def test_helm_namespace_overrides_the_destination_namespace_for_templating():
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import render_options
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec

    assert render_options(AppSpec(name="a", namespace="g", destination_namespace="web"), {}).namespace == "web"
    spec = AppSpec(name="a", namespace="g", destination_namespace="web", helm={"namespace": "tpl"})
    assert render_options(spec, {}).namespace == "tpl"


def test_skip_schema_validation(tmp_path, helm_bin, echo_chart):
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError as Failed

    root = tmp_path / "checkout"
    shutil.copytree(echo_chart, str(root / "echo"))
    (root / "echo" / "values.schema.json").write_text(json.dumps({"type": "object", "required": ["mustBeSet"]}))
    with pytest.raises(Failed, match="mustBeSet"):
        render(str(root), "echo", RenderOptions(helm_binary=helm_bin))
    assert render(str(root), "echo", RenderOptions(helm_binary=helm_bin, skip_schema_validation=True)).manifests


def test_application_helm_flags_reach_the_render_options():
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import render_options
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec

    options = render_options(
        AppSpec(
            name="a",
            namespace="g",
            chart="webapp",
            helm={"skipSchemaValidation": True, "skipCrds": True, "fileParameters": [{"name": "motd", "path": "motd.txt"}], "ignoreMissingValueFiles": True},
        ),
        {},
    )
    assert (options.skip_schema_validation, options.include_crds, options.file_parameters, options.renderer, options.ignore_missing_value_files) == (
        True,
        False,
        (("motd", "motd.txt"),),
        "helm",
        True,
    )


def test_ignore_missing_value_files(tmp_path, helm_bin, echo_chart):
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError as Failed

    root = tmp_path / "checkout"
    shutil.copytree(echo_chart, str(root / "echo"))
    (root / "echo" / "values-prod.yaml").write_text("tier: prod\n")
    files = ("values-prod.yaml", "values-missing.yaml")
    with pytest.raises(Failed, match="value file not found"):
        render(str(root), "echo", RenderOptions(helm_binary=helm_bin, value_files=files))
    result = render(str(root), "echo", RenderOptions(helm_binary=helm_bin, value_files=files, ignore_missing_value_files=True))
    assert json.loads(result.manifests[0].obj["data"]["values"]) == {"tier": "prod"}
    with pytest.raises(Failed, match="leaves the root"):  # still checked, even when missing
        render(str(root), "echo", RenderOptions(helm_binary=helm_bin, value_files=("../../x.yaml",), ignore_missing_value_files=True))
