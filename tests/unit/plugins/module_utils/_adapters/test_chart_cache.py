# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Charts pulled from a chart repository and an OCI registry on 127.0.0.1 (real helm,
a real HTTP server, Debian's docker-registry), cached by (repository, chart, version)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.chart_cache import fetch_chart
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

from tests.helpers import chart_servers

from .conftest import REPO_ROOT

WEBAPP = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "charts", "webapp")
PASSWORD = "chart-repo-s3cret"


def chart_version(chart_dir, version, dest):
    """A copy of the webapp chart at ``version``."""
    copy = os.path.join(dest, "webapp-%s" % version, "webapp")
    shutil.copytree(WEBAPP, copy)
    path = os.path.join(copy, "Chart.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read().replace("version: 1.0.0", "version: %s" % version)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return copy


@pytest.fixture
def repo_root(tmp_path, helm_bin):
    """A chart repository directory with webapp 1.0.0, 1.1.0 and 2.0.0-rc.1."""
    root = tmp_path / "repo"
    root.mkdir()
    sources = [chart_version(WEBAPP, v, str(tmp_path / "src")) for v in ("1.0.0", "1.1.0", "2.0.0-rc.1")]
    return str(root), sources


@contextlib.contextmanager
def serve(helm_bin, repo_root, **auth):
    root, sources = repo_root
    with chart_servers.ChartRepoServer(root, **auth) as server:
        chart_servers.publish(helm_bin, sources, root, server.url)
        yield server


def read_version(tree):
    with open(os.path.join(tree, "Chart.yaml"), encoding="utf-8") as handle:
        return [line.split(": ", 1)[1] for line in handle.read().splitlines() if line.startswith("version:")][0]


def test_exact_version_is_pulled_then_served_from_the_cache(tmp_path, helm_bin, repo_root):
    with serve(helm_bin, repo_root) as server:
        pulled = fetch_chart(server.url, "webapp", "1.0.0", str(tmp_path / "cache"), helm_binary=helm_bin)
    assert pulled.version == "1.0.0" and read_version(pulled.tree) == "1.0.0"
    assert os.path.basename(pulled.tree) == "webapp"
    # the server is gone: an exact version already cached needs no network
    again = fetch_chart(server.url, "webapp", "1.0.0", str(tmp_path / "cache"), helm_binary=helm_bin)
    assert again.tree == pulled.tree and read_version(again.tree) == "1.0.0"


def test_a_corrupted_cache_entry_is_fetched_again(tmp_path, helm_bin, repo_root):
    cache = str(tmp_path / "cache")
    with serve(helm_bin, repo_root) as server:
        fetch_chart(server.url, "webapp", "1.0.0", cache, helm_binary=helm_bin)
        archives = [os.path.join(d, f) for d, _s, fs in os.walk(cache) for f in fs if f == "1.0.0.tgz"]
        assert len(archives) == 1
        with open(archives[0], "r+b") as handle:
            handle.seek(100)
            handle.write(b"corrupted")
        before = len(server.requests)
        pulled = fetch_chart(server.url, "webapp", "1.0.0", cache, helm_binary=helm_bin)
        assert len(server.requests) > before
    assert read_version(pulled.tree) == "1.0.0"


@pytest.mark.parametrize("wanted, resolved", [("^1.0.0", "1.1.0"), ("~1.0", "1.0.0"), ("*", "1.1.0"), ("1.x", "1.1.0"), ("2.0.0-rc.1", "2.0.0-rc.1")])
def test_ranges_resolve_like_helm(tmp_path, helm_bin, repo_root, wanted, resolved):
    with serve(helm_bin, repo_root) as server:
        pulled = fetch_chart(server.url, "webapp", wanted, str(tmp_path / "cache"), helm_binary=helm_bin)
    assert pulled.version == resolved and read_version(pulled.tree) == resolved


def creds(url, password):
    return repo_urls.Credentials.from_entries([(url, {"username": "charts", "password": password})])


def test_basic_auth_from_the_credential_table_never_on_argv(tmp_path, helm_bin, repo_root):
    with serve(helm_bin, repo_root, username="charts", password=PASSWORD) as server:
        pulled = fetch_chart(server.url + "/", "webapp", "1.1.0", str(tmp_path / "cache"), helm_binary=helm_bin, credentials=creds(server.url, PASSWORD))
        assert read_version(pulled.tree) == "1.1.0"
        assert {auth for _path, auth in server.requests} == {server.expected_auth}


@pytest.mark.parametrize("password", [None, "wrong-password"])
def test_missing_or_wrong_credentials_are_a_clear_error_without_the_secret(tmp_path, helm_bin, repo_root, password):
    with serve(helm_bin, repo_root, username="charts", password=PASSWORD) as server:
        table = creds(server.url, password) if password else None
        with pytest.raises(SourceError) as err:
            fetch_chart(server.url, "webapp", "1.1.0", str(tmp_path / "cache"), helm_binary=helm_bin, credentials=table)
    text = "%s %s" % (err.value, err.value.subject)
    assert "401" in text or "Unauthorized" in text
    assert "reading the chart repository index" in text
    assert PASSWORD not in text and "wrong-password" not in text


def test_a_missing_chart_or_version_names_the_repository(tmp_path, helm_bin, repo_root):
    with serve(helm_bin, repo_root) as server:
        with pytest.raises(SourceError) as err:
            fetch_chart(server.url, "webapp", "9.9.9", str(tmp_path / "cache"), helm_binary=helm_bin)
    assert "webapp" in str(err.value) and "9.9.9" in str(err.value)
    assert server.url in err.value.subject


@pytest.mark.parametrize(
    "chart, version, why",
    [
        ("../webapp", "1.0.0", "not a chart name"),
        ("--post-renderer=/bin/sh", "1.0.0", "not a chart name"),
        ("webapp", "--devel", "not a chart version"),
        ("webapp", "1.0.0;reboot", "not a chart version"),
    ],
)
def test_chart_and_version_are_checked_before_helm_runs(tmp_path, chart, version, why):
    with pytest.raises(SourceError, match=why):
        fetch_chart("https://charts.example.com", chart, version, str(tmp_path / "cache"), helm_binary="/nonexistent/helm")


@pytest.fixture
def registry(tmp_path):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as running:
        yield running


def test_oci_registry_chart_by_oci_url_and_by_argo_cd_host_form(tmp_path, helm_bin, registry, repo_root):
    _root, sources = repo_root
    for source in sources[:2]:
        chart_servers.push(helm_bin, chart_servers.package(helm_bin, source, str(tmp_path / "pkg")), registry)
    pulled = fetch_chart("oci://%s/charts" % registry.host, "webapp", "1.0.0", str(tmp_path / "cache"), helm_binary=helm_bin)
    assert read_version(pulled.tree) == "1.0.0"
    newest = fetch_chart("%s/charts" % registry.host, "webapp", "^1.0.0", str(tmp_path / "cache"), helm_binary=helm_bin)
    assert newest.version == "1.1.0" and newest.url == "oci://%s/charts" % registry.host


def test_a_rollback_pins_the_chart_version_a_past_sync_deployed(tmp_path, helm_bin, repo_root):
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import AppSpec

    with serve(helm_bin, repo_root) as server:
        sources = Sources(None, cache_dir=str(tmp_path / "cache"), render_defaults={"helm_binary": helm_bin})
        spec = AppSpec(name="web", namespace="gitops", repo_url=server.url, chart="webapp", target_revision="^1.0.0")
        assert sources.source({}, spec)[1] == "1.1.0"
        tree, version, _url, _fetched, _subject = sources.source({}, dataclasses.replace(spec, pinned_revision="1.0.0"))
    assert version == "1.0.0" and read_version(tree) == "1.0.0"
