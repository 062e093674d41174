# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import stat
import subprocess
import threading
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import git as gitsrc
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import git_env
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from tests.helpers import git_servers

TOKEN = "ghp_s3cr3tT0kenValue1234567890"
PASSWORD = "hunter2-Pa55word"
# The test repositories are served over file://, which fetch() refuses unless allowed.
fetch_local = functools.partial(gitsrc.fetch, allow_local=True)
FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----"


def read(path, name):
    with open(os.path.join(path, name), encoding="utf-8") as handle:
        return handle.read()


def cache_files_text(cache):
    """Everything in the cache that is text: config, state, refs."""
    chunks = []
    for dirpath, _dirs, files in os.walk(cache):
        if "objects" in dirpath.split(os.sep):
            continue
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as handle:
                chunks.append(handle.read().decode("utf-8", errors="replace"))
    return "\n".join(chunks)


@pytest.fixture
def repo(source_repo):
    """main: c1 (tag v1 annotated, tag light), c2; branch feature: c3."""
    r = source_repo
    r.c1 = r.commit({"app/cm.yaml": "version: 1\n"}, "one")
    r.run("tag", "-a", "v1", "-m", "release 1")
    r.run("tag", "light")
    r.c2 = r.commit({"app/cm.yaml": "version: 2\n"}, "two")
    r.run("checkout", "--quiet", "-b", "feature")
    r.c3 = r.commit({"app/cm.yaml": "version: 3\n"}, "three")
    r.run("checkout", "--quiet", "main")
    return r


@pytest.fixture
def cache(tmp_path):
    return str(tmp_path / "cache")


@pytest.mark.parametrize(
    "ref, expected",
    [("HEAD", "c2"), ("main", "c2"), ("feature", "c3"), ("v1", "c1"), ("light", "c1"), ("refs/heads/feature", "c3"), ("full", "c1"), ("short", "c1")],
)
def test_refs_resolve_and_export_the_commit_tree(repo, cache, ref, expected):
    commit = getattr(repo, expected)
    ref = {"full": repo.c1, "short": repo.c1[:8]}.get(ref, ref)
    result = fetch_local(repo.url, ref, cache)
    assert result.commit == commit
    assert result.ref == ref
    assert result.url == repo.url
    assert result.tree == os.path.join(cache, gitsrc.cache_key(repo.url), "trees", commit)
    assert read(result.tree, "app/cm.yaml") == "version: %d\n" % {"c1": 1, "c2": 2, "c3": 3}[expected]
    assert not os.path.exists(os.path.join(result.tree, ".git"))


def test_changed_only_when_the_commit_moves(repo, cache):
    first = fetch_local(repo.url, "main", cache)
    assert (first.previous_commit, first.changed, first.fetched) == (None, True, True)
    second = fetch_local(repo.url, "main", cache)
    assert (second.commit, second.previous_commit, second.changed, second.fetched) == (repo.c2, repo.c2, False, True)
    c4 = repo.commit({"app/cm.yaml": "version: 4\n"}, "four")
    third = fetch_local(repo.url, "main", cache)
    assert (third.commit, third.previous_commit, third.changed) == (c4, repo.c2, True)
    # the older tree is untouched
    assert read(second.tree, "app/cm.yaml") == "version: 2\n"
    state = json.loads(read(os.path.join(cache, gitsrc.cache_key(repo.url)), "state.json"))
    assert state["refs"]["main"]["commit"] == c4
    assert state["refs"]["main"]["previous_commit"] == repo.c2


def test_same_run_id_reuses_without_network(repo, cache):
    first = fetch_local(repo.url, "main", cache, run_id="run-1")
    shutil.rmtree(repo.path)  # the remote is gone: only the cache can answer
    again = fetch_local(repo.url, "main", cache, run_id="run-1")
    assert again.fetched is False
    assert (again.commit, again.previous_commit, again.changed, again.tree) == (first.commit, first.previous_commit, first.changed, first.tree)
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, "main", cache, run_id="run-2")
    assert err.value.subject == repo.url
    assert "cannot fetch ref main" in str(err.value)


