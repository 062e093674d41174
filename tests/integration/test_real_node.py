"""Real containers on the local cluster's node (hack/node.sh: containerd, kubelet, kube-scheduler).

A Pod runs the locally built probe image (tests/images/probe, FROM scratch) and `kubectl
logs` reads it; a Job completes, another fails on its exit code; a Pod reaches the API
server through the `kubernetes` Service with its ServiceAccount token (TLS verified against
the mounted CA), and RBAC refuses what its Role does not grant. Pods without the node's
toleration are never placed on it: the fake kubelet keeps binding them to "fake-node".
"""

from __future__ import annotations

import json
import time

import pytest

from tests.helpers import fake_kubelet
from tests.helpers.node_images import NODE_TAINT
from tests.helpers.waiting import has_token, wait_for

TOLERATE_NODE = json.dumps([{"key": NODE_TAINT, "operator": "Exists"}])


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
    wait_for(lambda: has_token(kube_api, name, "default"), what="the default ServiceAccount's token")
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
    wait_for(lambda: _phase(kube_api, node_namespace, "serve") == "Running", what="Pod serve Running")
    running = round(time.monotonic() - started, 1)
    pod = kube_api.core.read_namespaced_pod("serve", node_namespace)
    assert pod.spec.node_name == real_node["NODE_NAME"]
    assert pod.status.pod_ip and pod.status.pod_ip.startswith("198.19.0.")
    assert pod.status.container_statuses[0].ready is True
    logs = wait_for(lambda: kubectl("logs", "-n", node_namespace, "serve"), what="the Pod's log")
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

    assert wait_for(lambda: finished("ok"), what="Job ok to finish") == ["Complete"]
    assert wait_for(lambda: finished("broken"), what="Job broken to finish") == ["Failed"]
    pod = kube_api.core.list_namespaced_pod(node_namespace, label_selector="job-name=broken").items[0]
    assert pod.status.container_statuses[0].state.terminated.exit_code == 3


def test_pod_reaches_the_api_through_the_kubernetes_service(kube_api, kubectl, probe, node_namespace):
    kubectl("create", "configmap", "greeting", "-n", node_namespace, "--from-literal=text=hello from the API")
    kubectl("create", "serviceaccount", "reader", "-n", node_namespace)
    wait_for(lambda: has_token(kube_api, node_namespace, "reader"), what="ServiceAccount reader's token")
    kubectl("create", "role", "read-configmaps", "-n", node_namespace, "--verb=get", "--resource=configmaps")
    kubectl("create", "rolebinding", "reader", "-n", node_namespace, "--role=read-configmaps", "--serviceaccount=%s:reader" % node_namespace)
    base = "/api/v1/namespaces/%s" % node_namespace
    kube_api.core.create_namespaced_pod(node_namespace, _pod("allowed", probe, ["api", base + "/configmaps/greeting"], service_account="reader"))
    kube_api.core.create_namespaced_pod(node_namespace, _pod("refused", probe, ["api", base + "/secrets"], service_account="reader"))
    done = ("Succeeded", "Failed")
    wait_for(lambda: _phase(kube_api, node_namespace, "allowed") in done and _phase(kube_api, node_namespace, "refused") in done, what="both Pods to finish")
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
    wait_for(lambda: has_token(kube_api, namespace, "default"), what="the default ServiceAccount's token")
    kube_api.core.create_namespaced_pod(namespace, _pod("fast", "registry.invalid/web:1", ["serve"], restart="Always"))

    def unschedulable():
        conditions = kube_api.core.read_namespaced_pod("fast", namespace).status.conditions or []
        return [c for c in conditions if c.type == "PodScheduled" and c.reason == "Unschedulable"]

    condition = wait_for(unschedulable, what="the scheduler to report Pod fast unschedulable")[0]
    assert "taint" in condition.message and "unschedulable" in condition.message
    assert fake_kubelet.make_pods_ready(kube_api, namespace) == ["fast"]
    pod = kube_api.core.read_namespaced_pod("fast", namespace)
    assert pod.spec.node_name == fake_kubelet.DEFAULT_NODE != real_node["NODE_NAME"]
