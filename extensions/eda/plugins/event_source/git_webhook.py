# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gitops.k8s.git_webhook: git push webhooks (GitHub, GitLab, Gitea), verified and coalesced.

An ansible-rulebook event source (docs/webhooks.md). ansible-rulebook's own
``eda.builtin.webhook`` checks one HMAC header or a Bearer token, so it cannot take
GitLab's ``X-Gitlab-Token`` nor three formats on one port; this source does:

- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`` (``github_secret``),
- Gitea (and Forgejo): ``X-Gitea-Signature: <hex HMAC-SHA256 of the body>`` (``gitea_secret``),
- GitLab: ``X-Gitlab-Token: <token>``, compared in constant time (``gitlab_token``).

A request is verified on its raw body before anything of it is parsed; a format
without its secret configured, a missing or wrong signature is refused (401) and
queues nothing. A verified push to a branch becomes one event:
``{"gitops_k8s": {"push": {"repo_urls", "branch", "default_branch"}, "revision",
"provider", "key", "done_file"}}``, every value checked (``push_of``); tag pushes, branch
deletions and other events are answered 202 and dropped.

Coalescing, per repository and branch (``Coalescer``): a push starts a run at once when
none is in progress; one that comes during a run becomes the single pending run (later
ones are folded into it: the run fetches the branch's newest commit anyway); when the run
ends (the reconcile playbook touches ``done_file``, or ``run_timeout`` passed) the pending
run starts. So a run in progress and at most one pending run per repository, never a queue.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
from typing import Any

DOCUMENTATION = r"""
---
short_description: Receive git push webhooks from GitHub, GitLab and Gitea, verified and coalesced.
description:
  - Listens on O(host):O(port) for push webhooks; each format is taken only when its secret is set.
  - A verified push to a branch puts one event on the queue, unless a run of that repository and branch is in
    progress; then it becomes the one pending run, started when the run touches its C(done_file).
options:
  host:
    description: The address to listen on.
    type: str
    default: 127.0.0.1
  port:
    description: The TCP port to listen on.
    type: int
    required: true
  github_secret:
    description: The secret of GitHub webhooks (C(X-Hub-Signature-256), HMAC-SHA256).
    type: str
  gitea_secret:
    description: The secret of Gitea and Forgejo webhooks (C(X-Gitea-Signature), HMAC-SHA256).
    type: str
  gitlab_token:
    description: The secret token of GitLab webhooks (C(X-Gitlab-Token)).
    type: str
  state_dir:
    description: A directory of this listener (created C(0700)) where runs tell they ended.
    type: str
    required: true
  run_timeout:
    description: Seconds after which a run that never told it ended is taken as ended.
    type: int
    default: 900
"""

EXAMPLES = r"""
- gitops.k8s.git_webhook:
    host: 127.0.0.1
    port: 5000
    github_secret: "{{ github_webhook_secret }}"
    state_dir: /var/lib/gitops-k8s/webhooks
"""

logger = logging.getLogger(__name__)

MAX_URLS = 10
MAX_URL_LENGTH = 2048
POLL_SECONDS = 0.5
HEADS = "refs/heads/"
_REVISION = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_BRANCH = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)[^\x00-\x20\x7f~^:?*\[\\]{1,255}(?<![/.])$")
_URL = re.compile(r"^[^\x00-\x20\x7f]+$")
_NULL_REVISION = "0" * 40


class Refused(Exception):
    """A request that is not a verified webhook: ``status`` and a reason safe to answer with."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def provider_of(headers):
    """github, gitea or gitlab, from the event header (Gitea also sends GitHub's); None for none."""
    names = {k.lower() for k in headers}
    if "x-gitea-event" in names:
        return "gitea"
    if "x-gitlab-event" in names:
        return "gitlab"
    if "x-github-event" in names:
        return "github"
    return None


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _hex_hmac(secret, body):
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(provider, headers, body, secrets):
    """Refused unless ``body`` carries the signature (or token) of ``provider``'s configured secret."""
    secret = secrets.get(provider)
    if not secret:
        raise Refused(401, "%s webhooks are not configured on this listener" % provider)
    if provider == "github":
        given = _header(headers, "x-hub-signature-256") or ""
        expected = "sha256=" + _hex_hmac(secret, body)
    elif provider == "gitea":
        given = _header(headers, "x-gitea-signature") or ""
        expected = _hex_hmac(secret, body)
    else:
        given = _header(headers, "x-gitlab-token") or ""
        expected = secret
    if not given or not hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8")):
        raise Refused(401, "the %s signature is missing or wrong" % provider)


def is_push(provider, headers):
    """True for a push event (GitHub and Gitea C(push), GitLab C(Push Hook))."""
    event = _header(headers, {"github": "x-github-event", "gitea": "x-gitea-event", "gitlab": "x-gitlab-event"}[provider]) or ""
    return event.strip() == ("Push Hook" if provider == "gitlab" else "push")


def _url(value):
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH or not _URL.match(value) or value.startswith("-"):
        return None
    return value


def _branch(value):
    return value if isinstance(value, str) and _BRANCH.match(value) else None


def push_of(provider, payload):
    """(push, revision) of a verified push payload, or None when it changes no branch (a tag, a deletion);
    Refused when a field is missing or malformed."""
    if not isinstance(payload, dict):
        raise Refused(400, "the payload is not a JSON object")
    ref = payload.get("ref")
    if not isinstance(ref, str):
        raise Refused(400, "the push has no ref")
    if not ref.startswith(HEADS):
        return None
    revision = payload.get("after")
    if revision == _NULL_REVISION:
        return None  # a deleted branch: nothing to reconcile
    if not isinstance(revision, str) or not _REVISION.match(revision):
        raise Refused(400, "the push has no commit id in 'after'")
    branch = _branch(ref[len(HEADS) :])
    if branch is None:
        raise Refused(400, "the pushed ref is not a branch name git accepts")
    if provider == "gitlab":
        repo = payload.get("project") if isinstance(payload.get("project"), dict) else payload.get("repository")
        fields = ("git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url", "url", "homepage")
    else:
        repo = payload.get("repository")
        fields = ("clone_url", "ssh_url", "html_url", "git_url")
    if not isinstance(repo, dict):
        raise Refused(400, "the push names no repository")
    urls = []
    for field in fields:
        url = _url(repo.get(field))
        if url is not None and url not in urls:
            urls.append(url)
    if not urls:
        raise Refused(400, "the push names no repository URL")
    push = {"repo_urls": urls[:MAX_URLS], "branch": branch, "default_branch": _branch(repo.get("default_branch")) or ""}
    return push, revision


def key_of(push):
    """The coalescing key of a push: its repository (first URL, lower case) and branch, hashed."""
    text = "%s\n%s" % (push["repo_urls"][0].lower(), push["branch"])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Coalescer:
    """Per key, a run in progress (when it started) and at most one pending event (the newest).

    ``offer`` answers the event to start now, or None when it was folded into the pending
    run; ``finished`` answers the pending event to start now (the key stays busy) or None
    (the key is idle again)."""

    def __init__(self):
        self.started = {}
        self.pending = {}

    def offer(self, key, event, now):
        if key in self.started:
            self.pending[key] = event
            return None
        self.started[key] = now
        return event

    def finished(self, key, now):
        event = self.pending.pop(key, None)
        if event is None:
            self.started.pop(key, None)
        else:
            self.started[key] = now
        return event

    def busy(self):
        return dict(self.started)


class Listener:
    """The I/O around the pure parts: verify, parse, coalesce, put on the queue, watch the done files."""

    def __init__(self, queue, args):
        self.queue = queue
        self.secrets = {name: args.get(option) for name, option in (("github", "github_secret"), ("gitea", "gitea_secret"), ("gitlab", "gitlab_token"))}
        if not any(self.secrets.values()):
            raise ValueError("git_webhook: set github_secret, gitea_secret or gitlab_token (no webhook would be accepted)")
        self.state_dir = os.path.abspath(str(args["state_dir"]))
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        self.run_timeout = float(args.get("run_timeout") or 900)
        self.coalescer = Coalescer()

    def done_file(self, key):
        return os.path.join(self.state_dir, key + ".done")

    async def start(self, event):
        key = event["gitops_k8s"]["key"]
        try:
            os.unlink(self.done_file(key))
        except FileNotFoundError:
            pass
        logger.info("git_webhook: starting a run of %s %s", event["gitops_k8s"]["push"]["repo_urls"][0], event["gitops_k8s"]["push"]["branch"])
        await self.queue.put(event)

    async def handle(self, headers, body):
        """(status, answer) of one request."""
        provider = provider_of(headers)
        if provider is None:
            raise Refused(400, "not a GitHub, GitLab or Gitea webhook")
        verify(provider, headers, body, self.secrets)
        if not is_push(provider, headers):
            return 202, "ignored: not a push"
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400, "the payload is not JSON") from None
        parsed = push_of(provider, payload)
        if parsed is None:
            return 202, "ignored: not a push to a branch"
        push, revision = parsed
        key = key_of(push)
        event = {"gitops_k8s": {"push": push, "revision": revision, "provider": provider, "key": key, "done_file": self.done_file(key)}}
        if self.coalescer.offer(key, event, time.monotonic()) is None:
            return 202, "pending: a run of this repository is in progress"
        await self.start(event)
        return 202, "started"

    async def watch(self):
        """Start the pending run of each key whose run ended."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            now = time.monotonic()
            for key, started in self.coalescer.busy().items():
                ended = os.path.exists(self.done_file(key))
                if not ended and now - started < self.run_timeout:
                    continue
                if not ended:
                    logger.warning("git_webhook: the run of %s did not end within %d s; taken as ended", key, self.run_timeout)
                event = self.coalescer.finished(key, now)
                if event is not None:
                    await self.start(event)


async def main(queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
    """Serve the webhooks until cancelled."""
    from aiohttp import web  # pylint: disable=import-outside-toplevel  # ansible-rulebook's dependency, not Ansible's

    listener = Listener(queue, args)

    async def receive(request):
        body = await request.read()
        try:
            status, text = await listener.handle(dict(request.headers), body)
        except Refused as exc:
            logger.warning("git_webhook: refused a request from %s: %s", request.remote, exc.reason)
            return web.json_response({"error": exc.reason}, status=exc.status)
        return web.json_response({"result": text}, status=status)

    app = web.Application()
    app.router.add_post("/{path:.*}", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, args.get("host") or "127.0.0.1", int(args["port"])).start()
    watcher = asyncio.create_task(listener.watch())
    try:
        await asyncio.Future()
    finally:
        watcher.cancel()
        await runner.cleanup()