def test_same_run_id_keeps_the_runs_view_of_changed(repo, cache):
    fetch_local(repo.url, "main", cache, run_id="run-1")
    c4 = repo.commit({"app/cm.yaml": "version: 4\n"}, "four")
    moved = fetch_local(repo.url, "main", cache, run_id="run-2")
    reused = fetch_local(repo.url, "main", cache, run_id="run-2")
    assert (moved.commit, moved.previous_commit, moved.changed) == (c4, repo.c2, True)
    assert (reused.commit, reused.previous_commit, reused.changed, reused.fetched) == (c4, repo.c2, True, False)


def test_full_sha_already_cached_needs_no_network(repo, cache):
    fetch_local(repo.url, repo.c2, cache)
    shutil.rmtree(repo.path)
    result = fetch_local(repo.url, repo.c2, cache)
    assert (result.commit, result.fetched) == (repo.c2, False)


def test_shallow_by_default_full_with_depth_zero(repo, cache, run_git):
    fetch_local(repo.url, "main", cache)
    git_dir = os.path.join(cache, gitsrc.cache_key(repo.url), "repo.git")
    assert os.path.exists(os.path.join(git_dir, "shallow"))
    assert run_git(git_dir, "rev-list", "--count", repo.c2) == "1"
    fetch_local(repo.url, "main", cache, depth=0)
    assert not os.path.exists(os.path.join(git_dir, "shallow"))
    assert run_git(git_dir, "rev-list", "--count", repo.c2) == "2"


def test_force_pushed_branch_is_followed(repo, cache):
    fetch_local(repo.url, "main", cache)
    repo.run("reset", "--quiet", "--hard", repo.c1)
    rewritten = repo.commit({"app/cm.yaml": "version: rewritten\n"}, "rewrite")
    result = fetch_local(repo.url, "main", cache)
    assert (result.commit, result.changed) == (rewritten, True)


def test_old_trees_are_pruned_but_current_ones_kept(repo, cache):
    pinned = fetch_local(repo.url, "v1", cache, keep_trees=2)
    commits = []
    for number in range(4, 8):
        commits.append(repo.commit({"app/cm.yaml": "version: %d\n" % number}))
        fetch_local(repo.url, "main", cache, keep_trees=2)
    trees = sorted(os.listdir(os.path.join(cache, gitsrc.cache_key(repo.url), "trees")))
    # the two newest, plus the tree of the pinned tag still referenced by the state
    assert trees == sorted([commits[-1], commits[-2], pinned.commit])


def test_unrecorded_fetch_keeps_state_and_trees(repo, cache):
    """record=False (git_source in check mode): the commit is resolved and its tree
    exported, but state.json is left as it was and no tree is pruned."""
    kept = [fetch_local(repo.url, ref, cache, keep_trees=1).tree for ref in ("v1", "main")]
    state = os.path.join(cache, gitsrc.cache_key(repo.url), "state.json")
    before = read(os.path.dirname(state), "state.json")
    newer = repo.commit({"app/cm.yaml": "version: 4\n"}, "four")
    result = fetch_local(repo.url, "main", cache, keep_trees=1, record=False)
    assert (result.commit, result.previous_commit, result.changed) == (newer, repo.c2, True)
    assert os.path.isdir(result.tree) and all(os.path.isdir(tree) for tree in kept)
    assert read(os.path.dirname(state), "state.json") == before


def test_unknown_branch_and_unknown_short_sha(repo, cache):
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, "nope", cache)
    assert str(err.value).startswith("%s: cannot fetch ref nope: " % repo.url)
    assert "couldn't find remote ref nope" in str(err.value)
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, "deadbeef", cache)
    assert "ref deadbeef is not a branch, tag or commit" in str(err.value)


@pytest.mark.parametrize("ref", ["--upload-pack=touch /tmp/x", "a:b", "a..b", "main~1", "x y"])
def test_dangerous_refs_are_refused(repo, cache, ref):
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, ref, cache)
    assert "invalid ref" in str(err.value)


