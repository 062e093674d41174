# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sources with its Application store over the in-memory cluster and a real git
repository: an Application without repoURL uses its parent's repository at the revision
the parent synced, the root's checkout, or fails naming what is missing."""

from __future__ import annotations

import os

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import render as render_module
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import sources as sources_module
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, inventory, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError, SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

NS = "gitops-system"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"


def app(name, parent=None, repo=None, synced=None):
    source = {"path": "."}
    if repo:
        source.update(repoURL=repo, targetRevision="main")
    obj = {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": source, "destination": {"namespace": "demo"}},
    }
    if parent:
        obj["metadata"]["annotations"] = {ANN_TRACKING_ID: tracking_id("%s/%s" % (NS, parent), inventory.entry_of(obj))}
    if synced:
        obj["status"] = {"sync": {"status": "Synced", "revision": synced}}
    return obj


def store_with(*objs):
    cluster = FakeCluster()
    cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    store = AppStore(cluster, FakeClock())
    for obj in objs:
        cluster.apply(store.rtype, obj)
    cluster.reset_calls()
    return store


def source_of(sources, obj):
    return sources.source(obj, application.parse(obj))


def test_a_child_follows_the_revision_its_parent_synced(tmp_path, source_repo):
    synced = source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    newer = source_repo.commit({"cm.yaml": "kind: ConfigMap\nmetadata: {}\n"}, "two")
    store = store_with(app("root", repo=source_repo.url, synced=synced), app("child", parent="root"))
    sources = Sources(store, cache_dir=str(tmp_path / "cache"), allow_local_repos=True)
    assert source_of(sources, store.get(NS, "child"))[1] == synced  # the parent's commit, not main's newest
    assert source_of(sources, store.get(NS, "root"))[1] == newer  # the parent itself follows main
    gets = [c for c in store.cluster.calls if c[0] == "get"]
    assert gets == [("get", APP_KIND, NS, "child"), ("get", APP_KIND, NS, "root"), ("get", APP_KIND, NS, "root")]


def test_without_any_repo_url_the_root_checkout_is_the_source(tmp_path):
    store = store_with(app("root"), app("child", parent="root"))
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    sources = Sources(store, checkout_dir=str(checkout))
    assert source_of(sources, store.get(NS, "child"))[:3] == (str(checkout), "local", "local checkout")


def test_without_a_checkout_an_application_without_repo_url_fails():
    store = store_with(app("root"))
    with pytest.raises(SourceError, match="no local checkout was given") as caught:
        source_of(Sources(store), store.get(NS, "root"))
    assert caught.value.subject == "%s/root" % NS


def test_a_parent_that_no_longer_exists_fails_the_child(tmp_path):
    store = store_with(app("child", parent="gone"))
    sources = Sources(store, checkout_dir=str(tmp_path))
    with pytest.raises(SourceError, match="declaring Application %s/gone no longer exists" % NS):
        source_of(sources, store.get(NS, "child"))


def test_a_rewrite_serves_the_named_repository_from_a_mirror(tmp_path, source_repo):
    commit = source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    store = store_with(app("root", repo="https://github.com/acme/platform.git"))
    rewrites = repo_urls.Rewrites.from_mapping({"https://github.com/acme/platform.git": source_repo.url})
    sources = Sources(store, cache_dir=str(tmp_path / "cache"), allow_local_repos=True, rewrites=rewrites)
    root, revision, repo_url, fetched, subject = source_of(sources, store.get(NS, "root"))
    assert revision == commit and repo_url == "https://github.com/acme/platform.git"  # the status keeps what the spec says
    assert fetched == source_repo.url
    assert subject == "one"  # the commit's subject line, for the status page


def test_a_local_checkout_gives_its_commit_subject(source_repo):
    commit = source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "deploy: <b>two</b> replicas\n\nthe body is not kept")
    store = store_with(app("root"))
    found = source_of(Sources(store, checkout_dir=source_repo.path), store.get(NS, "root"))
    assert found.subject == "deploy: <b>two</b> replicas" and found.revision == commit


def test_a_rewrite_to_a_local_mirror_needs_allow_local_repos(tmp_path, source_repo):
    source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    store = store_with(app("root", repo="https://github.com/acme/platform.git"))
    rewrites = repo_urls.Rewrites.from_mapping({"https://github.com/acme/platform": source_repo.url})
    with pytest.raises(SourceError, match="local repositories"):
        source_of(Sources(store, cache_dir=str(tmp_path / "cache"), rewrites=rewrites), store.get(NS, "root"))


def test_a_child_of_a_chart_application_must_name_its_repository(tmp_path):
    parent = app("charts-root", repo="https://charts.example.com")
    parent["spec"]["source"]["chart"] = "apps"
    store = store_with(parent, app("child", parent="charts-root"))
    sources = Sources(store, cache_dir=str(tmp_path / "cache"))
    with pytest.raises(SourceError, match="renders a Helm chart"):
        source_of(sources, store.get(NS, "child"))


def test_a_run_reads_the_checkout_and_walks_its_links_once(source_repo, monkeypatch):
    """One Sources is one run: the checkout's commit, subject and symlink walk are asked
    once for every Application it serves; a new run asks again (and refuses a link added
    since)."""
    commit = source_repo.commit({"a/cm.yaml": CM % "a", "b/cm.yaml": CM % "b"}, "two apps")
    store = store_with(app("a"), app("b"))
    calls = []
    real_run, real_walk = sources_module.processes.run, sources_module.render.check_symlinks
    monkeypatch.setattr(sources_module.processes, "run", lambda argv, *a, **k: calls.append(argv[-1]) or real_run(argv, *a, **k))
    monkeypatch.setattr(render_module, "check_symlinks", lambda root, source: calls.append("walk") or real_walk(root, source))
    run = Sources(store, checkout_dir=source_repo.path)
    for name in ("a", "b"):
        spec = application.parse(dict(store.get(NS, name), spec={"source": {"path": name}, "destination": {"namespace": "demo"}}))
        found = run.source(store.get(NS, name), spec)
        assert found.revision == commit
        assert [m.obj["metadata"]["name"] for m in run.render(found.root, spec)] == [name]
    assert calls == ["HEAD", "origin", commit, "walk"]
    os.symlink("/etc/passwd", os.path.join(source_repo.path, "a", "leak.yaml"))
    spec = application.parse(dict(store.get(NS, "a"), spec={"source": {"path": "a"}, "destination": {"namespace": "demo"}}))
    again = Sources(store, checkout_dir=source_repo.path)
    with pytest.raises(RenderError, match="symbolic link points outside"):
        again.render(again.source(store.get(NS, "a"), spec).root, spec)


def test_the_declaring_application_comes_from_the_runs_list_until_reconciled(tmp_path, source_repo):
    synced = source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    store = store_with(app("root", repo=source_repo.url, synced=synced), app("a", parent="root"), app("b", parent="root"))
    sources = Sources(store, cache_dir=str(tmp_path / "cache"), allow_local_repos=True)
    sources.listed_applications(store.list(NS))
    store.cluster.reset_calls()
    for name in ("a", "b"):
        assert source_of(sources, store.get(NS, name))[1] == synced
    assert [c[3] for c in store.cluster.calls if c[0] == "get"] == ["a", "b"]  # this test's own reads only
    sources.reconciled(store.get(NS, "root"))  # it may have synced another revision: read again
    store.cluster.reset_calls()
    source_of(sources, store.get(NS, "a"))
    assert [c[3] for c in store.cluster.calls if c[0] == "get"] == ["a", "root"]
