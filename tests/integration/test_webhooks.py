"""Commit to live in seconds (docs/webhooks.md): a real ansible-rulebook runs the
gitops.k8s.git_push rulebook; bare git repositories on this machine have a post-receive
hook that posts a signed GitHub push webhook to it; the reconcile playbook syncs the
Applications of the pushed repository and branch. Measured: push to live object.

One listener (the JVM starts slowly) serves the tests of this file, in order."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from .gitops import GIT_ENV, Runner, application
from .playbook import VENV_BIN, ansible_env

RULEBOOK = os.path.join(VENV_BIN, "ansible-rulebook")
pytestmark = pytest.mark.skipif(not os.access(RULEBOOK, os.X_OK), reason="ansible-rulebook is not installed (requirements-dev.txt)")

STARTUP_DEADLINE = 300  # the JVM of the rule engine starts slowly on a loaded machine
LIVE_DEADLINE = 240
SECRET = "github-" + uuid.uuid4().hex
GITEA_SECRET = "gitea-" + uuid.uuid4().hex
GITLAB_TOKEN = "gitlab-" + uuid.uuid4().hex

# post-receive: one signed GitHub push webhook per updated ref, unless the repository's
# "quiet" file exists (a push the test keeps from the listener)
HOOK = """#!%(python)s
import hashlib, hmac, json, os, sys, urllib.request
config = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "webhook.json")))
if os.path.exists(config["quiet"]):
    sys.exit(0)