def test_unreachable_repo_error_has_no_credentials(cache, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    url = "https://deploy:%s@127.0.0.1:9/platform/gitops.git" % PASSWORD
    with pytest.raises(SourceError) as err:
        gitsrc.fetch(url, "main", cache, timeout=20)
    message = str(err.value)
    assert message.startswith("https://127.0.0.1:9/platform/gitops.git: cannot fetch ref main: ")
    assert PASSWORD not in message and "deploy:" not in message
    with pytest.raises(SourceError) as err:
        gitsrc.fetch("https://127.0.0.1:9/x.git", "main", cache, credentials={"token": TOKEN}, timeout=20)
    assert TOKEN not in str(err.value)
    assert base64.b64encode(("x-access-token:" + TOKEN).encode()).decode() not in str(err.value)
    with pytest.raises(SourceError) as err:
        gitsrc.fetch("ssh://git@127.0.0.1:9/x.git", "main", cache, credentials={"ssh_key": FAKE_KEY}, timeout=20)
    assert "c2VjcmV0" not in str(err.value)
    assert str(err.value).startswith("ssh://git@127.0.0.1:9/x.git: cannot fetch ref main")
    assert os.listdir(str(tmp_path / "tmp")) == []  # the key file is gone
    assert PASSWORD not in cache_files_text(cache) and TOKEN not in cache_files_text(cache)


def test_ssh_key_file_is_private_while_in_use_and_removed_after():
    with git_env.Auth("ssh://git@example.invalid/x.git", {"ssh_key": FAKE_KEY}, None, None) as auth:
        command = auth.env()["GIT_SSH_COMMAND"]
        key_path = command.split(" -i ")[1].split(" ")[0]
        assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
        assert read(os.path.dirname(key_path), os.path.basename(key_path)) == FAKE_KEY + "\n"
        assert "IdentitiesOnly=yes" in command and "StrictHostKeyChecking=accept-new" in command
        assert auth.env()["GIT_TERMINAL_PROMPT"] == "0"
    assert not os.path.exists(key_path)
    with git_env.Auth("ssh://git@example.invalid/x.git", {"ssh_key": FAKE_KEY, "known_hosts": "h ssh-ed25519 AAAA"}, None, None) as auth:
        command = auth.env()["GIT_SSH_COMMAND"]
        assert "StrictHostKeyChecking=yes" in command and "UserKnownHostsFile=" in command


def test_http_credentials_on_an_ssh_url_are_refused(cache):
    with pytest.raises(SourceError) as err:
        gitsrc.fetch("git@example.invalid:x.git", "main", cache, credentials={"token": TOKEN})
    assert "only apply to http(s)" in str(err.value)
    assert TOKEN not in str(err.value)


@pytest.fixture
def http_repo(repo, git_http, run_git):
    bare = os.path.join(git_http["root"], "team", "gitops.git")
    run_git(git_http["root"], "clone", "--quiet", "--bare", repo.path, bare)
    git_http["repo_url"] = git_http["url"] + "/team/gitops.git"
    return git_http


@pytest.fixture
def argv_log(tmp_path, monkeypatch, git_bin):
    """Put a git wrapper first on PATH that logs every argv and environment size."""
    bindir = tmp_path / "wrapper"
    bindir.mkdir()
    log = tmp_path / "git-argv.log"
    wrapper = bindir / "git"
    wrapper.write_text('#!/bin/sh\nprintf "%%s\\n" "$*" >> %s\nexec %s "$@"\n' % (log, git_bin))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, os.environ["PATH"]))
    return log


def test_https_token_goes_in_a_header_never_in_argv_or_config(repo, http_repo, cache, argv_log):
    http_repo["set_credentials"]("x-access-token", TOKEN)
    result = gitsrc.fetch(http_repo["repo_url"], "main", cache, credentials={"token": TOKEN})
    assert result.commit == repo.c2
    assert result.url == http_repo["repo_url"]
    expected = "Basic " + base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
    assert any(auth == expected for _m, _p, auth in http_repo["requests"])
    logged = argv_log.read_text()
    assert "fetch" in logged
    assert TOKEN not in logged and base64.b64encode(TOKEN.encode()).decode()[:12] not in logged
    text = cache_files_text(cache)
    assert TOKEN not in text and "Authorization" not in text
    assert http_repo["repo_url"] in text  # the stored remote is the clean URL
    assert TOKEN not in repr(result)


