# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pushes: which Applications a webhook's push changed (repository and branch), and the
checks of a push's fields (they come from the network)."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import pushes
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

GITHUB = {"repo_urls": ["https://github.com/Org/Shop.git", "git@github.com:Org/Shop.git"], "branch": "main", "default_branch": "main"}


def app(*sources, multi=False):
    spec = {"sources": list(sources)} if multi else {"source": sources[0]}
    return {"metadata": {"name": "a", "namespace": "n"}, "spec": spec}


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/org/shop",  # no .git, other case
        "ssh://git@github.com/org/shop.git",  # the SSH URL, as ssh://
        "git@github.com:org/shop",  # scp-like
        "https://GitHub.com/org/shop/",
    ],
)
def test_any_url_of_the_pushed_repository_matches(url):
    assert pushes.changed_by(app({"repoURL": url, "targetRevision": "main"}), pushes.parse_push(GITHUB))


@pytest.mark.parametrize(
    "source",
    [
        {"repoURL": "https://github.com/org/other.git", "targetRevision": "main"},  # another repository
        {"repoURL": "https://github.com/org/shop.git", "targetRevision": "dev"},  # another branch
        {"repoURL": "https://github.com/org/shop.git", "targetRevision": "v1.2.0"},  # a tag
        {"repoURL": "https://gitlab.com/org/shop.git", "targetRevision": "main"},  # another host
        {"repoURL": "https://github.com:8443/org/shop.git", "targetRevision": "main"},  # another port
        {"path": "apps"},  # no repoURL
        {"repoURL": "ext::sh -c id", "targetRevision": "main"},  # a URL git must never see: never matches
    ],
)
def test_other_repositories_branches_and_revisions_do_not_match(source):
    assert not pushes.changed_by(app(source), pushes.parse_push(GITHUB))


@pytest.mark.parametrize(
    ("target", "default_branch", "expected"),
    [
        ("HEAD", "main", True),
        ("", "main", True),
        (None, "main", True),
        ("HEAD", "trunk", False),  # HEAD follows trunk, the push is to main
        ("HEAD", "", True),  # the default branch is not known: a run too many, never one missed
        ("refs/heads/main", "main", True),
    ],
)
def test_head_follows_the_default_branch(target, default_branch, expected):
    push = pushes.parse_push(dict(GITHUB, default_branch=default_branch))
    assert pushes.changed_by(app({"repoURL": GITHUB["repo_urls"][0], "targetRevision": target}), push) is expected


def test_one_matching_source_of_many_is_enough():
    other = {"repoURL": "https://github.com/org/values.git", "targetRevision": "main", "ref": "values"}
    shop = {"repoURL": "https://github.com/org/shop.git", "targetRevision": "main", "path": "chart"}
    push = pushes.parse_push(GITHUB)
    assert pushes.changed_by(app(other, shop, multi=True), push)
    assert not pushes.changed_by(app(other, multi=True), push)


def test_a_branch_given_as_a_ref_is_the_branch():
    assert pushes.parse_push(dict(GITHUB, branch="refs/heads/release/1.x")).branch == "release/1.x"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("main", "push must be a dict"),
        ({"branch": "main"}, "repo_urls must list 1 to 10"),
        (dict(GITHUB, repo_urls=[]), "repo_urls must list 1 to 10"),
        (dict(GITHUB, repo_urls=["https://h/r"] * 11), "repo_urls must list 1 to 10"),
        (dict(GITHUB, repo_urls=["--upload-pack=touch /tmp/x"]), "starts with '-'"),
        (dict(GITHUB, repo_urls=["ext::sh"]), "remote helper"),
        (dict(GITHUB, branch="a..b"), "branch must be a git branch name"),
        (dict(GITHUB, branch="-x y"), "branch must be a git branch name"),
        (dict(GITHUB, branch=""), "branch must be a git branch name"),
        (dict(GITHUB, default_branch="a b"), "default_branch must be a git branch name"),
    ],
)
def test_a_malformed_push_is_refused(value, message):
    with pytest.raises(InvalidSpec, match=message):
        pushes.parse_push(value)
