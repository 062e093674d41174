# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gitops.k8s.git_webhook event source (extensions/eda): signatures of the three
formats, what a push becomes, and the coalescing of bursts (a run and one pending)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib.util
import json
import os

import pytest

SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "extensions", "eda", "plugins", "event_source", "git_webhook.py")
_spec = importlib.util.spec_from_file_location("git_webhook", SOURCE)
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)

SECRETS = {"github": "gh-secret", "gitea": "gt-secret", "gitlab": "gl-token"}
SHA = "0123456789abcdef0123456789abcdef01234567"
GITHUB_PUSH = {
    "ref": "refs/heads/main",
    "after": SHA,
    "repository": {"clone_url": "https://github.com/org/shop.git", "ssh_url": "git@github.com:org/shop.git", "default_branch": "main"},
}
GITLAB_PUSH = {
    "ref": "refs/heads/main",
    "after": SHA,
    "project": {"git_http_url": "https://gitlab.example/org/shop.git", "git_ssh_url": "git@gitlab.example:org/shop.git", "default_branch": "main"},
}


def signed(provider, body, secret=None):
    secret = secret or SECRETS[provider]
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "github": {"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + digest},
        "gitea": {"X-Gitea-Event": "push", "X-GitHub-Event": "push", "X-Gitea-Signature": digest},
        "gitlab": {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": secret},
    }[provider]


@pytest.mark.parametrize("provider", ["github", "gitea", "gitlab"])
def test_each_format_is_verified_with_its_own_secret(provider):
    body = json.dumps(GITLAB_PUSH if provider == "gitlab" else GITHUB_PUSH).encode()
    headers = signed(provider, body)
    assert hook.provider_of(headers) == provider
    hook.verify(provider, headers, body, SECRETS)  # no exception
    with pytest.raises(hook.Refused, match="signature is missing or wrong"):
        hook.verify(provider, signed(provider, body, secret="guessed"), body, SECRETS)
    if provider != "gitlab":  # GitLab's token signs no body
        with pytest.raises(hook.Refused, match="signature is missing or wrong"):
            hook.verify(provider, headers, body + b" ", SECRETS)  # the body changed after signing
    with pytest.raises(hook.Refused, match="not configured"):
        hook.verify(provider, headers, body, dict(SECRETS, **{provider: None}))


def test_a_request_without_a_signature_is_refused():
    body = json.dumps(GITHUB_PUSH).encode()
    with pytest.raises(hook.Refused, match="missing or wrong"):
        hook.verify("github", {"X-GitHub-Event": "push"}, body, SECRETS)


def test_pushes_of_each_format_become_one_shape():
    push, revision = hook.push_of("github", GITHUB_PUSH)
    assert push == {"repo_urls": ["https://github.com/org/shop.git", "git@github.com:org/shop.git"], "branch": "main", "default_branch": "main"}
    assert revision == SHA
    push, revision = hook.push_of("gitlab", GITLAB_PUSH)
    assert push["repo_urls"] == ["https://gitlab.example/org/shop.git", "git@gitlab.example:org/shop.git"]


@pytest.mark.parametrize(
    "payload",
    [
        dict(GITHUB_PUSH, ref="refs/tags/v1"),  # a tag
        dict(GITHUB_PUSH, after="0" * 40),  # a deleted branch
    ],
)
def test_what_changes_no_branch_is_ignored(payload):
    assert hook.push_of("github", payload) is None


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"after": SHA},
        dict(GITHUB_PUSH, after="HEAD; rm -rf /"),
        dict(GITHUB_PUSH, ref="refs/heads/a..b"),
        dict(GITHUB_PUSH, repository={"clone_url": "https://h/r x"}),  # whitespace: no URL left
        dict(GITHUB_PUSH, repository={"clone_url": "--upload-pack=x"}),
        dict(GITHUB_PUSH, repository="shop"),
    ],
)
def test_a_malformed_push_is_refused(payload):
    with pytest.raises(hook.Refused):
        hook.push_of("github", payload)


def test_a_run_in_progress_and_at_most_one_pending():
    coalescer = hook.Coalescer()
    assert coalescer.offer("k", "push-1", 0) == "push-1"  # starts at once
    assert coalescer.offer("k", "push-2", 1) is None  # pending
    assert coalescer.offer("k", "push-3", 2) is None  # folded into the pending run
    assert coalescer.offer("other", "push-x", 2) == "push-x"  # another repository is not held up
    assert coalescer.finished("k", 5) == "push-3"  # the newest pending push starts when the run ends
    assert coalescer.finished("k", 9) is None  # nothing pending: idle
    assert coalescer.offer("k", "push-4", 10) == "push-4"


def test_a_burst_of_pushes_starts_two_runs(tmp_path):
    async def scenario():
        queue = asyncio.Queue()
        listener = hook.Listener(queue, {"github_secret": SECRETS["github"], "state_dir": str(tmp_path / "state"), "run_timeout": 600})
        answers = []
        for index in range(5):
            body = json.dumps(dict(GITHUB_PUSH, after=("%x" % (index + 1)) * 40)).encode()
            answers.append(await listener.handle(signed("github", body), body))
        assert [a[1].split(":")[0] for a in answers] == ["started"] + ["pending"] * 4
        first = queue.get_nowait()
        assert queue.empty()
        open(first["gitops_k8s"]["done_file"], "w", encoding="ascii").close()  # the playbook's last task
        watcher = asyncio.create_task(listener.watch())
        second = await asyncio.wait_for(queue.get(), timeout=60)
        await asyncio.sleep(hook.POLL_SECONDS * 3)
        watcher.cancel()
        assert queue.empty()
        return first, second

    first, second = asyncio.run(scenario())
    assert first["gitops_k8s"]["revision"] == "1" * 40 and second["gitops_k8s"]["revision"] == "5" * 40
    assert second["gitops_k8s"]["done_file"].startswith(str(tmp_path / "state") + os.sep)
    assert not os.path.exists(second["gitops_k8s"]["done_file"])  # removed when the pending run started


def test_a_listener_without_any_secret_refuses_to_start(tmp_path):
    with pytest.raises(ValueError, match="no webhook would be accepted"):
        hook.Listener(asyncio.Queue(), {"state_dir": str(tmp_path), "github_secret": ""})
