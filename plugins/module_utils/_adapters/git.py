# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Git source: fetch a repository at a ref into a local cache, export the commit.

Cache layout, one directory per repository (sha256 of its credential-free URL)::

    <cache_dir>/<key>/lock          flock()ed around fetch + export
    <cache_dir>/<key>/state.json    per ref: commit, previous_commit, run_id, fetched_at
    <cache_dir>/<key>/repo.git      bare repository (remote URL without credentials)
    <cache_dir>/<key>/trees/<sha>/  exported tree of one commit, never modified

Credentials never reach argv, the stored remote URL, messages or results: an SSH
key goes to a 0600 temporary file named in GIT_SSH_COMMAND; HTTPS credentials go
to an ``http.<url>.extraHeader`` passed through GIT_CONFIG_* environment variables.
"""

from __future__ import annotations

import base64
import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.tools import run, tool_env, trim

DEFAULT_DEPTH = 1
DEFAULT_TIMEOUT = 300
DEFAULT_KEEP_TREES = 5
DEFAULT_REF = "HEAD"
TOKEN_USERNAME = "x-access-token"
CREDENTIAL_KEYS = ("ssh_key", "known_hosts", "username", "password", "token")

_HEX = re.compile(r"^[0-9a-f]+$")
_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
_BAD_REF = re.compile(r"[\s:~^?*\[\\]|\.\.|@\{")
_HTTP_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FetchResult:
    """Outcome of fetch().

    url: the repository URL without credentials. ref: the ref asked for.
    commit: the resolved commit SHA. previous_commit: the commit this ref had in
    the previous run (None the first time). changed: commit != previous_commit.
    tree: directory holding the exported tree of ``commit`` (do not modify).
    fetched: False when the network was not used (same run_id, or a full SHA
    already in the cache). verified: the commit signature was checked.
    """

    url: str
    ref: str
    commit: str
    previous_commit: str | None
    changed: bool
    tree: str
    fetched: bool
    verified: bool = False


def split_url(url):
    """(credential-free URL, username, password) of a repository URL.

    For http(s) the whole user-info part is removed; for other schemes only a
    password is (``ssh://git@host/x`` keeps its user). scp-like URLs are kept.
    """
    if "://" not in url:
        return url, None, None
    parts = urlsplit(url)
    userinfo, sep, hostport = parts.netloc.rpartition("@")
    if not sep:
        return url, None, None
    user, has_password, password = userinfo.partition(":")
    if parts.scheme.lower() in _HTTP_SCHEMES:
        netloc = hostport
    else:
        netloc = "%s@%s" % (user, hostport) if user else hostport
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, (user or None), (password if has_password else None)


def redact_url(url):
    """The URL as it may be shown: credentials removed."""
    return split_url(url)[0]


def cache_key(url):
    """Cache directory name of a repository: sha256 of its credential-free URL."""
    return hashlib.sha256(redact_url(url).encode("utf-8")).hexdigest()


def make_scrubber(secrets):
    """A function removing URL user-info and every secret string from a text."""
    values = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def scrub(text):
        text = _URL_USERINFO.sub(r"\1", text or "")
        for value in values:
            text = text.replace(value, "********")
        return re.sub(r"(?i)(authorization:\s*)\S+(\s+\S+)?", r"\1********", text)

    return scrub


class _Auth:
    """Environment and temporary files carrying credentials for one fetch."""

    def __init__(self, clean_url, credentials, url_user, url_password):
        creds = dict(credentials or {})
        unknown = sorted(set(creds) - set(CREDENTIAL_KEYS))
        if unknown:
            raise SourceError("unknown credential keys: %s" % ", ".join(unknown), subject=clean_url)
        self.url = clean_url
        self.creds = {k: v for k, v in creds.items() if v not in (None, "")}
        if url_user is not None and not any(k in self.creds for k in ("username", "password", "token")):
            if split_url_scheme(clean_url) in _HTTP_SCHEMES:
                self.creds["username"] = url_user
                self.creds["password"] = url_password or ""
        self.tmpdir = None
        self._env = None
        self.secrets = [self.creds.get(k) for k in ("ssh_key", "password", "token")]
        if url_password:
            self.secrets.append(url_password)
        if url_user and url_password is None:
            self.secrets.append(url_user)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _write(self, name, text):
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="gitops-k8s-git-")
        path = os.path.join(self.tmpdir, name)
        if not text.endswith("\n"):
            text += "\n"
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def env(self):
        """A fresh copy of the environment for git (temporary files are written once)."""
        if self._env is None:
            self._env = self._build_env()
        return dict(self._env)

    def _build_env(self):
        extra = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", "GIT_ASKPASS": None, "SSH_ASKPASS": None}
        ssh_key, known_hosts = self.creds.get("ssh_key"), self.creds.get("known_hosts")
        if ssh_key or known_hosts:
            ssh = ["ssh", "-o", "BatchMode=yes"]
            if ssh_key:
                ssh += ["-i", self._write("id_key", ssh_key), "-o", "IdentitiesOnly=yes"]
            if known_hosts:
                ssh += ["-o", "UserKnownHostsFile=" + self._write("known_hosts", known_hosts),
                        "-o", "StrictHostKeyChecking=yes"]
            else:
                ssh += ["-o", "StrictHostKeyChecking=accept-new"]
            extra["GIT_SSH_COMMAND"] = " ".join(shlex.quote(part) for part in ssh)
            extra["GIT_SSH"] = None
        header = self.auth_header()
        if header:
            count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
            extra["GIT_CONFIG_COUNT"] = str(count + 1)
            # Scoped to this server (redirects inside it keep working, other hosts never see it);
            # the environment only reaches the git processes of this one fetch.
            extra["GIT_CONFIG_KEY_%d" % count] = "http.%s.extraHeader" % _server_url(self.url)
            extra["GIT_CONFIG_VALUE_%d" % count] = header
        return tool_env(extra)

    def auth_header(self):
        token, password = self.creds.get("token"), self.creds.get("password")
        username = self.creds.get("username")
        if token is None and password is None and username is None:
            return None
        if split_url_scheme(self.url) not in _HTTP_SCHEMES:
            raise SourceError("username, password and token only apply to http(s) repository URLs", subject=self.url)
        if token is not None:
            pair = "%s:%s" % (username or TOKEN_USERNAME, token)
        else:
            pair = "%s:%s" % (username or "", password or "")
        encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        self.secrets.append(encoded)
        return "Authorization: Basic " + encoded


def _server_url(url):
    """``scheme://host[:port]/`` of a URL."""
    parts = urlsplit(url)
    return "%s://%s/" % (parts.scheme, parts.netloc.rpartition("@")[2])


def split_url_scheme(url):
    return url.split("://", 1)[0].lower() if "://" in url else "ssh"


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
        return run(argv, SourceError, self.url, env=env or self.auth.env(), cwd=self.entry,
                   timeout=self.timeout, scrub=self.scrub)

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
        for key, value in (("remote.origin.url", self.url), ("gc.autoDetach", "false"),
                           ("core.logAllRefUpdates", "false"), ("fetch.writeCommitGraph", "false")):
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
            raise SourceError(
                "cannot fetch ref %s (full fetch): %s%s" % (self.ref, _hint(result.stderr), self.scrub(trim(result.stderr)) or "git fetch failed"),
                subject=self.url)

    def fetch_ref(self, depth):
        """Fetch the ref; return (commit, used_network)."""
        ref = self.ref
        full_sha = _HEX.match(ref) and len(ref) in (40, 64)
        if full_sha and self.resolve(ref) == ref:
            return ref, False
        local = "refs/gitops/%s" % hashlib.sha256(ref.encode("utf-8")).hexdigest()[:20]
        result = self.fetch(["+%s:%s" % (ref, local)], depth)
        if result.rc == 0:
            commit = self.resolve(local)
            if commit:
                return commit, True
        if not (_HEX.match(ref) and len(ref) >= 4):
            raise SourceError("cannot fetch ref %s: %s%s" % (ref, _hint(result.stderr), self.scrub(trim(result.stderr)) or "git fetch failed"),
                              subject=self.url)
        # A (short) commit SHA: fetch every branch and tag with full history, then resolve.
        self.fetch_all()
        commit = self.resolve(ref)
        if not commit:
            raise SourceError("ref %s is not a branch, tag or commit of this repository" % ref, subject=self.url)
        return commit, True

    def verify(self, commit, gnupg_home):
        env = self.auth.env()
        if gnupg_home:
            env["GNUPGHOME"] = gnupg_home
        result = self.git("verify-commit", commit, env=env)
        if result.rc != 0:
            raise SourceError(
                "signature verification of commit %s (ref %s) failed: %s"
                % (commit, self.ref, self.scrub(trim(result.stderr)) or "no valid signature"),
                subject=self.url,
            )

    def export(self, commit, trees):
        final = os.path.join(trees, commit)
        if os.path.isdir(final):
            os.utime(final)
            return final
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=trees)
        index = tmp + ".index"
        try:
            env = self.auth.env()
            env["GIT_INDEX_FILE"] = index
            argv = ["git", "--git-dir", self.git_dir, "--work-tree", tmp, "-c", "core.bare=false",
                    "checkout", "--force", "--quiet", commit, "--", "."]
            result = run(argv, SourceError, self.url, env=env, cwd=tmp, timeout=self.timeout, scrub=self.scrub)
            if result.rc != 0:
                raise SourceError("cannot export commit %s: %s" % (commit, self.scrub(trim(result.stderr))), subject=self.url)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        finally:
            if os.path.exists(index):
                os.unlink(index)
            if os.path.isdir(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
        return final


def _hint(stderr):
    """A short explanation in front of git's own words, when it has a known meaning."""
    text = stderr or ""
    if "could not read Username" in text or "Authentication failed" in text or "401" in text:
        return "authentication failed or required (check the token, username/password); "
    if "Permission denied (publickey" in text or "Host key verification failed" in text:
        return "SSH authentication failed (check the SSH key and known hosts); "
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
                raise SourceError("timed out after %s seconds waiting for the git cache lock" % timeout, subject=subject) from exc
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


def _check_inputs(url, ref, depth):
    if not url or url.startswith("-"):
        raise SourceError("invalid repository URL", subject=redact_url(url or ""))
    if not ref or ref.startswith("-") or ref.endswith("/") or ref.endswith(".lock") or _BAD_REF.search(ref):
        raise SourceError("invalid ref %r" % ref, subject=redact_url(url))
    if depth < 0:
        raise SourceError("depth must be 0 (full history) or more", subject=redact_url(url))


def fetch(url, ref=DEFAULT_REF, cache_dir=None, *, depth=DEFAULT_DEPTH, credentials=None, run_id=None,
          verify_commit=False, gnupg_home=None, timeout=DEFAULT_TIMEOUT, keep_trees=DEFAULT_KEEP_TREES):
    """Fetch ``ref`` of ``url`` into ``cache_dir`` and export its tree; returns FetchResult.

    ref: branch, tag, full or short commit SHA, or ``HEAD`` (the default branch).
    depth: shallow fetch depth (0 = full history); short SHAs always fetch everything.
    credentials: dict with ``ssh_key``, ``known_hosts``, ``username``, ``password``, ``token``.
    run_id: when this ref was already fetched under the same run_id, the cached
    commit is reused without network access.
    verify_commit: require a valid signature (``git verify-commit``; keys from
    ``gnupg_home``); on failure raise SourceError and export nothing.
    """
    ref = ref or DEFAULT_REF
    _check_inputs(url, ref, depth)
    if not cache_dir:
        raise SourceError("a cache directory is required", subject=redact_url(url))
    clean, url_user, url_password = split_url(url)
    entry = os.path.join(os.path.abspath(os.path.expanduser(cache_dir)), cache_key(clean))
    trees = os.path.join(entry, "trees")
    try:
        os.makedirs(trees, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise SourceError("cannot create the git cache directory: %s" % exc.strerror, subject=clean) from exc
    with _Auth(clean, credentials, url_user, url_password) as auth:
        lock = _lock(os.path.join(entry, "lock"), timeout, clean)
        try:
            return _fetch_locked(entry, clean, ref, auth, depth, run_id, verify_commit, gnupg_home, timeout, keep_trees)
        finally:
            lock.close()


def _fetch_locked(entry, url, ref, auth, depth, run_id, verify_commit, gnupg_home, timeout, keep_trees):
    trees = os.path.join(entry, "trees")
    state_path = os.path.join(entry, "state.json")
    state = _read_state(state_path)
    state["url"] = url
    last = state["refs"].get(ref) or {}
    repo = _Repo(entry, url, ref, auth, timeout)

    if run_id and last.get("run_id") == run_id and last.get("commit"):
        tree = os.path.join(trees, last["commit"])
        if os.path.isdir(tree) and (last.get("verified") or not verify_commit):
            os.utime(tree)
            return FetchResult(url, ref, last["commit"], last.get("previous_commit"),
                               last["commit"] != last.get("previous_commit"), tree, False, bool(last.get("verified")))

    repo.ensure()
    commit, fetched = repo.fetch_ref(depth)
    if verify_commit:
        repo.verify(commit, gnupg_home)
    tree = repo.export(commit, trees)

    if run_id and last.get("run_id") == run_id:
        previous = last.get("previous_commit")
    else:
        previous = last.get("commit")
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
    return FetchResult(url, ref, commit, previous, commit != previous, tree, fetched, bool(verify_commit))
