# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_loading: the CRD and check-mode decisions taken before an Application is reconciled."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_loading
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, GitOpsError

DEFINITION = {"spec": {"source": {"path": "apps"}}}


@pytest.mark.parametrize(
    "install_crd, check_mode, step",
    [
        (True, False, app_loading.INSTALL_CRD),
        (True, True, app_loading.PROBE_CRD),  # check mode writes nothing, not even the CRD
        (False, False, app_loading.KEEP_CRD),
        (False, True, app_loading.KEEP_CRD),
    ],
)
def test_crd_step(install_crd, check_mode, step):
    assert app_loading.crd_step(install_crd, check_mode) == step


@pytest.mark.parametrize(
    "check_mode, definition, answer",
    [
        (True, DEFINITION, True),  # what would be declared is the answer
        (True, None, "CRD is not installed"),  # an Application by name cannot be read
        (False, DEFINITION, "CRD is not installed"),
        (False, None, "CRD is not installed"),
    ],
)
def test_definition_without_crd(check_mode, definition, answer):
    if answer is True:
        assert app_loading.definition_without_crd(check_mode, definition) is True
    else:
        with pytest.raises(ClusterError, match=answer) as caught:
            app_loading.definition_without_crd(check_mode, definition)
        assert "gitops.k8s.bootstrap" in str(caught.value) and caught.value.step == "cluster"


@pytest.mark.parametrize("check_mode, created, ends", [(True, True, True), (True, False, False), (False, True, False), (False, False, False)])
def test_ends_at_new_namespace(check_mode, created, ends):
    assert app_loading.ends_at_new_namespace(check_mode, created) is ends


@pytest.mark.parametrize(
    "definition, name, namespace, expected",
    [
        ({}, "root", None, ("root", "gitops-system")),
        ({}, "root", "ops", ("root", "ops")),
        ({"metadata": {"name": "given", "namespace": "team"}}, "root", "ops", ("given", "team")),  # the definition wins
    ],
)
def test_normalized_definition_fills_in_kind_and_names(definition, name, namespace, expected):
    obj = app_loading.normalized_definition(definition, name, namespace)
    assert (obj["apiVersion"], obj["kind"]) == (APP_API_VERSION, APP_KIND)
    assert (obj["metadata"]["name"], obj["metadata"]["namespace"]) == expected
    assert definition.get("apiVersion") is None  # the caller's dict is not changed


@pytest.mark.parametrize("definition", [{"kind": "ConfigMap"}, {"apiVersion": "argoproj.io/v1alpha1", "kind": APP_KIND}])
def test_normalized_definition_refuses_other_kinds(definition):
    with pytest.raises(GitOpsError, match="definition must be a %s %s" % (APP_API_VERSION, APP_KIND)):
        app_loading.normalized_definition(definition, "x")