def test_https_wrong_token_fails_without_leaking_it(http_repo, cache):
    http_repo["set_credentials"]("x-access-token", "the-right-one")
    with pytest.raises(SourceError) as err:
        gitsrc.fetch(http_repo["repo_url"], "main", cache, credentials={"token": TOKEN}, timeout=30)
    assert TOKEN not in str(err.value)
    assert "Authorization" not in str(err.value)
    assert "authentication failed or required" in str(err.value)


def test_https_username_password_and_url_credentials(repo, http_repo, cache):
    http_repo["set_credentials"]("deploy", PASSWORD)
    result = gitsrc.fetch(http_repo["repo_url"], "v1", cache, credentials={"username": "deploy", "password": PASSWORD})
    assert result.commit == repo.c1
    embedded = http_repo["repo_url"].replace("http://", "http://deploy:%s@" % PASSWORD)
    result = gitsrc.fetch(embedded, "main", cache)
    assert result.commit == repo.c2
    assert result.url == http_repo["repo_url"]
    assert PASSWORD not in cache_files_text(cache)


def test_run_id_reuse_makes_no_request(http_repo, cache):
    http_repo["set_credentials"]("x-access-token", TOKEN)
    gitsrc.fetch(http_repo["repo_url"], "main", cache, credentials={"token": TOKEN}, run_id="r")
    before = len(http_repo["requests"])
    assert before > 0
    gitsrc.fetch(http_repo["repo_url"], "main", cache, credentials={"token": TOKEN}, run_id="r")
    assert len(http_repo["requests"]) == before


def test_git_daemon_branch_tag_and_older_full_sha(repo, git_daemon, cache, run_git):
    base, url = git_daemon
    run_git(base, "clone", "--quiet", "--bare", repo.path, os.path.join(base, "gitops.git"))
    url += "/gitops.git"
    assert gitsrc.fetch(url, "main", cache).commit == repo.c2
    assert gitsrc.fetch(url, "v1", cache).commit == repo.c1
    older = gitsrc.fetch(url, repo.c1, cache)
    assert older.commit == repo.c1
    assert read(older.tree, "app/cm.yaml") == "version: 1\n"
    assert gitsrc.fetch(url, repo.c3[:10], cache).commit == repo.c3


def test_concurrent_fetches_share_the_cache_safely(repo, cache):
    results, errors = [], []

    def worker(ref):
        try:
            results.append(fetch_local(repo.url, ref, cache))
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ref,)) for ref in ("main", "feature", "v1", "main", "feature", "v1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted({r.commit for r in results}) == sorted({repo.c1, repo.c2, repo.c3})


def test_verify_commit_accepts_a_signed_commit(repo, cache, gnupg_home):
    home, fingerprint = gnupg_home
    signed = repo.commit({"app/cm.yaml": "version: signed\n"}, "signed", env={"GNUPGHOME": home}, args=("-S%s" % fingerprint,))
    result = fetch_local(repo.url, "main", cache, verify_commit=True, gnupg_home=home)
    assert (result.commit, result.verified) == (signed, True)
    assert read(result.tree, "app/cm.yaml") == "version: signed\n"


def test_verify_commit_refuses_unsigned_and_unknown_key(repo, cache, gnupg_home, tmp_path):
    home, fingerprint = gnupg_home
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, "main", cache, verify_commit=True, gnupg_home=home)
    assert "signature verification of commit %s (ref main) failed" % repo.c2 in str(err.value)
    trees = os.path.join(cache, gitsrc.cache_key(repo.url), "trees")
    assert os.listdir(trees) == []  # nothing exported
    signed = repo.commit({"app/cm.yaml": "x\n"}, "signed", env={"GNUPGHOME": home}, args=("-S%s" % fingerprint,))
    stranger = tmp_path / "stranger-gnupg"
    stranger.mkdir(mode=0o700)
    with pytest.raises(SourceError) as err:
        fetch_local(repo.url, "main", cache, verify_commit=True, gnupg_home=str(stranger))
    assert "signature verification of commit %s" % signed in str(err.value)
    assert os.listdir(trees) == []


