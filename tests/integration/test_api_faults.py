"""Fault suite, a frozen or hanging API server: every request has a timeout, a hung API
server fails the run in about one timeout with a clear message, a request that hangs for
one Application (an admission webhook that never answers) fails that Application only,
and a run deadline leaves the late Applications out.

The API server is frozen with SIGSTOP, so this module runs on its own control plane
(`private_cluster`), never on the shared one. Each reconcile is a real `ansible-playbook`
process running gitops.k8s.app; objects are counted by uid before and after.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube_transport import PROBE_TIMEOUT
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND

from .faults import lost, uids
from .gitops import GitRepo
from .playbook import VENV_BIN, ansible_env, run_tasks

# timed: run with no other test beside it (tests/integration/conftest.py, serial_gate)
pytestmark = pytest.mark.serial

MANY = 200
REQUEST_TIMEOUT = 5
# what a run may take past its failing request: the /readyz probe, then ansible-playbook
# ending the play and exiting
MARGIN = PROBE_TIMEOUT + 3


def configmaps(count, prefix="cm"):
    docs = ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-%03d\ndata:\n  n: "%d"\n' % (prefix, i, i) for i in range(count)]
    return "---\n".join(docs)


def app_task(kubeconfig, namespace, name, checkout, **extra):
    """A gitops.k8s.app task declaring and reconciling Application NAME (path app)."""
    params = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": checkout,
        "definition": {
            "metadata": {"name": name},
            "spec": {"source": {"path": "app"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
        },
    }
    params.update(extra)
    return {"name": "reconcile", "gitops.k8s.app": params}


def start_playbook(tmp_path, task):
    """ansible-playbook running TASK on localhost, as a process of its own (its exit is timed)."""
    path = tmp_path / "play.yml"
    path.write_text(
        yaml.safe_dump([{"name": "reconcile", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task]}]), encoding="utf-8"
    )
    return subprocess.Popen(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(path)],  # pylint: disable=consider-using-with
        env=ansible_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def failure_of(output):
    """The result ansible-playbook printed for the failed task (`fatal: [localhost]: FAILED! => {...}`)."""
    _head, sep, tail = output.partition("FAILED! => ")
    assert sep, output[-3000:]
    return json.JSONDecoder().raw_decode(tail)[0]


def cm_uids(kubectl, namespace):
    """{ConfigMap/namespace/name: uid} of the test's ConfigMaps (cm-*; not kube-root-ca.crt)."""
    return dict((k, uid) for k, uid in uids(kubectl, namespace, kinds="configmaps").items() if k.split("/")[2].startswith("cm-"))


