"""Fixtures for tests that talk to a real Kubernetes API server.

The cluster is the one `make cluster-up` started (or linked, with
GITOPS_K8S_TEST_KUBECONFIG): its kubeconfig is GITOPS_K8S_KUBECONFIG, else
<repo>/.cluster/kubeconfig. A missing kubeconfig fails the tests: they are never
skipped silently.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass

import pytest

from tests.helpers import fake_kubelet, node_images

from .private_cluster import named_clusters, private_cluster  # noqa: F401  # pylint: disable=unused-import  # fixtures: fault and multi-cluster tests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_KUBECONFIG = os.path.join(REPO_ROOT, ".cluster", "kubeconfig")


@dataclass(frozen=True)
class KubeApi:
    """Clients built from the test kubeconfig."""

    api_client: object  # kubernetes.client.ApiClient
    dynamic: object  # kubernetes.dynamic.DynamicClient

    @property
    def core(self):
        from kubernetes import client  # pylint: disable=import-outside-toplevel

        return client.CoreV1Api(self.api_client)


class Kubectl:
    """Run `kubectl --kubeconfig <test kubeconfig> ARGS`."""

    def __init__(self, binary: str, kubeconfig: str) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig

    def run(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run kubectl and return the completed process, whatever its exit code."""
        return subprocess.run(
            [self.binary, "--kubeconfig", self.kubeconfig, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 120) -> str:
        """Run kubectl and return its stdout; fail the test (with stderr) on a non-zero exit."""
        proc = self.run(*args, stdin=stdin, timeout=timeout)
        if proc.returncode != 0:
            pytest.fail(
                "kubectl %s failed (exit %d):\n%s" % (" ".join(args), proc.returncode, proc.stderr or proc.stdout),
                pytrace=False,
            )
        return proc.stdout


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """Every test under tests/integration carries the `integration` marker. (Under
    pytest-xdist, `make integration` runs with ``--dist loadfile``: the tests of a file share
    its module fixtures and one worker.)"""
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kubeconfig() -> str:
    """Path of the test cluster's kubeconfig."""
    path = os.environ.get("GITOPS_K8S_KUBECONFIG") or DEFAULT_KUBECONFIG
    if not os.path.isfile(path):
        pytest.fail(
            "no kubeconfig at %s: run `make cluster-up` first (or set GITOPS_K8S_KUBECONFIG, "
            "or GITOPS_K8S_TEST_KUBECONFIG before `make cluster-up` to use an existing cluster)" % path,
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def is_local_cluster(kubeconfig: str) -> bool:
    """True when the cluster is the one hack/cluster.sh started (not an external one)."""
    cluster_dir = os.path.join(REPO_ROOT, ".cluster")
    return os.path.abspath(kubeconfig) == DEFAULT_KUBECONFIG and not os.path.islink(kubeconfig) and not os.path.exists(os.path.join(cluster_dir, "external"))


@pytest.fixture(scope="session")
def kube_api(kubeconfig: str) -> KubeApi:
    """A kubernetes ApiClient and DynamicClient for the test cluster."""
    # pylint: disable=import-outside-toplevel
    from kubernetes import config as kube_config
    from kubernetes.dynamic import DynamicClient

    api_client = kube_config.new_client_from_config(config_file=kubeconfig)
    try:
        yield KubeApi(api_client=api_client, dynamic=DynamicClient(api_client))
    finally:
        api_client.close()


@pytest.fixture(scope="session")
def kubectl(kubeconfig: str) -> Kubectl:
    """Callable running kubectl (.venv/bin/kubectl, else the one on PATH) on the test cluster."""
    binary = os.path.join(REPO_ROOT, ".venv", "bin", "kubectl")
    if not os.access(binary, os.X_OK):
        binary = shutil.which("kubectl") or ""
    if not binary:
        pytest.fail("kubectl not found: run `make venv`", pytrace=False)
    return Kubectl(binary, kubeconfig)


def _namespace_name(test_name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")
    stem = re.sub(r"^test-", "", stem)[:40].strip("-") or "x"
    return "t-%s-%s" % (stem, uuid.uuid4().hex[:6])


@pytest.fixture
def namespace(request, kube_api: KubeApi) -> str:
    """A fresh namespace `t-<test>-<random>`, deleted (without waiting) after the test, with
    the Pods the test bound to the fake node released (else it stays Terminating)."""
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

    name = _namespace_name(request.node.name)
    kube_api.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    try:
        yield name
    finally:
        try:
            kube_api.core.delete_namespace(name)
        except ApiException as exc:
            if exc.status != 404:
                raise
        fake_kubelet.release_pods(kube_api, name)


@pytest.fixture
def crd_group(kubectl):
    """An API group of this test only (``t<random>.example.test``); every CRD of it is deleted
    at the end (CRDs are cluster-scoped: no namespace takes them away)."""
    group = "t%s.example.test" % uuid.uuid4().hex[:8]
    try:
        yield group
    finally:
        names = kubectl.run("get", "crd", "-o", "name").stdout.split()
        ours = [name for name in names if name.endswith("." + group)]
        if ours:
            kubectl.run("delete", "--wait=false", *ours)


@pytest.fixture(autouse=True)
def serial_gate(request, tmp_path_factory):
    """Under pytest-xdist, a test marked ``serial`` (it measures time) runs with no other test
    of the run beside it; other tests run side by side. Two lock files shared by the run's
    workers: every test holds RUN shared, a serial test holds it exclusive; GATE (exclusive
    while a serial test waits or runs) keeps new tests from starting meanwhile, so it is
    never starved. Without xdist this does nothing: tests run one at a time anyway."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    base = tmp_path_factory.getbasetemp().parent  # the run's directory; popen-gwN below it per worker
    serial = request.node.get_closest_marker("serial") is not None
    mode = fcntl.LOCK_EX if serial else fcntl.LOCK_SH
    with open(base / "serial-gate.lock", "a", encoding="ascii") as gate, open(base / "serial-run.lock", "a", encoding="ascii") as run:
        fcntl.flock(gate, mode)
        fcntl.flock(run, mode)
        if not serial:
            fcntl.flock(gate, fcntl.LOCK_UN)
        yield  # closing the files releases the locks


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    """At the end of the run, release the fake node's Pods left Terminating in namespaces
    deleted without the ``namespace`` fixture (an Application's own destination namespace).

    Once per run: in the pytest-xdist controller after every worker has finished (a worker
    that finished early would force-delete Pods a test still running elsewhere waits for),
    or in the single process of a run without xdist."""
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker
        return
    path = os.environ.get("GITOPS_K8S_KUBECONFIG") or DEFAULT_KUBECONFIG
    if not os.path.isfile(path):
        return
    # pylint: disable=import-outside-toplevel
    from kubernetes import config as kube_config

    api_client = kube_config.new_client_from_config(config_file=path)
    try:
        fake_kubelet.release_terminating(api_client)
    finally:
        api_client.close()


@pytest.fixture(scope="session")
def real_node(kubeconfig):
    """The node's settings (hack/node.sh env); skipped only where no node can run."""
    cluster_dir = os.path.dirname(os.path.abspath(kubeconfig))
    env = node_images.node_env(cluster_dir)
    if env is None:
        if os.environ.get("GITOPS_K8S_NODE") == "0":
            pytest.skip("GITOPS_K8S_NODE=0: the cluster runs without a node")
        why = subprocess.run(["bash", os.path.join(REPO_ROOT, "hack", "node.sh"), "can-run"], capture_output=True, text=True, check=False)
        if why.returncode != 0:
            pytest.skip("this machine cannot run a node: %s" % why.stdout.strip())
        pytest.fail("the cluster in %s has no node: run `make cluster-up`" % cluster_dir, pytrace=False)
    env["CLUSTER_DIR"] = cluster_dir
    return env


@pytest.fixture(scope="session")
def probe(real_node):
    """The probe image's reference, imported into the node (built once, cached)."""
    return node_images.probe_image(real_node["CLUSTER_DIR"])


@pytest.fixture(scope="session")
def ee_image():
    """The EE of this checkout: hack/build-ee.sh rebuilds it only when an input changed.
    GITOPS_K8S_EE_IMAGE names another one to test instead (say, one from a registry)."""
    if not shutil.which("podman"):
        pytest.skip("podman is not installed: `make ee` installs it (hack/apt-deps.sh) and builds the image")
    if os.environ.get("GITOPS_K8S_EE_IMAGE"):
        return os.environ["GITOPS_K8S_EE_IMAGE"]
    proc = subprocess.run(["bash", os.path.join(REPO_ROOT, "hack", "build-ee.sh")], capture_output=True, text=True, check=False, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout.strip().splitlines()[-1]
