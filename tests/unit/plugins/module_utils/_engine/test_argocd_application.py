# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD Application manifests in a render become our own Applications."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import argocd_application as argocd
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_CONVERTED_FROM, ANN_TRACKING_ID, APP_FINALIZER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest

from .fake_cluster import World

GUESTBOOK = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {
        "name": "guestbook",
        "namespace": "argocd",
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        "labels": {"team": "web"},
        "annotations": {"argocd.argoproj.io/sync-wave": "1"},
    },
    "spec": {
        "project": "default",
        "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git", "targetRevision": "HEAD", "path": "guestbook"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
        "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
    },
}


def world_with_root(path="apps", **automated):
    world = World()
    ns_type = world.cluster.resolve("v1", "Namespace")
    world.cluster.apply(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gitops-system"}})
    root = world.declare(
        {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "root", "namespace": "gitops-system"},
            "spec": {"source": {"path": path}, "destination": {"namespace": "gitops-system"}, "syncPolicy": {"automated": automated}},
        }
    )
    return world, root


def convert(*objs, parent_namespace="gitops-system"):
    manifests = [Manifest(copy.deepcopy(o), "apps/templates/x.yaml:%d" % i) for i, o in enumerate(objs)]
    return argocd.convert(manifests, parent_namespace)


def test_an_argo_cd_application_becomes_ours_in_the_parents_namespace():
    (out,), warnings = convert(GUESTBOOK)
    obj = out.obj
    assert obj["apiVersion"] == "gitops-k8s.dev/v1alpha1" and obj["kind"] == "Application"
    assert obj["metadata"]["namespace"] == "gitops-system" and obj["metadata"]["name"] == "guestbook"
    assert obj["metadata"]["annotations"][ANN_CONVERTED_FROM] == "argoproj.io/v1alpha1"
    assert obj["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"
    assert obj["metadata"]["labels"] == {"team": "web"}
    assert obj["metadata"]["finalizers"] == [APP_FINALIZER]
    assert obj["spec"] == GUESTBOOK["spec"]
    assert out.origin == "apps/templates/x.yaml:0" and warnings == ()


@pytest.mark.parametrize(
    "finalizers, expected",
    [
        (["resources-finalizer.argocd.argoproj.io/background"], [APP_FINALIZER]),
        (["resources-finalizer.argocd.argoproj.io/foreground", "resources-finalizer.argocd.argoproj.io"], [APP_FINALIZER]),
        (["example.com/keep"], ["example.com/keep"]),
        ([], None),
    ],
)
def test_argo_cd_resources_finalizer_maps_to_ours(finalizers, expected):
    obj = copy.deepcopy(GUESTBOOK)
    obj["metadata"]["finalizers"] = finalizers
    (out,), _warnings = convert(obj)
    assert out.obj["metadata"].get("finalizers") == expected


def test_another_argo_cd_finalizer_is_dropped_with_a_warning():
    obj = copy.deepcopy(GUESTBOOK)
    obj["metadata"]["finalizers"] = ["post-delete-finalizer.argocd.argoproj.io"]
    (out,), warnings = convert(obj)
    assert "finalizers" not in out.obj["metadata"]
    assert "post-delete-finalizer.argocd.argoproj.io" in warnings[0] and "Application/argocd/guestbook" in warnings[0]


@pytest.mark.parametrize("namespace, warned", [(None, False), ("argocd", False), ("gitops-system", False), ("team-a", True)])
def test_namespace_mapping(namespace, warned):
    obj = copy.deepcopy(GUESTBOOK)
    obj["metadata"]["namespace"] = namespace
    (out,), warnings = convert(obj)
    assert out.obj["metadata"]["namespace"] == "gitops-system"
    assert bool(warnings) is warned
    if warned:
        assert "team-a" in warnings[0] and "gitops-system" in warnings[0]


def test_operation_and_status_are_not_carried_over():
    obj = dict(copy.deepcopy(GUESTBOOK), operation={"sync": {"revision": "HEAD"}}, status={"sync": {"status": "Synced"}})
    (out,), warnings = convert(obj)
    assert "operation" not in out.obj and "status" not in out.obj
    assert any("operation" in w for w in warnings)


def test_projects_and_application_sets_become_ours():
    project = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "team-a", "namespace": "argocd"}, "spec": {}}
    appset = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "clusters", "namespace": "argocd", "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {"generators": [{"clusters": {}}], "template": {"metadata": {"name": "{{name}}-guestbook"}, "spec": {}}},
    }
    out, warnings = convert(project, GUESTBOOK, appset)
    assert [(m.obj["apiVersion"], m.obj["kind"]) for m in out] == [
        ("gitops-k8s.dev/v1alpha1", "Project"),
        ("gitops-k8s.dev/v1alpha1", "Application"),
        ("gitops-k8s.dev/v1alpha1", "ApplicationSet"),
    ]
    converted = out[2].obj
    assert converted["metadata"]["namespace"] == "gitops-system" and converted["spec"] == appset["spec"]
    assert converted["metadata"]["annotations"][ANN_CONVERTED_FROM] == "argoproj.io/v1alpha1"
    assert "finalizers" not in converted["metadata"]
    # the set's own finalizer is named: nothing here would remove it
    assert len(warnings) == 1 and "ApplicationSet/argocd/clusters" in warnings[0] and "finalizer" in warnings[0]


def test_other_argoproj_kinds_are_left_alone():
    rollout = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"}, "spec": {}}
    out, warnings = convert(rollout)
    assert out[0].obj == rollout and warnings == ()


def test_a_converted_child_is_written_by_its_parent_and_only_by_it():
    world, root = world_with_root(prune=True)
    world.paths["apps"] = [GUESTBOOK]
    outcome = world.run(root)
    assert outcome.error is None, outcome.error
    child = world.app("gitops-system", "guestbook")
    assert child["metadata"]["annotations"][ANN_TRACKING_ID].startswith("gitops-system/root:")
    assert child["metadata"]["annotations"][ANN_CONVERTED_FROM] == "argoproj.io/v1alpha1"
    # another parent rendering the same Argo CD Application is refused (authority)
    other = world.declare(
        {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "other", "namespace": "gitops-system"},
            "spec": {"source": {"path": "apps"}, "destination": {"namespace": "gitops-system"}, "syncPolicy": {"automated": {}}},
        }
    )
    refused = world.run(other)
    assert refused.error is not None and "owned by gitops-system/root" in str(refused.error)


def test_a_project_in_the_render_is_written_as_our_project_beside_the_applications():
    world, root = world_with_root(allowEmpty=True)
    world.paths["apps"] = [{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "team-a", "namespace": "argocd"}}]
    outcome = world.run(root)
    assert outcome.error is None, outcome.error
    written = world.cluster.get(world.cluster.resolve("gitops-k8s.dev/v1alpha1", "Project"), "gitops-system", "team-a")
    assert written["metadata"]["annotations"][ANN_CONVERTED_FROM] == "argoproj.io/v1alpha1"
