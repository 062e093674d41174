# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operator's build environment (the ``build_env`` option, a fleet inventory's
variables): checked names and values, Argo CD's own variables kept, and substituted into
Helm parameter values and Kustomize fields as Argo CD substitutes its build environment."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.build_env import build_env, operator_env, substitute_parameters
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import render_options
from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError


def test_operator_variables_become_text():
    assert operator_env({"REGION": "eu-west", "REPLICAS": 3, "canary": True, "RATIO": 0.5}) == {
        "REGION": "eu-west",
        "REPLICAS": "3",
        "canary": "true",
        "RATIO": "0.5",
    }
    assert operator_env(None) == {}


@pytest.mark.parametrize(
    "mapping, words",
    [
        ({"1ST": "x"}, "'1ST' is not a variable name"),
        ({"A-B": "x"}, "'A-B' is not a variable name"),
        ({"ARGOCD_APP_NAME": "x"}, "ARGOCD_APP_NAME is reserved"),
        ({"KUBE_VERSION": "x"}, "KUBE_VERSION is reserved"),
        ({"TAGS": ["a"]}, "TAGS must be a string, a number or a boolean, not list"),
        ({"NOTHING": None}, "NOTHING must be a string, a number or a boolean, not NoneType"),
    ],
)
def test_bad_operator_variables_fail_naming_the_variable(mapping, words):
    with pytest.raises(GitOpsError) as err:
        operator_env(mapping)
    assert words in str(err.value) and str(err.value).startswith("build_env: ")


def test_argo_cd_variables_win_over_the_operators():
    env = build_env(name="web", extra={"REGION": "eu"})
    assert env["REGION"] == "eu" and env["ARGOCD_APP_NAME"] == "web"


def test_parameter_values_are_substituted_and_nothing_else():
    env = {"REGION": "eu", "ARGOCD_APP_NAME": "web"}
    params = [
        {"name": "region", "value": "$REGION"},
        {"name": "host", "value": "${ARGOCD_APP_NAME}.${REGION}.example.com", "forceString": True},
        {"name": "price", "value": "$$5 $UNSET"},
        {"name": "$REGION", "value": 3},
        "not a mapping",
    ]
    assert substitute_parameters(params, env) == (
        {"name": "region", "value": "eu"},
        {"name": "host", "value": "web.eu.example.com", "forceString": True},
        {"name": "price", "value": "$5 "},
        {"name": "$REGION", "value": 3},
        "not a mapping",
    )


def test_render_options_carry_the_operator_variables_to_every_renderer():
    spec = AppSpec(name="web", namespace="gitops", path="web", helm={"parameters": [{"name": "replicaCount", "value": "$REPLICAS"}]})
    options = render_options(spec, {"build_env": {"REPLICAS": "2"}})
    assert options.parameters == ({"name": "replicaCount", "value": "2"},)
    assert options.build_env["REPLICAS"] == "2" and options.build_env["ARGOCD_APP_NAME"] == "web"
    assert render_options(spec, {}).parameters == ({"name": "replicaCount", "value": ""},)  # unknown: empty, as in Argo CD
