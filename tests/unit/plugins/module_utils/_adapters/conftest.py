# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the adapter tests: fixture paths, real tools, throwaway Git servers.

Tools are found in this order: $GITOPS_K8S_HELM / $GITOPS_K8S_KUBECTL, the
repository's .venv/bin, beside the running Python, then PATH. Tests needing a
missing tool are skipped.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from tests.helpers import git_servers

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
FIXTURES = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "render")
GIT = shutil.which("git")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "gitops test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "gitops test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def find_tool(name, env_var):
    candidates = [os.environ.get(env_var)]
    candidates.append(os.path.join(REPO_ROOT, ".venv", "bin", name))
    candidates.append(os.path.join(os.path.dirname(os.path.abspath(sys.executable)), name))
    candidates.append(shutil.which(name))
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="session")
def fixtures_dir():
    return FIXTURES


@pytest.fixture(scope="session")
def helm_bin():
    path = find_tool("helm", "GITOPS_K8S_HELM")
    if path is None:
        pytest.skip("helm not found (set GITOPS_K8S_HELM or run make venv)")
    return path


@pytest.fixture(scope="session")
def kubectl_bin():
    path = find_tool("kubectl", "GITOPS_K8S_KUBECTL")
    if path is None:
        pytest.skip("kubectl not found (set GITOPS_K8S_KUBECTL or run make venv)")
    return path


@pytest.fixture(scope="session")
def git_bin():
    if GIT is None:
        pytest.skip("git not found")
    return GIT


def git(cwd, *args, env=None):
    """Run git in ``cwd`` for test setup; return stripped stdout."""
    full_env = dict(os.environ)
    full_env.update(GIT_ENV)
    full_env.update(env or {})
    return subprocess.run([GIT] + list(args), cwd=cwd, env=full_env, check=True, capture_output=True, text=True).stdout.strip()


class SourceRepo:
    """A non-bare repository to serve: write files, commit, tag."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        git(path, "init", "--quiet", "--initial-branch=main")

    @property
    def url(self):
        return "file://" + self.path

    def commit(self, files, message="change", env=None, args=()):
        for name, text in files.items():
            full = os.path.join(self.path, name)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(text)
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "-m", message, *args, env=env)
        return self.head()

    def head(self, ref="HEAD"):
        return git(self.path, "rev-parse", ref)

    def run(self, *args):
        return git(self.path, *args)


@pytest.fixture
def source_repo(tmp_path, git_bin):
    repo = SourceRepo(str(tmp_path / "source"))
    return repo


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("port %d did not open" % port)


@pytest.fixture
def git_daemon(tmp_path, git_bin):
    """Serve ``tmp_path/served`` with ``git daemon`` on a free port of 127.0.0.1."""
    base = tmp_path / "served"
    base.mkdir()
    port = free_port()
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [GIT, "daemon", "--listen=127.0.0.1", "--port=%d" % port, "--base-path=%s" % base, "--export-all", "--reuseaddr", str(base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        yield str(base), "git://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def git_http(tmp_path, git_bin):
    """Serve bare repositories below ``tmp_path/http`` over smart HTTP with basic auth.

    Yields a dict: root, url (base), requests (the server's list of (method, path,
    Authorization header)), and set_credentials(user, password).
    """
    root = tmp_path / "http"
    root.mkdir()
    with git_servers.GitHTTPServer(root) as server:

        def set_credentials(user, password):
            pair = ("%s:%s" % (user, password)).encode("utf-8")
            server.expected_auth = "Basic " + base64.b64encode(pair).decode("ascii")

        yield {"root": str(root), "url": server.url, "requests": server.requests, "set_credentials": set_credentials}


@pytest.fixture
def gnupg_home(git_bin):
    """A throwaway GnuPG home with one ed25519 signing key; yields (home, fingerprint)."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg not found")
    home = tempfile.mkdtemp(prefix="gk-gpg-", dir="/tmp")  # short path: gpg-agent socket length limit
    os.chmod(home, 0o700)
    env = dict(os.environ, GNUPGHOME=home)
    try:
        subprocess.run(
            [
                "gpg",
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-generate-key",
                "gitops test <test@example.invalid>",
                "ed25519",
                "sign",
                "never",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=env, check=True, capture_output=True, text=True).stdout
        fingerprint = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")][0]
        yield home, fingerprint
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def run_git(git_bin):
    """The ``git(cwd, *args, env=None)`` helper."""
    return git
