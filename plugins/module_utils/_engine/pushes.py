# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pushes: which Applications a git push changed (the webhook runs of docs/webhooks.md).

A push names its repository by several URLs (GitHub sends ``clone_url``, ``ssh_url``
and ``html_url``) and a branch. An Application is changed by the push when one of its
sources (``spec.source`` or each of ``spec.sources``) names one of those repositories
and follows that branch: ``targetRevision`` is the branch (``refs/heads/`` optional),
or ``HEAD``/empty while the branch is the repository's default branch (or the default
branch is not known: a run that changes nothing costs less than a push missed).

Repositories are compared as ``repo_urls`` normalises them (scheme and user ignored,
so the HTTPS and SSH URLs of one repository are the same), the path case-insensitive
as the hosting services treat it. A source without repoURL (a multi-source ``ref``
lending the declaring repository) never matches on its own.

The push comes from a webhook, so from the network: every field is checked
(``parse_push``) and only compared, never used as a path, flag or template.

Pure: dicts in, booleans and frozen values out; errors are InvalidSpec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, SourceError

MAX_URLS = 10
HEADS = "refs/heads/"
# git check-ref-format's rules, narrowed: no control characters, spaces, ~^:?*[\ or "..", bounded length
_BRANCH = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)[^\x00-\x20\x7f~^:?*\[\\]{1,255}(?<![/.])$")


@dataclass(frozen=True)
class Push:
    """A checked push: the repositories (normalised keys), the branch, the default branch ("" if unknown)."""

    repos: frozenset
    branch: str
    default_branch: str = ""


def repo_key(url):
    """(host, port, path) of a repository URL, lower case; SourceError when git would refuse it."""
    parsed = repo_urls.parse(url, allow_local=True)
    return (parsed.host, parsed.port, parsed.path.lower())


def _branch(value, field, required):
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not _BRANCH.match(value):
        raise InvalidSpec("push: %s must be a git branch name, not %s" % (field, repo_urls.display(str(value))))
    return value[len(HEADS) :] if value.startswith(HEADS) else value


def parse_push(value):
    """Push of the module's ``push`` option: ``repo_urls`` (1 to 10 URLs), ``branch``, ``default_branch``."""
    if not isinstance(value, dict):
        raise InvalidSpec("push must be a dict with repo_urls and branch")
    urls = value.get("repo_urls")
    if not isinstance(urls, list) or not urls or len(urls) > MAX_URLS:
        raise InvalidSpec("push: repo_urls must list 1 to %d repository URLs" % MAX_URLS)
    repos = set()
    for url in urls:
        try:
            repos.add(repo_key(url))
        except SourceError as exc:
            raise InvalidSpec("push: repo_urls: %s" % exc) from None
    return Push(frozenset(repos), _branch(value.get("branch"), "branch", True), _branch(value.get("default_branch"), "default_branch", False))


def follows(target_revision, push):
    """True when a source at ``target_revision`` follows the pushed branch."""
    target = str(target_revision or "HEAD")
    if target.startswith(HEADS):
        target = target[len(HEADS) :]
    if target == "HEAD":
        return not push.default_branch or push.branch == push.default_branch
    return target == push.branch


def _sources(spec):
    if spec.get("sources"):
        return [s for s in spec["sources"] if isinstance(s, dict)]
    source = spec.get("source")
    return [source] if isinstance(source, dict) else []


def changed_by(app, push):
    """True when one of the Application's sources names the pushed repository and follows its branch."""
    spec = app.get("spec") if isinstance(app, dict) else None
    for source in _sources(spec if isinstance(spec, dict) else {}):
        url = source.get("repoURL")
        if not url:
            continue
        try:
            key = repo_key(url)
        except SourceError:
            continue  # its own sync reports the URL; a push never names it
        if key in push.repos and follows(source.get("targetRevision"), push):
            return True
    return False