@pytest.mark.parametrize(
    "url, clean",
    [
        ("https://user:pw@git.example.com/a/b.git", "https://git.example.com/a/b.git"),
        ("https://tok@git.example.com:8443/a.git", "https://git.example.com:8443/a.git"),
        ("ssh://git:pw@git.example.com/a.git", "ssh://git@git.example.com/a.git"),
        ("ssh://git@git.example.com/a.git", "ssh://git@git.example.com/a.git"),
        ("git@git.example.com:a/b.git", "git@git.example.com:a/b.git"),
        ("file:///srv/repo", "file:///srv/repo"),
    ],
)
def test_redact_url_and_cache_key(url, clean):
    assert gitsrc.redact_url(url) == clean
    assert gitsrc.cache_key(url) == gitsrc.cache_key(clean)


def test_scrubber_removes_userinfo_secrets_and_headers():
    scrub = gitsrc.make_scrubber([TOKEN])
    text = "fatal: https://u:p@h/x failed with %s\nAuthorization: Basic abc=" % TOKEN
    assert scrub(text) == "fatal: https://h/x failed with ********\nAuthorization: ********"


# --- hostile URLs: options and transports never reach git ------------------------------------

HOSTILE_URLS = [
    "ext::sh -c touch% {marker}",
    "ext::sh -c 'touch {marker}'",
    "fd::17",
    "fd::0,1/x",
    "--upload-pack=touch {marker}",
    "-u touch {marker}",
    "ssh://-oProxyCommand=touch%20{marker}/x.git",
    "ssh://-oProxyCommand=touch {marker}/x.git",
    "ssh://-user@127.0.0.1/x.git",
    "-oProxyCommand=touch{marker}:x.git",
    "git@-oProxyCommand=x:x.git",
    "https://127.0.0.1/x.git\n--upload-pack=touch {marker}",
    "https://127.0.0.1/a b.git",
    "https://127.0.0.1/x\x00.git",
    "foo://127.0.0.1/x.git",
    "https://127.0.0.1/team/../other/x.git",
]


@pytest.mark.parametrize("template", HOSTILE_URLS)
def test_option_and_transport_urls_are_refused_before_git_runs(template, cache, tmp_path, argv_log):
    marker = tmp_path / "marker"
    url = template.format(marker=marker)
    with pytest.raises(SourceError) as err:
        gitsrc.fetch(url, "main", cache, allow_local=True, timeout=20)
    assert "repository URL" in str(err.value) and "not allowed" in str(err.value)
    assert not marker.exists()
    assert not argv_log.exists()  # git never ran


@pytest.mark.parametrize("kind", ["file", "path"])
def test_local_repositories_need_allow_local(repo, cache, argv_log, kind):
    url = repo.url if kind == "file" else repo.path
    with pytest.raises(SourceError) as err:
        gitsrc.fetch(url, "main", cache, allow_local=False)
    assert "local repositories" in str(err.value) and "not allowed" in str(err.value)
    assert not argv_log.exists()
    assert gitsrc.fetch(url, "main", cache, allow_local=True).commit == repo.c2


def test_git_itself_runs_with_only_the_allowed_transports(repo, tmp_path, run_git):
    """Defence in depth: the environment of every git run refuses ext::, fd:: and (unless
    allowed) file://, whatever URL reaches git and whatever the user's git config says."""
    marker = tmp_path / "marker"
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[protocol]\n\tallow = always\n")
    env_overrides = {"HOME": str(home)}
    with git_env.Auth("https://127.0.0.1/x.git", None, None, None) as auth:
        env = dict(auth.env(), **env_overrides)
    with git_env.Auth("https://127.0.0.1/x.git", None, None, None, allow_local=True) as auth:
        local_env = dict(auth.env(), **env_overrides)
    assert env["GIT_PROTOCOL_FROM_USER"] == "0"

    def ls_remote(url, environment):
        return subprocess.run(["git", "ls-remote", "--end-of-options", url], env=environment, capture_output=True, text=True, check=False, timeout=30)

    for url in ("ext::sh -c touch% " + str(marker), "fd::5"):
        proc = ls_remote(url, local_env)
        assert proc.returncode != 0 and "not allowed" in proc.stderr
    assert not marker.exists()
    assert "not allowed" in ls_remote(repo.url, env).stderr
    assert ls_remote(repo.url, local_env).returncode == 0


