# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Git source: fetch a repository at a ref into a local cache, export the commit.

Cache layout, one directory per repository (sha256 of its credential-free URL)::

    <cache_dir>/<key>/lock          flock()ed around fetch + export
    <cache_dir>/<key>/state.json    per ref: commit, previous_commit, run_id, fetched_at;
                                    the run_id whose fetch timed out (not retried in that run)
    <cache_dir>/<key>/repo.git      bare repository (remote URL without credentials)
    <cache_dir>/<key>/trees/<sha>/  exported tree of one commit, never modified
    <cache_dir>/<key>/indexes/<sha> the index of that export: a tree that no longer matches
                                    its commit is exported again

A damaged cache repository (corrupt objects or refs, found by git fsck after a failed
fetch) is discarded and fetched again from scratch in the same run.

A URL may come from a hostile repository: it is checked by the engine (repo_urls)
before git runs and reaches git only as ``remote.origin.url`` (never argv). What
each git process gets (credentials, allowed transports, time limits) is git_env's.
Credentials never reach argv, the stored remote URL, messages or results.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.git_env import Auth, make_scrubber, redact_url, split_url
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import run, tool_env, trim

DEFAULT_DEPTH = 1
# Bound of each git command. Stalls are cut sooner by git_env's limits (HTTP(S), ssh);
# this bound catches what they cannot see (git://, an ssh server that keeps the
# connection alive but never sends) and is shorter than the agents' 3-minute schedule.
DEFAULT_TIMEOUT = 120
DEFAULT_KEEP_TREES = 5
DEFAULT_REF = "HEAD"

_HEX = re.compile(r"^[0-9a-f]+$")
_BAD_REF = re.compile(r"[\s:~^?*\[\\]|\.\.|@\{")
# git's words for a peer that did not answer in time (curl, ssh, connect()).
_TIMED_OUT = re.compile(r"(?i)operation too slow|timed out|timeout, server .* not responding")


def is_commit_id(value):
    """Whether ``value`` is a full commit id (SHA-1 or SHA-256, lowercase hex)."""
    return bool(value) and bool(_HEX.match(value)) and len(value) in (40, 64)


@dataclass(frozen=True)
class FetchResult:
    """Outcome of fetch().

    url: the repository URL without credentials. ref: the ref asked for.
    commit: the resolved commit SHA. previous_commit: the commit this ref had in
    the previous run (None the first time). changed: commit != previous_commit.
    tree: directory holding the exported tree of ``commit`` (do not modify).
    fetched: False when the network was not used (same run_id, or a full SHA
    already in the cache). verified: the commit signature was checked.
    git_dir: the cache's bare repository holding ``commit`` (commit_signatures reads it).
    """

    url: str
    ref: str
    commit: str
    previous_commit: str | None
    changed: bool
    tree: str
    fetched: bool
    verified: bool = False
    git_dir: str = ""


