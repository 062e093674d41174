# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repository URL rewrites (git's insteadOf): a mirror or an air-gapped copy serves the
repository an Application names."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

REWRITES = {
    "https://github.com/": "https://mirror.example.com/github/",
    "https://github.com/acme/": "file:///srv/git/acme/",
    "git@github.com:": "https://mirror.example.com/github/",
}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://github.com/argoproj/argocd-example-apps.git", "https://mirror.example.com/github/argoproj/argocd-example-apps.git"),
        ("https://github.com/acme/shop", "file:///srv/git/acme/shop"),  # the longest prefix wins
        ("git@github.com:acme/shop.git", "https://mirror.example.com/github/acme/shop.git"),
        ("https://gitlab.com/acme/shop", "https://gitlab.com/acme/shop"),  # no prefix: unchanged
        ("https://github.company.com/acme/shop", "https://github.company.com/acme/shop"),
    ],
)
def test_longest_prefix_wins(url, expected):
    assert repo_urls.Rewrites.from_mapping(REWRITES).apply(url) == expected


def test_no_rewrites_is_the_identity():
    assert repo_urls.Rewrites.from_mapping(None).apply("https://github.com/a/b") == "https://github.com/a/b"


@pytest.mark.parametrize(
    "mapping, message",
    [
        ({"": "https://mirror.example.com/"}, "empty"),
        ({"https://github.com/": ""}, "empty"),
        ({"https://github.com/": 3}, "string"),
    ],
)
def test_a_bad_rule_fails_naming_it(mapping, message):
    with pytest.raises(SourceError, match=message) as caught:
        repo_urls.Rewrites.from_mapping(mapping)
    assert caught.value.subject.startswith("repo_url_rewrites")


def test_the_checks_apply_to_the_rewritten_url():
    rewrites = repo_urls.Rewrites.from_mapping({"https://github.com/": "file:///srv/mirror/"})
    with pytest.raises(SourceError, match="local repositories"):
        repo_urls.parse(rewrites.apply("https://github.com/org/repo"))
    assert repo_urls.parse(rewrites.apply("https://github.com/org/repo"), allow_local=True).path == "/srv/mirror/org/repo"
    with pytest.raises(SourceError, match=r"'\.' or '\.\.' segment"):
        repo_urls.parse(rewrites.apply("https://github.com/../../etc/shadow"), allow_local=True)


def test_the_status_keeps_the_spec_url_and_names_the_url_fetched():
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

    from .fake_cluster import World

    world = World()
    obj = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {"source": {"repoURL": "https://github.com/acme/shop", "path": "p"}, "destination": {"namespace": "demo"}},
    }
    ports = world.ports()
    ports.source = lambda app, spec: Fetched("/src", "r1", "https://github.com/acme/shop", "http://127.0.0.1:8080/acme/shop")
    sync = reconcile(obj, ports, Settings(dry_run=True)).status["sync"]
    assert sync["repoURL"] == "https://github.com/acme/shop" and sync["fetchedURL"] == "http://127.0.0.1:8080/acme/shop"
    ports.source = lambda app, spec: Fetched("/src", "r1", "https://github.com/acme/shop")
    assert "fetchedURL" not in reconcile(obj, ports, Settings(dry_run=True)).status["sync"]