for line in sys.stdin:
    before, after, ref = line.split()
    body = json.dumps({"ref": ref, "before": before, "after": after,
                       "repository": {"clone_url": config["clone_url"], "default_branch": "main"}}).encode()
    signature = "sha256=" + hmac.new(config["secret"].encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(config["url"], data=body, headers={
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature})
    with urllib.request.urlopen(request, timeout=60) as answer:
        print("webhook:", answer.status, answer.read().decode())
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
data:
  value: "%s"
"""


def _write_yaml(path, data):
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    return path


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _git(cwd, *args):
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=GIT_ENV, timeout=120).stdout.strip()


class Remote:
    """A bare repository with the webhook hook, and a work tree that pushes to it."""

    def __init__(self, base, name, url):
        self.bare = os.path.join(base, name + ".git")
        self.work = os.path.join(base, name)
        self.quiet = os.path.join(self.bare, "quiet")
        self.clone_url = "file://" + self.bare
        _git(base, "init", "-q", "--bare", "-b", "main", self.bare)
        hook = os.path.join(self.bare, "hooks", "post-receive")
        with open(hook, "w", encoding="utf-8") as handle:
            handle.write(HOOK % {"python": sys.executable})
        os.chmod(hook, os.stat(hook).st_mode | stat.S_IXUSR)
        with open(os.path.join(self.bare, "hooks", "webhook.json"), "w", encoding="utf-8") as handle:
            json.dump({"url": url, "secret": SECRET, "clone_url": self.clone_url, "quiet": self.quiet}, handle)
        _git(base, "init", "-q", "-b", "main", self.work)
        _git(self.work, "remote", "add", "origin", self.bare)

    def commit(self, rel, text, branch="main"):
        full = os.path.join(self.work, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(text)
        _git(self.work, "checkout", "-q", "-B", branch)
        _git(self.work, "add", "-A")
        _git(self.work, "commit", "-q", "-m", "change %s" % rel)
        return _git(self.work, "rev-parse", "HEAD")

    def push(self, branch="main", quiet=False):
        if quiet:
            open(self.quiet, "w", encoding="ascii").close()
        try:
            return subprocess.run(
                ["git", "-C", self.work, "push", "-q", "origin", branch], check=True, capture_output=True, text=True, env=GIT_ENV, timeout=120
            ).stderr
        finally:
            if quiet:
                os.unlink(self.quiet)


class Listener:
    """ansible-rulebook running the collection's rulebook; its output in a file."""

    def __init__(self, base, port, reconcile_vars):
        self.port = port
        self.log = os.path.join(base, "rulebook.log")
        inventory = _write_yaml(os.path.join(base, "inventory.yml"), {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}})
        variables = _write_yaml(
            os.path.join(base, "webhooks.yml"),
            {
                "gitops_k8s_webhook_port": port,
                "gitops_k8s_webhook_github_secret": SECRET,
                "gitops_k8s_webhook_gitea_secret": GITEA_SECRET,
                "gitops_k8s_webhook_gitlab_token": GITLAB_TOKEN,
                "gitops_k8s_webhook_state_dir": os.path.join(base, "state"),
                "gitops_k8s_reconcile_vars_file": reconcile_vars,
            },
        )
        with open(self.log, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop()
                [RULEBOOK, "-r", "gitops.k8s.git_push", "-i", inventory, "--vars", variables, "-v"],
                cwd=base,
                env=ansible_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_DEADLINE
        while not self._listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("ansible-rulebook did not listen on port %d within %d s:\n%s" % (port, STARTUP_DEADLINE, self.output()[-4000:]))
            time.sleep(0.5)

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                return True
        except OSError:
            return False

    def output(self):
        with open(self.log, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def runs(self):
        """(started, ended) runs of the reconcile playbook so far."""
        text = self.output()
        return text.count("git_webhook: starting a run"), len(re.findall(r"^PLAY RECAP", text, re.M))

    def settled(self, at_least, deadline=LIVE_DEADLINE):
        """Wait until ``at_least`` runs started and every started run ended, steadily for 3 s; (started, ended)."""
        end, steady_since = time.monotonic() + deadline, None
        while time.monotonic() < end:
            started, ended = self.runs()
            if started >= at_least and started == ended:
                steady_since = steady_since or time.monotonic()
                if time.monotonic() - steady_since >= 3:
                    return started, ended
            else:
                steady_since = None
            time.sleep(0.2)
        pytest.fail("runs did not settle (started, ended = %s):\n%s" % (self.runs(), self.output()[-6000:]))

    def post(self, headers, body):
        """(status, answer) of a request to the listener."""
        request = urllib.request.Request("http://127.0.0.1:%d/" % self.port, data=body, headers=dict(headers, **{"Content-Type": "application/json"}))
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def setup(tmp_path_factory, kubeconfig, kube_api):
    """Two repositories with hooks, three Applications, the listener; the namespace deleted after."""
    base = str(tmp_path_factory.mktemp("webhooks"))
    namespace = "t-webhooks-%s" % uuid.uuid4().hex[:6]
    kube_api.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    port = _free_port()
    url = "http://127.0.0.1:%d/github" % port
    alpha, beta = Remote(base, "alpha", url), Remote(base, "beta", url)
    for remote in (alpha, beta):
        remote.commit("app/cm.yaml", CONFIGMAP % (os.path.basename(remote.work), "v0"))
        remote.push(quiet=True)
    alpha.commit("dev/cm.yaml", CONFIGMAP % ("alpha-dev", "v0"), branch="dev")
    alpha.push("dev", quiet=True)
    _git(alpha.work, "checkout", "-q", "main")
    runner = Runner(kubeconfig=kubeconfig)
    for name, remote, revision, path in (("alpha", alpha, "main", "app"), ("beta", beta, "HEAD", "app"), ("alpha-dev", alpha, "dev", "dev")):
        app = application(name, namespace, path, namespace, repo_url=remote.clone_url)
        app["spec"]["source"]["targetRevision"] = revision
        runner.declare(app)
    reconcile_vars = _write_yaml(
        os.path.join(base, "reconcile.yml"),
        {
            "gitops_k8s_namespace": namespace,
            "gitops_k8s_kubeconfig": kubeconfig,
            "gitops_k8s_allow_local_repos": True,
            # the root is another repository: no push of these tests reconciles it
            "gitops_k8s_root_repo_url": "file://" + os.path.join(base, "root.git"),
        },
    )
    listener = Listener(base, port, reconcile_vars)
    try:
        yield {"namespace": namespace, "alpha": alpha, "beta": beta, "listener": listener, "runner": runner}
    finally:
        listener.stop()
        kube_api.core.delete_namespace(namespace)


def _value(kubectl, namespace, name):
    proc = kubectl.run("get", "configmap", name, "-n", namespace, "-o", "jsonpath={.data.value}")
    return proc.stdout.strip() if proc.returncode == 0 else None


def _wait_value(kubectl, namespace, name, expected, deadline=LIVE_DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if _value(kubectl, namespace, name) == expected:
            return time.monotonic()
        time.sleep(0.1)
    pytest.fail("ConfigMap %s/%s never had value %r (it has %r)" % (namespace, name, expected, _value(kubectl, namespace, name)))


def _synced_revision(setup, name):
    app = setup["runner"].get(setup["namespace"], name)
    return ((app.get("status") or {}).get("sync") or {}).get("revision")


@pytest.mark.serial
def test_push_is_live_in_seconds(setup, kubectl):
    alpha, listener, namespace = setup["alpha"], setup["listener"], setup["namespace"]
    alpha.commit("app/cm.yaml", CONFIGMAP % ("alpha", "v1"))
    started = time.monotonic()
    answer = alpha.push()
    live = _wait_value(kubectl, namespace, "alpha", "v1")
    print("\ncommit to live: %.1f s (push, post-receive webhook, ansible-rulebook, reconcile playbook)" % (live - started))
    assert '"started"' in answer  # the hook's webhook was accepted
    assert listener.settled(1) == (1, 1)
    assert _value(kubectl, namespace, "beta") is None  # the other repository's Application was not synced
    assert _value(kubectl, namespace, "alpha-dev") is None  # nor the other branch's


def test_bad_signature_is_refused_and_runs_nothing(setup, kubectl):
    alpha, beta, listener, namespace = setup["alpha"], setup["beta"], setup["listener"], setup["namespace"]
    before = listener.settled(0)
    revision = alpha.commit("app/cm.yaml", CONFIGMAP % ("alpha", "unsigned"))
    alpha.push(quiet=True)  # in the repository, but no webhook from the hook
    body = json.dumps({"ref": "refs/heads/main", "after": revision, "repository": {"clone_url": alpha.clone_url, "default_branch": "main"}}).encode()
    forged = "sha256=" + hmac.new(b"not-the-secret", body, hashlib.sha256).hexdigest()
    assert listener.post({"X-GitHub-Event": "push", "X-Hub-Signature-256": forged}, body)[0] == 401
    assert listener.post({"X-GitHub-Event": "push"}, body)[0] == 401  # no signature at all
    gitlab = json.dumps({"ref": "refs/heads/main", "after": revision, "project": {"git_http_url": alpha.clone_url}}).encode()
    assert listener.post({"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "wrong"}, gitlab)[0] == 401
    # then a signed push of the other repository: the refused requests never queued a run
    beta.commit("app/cm.yaml", CONFIGMAP % ("beta", "v1"))
    beta.push()
    _wait_value(kubectl, namespace, "beta", "v1")
    started, ended = listener.settled(before[0] + 1)
    assert (started, ended) == (before[0] + 1, before[1] + 1)
    assert _value(kubectl, namespace, "alpha") != "unsigned"  # the unsigned revision was not synced
    assert _synced_revision(setup, "alpha") != revision
    assert "refused a request" in listener.output()


def test_gitlab_and_gitea_formats(setup, kubectl):
    beta, listener, namespace = setup["beta"], setup["listener"], setup["namespace"]
    before = listener.settled(0)
    revision = beta.commit("app/cm.yaml", CONFIGMAP % ("beta", "gitlab"))
    beta.push(quiet=True)
    body = json.dumps({"ref": "refs/heads/main", "after": revision, "project": {"git_http_url": beta.clone_url, "default_branch": "main"}}).encode()
    assert listener.post({"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": GITLAB_TOKEN}, body) == (202, {"result": "started"})
    _wait_value(kubectl, namespace, "beta", "gitlab")
    listener.settled(before[0] + 1)
    revision = beta.commit("app/cm.yaml", CONFIGMAP % ("beta", "gitea"))
    beta.push(quiet=True)
    body = json.dumps({"ref": "refs/heads/main", "after": revision, "repository": {"clone_url": beta.clone_url, "default_branch": "main"}}).encode()
    signature = hmac.new(GITEA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert listener.post({"X-Gitea-Event": "push", "X-GitHub-Event": "push", "X-Gitea-Signature": signature}, body) == (202, {"result": "started"})
    _wait_value(kubectl, namespace, "beta", "gitea")
    assert listener.settled(before[0] + 2)[0] == before[0] + 2


def test_burst_of_pushes_is_coalesced(setup, kubectl):
    alpha, listener, namespace = setup["alpha"], setup["listener"], setup["namespace"]
    before = listener.settled(0)
    for index in range(5):
        alpha.commit("app/cm.yaml", CONFIGMAP % ("alpha", "burst-%d" % index))
        alpha.push()
    _wait_value(kubectl, namespace, "alpha", "burst-4")
    started, ended = listener.settled(before[0] + 1)
    runs = started - before[0]
    print("\n5 pushes: %d reconcile runs" % runs)
    assert 1 <= runs <= 2
    assert ended == started
    assert _synced_revision(setup, "alpha") == _git(alpha.work, "rev-parse", "HEAD")


def test_push_to_another_branch_or_repository_syncs_nothing(setup, kubectl):
    alpha, beta, listener, namespace = setup["alpha"], setup["beta"], setup["listener"], setup["namespace"]
    before = listener.settled(0)
    live = _value(kubectl, namespace, "alpha")
    revision = alpha.commit("app/cm.yaml", CONFIGMAP % ("alpha", "quiet"))
    alpha.push(quiet=True)  # main has a new commit, but no webhook said so
    alpha.commit("notes.txt", "not deployed\n", branch="feature")
    alpha.push("feature")
    _git(alpha.work, "checkout", "-q", "main")
    beta.commit("app/cm.yaml", CONFIGMAP % ("beta", "v2"))
    beta.push()
    _wait_value(kubectl, namespace, "beta", "v2")
    assert listener.settled(before[0] + 2) == (before[0] + 2, before[1] + 2)  # both pushes ran the playbook ...
    assert _value(kubectl, namespace, "alpha") == live  # ... and neither synced alpha's main
    assert _synced_revision(setup, "alpha") != revision
    assert _value(kubectl, namespace, "alpha-dev") is None  # nor the dev branch
