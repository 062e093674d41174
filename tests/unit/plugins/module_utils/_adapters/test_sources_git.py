# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sources fetching Applications' repositories from real Git servers on 127.0.0.1:
credentials scoped to the URL prefix they name, repoURL forms refused, and a hung
server paid for once per run."""

from __future__ import annotations

import base64
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from tests.helpers import git_servers

TOKEN = "ghp_scopedT0kenValue0987654321"
BASIC = "Basic " + base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()


def app_for(name, repo_url, ref="main"):
    obj = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "gitops-system"},
        "spec": {"source": {"repoURL": repo_url, "targetRevision": ref, "path": "."}, "destination": {"namespace": "default"}},
    }
    return obj, application.parse(obj)


def sources(tmp_path, credentials=(), **kwargs):
    table = repo_urls.Credentials.from_entries(list(credentials))
    return Sources(None, cache_dir=str(tmp_path / "cache"), run_id="run-1", credentials=table, **kwargs)


@pytest.fixture
def two_servers(tmp_path, source_repo):
    source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with git_servers.GitHTTPServer(tmp_path / "a") as first, git_servers.GitHTTPServer(tmp_path / "b") as second:
        for server in (first, second):
            for name in ("team/app.git", "teammate/app.git"):
                server.add_repo(name, source_repo.path)
        yield first, second


def test_a_credential_goes_only_to_the_url_prefix_it_names(tmp_path, two_servers):
    first, second = two_servers
    srcs = sources(tmp_path, [(first.url + "/team", {"token": TOKEN})])
    for name, url in (("a", first.url + "/team/app.git"), ("b", second.url + "/team/app.git"), ("c", first.url + "/teammate/app.git")):
        try:
            srcs.source(*app_for(name, url))
        except SourceError as exc:
            raise AssertionError("%s (test servers: %s)" % (exc, first.errors + second.errors)) from exc
    sent_first = {(path.split("/info/")[0].split("/git-upload-pack")[0], auth) for _m, path, auth in first.requests}
    assert (("/team/app.git", BASIC)) in sent_first
    assert ("/teammate/app.git", BASIC) not in sent_first
    assert set(second.auth_headers) == {None}, "the credential of %s reached %s" % (first.url, second.url)


def test_local_repositories_need_allow_local_repos(tmp_path, source_repo):
    commit = source_repo.commit({"cm.yaml": "kind: ConfigMap\n"}, "one")
    with pytest.raises(SourceError) as err:
        sources(tmp_path).source(*app_for("local", source_repo.url))
    assert "local repositories" in str(err.value)
    assert sources(tmp_path, allow_local_repos=True).source(*app_for("local", source_repo.url))[1] == commit


@pytest.mark.parametrize("url", ["ext::sh -c touch% {marker}", "--upload-pack=touch {marker}"])
def test_hostile_repo_urls_are_refused(tmp_path, url):
    marker = tmp_path / "marker"
    with pytest.raises(SourceError) as err:
        sources(tmp_path, allow_local_repos=True).source(*app_for("hostile", url.format(marker=marker)))
    assert "repository URL not allowed" in str(err.value)
    assert not marker.exists()


def test_a_hung_repository_fails_at_once_for_the_next_application(tmp_path, two_servers):
    first, _second = two_servers
    srcs = sources(tmp_path, git_timeout=3)
    with git_servers.BlackHole() as hole:
        started = time.monotonic()
        with pytest.raises(SourceError) as err:
            srcs.source(*app_for("one", hole.url + "/x.git"))
        assert time.monotonic() - started < 15
        assert err.value.details.get("timed_out") is True
        started = time.monotonic()
        with pytest.raises(SourceError) as again:
            srcs.source(*app_for("two", "HTTP" + hole.url[4:] + "/x/", ref="other"))
        assert time.monotonic() - started < 1
        connections = len(hole.accepted)
    assert str(again.value).endswith("(not retried in this run)")
    assert str(err.value).rstrip() in str(again.value)
    assert connections == 1
    # another repository still works in the same run
    assert srcs.source(*app_for("three", first.url + "/team/app.git"))[1]