def wait_for(predicate, what, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def test_frozen_api_server_fails_the_run_in_one_timeout_then_the_next_run_converges(tmp_path, private_cluster):
    kubectl = private_cluster.kubectl
    namespace = private_cluster.namespace("frozen")
    repo = GitRepo(tmp_path / "checkout")
    repo.write("app/configmaps.yaml", configmaps(MANY))
    repo.commit("200 ConfigMaps")
    task = app_task(private_cluster.kubeconfig, namespace, "frozen", repo.path, request_timeout=REQUEST_TIMEOUT)

    apiserver = private_cluster.pid("kube-apiserver")
    playbook = start_playbook(tmp_path, task)
    try:
        # freeze once the sync is under way: the 20th ConfigMap exists (kubectl has its own
        # short timeout: it asks only until the moment the API server is frozen)
        wait_for(lambda: kubectl.run("get", "configmap", "cm-019", "-n", namespace, "--request-timeout=2s").returncode == 0, "the sync to be under way")
        os.kill(apiserver, signal.SIGSTOP)
        frozen_at = time.monotonic()
        output = playbook.communicate(timeout=300)[0]
        finished_at = time.monotonic()
    finally:
        os.kill(apiserver, signal.SIGCONT)
        if playbook.poll() is None:
            playbook.kill()
    failed_after = finished_at - frozen_at
    print(
        "private control plane started in %.1f s; frozen API server: the run failed %.1f s after the freeze "
        "(request_timeout %d s)" % (private_cluster.start_seconds, failed_after, REQUEST_TIMEOUT)
    )

    result = failure_of(output)
    print("frozen API server: %s" % result.get("msg"))
    assert playbook.returncode != 0
    assert "the API server did not answer within %d s (" % REQUEST_TIMEOUT in result["msg"], result["msg"]
    assert "Traceback" not in output
    assert failed_after < REQUEST_TIMEOUT + MARGIN, failed_after

    wait_for(lambda: kubectl.run("get", "--raw", "/readyz", "--request-timeout=5s").returncode == 0, "the API server to answer")
    before = cm_uids(kubectl, namespace)
    assert 20 <= len(before) < MANY, len(before)  # frozen in the middle of the sync

    rc, results = run_tasks(tmp_path, [task], check=False)
    converged = results["reconcile"]
    assert rc == 0 and converged.get("error") is None, converged
    assert converged["sync_status"] == "Synced"
    after = cm_uids(kubectl, namespace)
    assert sorted(after) == ["ConfigMap/%s/cm-%03d" % (namespace, i) for i in range(MANY)]  # none lost, none twice
    assert lost(before, after) == []  # none deleted, none deleted and created again
    assert sorted(converged["created"]) == sorted(k for k in after if k not in before)
    inventory = json.loads(kubectl("get", "gapp", "frozen", "-n", namespace, "-o", "json"))["status"]["inventory"]
    assert len(inventory) == MANY and len({json.dumps(i, sort_keys=True) for i in inventory}) == MANY


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (until closed)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        """Stop accepting for good: closing the socket alone leaves the thread blocked in
        accept(), which then takes the connections of a later server given the same
        descriptor number. shutdown() wakes it; it is joined before the socket is closed."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(10)
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hanging_webhook(private_cluster):
    """A validating webhook on ConfigMaps labelled gitops-test/hang=<token> whose server never
    answers (the API server waits up to its timeoutSeconds, 20 s); yields the token."""
    token = uuid.uuid4().hex[:8]
    server = SilentServer()
    name = "gitops-test-hang-" + token
    webhook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": "hang.gitops-test.example",
                "clientConfig": {"url": "https://127.0.0.1:%d/validate" % server.port},
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["configmaps"]}],
                "objectSelector": {"matchLabels": {"gitops-test/hang": token}},
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 20,
                "failurePolicy": "Fail",
            }
        ],
    }
    private_cluster.kubectl("apply", "-f", "-", stdin=json.dumps(webhook))
    try:
        yield token
    finally:
        private_cluster.kubectl("delete", "validatingwebhookconfiguration", name, "--ignore-not-found")
        server.close()


def declare(kubectl, namespace, name, path):
    """An Application in NAMESPACE (objects from PATH of the checkout into the same namespace)."""
    app = {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"source": {"path": path}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
    }
    kubectl("apply", "-f", "-", stdin=json.dumps(app))


def test_a_request_hanging_for_one_application_fails_it_alone(tmp_path, private_cluster, hanging_webhook):
    kubectl = private_cluster.kubectl
    namespace = private_cluster.namespace("hung-webhook")
    kubectl("apply", "-f", "-", stdin=json.dumps(application.crd()))
    kubectl("wait", "--for=condition=Established", "crd/" + application.crd()["metadata"]["name"], "--timeout=60s")
    repo = GitRepo(tmp_path / "checkout")
    repo.write(
        "hung/cm.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-hung\n  labels:\n    gitops-test/hang: "%s"\ndata:\n  k: v\n' % hanging_webhook
    )
    repo.write("good/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-good\ndata:\n  k: v\n")
    repo.commit("one ConfigMap the webhook holds, one it does not see")
    declare(kubectl, namespace, "a-hung", "hung")
    declare(kubectl, namespace, "b-good", "good")

    started = time.monotonic()
    rc, results = run_tasks(
        tmp_path,
        [
            {
                "name": "all",
                "gitops.k8s.app": {
                    "kubeconfig": private_cluster.kubeconfig,
                    "namespace": namespace,
                    "checkout_dir": repo.path,
                    "all": True,
                    "install_crd": False,
                    "request_timeout": 3,
                },
            }
        ],
        check=False,
    )
    took = time.monotonic() - started
    result = results["all"]
    rows = dict((r["application"].split("/")[1], r) for r in result["applications"])

    assert rc != 0 and result["failed"] is True
    assert "the API server did not answer within 3 s (dry-run ConfigMap/%s/cm-hung)" % namespace in rows["a-hung"]["error"]
    assert 3 <= rows["a-hung"]["duration"] < 3 + 2, rows["a-hung"]["duration"]  # one timeout; /readyz answered
    assert rows["b-good"].get("error") is None and rows["b-good"]["created"] == ["ConfigMap/%s/cm-good" % namespace]
    assert result["msg"].startswith("%s/a-hung: apply failed: " % namespace) and "b-good" not in result["msg"]
    assert took < 20  # not held for the webhook's 20 s, let alone once per request
    assert sorted(cm_uids(kubectl, namespace)) == ["ConfigMap/%s/cm-good" % namespace]
    status = json.loads(kubectl("get", "gapp", "a-hung", "-n", namespace, "-o", "json"))["status"]
    assert "did not answer within 3 s" in json.dumps(status["conditions"])  # the failure is recorded


def test_run_deadline_leaves_late_applications_out_and_ends_the_wait(tmp_path, private_cluster):
    kubectl = private_cluster.kubectl
    namespace = private_cluster.namespace("deadline")
    kubectl("apply", "-f", "-", stdin=json.dumps(application.crd()))
    kubectl("wait", "--for=condition=Established", "crd/" + application.crd()["metadata"]["name"], "--timeout=60s")
    repo = GitRepo(tmp_path / "checkout")
    # no kubelet runs its Pod: this Deployment stays Progressing, so a-slow waits for health
    repo.write(
        "slow/deploy.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: never-ready
        spec:
          selector:
            matchLabels: {app: never-ready}
          template:
            metadata:
              labels: {app: never-ready}
            spec:
              containers:
                - name: c
                  image: registry.invalid/none:1
        """,
    )
    repo.write("late/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-late\ndata:\n  k: v\n")
    repo.commit("a slow Application and a late one")
    declare(kubectl, namespace, "a-slow", "slow")
    declare(kubectl, namespace, "b-late", "late")

    started = time.monotonic()
    rc, results = run_tasks(
        tmp_path,
        [
            {
                "name": "all",
                "gitops.k8s.app": {
                    "kubeconfig": private_cluster.kubeconfig,
                    "namespace": namespace,
                    "checkout_dir": repo.path,
                    "all": True,
                    "install_crd": False,
                    "wait": True,
                    "wait_timeout": 300,
                    "deadline": 8,
                    "app_workers": 1,  # one after another: b-late waits behind a-slow (test_parallel_apps.py: side by side)
                },
            }
        ],
        check=False,
    )
    took = time.monotonic() - started
    result = results["all"]
    rows = dict((r["application"].split("/")[1], r) for r in result["applications"])

    assert rc != 0 and result["failed"] is True
    assert result["msg"] == "%s/b-late: not reconciled: the run deadline of 8 s passed" % namespace
    assert rows["a-slow"].get("error") is None and rows["a-slow"]["created"] == ["Deployment/%s/never-ready" % namespace]
    assert rows["a-slow"]["health_status"] == "Progressing"
    assert rows["a-slow"]["duration"] < 8 + 2  # its wait (wait_timeout 300) ended with the run (polled each second)
    assert rows["b-late"]["error"] == "not reconciled: the run deadline of 8 s passed" and rows["b-late"]["created"] == []
    assert took < 8 + 10
    assert cm_uids(kubectl, namespace) == {}  # b-late was not touched
