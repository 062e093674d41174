"""Helpers of the fault suite (tests/integration/test_faults_*.py).

Each fault case provokes a real failure (a Git server that is gone, a killed API
server or etcd, a webhook), reconciles, and compares the objects of the namespace
before and after by uid: an object deleted and created again keeps its name but not
its uid, so `lost()` finds unintended deletions and re-creations alike.

Most reconciles run in the test process (gitops.Runner: the real adapters, git, the API
server; about 0.1 s each). A reconcile that must be a process of its own (two at once,
one whose holder must be gone afterwards) runs the gitops.k8s.app module in
`ansible-playbook` (`module_reconcile`): 3 s on an idle machine, 10-20 s on a busy one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time

from .gitops import Runner
from .playbook import run_tasks

# Kinds whose objects the fault cases create; `kubectl get` reads them in one request each.
KINDS = "configmaps,secrets,services,deployments"


# A ConfigMap manifest as a repository holds it: CONFIGMAP.format(name=..., value=...)
CONFIGMAP = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {name}
    data:
      value: "{value}"
    """


def module_params(kubeconfig, app, checkout_dir=None, **extra):
    """gitops.k8s.app parameters declaring APP (an Application built by gitops.application)
    and reconciling it; a failed reconcile is reported in `error`, not as a failed task."""
    params = {"kubeconfig": kubeconfig, "namespace": app["metadata"]["namespace"], "fail_on_error": False, "definition": app}
    if checkout_dir:
        params["checkout_dir"] = str(checkout_dir)
    params.update(extra)
    return params


def module_reconcile(tmp_path, params):
    """One `ansible-playbook` run of gitops.k8s.app; returns its result. With fail_on_error=false
    a failed reconcile is a result with `error`; a module that failed anyway (an error outside
    the reconcile, such as writing the status) gets its `msg` as `error`, so `error is None`
    always means success."""
    _rc, results = run_tasks(tmp_path, [{"name": "reconcile", "gitops.k8s.app": params}], check=False)
    result = results["reconcile"]
    if result.get("failed") and not result.get("error"):
        result["error"] = result.get("msg") or json.dumps(result)[-3000:]
    return result


def agent(kubeconfig, tmp_path, checkout_dir=None):
    """A Runner reconciling in this process, with a git cache of the test's own."""
    return Runner(kubeconfig=kubeconfig, checkout_dir=str(checkout_dir) if checkout_dir else None, cache_dir=str(tmp_path / "git-cache"))


def ids(outcome, action):
    """Sorted ids (Kind/namespace/name) of the objects OUTCOME shows with ACTION."""
    return sorted(outcome.changeset.by_action(action)) if outcome.changeset else []


def uids(kubectl, namespace, kinds=KINDS):
    """{Kind/namespace/name: uid} of the namespace's objects of KINDS."""
    items = json.loads(kubectl("get", kinds, "-n", namespace, "-o", "json"))["items"]
    return dict(("%s/%s/%s" % (i["kind"], namespace, i["metadata"]["name"]), i["metadata"]["uid"]) for i in items)


def lost(before, after, pruned=()):
    """Objects of BEFORE that are gone or were re-created (another uid), but those expected to be pruned."""
    return sorted(k for k, uid in before.items() if after.get(k) != uid and k not in pruned)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on 127.0.0.1:%d after %ss" % (port, timeout))


class GitDaemon:
    """`git daemon` serving every repository under BASE on git://127.0.0.1:<port>/<name>:
    a real network Git server a test can stop (connections refused), pause (connections
    never answered) and start again on the same port. (tests/helpers/git_servers.py serves
    smart HTTP on a port that cannot be reused.)"""

    def __init__(self, base):
        self.base = str(base)
        self.port = free_port()
        self.proc = None

    def url(self, name):
        return "git://127.0.0.1:%d/%s" % (self.port, name)

    def start(self):
        os.makedirs(self.base, exist_ok=True)
        # git-daemon itself, not `git daemon` (a parent process that would not pass SIGSTOP on)
        daemon = os.path.join(subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip(), "git-daemon")
        log = tempfile.TemporaryFile()  # pylint: disable=consider-using-with  # a pipe could fill up and block it
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                daemon,
                "--reuseaddr",
                "--listen=127.0.0.1",
                "--port=%d" % self.port,
                "--export-all",
                "--informative-errors",
                "--base-path=" + self.base,
                self.base,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_port(self.port)
        except AssertionError:
            self.proc.kill()
            self.proc.wait()
            log.seek(0)
            raise AssertionError("git daemon did not start: %s" % log.read().decode("utf-8", "replace")) from None
        finally:
            log.close()  # the daemon keeps its own descriptor
        return self

    def pause(self):
        """SIGSTOP: the kernel still accepts connections, nobody answers them (a hung server)."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def cache_entries(cache_dir):
    """The repository entries of a git cache directory (one per repository URL)."""
    return [os.path.join(cache_dir, n) for n in sorted(os.listdir(cache_dir)) if os.path.isdir(os.path.join(cache_dir, n))]
