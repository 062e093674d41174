# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and namespaces from a repository never name another API path."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, ManifestError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest, validate
from ansible_collections.gitops.k8s.plugins.module_utils._engine.object_names import name_problem, namespace_problem, problems
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

CONFIGMAP = ResourceType("", "v1", "ConfigMap", "configmaps", True)
CLUSTER_ROLE = ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False)


@pytest.mark.parametrize("name", ["web", "web.example.com", "system:controller:job-controller", "a b", "x" * 253, "UPPER"])
def test_names_kubernetes_accepts_somewhere_pass(name):
    assert name_problem(name) == ""


@pytest.mark.parametrize(
    "name, why",
    [
        (".", "may not be '.'"),
        ("..", "may not be '..'"),
        ("../secrets/token", "may not contain '/'"),
        ("a%2Fb", "may not contain '%'"),
        ("x" * 254, "longer than 253"),
        ("line\nbreak", "control characters"),
        ("", "empty"),
        (7, "not a string"),
    ],
)
def test_names_that_would_name_another_path_are_refused(name, why):
    assert why in name_problem(name)


@pytest.mark.parametrize("namespace", ["default", "team-a", "a", "a" * 63])
def test_rfc1123_labels_are_namespaces(namespace):
    assert namespace_problem(namespace) == ""


@pytest.mark.parametrize("namespace", ["kube-system/../x", "..", "Team", "-a", "a-", "a.b", "a" * 64, "", None])
def test_other_namespaces_are_refused(namespace):
    assert "RFC 1123 label" in namespace_problem(namespace)


def test_a_manifest_with_a_path_in_its_name_is_refused_naming_file_and_line():
    bad = Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "../../secrets/admin", "namespace": "web"}}, "web/cm.yaml:3")
    with pytest.raises(ManifestError) as err:
        validate([bad])
    assert str(err.value) == "web/cm.yaml:3: ConfigMap: metadata.name '../../secrets/admin' may not contain '/'"


def test_a_manifest_namespace_is_an_rfc1123_label():
    bad = Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "web/../kube-system"}}, "cm.yaml:1")
    with pytest.raises(ManifestError, match="metadata.namespace 'web/../kube-system' must be a lowercase RFC 1123 label"):
        validate([bad])
    assert problems({"metadata": {"name": "cm", "namespace": "web"}}) == []
    assert problems({"metadata": "not a mapping"}) == []


def _paths():
    return object.__new__(KubeCluster)  # only _path: no connection needed


def test_the_client_never_builds_a_path_from_a_bad_name():
    with pytest.raises(ClusterError, match="ConfigMap name '..' may not be"):
        _paths()._path(CONFIGMAP, "web", "..")
    with pytest.raises(ClusterError, match="ConfigMap namespace 'web/../kube-system'"):
        _paths()._path(CONFIGMAP, "web/../kube-system", "cm")


def test_a_name_is_one_quoted_path_segment():
    assert _paths()._path(CONFIGMAP, "web", "cm", "status") == "/api/v1/namespaces/web/configmaps/cm/status"
    assert _paths()._path(CLUSTER_ROLE, None, "system:aggregate to view") == "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregate%20to%20view"


def test_a_repository_may_not_mark_an_object_as_a_strategy_object():
    # such an object is pruned when "its" strategy ends, even with prune off and outside the deletion budget
    marked = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db", "annotations": {"gitops-k8s.dev/strategy-object": "web"}}}
    with pytest.raises(ManifestError) as err:
        validate([Manifest(marked, "db/cm.yaml:4")])
    assert str(err.value) == (
        "db/cm.yaml:4: ConfigMap: annotation gitops-k8s.dev/strategy-object is the agent's own mark of a canary or preview object; a repository may not set it"
    )
