"""Real containers on the local cluster's node (hack/node.sh: containerd, kubelet, kube-scheduler).

A Pod runs the locally built probe image (tests/images/probe, FROM scratch) and `kubectl
logs` reads it; a Job completes, another fails on its exit code; a Pod reaches the API
server through the `kubernetes` Service with its ServiceAccount token (TLS verified against
the mounted CA), and RBAC refuses what its Role does not grant. Pods without the node's
toleration are never placed on it: the fake kubelet keeps binding them to "fake-node".
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.helpers import fake_kubelet, node_images

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TAINT = "gitops-k8s.test/real-node"
TOLERATE_NODE = json.dumps([{"key": TAINT, "operator": "Exists"}])


def _wait_for(predicate, timeout=60.0, interval=0.25, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def _has_token(kube_api, namespace, name):
    """True once the controller manager created ServiceAccount NAME (if needed) and its token."""
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

    try:
        return bool(kube_api.core.read_namespaced_service_account(name, namespace).secrets)
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def probe(real_node):
    """The probe image's reference, imported into the node (built once, cached)."""
    return node_images.probe_image(real_node["CLUSTER_DIR"])


@pytest.fixture
def node_namespace(kube_api, real_node):  # pylint: disable=unused-argument
    """A namespace whose Pods tolerate the node's taint (PodTolerationRestriction's default)."""
    name = "node-%d" % int(time.time() * 1000)
    kube_api.core.create_namespace(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "annotations": {"scheduler.alpha.kubernetes.io/defaultTolerations": TOLERATE_NODE}},
        }
    )
    # A Pod is refused until the controller manager gave the namespace's ServiceAccount its token.
    _wait_for(lambda: _has_token(kube_api, name, "default"), what="the default ServiceAccount's token")
    yield name
    kube_api.core.delete_namespace(name)


def _pod(name, image, args, service_account=None, restart="Never"):
    spec = {
        "restartPolicy": restart,
        "terminationGracePeriodSeconds": 2,
        "containers": [{"name": "probe", "image": image, "imagePullPolicy": "Never", "args": args}],
    }
    if service_account:
        spec["serviceAccountName"] = service_account
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def _phase(kube_api, namespace, name):
    return kube_api.core.read_namespaced_pod(name, namespace).status.phase


def test_pod_runs_a_locally_built_image(kube_api, kubectl, real_node, probe, node_namespace):
    started = time.monotonic()
    kube_api.core.create_namespaced_pod(node_namespace, _pod("serve", probe, ["serve"], restart="Always"))
    _wait_for(lambda: _phase(kube_api, node_namespace, "serve") == "Running", what="Pod serve Running")
    running = round(time.monotonic() - started, 1)
    pod = kube_api.core.read_namespaced_pod("serve", node_namespace)
    assert pod.spec.node_name == real_node["NODE_NAME"]
    assert pod.status.pod_ip and pod.status.pod_ip.startswith("198.19.0.")
    assert pod.status.container_statuses[0].ready is True
    logs = _wait_for(lambda: kubectl("logs", "-n", node_namespace, "serve"), what="the Pod's log")
    assert logs.strip() == "probe ready"
    print("first Pod Running %ss after it was created" % running)


def test_job_completes_and_a_failing_job_fails(kube_api, probe, node_namespace):
    jobs = kube_api.dynamic.resources.get(api_version="batch/v1", kind="Job")
    for name, code in (("ok", "0"), ("broken", "3")):
        template = _pod(name, probe, ["exit", code])
        jobs.create(
            namespace=node_namespace,
            body={"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"backoffLimit": 0, "template": {"spec": template["spec"]}}},
        )

    def finished(name):
        conditions = jobs.get(name=name, namespace=node_namespace).status.conditions or []
        return [c.type for c in conditions if c.status == "True" and c.type in ("Complete", "Failed")]

    assert _wait_for(lambda: finished("ok"), what="Job ok to finish") == ["Complete"]
    assert _wait_for(lambda: finished("broken"), what="Job broken to finish") == ["Failed"]
    pod = kube_api.core.list_namespaced_pod(node_namespace, label_selector="job-name=broken").items[0]
    assert pod.status.container_statuses[0].state.terminated.exit_code == 3


def test_pod_reaches_the_api_through_the_kubernetes_service(kube_api, kubectl, probe, node_namespace):
    kubectl("create", "configmap", "greeting", "-n", node_namespace, "--from-literal=text=hello from the API")
    kubectl("create", "serviceaccount", "reader", "-n", node_namespace)
    _wait_for(lambda: _has_token(kube_api, node_namespace, "reader"), what="ServiceAccount reader's token")
    kubectl("create", "role", "read-configmaps", "-n", node_namespace, "--verb=get", "--resource=configmaps")
    kubectl("create", "rolebinding", "reader", "-n", node_namespace, "--role=read-configmaps", "--serviceaccount=%s:reader" % node_namespace)
    base = "/api/v1/namespaces/%s" % node_namespace
    kube_api.core.create_namespaced_pod(node_namespace, _pod("allowed", probe, ["api", base + "/configmaps/greeting"], service_account="reader"))
    kube_api.core.create_namespaced_pod(node_namespace, _pod("refused", probe, ["api", base + "/secrets"], service_account="reader"))
    done = ("Succeeded", "Failed")
    _wait_for(lambda: _phase(kube_api, node_namespace, "allowed") in done and _phase(kube_api, node_namespace, "refused") in done, what="both Pods to finish")
    allowed = kubectl("logs", "-n", node_namespace, "allowed")
    assert _phase(kube_api, node_namespace, "allowed") == "Succeeded", allowed
    assert allowed.startswith("status 200") and "hello from the API" in allowed
    refused = kubectl("logs", "-n", node_namespace, "refused")
    assert _phase(kube_api, node_namespace, "refused") == "Failed"
    assert refused.startswith("status 403") and "system:serviceaccount:%s:reader" % node_namespace in refused


def test_pods_without_the_toleration_stay_off_the_node(kube_api, real_node, namespace):
    """The scheduler places neither on the tainted real node nor on the unschedulable fake
    node: the fake kubelet binds such Pods itself, and the two never fight over a Pod."""
    fake_kubelet.ensure_node(kube_api)
    _wait_for(lambda: _has_token(kube_api, namespace, "default"), what="the default ServiceAccount's token")
    kube_api.core.create_namespaced_pod(namespace, _pod("fast", "registry.invalid/web:1", ["serve"], restart="Always"))

    def unschedulable():
        conditions = kube_api.core.read_namespaced_pod("fast", namespace).status.conditions or []
        return [c for c in conditions if c.type == "PodScheduled" and c.reason == "Unschedulable"]

    condition = _wait_for(unschedulable, what="the scheduler to report Pod fast unschedulable")[0]
    assert "taint" in condition.message and "unschedulable" in condition.message
    assert fake_kubelet.make_pods_ready(kube_api, namespace) == ["fast"]
    pod = kube_api.core.read_namespaced_pod("fast", namespace)
    assert pod.spec.node_name == fake_kubelet.DEFAULT_NODE != real_node["NODE_NAME"]
