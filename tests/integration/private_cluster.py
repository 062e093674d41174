"""A throwaway control plane per test module, for tests that stop, freeze or kill it.

The shared cluster (.cluster/, `make cluster-up`) serves every engineer and test at
once: a fault test must never pause or kill it. `private_cluster` starts its own
etcd + kube-apiserver + kube-controller-manager with `hack/cluster.sh up` on a
temporary GITOPS_K8S_CLUSTER_DIR (free ports, the cached binaries), hands the test
process control over each component, and runs `down --purge` at the end.

Usage (conftest.py registers the fixture for every integration test)::

    def test_x(private_cluster):
        namespace = private_cluster.namespace("x")
        private_cluster.kill("kube-apiserver")
        private_cluster.restart("kube-apiserver")
        private_cluster.kubectl("get", "ns")  # stdout, as the shared `kubectl` fixture
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(REPO_ROOT, "hack", "cluster.sh")
KUBECTL = os.path.join(REPO_ROOT, ".venv", "bin", "kubectl")
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager")


class PrivateCluster:
    """hack/cluster.sh on a private state directory; every method runs one sub-command."""

    def __init__(self, state_dir: str = "", name: str = "") -> None:
        """A cluster on ``state_dir``, or the named instance ``name`` (hack/cluster.sh's
        GITOPS_K8S_CLUSTER_NAME: its state in <repo>/.cluster-NAME)."""
        self.name = name
        self.dir = str(state_dir) if state_dir else os.path.join(REPO_ROOT, ".cluster-" + name)
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        # No node: the shared cluster's node owns the Pod network (one bridge per machine).
        self.env = dict(os.environ, GITOPS_K8S_NODE="0")
        self.env.update({"GITOPS_K8S_CLUSTER_NAME": name} if name else {"GITOPS_K8S_CLUSTER_DIR": self.dir})
        self.env.pop("GITOPS_K8S_CLUSTER_DIR" if name else "GITOPS_K8S_CLUSTER_NAME", None)
        self.env.pop("GITOPS_K8S_TEST_KUBECONFIG", None)  # never link (and then freeze) an external cluster
        self.start_seconds = None  # measured by up()

    def cluster_sh(self, *args: str, timeout: float = 1800) -> str:
        """Run hack/cluster.sh ARGS on this cluster's directory; fail with its output on error."""
        proc = subprocess.run(["bash", CLUSTER_SH, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise AssertionError("hack/cluster.sh %s failed (exit %d):\n%s\n%s" % (" ".join(args), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        return proc.stdout

    def up(self) -> None:
        started = time.monotonic()
        self.cluster_sh("up")
        self.start_seconds = round(time.monotonic() - started, 1)
        assert os.path.isfile(self.kubeconfig), "hack/cluster.sh up wrote no kubeconfig"

    def down(self) -> None:
        self.cluster_sh("down", "--purge", timeout=120)

    @staticmethod
    def _component(name: str) -> str:
        if name not in COMPONENTS:
            raise ValueError("unknown component %r (one of %s)" % (name, ", ".join(COMPONENTS)))
        return name

    def pid(self, component: str) -> int:
        """The pid of a running component (read from the pid file hack/cluster.sh writes)."""
        with open(os.path.join(self.dir, self._component(component) + ".pid"), encoding="ascii") as handle:
            return int(handle.read().strip())

    def pause(self, component: str) -> None:
        """SIGSTOP: the process keeps its sockets open but answers nothing."""
        self.cluster_sh("pause", self._component(component), timeout=30)

    def resume(self, component: str) -> None:
        """SIGCONT after pause()."""
        self.cluster_sh("resume", self._component(component), timeout=30)

    def kill(self, component: str) -> None:
        """SIGKILL, returning once the process is gone (connections to it are refused)."""
        self.cluster_sh("kill", self._component(component), timeout=30)

    def restart(self, component: str) -> None:
        """Start the component again with the same data and ports; returns once it is ready."""
        self.cluster_sh("restart", self._component(component), timeout=300)

    @property
    def server(self) -> str:
        """The API server's URL (https://127.0.0.1:PORT), as the kubeconfig names it."""
        with open(self.kubeconfig, encoding="utf-8") as handle:
            return yaml.safe_load(handle)["clusters"][0]["cluster"]["server"]

    def namespace(self, stem: str) -> str:
        """Create a namespace `<stem>-<random>` on this cluster; returns its name."""
        name = "%s-%s" % (stem, uuid.uuid4().hex[:6])
        self.kubectl("create", "namespace", name)
        return name

    @property
    def kubectl(self):
        """kubectl on this cluster, as the shared `kubectl` fixture: ``kubectl(*args)`` returns
        stdout (fails the test on an error), ``kubectl.run(*args)`` the completed process."""
        from .conftest import Kubectl  # pylint: disable=import-outside-toplevel  # conftest imports this module

        return Kubectl(KUBECTL, self.kubeconfig)


def control_plane_binaries() -> bool:
    """Whether kube-apiserver is where hack/cluster.sh looks for it (its own rule)."""
    script = 'eval "$(grep -E \'^(CACHE|BIN)=\' %s)"; echo "$BIN"' % os.path.join(REPO_ROOT, "hack", "kube-source.sh")
    kbin = os.environ.get("GITOPS_K8S_KUBE_BIN") or subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    return os.access(os.path.join(kbin, "kube-apiserver"), os.X_OK)


def skip_without_binaries():
    if not control_plane_binaries() and os.environ.get("GITOPS_K8S_TEST_KUBECONFIG"):
        pytest.skip(
            "this test starts its own local control plane; its binaries are not built "
            "(GITOPS_K8S_TEST_KUBECONFIG points at an external cluster): run `make cluster-up` without it once"
        )


# The named control planes of the multi-cluster tests (test_destinations.py), beside the shared one.
NAMED = ("east", "west")


@contextlib.contextmanager
def named(*names):
    """Named control planes (hack/cluster.sh instances) started one after the other and
    stopped at the end, as a dict by name. One left by a killed run is stopped first; one
    that does not start under load is tried once more."""
    skip_without_binaries()
    started = {}
    try:
        for name in names:
            cluster = PrivateCluster(name=name)
            cluster.down()  # a stale instance of a killed run
            try:
                cluster.up()
            except AssertionError as exc:  # once seen under load with 4 test workers: say why, then try again
                print("named cluster %s did not start, trying again: %s" % (name, exc))
                cluster.down()
                cluster.up()
            started[name] = cluster
            print("named cluster %s started in %.1f s" % (name, cluster.start_seconds))
        yield started
    finally:
        for cluster in started.values():
            cluster.down()


@pytest.fixture(scope="session")
def named_clusters():
    """Control planes ``east`` and ``west``, started once per session and stopped at its end."""
    with named(*NAMED) as started:
        yield started


@pytest.fixture(scope="module")
def private_cluster(tmp_path_factory):
    """A control plane of the test module's own, stopped and removed after the module."""
    skip_without_binaries()
    cluster = PrivateCluster(tmp_path_factory.mktemp("private-cluster"))
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.down()