# --- a Git server that hangs ---------------------------------------------------------------------


def test_http_server_that_never_answers_fails_at_the_low_speed_limit(cache, monkeypatch):
    monkeypatch.setattr(git_env, "LOW_SPEED_TIME", 2)
    with git_servers.BlackHole() as hole:
        started = time.monotonic()
        with pytest.raises(SourceError) as err:
            gitsrc.fetch(hole.url + "/x.git", "main", cache, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 20, "git waited %.0f s for a server that never answers" % elapsed
    assert err.value.details.get("timed_out") is True
    assert "the Git server stalled or did not answer in time" in str(err.value)


def test_http_server_that_stalls_mid_response_fails_at_the_low_speed_limit(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(git_env, "LOW_SPEED_TIME", 2)
    with git_servers.GitHTTPServer(tmp_path, stall=True) as server:
        started = time.monotonic()
        with pytest.raises(SourceError) as err:
            gitsrc.fetch(server.url + "/x.git", "main", cache, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 20, "the stalled transfer was not cut by the low-speed limit (%.0f s)" % elapsed
    assert err.value.details.get("timed_out") is True
    assert "too slow" in str(err.value)


def test_ssh_server_that_never_answers_fails_at_the_connect_timeout(cache, monkeypatch):
    if shutil.which("ssh") is None:
        pytest.skip("ssh not found")
    monkeypatch.setattr(git_env, "SSH_CONNECT_TIMEOUT", 2)
    with git_servers.BlackHole() as hole:
        started = time.monotonic()
        with pytest.raises(SourceError) as err:
            gitsrc.fetch("ssh://git@127.0.0.1:%d/x.git" % hole.port, "main", cache, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 20, "ssh waited %.0f s for a server that never answers" % elapsed
    assert err.value.details.get("timed_out") is True
    assert "timed out" in str(err.value)


def test_git_protocol_server_that_never_answers_fails_within_the_timeout(cache):
    with git_servers.BlackHole() as hole:
        started = time.monotonic()
        with pytest.raises(SourceError) as err:
            gitsrc.fetch("git://127.0.0.1:%d/x.git" % hole.port, "main", cache, timeout=3)
    assert time.monotonic() - started < 15
    assert err.value.details.get("timed_out") is True
    assert str(err.value) == "git://127.0.0.1:%d/x.git: ref main timed out: git did not finish within 3 seconds" % hole.port


def test_a_timed_out_repository_is_not_retried_by_another_process_of_the_run(cache):
    """The state file remembers the run whose fetch timed out: the next module process of
    the same run (reconcile.yml runs the root, then all others) fails at once."""
    with git_servers.BlackHole() as hole:
        url = "git://127.0.0.1:%d/x.git" % hole.port
        with pytest.raises(SourceError):
            gitsrc.fetch(url, "main", cache, run_id="run-1", timeout=2)
        started = time.monotonic()
        with pytest.raises(SourceError) as again:
            gitsrc.fetch(url, "other", cache, run_id="run-1", timeout=2)
        assert time.monotonic() - started < 1
        assert len(hole.accepted) == 1
        assert str(again.value).endswith("(not retried in this run)") and again.value.details["timed_out"] is True
        with pytest.raises(SourceError) as next_run:
            gitsrc.fetch(url, "main", cache, run_id="run-2", timeout=2)
        assert len(hole.accepted) == 2
    assert "not retried" not in str(next_run.value)


def test_inherited_headers_are_dropped_and_inherited_ssh_gets_the_timeouts(monkeypatch):
    """The agents export a server-wide Authorization header and an ssh command for
    ansible-pull's own clone; an Application's fetch keeps the ssh command (with the
    timeouts added) and other config, but never that header."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "2")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "http.https://git.example.com/.extraHeader")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "Authorization: Basic " + TOKEN)
    monkeypatch.setenv("GIT_CONFIG_KEY_1", "http.proxy")
    monkeypatch.setenv("GIT_CONFIG_VALUE_1", "http://proxy.example.com:3128")
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -o UserKnownHostsFile=/etc/gitops-k8s/known_hosts")
    with git_env.Auth("https://git.example.com/other/repo.git", None, None, None) as auth:
        env = auth.env()
    pairs = [(env["GIT_CONFIG_KEY_%d" % i], env["GIT_CONFIG_VALUE_%d" % i]) for i in range(int(env["GIT_CONFIG_COUNT"]))]
    assert TOKEN not in repr(pairs) and TOKEN not in repr(env)
    assert pairs[0] == ("http.proxy", "http://proxy.example.com:3128")
    assert ("protocol.allow", "never") in pairs and ("protocol.ext.allow", "never") in pairs
    assert ("protocol.file.allow", "never") in pairs and ("http.lowSpeedTime", "30") in pairs
    assert env["GIT_SSH_COMMAND"].startswith("ssh -o UserKnownHostsFile=/etc/gitops-k8s/known_hosts -o ConnectTimeout=30")


def _garble_all(directory):
    for parent, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(parent, name)
            os.chmod(path, 0o644)
            with open(path, "wb") as handle:
                handle.write(b"\x00garbage\xff" * 8)


@pytest.mark.parametrize("part", ["objects", "refs"])
def test_a_damaged_cache_repository_is_fetched_again_in_the_same_run(repo, cache, part):
    first = fetch_local(repo.url, "main", cache, run_id="r1")
    _garble_all(os.path.join(cache, gitsrc.cache_key(repo.url), "repo.git", part))
    again = fetch_local(repo.url, "main", cache, run_id="r2")
    assert again.commit == first.commit and again.fetched
    assert read(again.tree, "app/cm.yaml") == "version: 2\n"


def test_an_exported_tree_that_no_longer_matches_its_commit_is_exported_again(repo, cache):
    first = fetch_local(repo.url, "main", cache, run_id="r1")
    with open(os.path.join(first.tree, "app", "cm.yaml"), "w", encoding="utf-8") as handle:
        handle.write("tampered: true\n")
    again = fetch_local(repo.url, "main", cache, run_id="r2")
    assert again.tree == first.tree
    assert read(again.tree, "app/cm.yaml") == "version: 2\n"


def test_an_unreachable_remote_keeps_a_sound_cache(repo, cache, tmp_path):
    """A failed fetch with a sound cache is the remote's failure: the cache is not discarded."""
    fetch_local(repo.url, "main", cache, run_id="r1")
    git_dir = os.path.join(cache, gitsrc.cache_key(repo.url), "repo.git")
    marker = os.path.join(git_dir, "kept")
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write("x")
    os.rename(repo.path, str(tmp_path / "gone"))
    with pytest.raises(SourceError):
        fetch_local(repo.url, "main", cache, run_id="r2")
    assert os.path.exists(marker)


def test_https_credentials_reach_git_in_a_private_file_not_the_environment():
    """A process environment is readable by the same user (/proc/PID/environ): the
    Authorization header lives in a 0600 git config file the fetch includes, removed after."""
    with git_env.Auth("https://git.example.com/team/app.git", {"token": TOKEN}, None, None) as auth:
        env = auth.env()
        encoded = base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
        assert TOKEN not in repr(env) and encoded not in repr(env)
        pairs = dict((env["GIT_CONFIG_KEY_%d" % i], env["GIT_CONFIG_VALUE_%d" % i]) for i in range(int(env["GIT_CONFIG_COUNT"])))
        included = pairs["include.path"]
        assert stat.S_IMODE(os.stat(included).st_mode) == 0o600
        with open(included, encoding="utf-8") as handle:
            assert handle.read() == '[http "https://git.example.com/"]\n\textraHeader = Authorization: Basic %s\n' % encoded
    assert not os.path.exists(included)
