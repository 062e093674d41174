# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Applications a preview compares and at which revision."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, preview_apps
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import owner_of

REPO = "https://git.example.test/org/gitops.git"


def app(name, source=None, sources=None, status=None, namespace="ops", **meta):
    spec = {"destination": {"namespace": "shop"}}
    if source is not None:
        spec["source"] = source
    if sources is not None:
        spec["sources"] = sources
    out = {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": dict({"name": name, "namespace": namespace}, **meta), "spec": spec}
    if status is not None:
        out["status"] = status
    return out


@pytest.mark.parametrize(
    "one, other, same",
    [
        (REPO, "https://GIT.example.test/org/gitops", True),
        (REPO, "https://git.example.test:443/org/gitops/", True),
        (REPO, "https://git.example.test/org/other.git", False),
        (REPO, "", False),
        ("not a url", "not a url", True),
    ],
)
def test_same_repo(one, other, same):
    assert preview_apps.same_repo(one, other) is same


def test_at_revision_moves_only_the_sources_of_the_repository():
    before = app("web", sources=[{"repoURL": REPO + "/", "targetRevision": "main", "path": "a"}, {"repoURL": "https://other.test/x", "targetRevision": "v1"}])
    after = preview_apps.at_revision(before, REPO, "feature")
    assert [s["targetRevision"] for s in after["spec"]["sources"]] == ["feature", "v1"]
    assert before["spec"]["sources"][0]["targetRevision"] == "main"  # a copy
    inherits = app("web", source={"path": "web"})
    assert preview_apps.at_revision(inherits, REPO, "feature") == inherits  # follows its parent
    assert preview_apps.at_revision(before, REPO, "") == before


def test_root_at_fetches_the_given_repository_at_the_revision():
    root = app("root", source={"path": "apps"})
    assert preview_apps.root_at(root, REPO, "feature")["spec"]["source"] == {"path": "apps", "repoURL": REPO, "targetRevision": "feature"}
    assert preview_apps.root_at(root, None, "feature")["spec"]["source"] == {"path": "apps"}  # the checkout holds the revision
    named = app("root", source={"path": "apps", "repoURL": REPO, "targetRevision": "main"})
    assert preview_apps.root_at(named, None, "abc1234")["spec"]["source"]["targetRevision"] == "abc1234"
    assert preview_apps.root_at(named, None, None) == named


def test_a_child_has_the_rendered_spec_the_live_status_and_its_parent():
    rendered = app("web", source={"path": "web-v2"}, status={"sync": {"status": "Synced"}})
    live = app("web", source={"path": "web"}, status={"inventory": [{"kind": "ConfigMap", "name": "a", "version": "v1"}]}, uid="u-1", finalizers=["f"])
    child = preview_apps.child(rendered, live, "ops/root")
    assert child["spec"]["source"] == {"path": "web-v2"}
    assert child["status"] == live["status"] and child["metadata"]["uid"] == "u-1" and child["metadata"]["finalizers"] == ["f"]
    assert owner_of(child) == "ops/root" and application.parent_of(child) == "ops/root"
    new = preview_apps.child(rendered, None, "ops/root")
    assert "status" not in new and "uid" not in new["metadata"]


def test_declared_keeps_our_applications_in_their_namespace():
    manifests = [
        Manifest(app("web", source={"path": "web"}, namespace=""), "apps/web.yaml:1"),
        Manifest(app("api", source={"path": "api"}, namespace="team"), "apps/api.yaml:1"),
        Manifest({"apiVersion": "other.test/v1", "kind": "Application", "metadata": {"name": "x"}}, "apps/x.yaml:1"),
        Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, "apps/c.yaml:1"),
    ]
    found = preview_apps.declared(manifests, "ops")
    assert [preview_apps.app_key(a) for a in found] == ["ops/web", "team/api"]


def test_removed_and_synced_at_are_copies():
    live = app("gone", source={"path": "gone"}, status={"sync": {"revision": "old"}})
    assert preview_apps.removed(live, "2026-11-26T07:00:00Z")["metadata"]["deletionTimestamp"] == "2026-11-26T07:00:00Z"
    assert preview_apps.synced_at(live, "new")["status"]["sync"] == {"revision": "new"}
    assert "deletionTimestamp" not in live["metadata"] and live["status"]["sync"]["revision"] == "old"