def cache_key(url):
    """Cache directory name of a repository: sha256 of its credential-free URL."""
    return hashlib.sha256(redact_url(url).encode("utf-8")).hexdigest()


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Repo:
    """Git commands on one cache entry's bare repository."""

    def __init__(self, entry, url, ref, auth, timeout):
        self.entry = entry
        self.git_dir = os.path.join(entry, "repo.git")
        self.url = url
        self.ref = ref
        self.auth = auth
        self.timeout = timeout
        self.scrub = make_scrubber(auth.secrets)

    def git(self, *args, env=None):
        argv = ["git", "--git-dir", self.git_dir] + list(args)
        started = time.monotonic()
        try:
            return run(argv, SourceError, self.url, env=env or self.auth.env(), cwd=self.entry, timeout=self.timeout, scrub=self.scrub)
        except SourceError as exc:
            # run() raises one error class for "cannot start" and "timed out": a command
            # that used its whole time timed out, and Sources must know (not retried in the run)
            if time.monotonic() - started < self.timeout:
                raise
            raise SourceError("ref %s timed out: %s" % (self.ref, exc.message), subject=self.url, details={"timed_out": True}) from exc

    def check(self, what, *args, env=None):
        result = self.git(*args, env=env)
        if result.rc != 0:
            raise SourceError("%s failed for ref %s: %s" % (what, self.ref, self.scrub(trim(result.stderr))), subject=self.url)
        return result.stdout.strip()

    def ensure(self):
        if os.path.isfile(os.path.join(self.git_dir, "HEAD")):
            current = self.git("config", "--get", "remote.origin.url").stdout.strip()
            if current == self.url:
                return
            shutil.rmtree(self.git_dir)
        argv = ["git", "-c", "init.defaultBranch=main", "init", "--bare", "--quiet", self.git_dir]
        result = run(argv, SourceError, self.url, env=tool_env(), cwd=self.entry, timeout=self.timeout)
        if result.rc != 0:
            raise SourceError("cannot create the cache repository: %s" % trim(result.stderr), subject=self.url)
        for key, value in (
            ("remote.origin.url", self.url),
            ("gc.autoDetach", "false"),
            ("core.logAllRefUpdates", "false"),
            ("fetch.writeCommitGraph", "false"),
        ):
            self.check("git config", "config", key, value)

    def resolve(self, name):
        result = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", name + "^{commit}")
        return result.stdout.strip() if result.rc == 0 and result.stdout.strip() else None

    def is_shallow(self):
        return os.path.exists(os.path.join(self.git_dir, "shallow"))

    def fetch(self, refspecs, depth):
        args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--force"]
        if depth:
            args.append("--depth=%d" % depth)
        elif self.is_shallow():
            args.append("--unshallow")
        return self.git(*(args + ["origin"] + refspecs))

    def fetch_all(self):
        result = self.fetch(["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"], 0)
        if result.rc != 0:
            raise self.fetch_error("cannot fetch ref %s (full fetch)" % self.ref, result.stderr)

    def fetch_ref(self, depth):
        """Fetch the ref; return (commit, used_network)."""
        ref = self.ref
        if is_commit_id(ref) and self.resolve(ref) == ref:
            return ref, False
        local = "refs/gitops/%s" % hashlib.sha256(ref.encode("utf-8")).hexdigest()[:20]
        result = self.fetch(["+%s:%s" % (ref, local)], depth)
        if result.rc == 0:
            commit = self.resolve(local)
            if commit:
                return commit, True
        if not (_HEX.match(ref) and len(ref) >= 4):
            raise self.fetch_error("cannot fetch ref %s" % ref, result.stderr)
        # A (short) commit SHA: fetch every branch and tag with full history, then resolve.
        self.fetch_all()
        commit = self.resolve(ref)
        if not commit:
            raise SourceError("ref %s is not a branch, tag or commit of this repository" % ref, subject=self.url)
        return commit, True

    def fetch_error(self, what, stderr):
        """SourceError for a failed fetch: a hint, git's scrubbed words, and
        ``details.timed_out`` when the server did not answer in time."""
        timed_out = bool(_TIMED_OUT.search(stderr or ""))
        return SourceError(
            "%s: %s%s" % (what, _hint(stderr), self.scrub(trim(stderr)) or "git fetch failed"),
            subject=self.url,
            details={"timed_out": True} if timed_out else None,
        )

    def verify(self, commit, gnupg_home):
        env = self.auth.env()
        if gnupg_home:
            env["GNUPGHOME"] = gnupg_home
        result = self.git("verify-commit", commit, env=env)
        if result.rc != 0:
            raise SourceError(
                "signature verification of commit %s (ref %s) failed: %s" % (commit, self.ref, self.scrub(trim(result.stderr)) or "no valid signature"),
                subject=self.url,
            )

    def intact(self):
        """Whether the cache's own repository is sound (git fsck): a failure on a damaged
        object store or refs is local, and fetching again from scratch repairs it."""
        return self.git("fsck", "--connectivity-only", "--no-dangling", "--no-progress").rc == 0

    def discard(self):
        shutil.rmtree(self.git_dir, ignore_errors=True)

    def tree_intact(self, commit, tree):
        """Whether an exported tree still matches its commit: compared (stat, then content)
        with the index its export kept. A tree without one is not trusted."""
        index = _index_path(self.entry, commit)
        if not os.path.isfile(index):
            return False
        env = self.auth.env()
        env["GIT_INDEX_FILE"] = index
        argv = ["git", "--git-dir", self.git_dir, "--work-tree", tree, "-c", "core.bare=false", "diff", "--quiet", "--no-ext-diff"]
        return run(argv, SourceError, self.url, env=env, cwd=tree, timeout=self.timeout, scrub=self.scrub).rc == 0

    def export(self, commit, trees):
        final = os.path.join(trees, commit)
        if os.path.isdir(final):
            if self.tree_intact(commit, final):
                os.utime(final)
                return final
            shutil.rmtree(final, ignore_errors=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=trees)
        index = tmp + ".index"
        try:
            env = self.auth.env()
            env["GIT_INDEX_FILE"] = index
            argv = ["git", "--git-dir", self.git_dir, "--work-tree", tmp, "-c", "core.bare=false", "checkout", "--force", "--quiet", commit, "--", "."]
            result = run(argv, SourceError, self.url, env=env, cwd=tmp, timeout=self.timeout, scrub=self.scrub)
            if result.rc != 0:
                raise SourceError("cannot export commit %s: %s" % (commit, self.scrub(trim(result.stderr))), subject=self.url)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
            os.makedirs(os.path.dirname(_index_path(self.entry, commit)), mode=0o700, exist_ok=True)
            os.replace(index, _index_path(self.entry, commit))
        finally:
            if os.path.exists(index):
                os.unlink(index)
            if os.path.isdir(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
        return final


def _index_path(entry, commit):
    """The index an export of ``commit`` kept, to check the tree against later."""
    return os.path.join(entry, "indexes", commit)


def _fetch_export(repo, depth, trees, verify_commit, gnupg_home):
    repo.ensure()
    commit, fetched = repo.fetch_ref(depth)
    if verify_commit:
        repo.verify(commit, gnupg_home)
    return commit, fetched, repo.export(commit, trees)


def _hint(stderr):
    """A short explanation in front of git's own words, when it has a known meaning."""
    text = stderr or ""
    if "could not read Username" in text or "Authentication failed" in text or "401" in text:
        return "authentication failed or required (check the token, username/password); "
    if "Permission denied (publickey" in text or "Host key verification failed" in text:
        return "SSH authentication failed (check the SSH key and known hosts); "
    if _TIMED_OUT.search(text):
        return "the Git server stalled or did not answer in time; "
    return ""


def _lock(path, timeout, subject):
    handle = open(path, "a+", encoding="utf-8")  # pylint: disable=consider-using-with
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                handle.close()
                raise SourceError("cannot lock the git cache: %s" % exc.strerror, subject=subject) from exc
            if time.monotonic() >= deadline:
                handle.close()
                raise SourceError("timed out after %s seconds waiting for the git cache lock" % timeout, subject=subject, details={"timed_out": True}) from exc
            time.sleep(0.1)


def _read_state(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return {"refs": {}}
    if not isinstance(state, dict) or not isinstance(state.get("refs"), dict):
        return {"refs": {}}
    return state


def _write_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _prune_trees(trees, keep, protected):
    entries = []
    for name in os.listdir(trees):
        full = os.path.join(trees, name)
        if name.startswith(".tmp-"):
            if os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)
            elif os.path.isfile(full):
                os.unlink(full)
            continue
        if os.path.isdir(full):
            entries.append((os.stat(full).st_mtime, name))
    entries.sort(reverse=True)
    for position, (_mtime, name) in enumerate(entries):
        if position >= keep and name not in protected:
            shutil.rmtree(os.path.join(trees, name), ignore_errors=True)
            index = _index_path(os.path.dirname(trees), name)
            if os.path.isfile(index):
                os.unlink(index)


def _check_inputs(url, ref, depth, allow_local):
    repo_urls.parse(url, allow_local=allow_local)
    if not ref or ref.startswith("-") or ref.endswith("/") or ref.endswith(".lock") or _BAD_REF.search(ref):
        raise SourceError("invalid ref %r" % ref, subject=redact_url(url))
    if depth < 0:
        raise SourceError("depth must be 0 (full history) or more", subject=redact_url(url))


def fetch(
    url,
    ref=DEFAULT_REF,
    cache_dir=None,
    *,
    depth=DEFAULT_DEPTH,
    credentials=None,
    run_id=None,
    verify_commit=False,
    gnupg_home=None,
    timeout=DEFAULT_TIMEOUT,
    keep_trees=DEFAULT_KEEP_TREES,
    allow_local=False,
    record=True,
):
    """Fetch ``ref`` of ``url`` into ``cache_dir`` and export its tree; returns FetchResult.

    ref: branch, tag, full or short commit SHA, or ``HEAD`` (the default branch).
    depth: shallow fetch depth (0 = full history); short SHAs always fetch everything.
    credentials: dict with ``ssh_key``, ``known_hosts``, ``username``, ``password``, ``token``.
    run_id: when this ref was already fetched under the same run_id, the cached
    commit is reused without network access.
    verify_commit: require a valid signature (``git verify-commit``; keys from
    ``gnupg_home``); on failure raise SourceError and export nothing.
    allow_local: accept ``file://`` URLs and absolute paths (the operator's own input;
    never for a URL a repository chose). Other forms are refused (repo_urls.parse).
    timeout: seconds for each git command; a SourceError for a server that did not
    answer in time carries ``details["timed_out"]``.
    record: False (check mode) fetches and exports like a real run, so a check-mode plan
    reads the commit a real run would deploy, but leaves state.json and the trees of
    earlier runs as they were: the next real run still sees (and reports) the change.
    """
    ref = ref or DEFAULT_REF
    _check_inputs(url, ref, depth, allow_local)
    if not cache_dir:
        raise SourceError("a cache directory is required", subject=redact_url(url))
    clean, url_user, url_password = split_url(url)
    entry = os.path.join(os.path.abspath(os.path.expanduser(cache_dir)), cache_key(clean))
    trees = os.path.join(entry, "trees")
    try:
        os.makedirs(trees, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise SourceError("cannot create the git cache directory: %s" % exc.strerror, subject=clean) from exc
    with Auth(clean, credentials, url_user, url_password, allow_local) as auth:
        lock = _lock(os.path.join(entry, "lock"), timeout, clean)
        try:
            return _fetch_locked(entry, clean, ref, auth, depth, run_id, verify_commit, gnupg_home, timeout, keep_trees, record)
        finally:
            lock.close()


def _fetch_locked(entry, url, ref, auth, depth, run_id, verify_commit, gnupg_home, timeout, keep_trees, record):
    trees = os.path.join(entry, "trees")
    state_path = os.path.join(entry, "state.json")
    state = _read_state(state_path)
    state["url"] = url
    last = state["refs"].get(ref) or {}
    repo = _Repo(entry, url, ref, auth, timeout)

    if run_id and last.get("run_id") == run_id and last.get("commit"):
        tree = os.path.join(trees, last["commit"])
        if os.path.isdir(tree) and (last.get("verified") or not verify_commit):
            if record:
                os.utime(tree)  # recently used: the last tree _prune_trees removes
            return FetchResult(
                url,
                ref,
                last["commit"],
                last.get("previous_commit"),
                last["commit"] != last.get("previous_commit"),
                tree,
                False,
                bool(last.get("verified")),
                repo.git_dir,
            )

    stalled = state.get("timed_out") or {}
    if run_id and stalled.get("run_id") == run_id:
        # another module process of this run already waited for this server
        raise SourceError("%s (not retried in this run)" % stalled.get("message"), subject=url, details={"timed_out": True})
    try:
        commit, fetched, tree = _fetch_export(repo, depth, trees, verify_commit, gnupg_home)
    except SourceError as exc:
        if run_id and exc.details.get("timed_out") and record:
            state["timed_out"] = {"run_id": run_id, "message": exc.message}
            _write_state(state_path, state)
            raise
        if exc.details.get("timed_out") or repo.intact():
            raise
        # the cache's own repository is damaged (corrupt objects or refs): start it again
        repo.discard()
        commit, fetched, tree = _fetch_export(repo, depth, trees, verify_commit, gnupg_home)
    state.pop("timed_out", None)

    if run_id and last.get("run_id") == run_id:
        previous = last.get("previous_commit")
    else:
        previous = last.get("commit")
    if record:
        state["refs"][ref] = {
            "commit": commit,
            "previous_commit": previous,
            "run_id": run_id,
            "fetched_at": _now() if fetched else last.get("fetched_at"),
            "verified": bool(verify_commit),
        }
        _write_state(state_path, state)
        protected = {item.get("commit") for item in state["refs"].values() if isinstance(item, dict)}
        _prune_trees(trees, keep_trees, protected)
    return FetchResult(url, ref, commit, previous, commit != previous, tree, fetched, bool(verify_commit), repo.git_dir)
