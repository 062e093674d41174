"""End to end through the reconcile playbook (what ansible-pull runs) and the app module's
one-liners: a sync window holds an automated sync, a rollback suspends automation until
resumed, a failed sync waits for its retry backoff. Every wait is a recorded decision the
next run honours, so the tests run the playbook again rather than sleep inside it."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import time

import pytest
import yaml

from .gitops import GitRepo
from .playbook import VENV_BIN, ansible_env


def configmap(namespace, value):
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": namespace}, "data": {"release": value}})


class Setup:
    """An application repository (file://) and a GitOps checkout whose apps/ declares one
    Application (name, in ``namespace``) rendering ``deploy/`` of it into ``dest``."""

    def __init__(self, tmp_path, kubeconfig, namespace, name, dest=None, sync_policy=None):
        self.tmp, self.kubeconfig, self.namespace, self.name = tmp_path, kubeconfig, namespace, name
        self.dest = dest or namespace
        self.origin = GitRepo(tmp_path / "origin")
        self.gitops = GitRepo(tmp_path / "gitops")
        policy = sync_policy or {"automated": {"prune": True, "selfHeal": True}}
        app = {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "source": {"repoURL": self.origin.url, "targetRevision": "main", "path": "deploy"},
                "destination": {"namespace": self.dest},
                "syncPolicy": policy,
            },
        }
        self.gitops.write("apps/%s.yaml" % name, yaml.safe_dump(app))
        self.gitops.commit("declare %s" % name)

    def release(self, value):
        self.origin.write("deploy/settings.yaml", configmap(self.dest, value))
        return self.origin.commit("release %s" % value)

    def command(self, **extra_vars):
        """The argv of one run of gitops.k8s.reconcile, as ansible-pull's local.yml would run it."""
        extra = {
            "gitops_k8s_kubeconfig": self.kubeconfig,
            "gitops_k8s_checkout_dir": self.gitops.path,
            "gitops_k8s_namespace": self.namespace,
            "gitops_k8s_root_name": self.name + "-root",
            "gitops_k8s_allow_local_repos": True,
        }
        extra.update(extra_vars)
        return [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "gitops.k8s.reconcile", "-e", json.dumps(extra)]

    def reconcile(self, env=None, **extra_vars):
        """One run of gitops.k8s.reconcile (``env``: more environment, e.g. a callback plugin's settings)."""
        proc = subprocess.run(
            self.command(**extra_vars),
            env=ansible_env(**(env or {})),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=str(self.tmp),
        )
        return proc

    def adhoc(self, line, **options):
        """The documented one-liner: ansible localhost -m gitops.k8s.app -a 'name=... rollback=...'
        (JSON arguments when ``options`` are given: a list of windows)."""
        line = "name=%s namespace=%s kubeconfig=%s allow_local_repos=true %s" % (self.name, self.namespace, self.kubeconfig, line)
        if options:
            options.update(name=self.name, namespace=self.namespace, kubeconfig=self.kubeconfig, allow_local_repos=True)
            line = json.dumps(options)
        return subprocess.run(
            [os.path.join(VENV_BIN, "ansible"), "localhost", "-i", "localhost,", "-c", "local", "-m", "gitops.k8s.app", "-a", line],
            env=ansible_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=str(self.tmp),
        )

    def status(self, kubectl):
        return json.loads(kubectl("get", "gapp", self.name, "-n", self.namespace, "-o", "json")).get("status") or {}


def live(kubectl, namespace):
    return kubectl("get", "cm", "settings", "-n", namespace, "-o", "jsonpath={.data.release}")


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    return proc


def types(status):
    return [c["type"] for c in status.get("conditions") or []]


def test_a_deny_window_holds_the_automated_sync_and_a_manual_sync_passes(tmp_path, kubeconfig, namespace, kubectl):
    setup = Setup(tmp_path, kubeconfig, namespace, "retry-window")
    setup.release("v1")
    ok(setup.reconcile())
    assert live(kubectl, namespace) == "v1"

    started = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    window = {
        "kind": "deny",
        "schedule": "%d %d * * *" % (started.minute, started.hour),
        "duration": "1h",
        "applications": ["retry-window"],
    }  # the root (retry-window-root) is not covered
    revision = setup.release("v2")
    ok(setup.reconcile(gitops_k8s_sync_windows=[window]))
    status = setup.status(kubectl)
    assert live(kubectl, namespace) == "v1"  # held: nothing written
    assert status["sync"] == dict(status["sync"], status="OutOfSync", revision=revision) and status["summary"]["outOfSync"] == 1
    opens = (started + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert status["syncWindow"]["opensAt"] == opens and "SyncWindowClosed" in types(status)
    assert "it may sync from %s" % opens in status["syncWindow"]["message"]

    manual = ok(setup.adhoc("", sync=True, sync_windows=[dict(window, manualSync=True)]))
    assert live(kubectl, namespace) == "v2", manual.stdout[-3000:]
    status = setup.status(kubectl)
    assert "syncWindow" not in status and "SyncWindowClosed" not in types(status)


def test_a_rollback_syncs_the_earlier_revision_and_suspends_automation_until_resumed(tmp_path, kubeconfig, namespace, kubectl):
    setup = Setup(tmp_path, kubeconfig, namespace, "retry-rollback")
    first = setup.release("v1")
    ok(setup.reconcile())
    setup.release("v2")
    ok(setup.reconcile())
    assert live(kubectl, namespace) == "v2"
    history = setup.status(kubectl)["history"]
    assert [(h["id"], h["revision"]) for h in history][-1] == (0, first)

    # a fresh git cache: the earlier commit is fetched by its full SHA
    ok(setup.adhoc("rollback=0 git_cache_dir=%s" % (tmp_path / "fresh-cache")))
    status = setup.status(kubectl)
    assert live(kubectl, namespace) == "v1" and status["sync"]["revision"] == first
    assert status["rolledBack"]["revision"] == first and "AutomatedSyncSuspended" in types(status)

    setup.release("v3")
    ok(setup.reconcile())  # a new commit: automated sync stays suspended
    assert live(kubectl, namespace) == "v1"
    kubectl("patch", "cm", "settings", "-n", namespace, "--type", "merge", "-p", '{"data":{"release":"edited"}}')
    ok(setup.reconcile())  # selfHeal is suspended too; the drift from the rolled-back revision is reported
    status = setup.status(kubectl)
    assert live(kubectl, namespace) == "edited" and status["sync"]["status"] == "OutOfSync"

    ok(setup.adhoc("resume=true"))
    status = setup.status(kubectl)
    assert live(kubectl, namespace) == "v3" and "rolledBack" not in status and "AutomatedSyncSuspended" not in types(status)


@pytest.mark.serial  # timed: no other test beside it (tests/integration/conftest.py, serial_gate)
def test_a_failed_sync_waits_for_its_backoff(tmp_path, kubeconfig, namespace, kubectl):
    policy = {"automated": {"prune": True}, "syncOptions": ["FailOnSharedResource=true"], "retry": {"limit": 2, "backoff": {"duration": "20s", "factor": 2}}}
    setup = Setup(tmp_path, kubeconfig, namespace, "retry-backoff", sync_policy=policy)
    # another team's Application already manages the ConfigMap: every sync fails (SyncError)
    other = "%s/other-team:/ConfigMap:%s/settings" % (namespace, namespace)
    taken = yaml.safe_load(configmap(namespace, "theirs"))
    taken["metadata"]["annotations"] = {"gitops-k8s.dev/tracking-id": other}
    kubectl("apply", "-f", "-", stdin=yaml.safe_dump(taken))
    setup.release("v1")
    setup.reconcile()
    state = setup.status(kubectl)["operationState"]
    assert state["phase"] == "Failed" and state["retryCount"] == 0 and "FailOnSharedResource" in state["message"], state
    due = datetime.datetime.strptime(state["nextRetryAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    finished = datetime.datetime.strptime(state["finishedAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    assert 19 <= due - finished <= 21

    early = setup.reconcile()
    assert time.time() < due, "the run took too long to test the backoff"
    assert setup.status(kubectl)["operationState"] == state  # not retried
    assert "waits for its backoff until %s" % state["nextRetryAt"] in early.stdout

    time.sleep(max(0.0, due - time.time()) + 1)
    setup.reconcile()
    retried = setup.status(kubectl)["operationState"]
    assert retried["phase"] == "Failed" and retried["retryCount"] == 1 and retried["finishedAt"] != state["finishedAt"]
    assert retried["nextRetryAt"] > state["nextRetryAt"]
