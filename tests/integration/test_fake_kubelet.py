"""tests.helpers.fake_kubelet makes controller-created Pods Ready (or failing)."""

from __future__ import annotations

import time

from tests.helpers import fake_kubelet
from tests.helpers.waiting import wait_for


def _deployment(name, replicas=1):
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "registry.invalid/web:1"}]},
            },
        },
    }


def test_ensure_node_is_ready(kube_api):
    node = fake_kubelet.ensure_node(kube_api)
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
    assert ready and ready[0]["status"] == "True"


def test_deployment_becomes_available(kube_api, namespace):
    deployments = kube_api.dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=_deployment("web"), namespace=namespace)
    fake_kubelet.ensure_node(kube_api)

    def made_ready():
        return fake_kubelet.make_pods_ready(kube_api, namespace, label_selector="app=web")

    wait_for(made_ready, what="the controller manager to create the Pod")

    def available():
        status = deployments.get(name="web", namespace=namespace).status
        return (status.availableReplicas or 0) == 1

    wait_for(available, what="Deployment web to report 1 available replica")
    pods = kube_api.core.list_namespaced_pod(namespace, label_selector="app=web").items
    assert len(pods) == 1
    assert pods[0].spec.node_name == fake_kubelet.DEFAULT_NODE
    assert pods[0].status.phase == "Running"


def test_background_kubelet_follows_a_scale_up(kube_api, namespace):
    deployments = kube_api.dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=_deployment("api", replicas=2), namespace=namespace)
    with fake_kubelet.running(kube_api, namespace, interval=0.2):
        wait_for(lambda: (deployments.get(name="api", namespace=namespace).status.availableReplicas or 0) == 2, what="2 available replicas")
        deployments.patch(name="api", namespace=namespace, body={"spec": {"replicas": 3}}, content_type="application/merge-patch+json")
        wait_for(lambda: (deployments.get(name="api", namespace=namespace).status.availableReplicas or 0) == 3, what="3 available replicas after scaling up")


def test_fail_pods_reports_crash_loop(kube_api, namespace):
    deployments = kube_api.dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=_deployment("crash"), namespace=namespace)
    fake_kubelet.ensure_node(kube_api)
    wait_for(lambda: fake_kubelet.fail_pods(kube_api, namespace, label_selector="app=crash"), what="the Pod to exist")
    pod = kube_api.core.list_namespaced_pod(namespace, label_selector="app=crash").items[0]
    waiting = pod.status.container_statuses[0].state.waiting
    assert waiting.reason == "CrashLoopBackOff"
    status = deployments.get(name="crash", namespace=namespace).status
    assert not status.availableReplicas


def _job(name):
    pod = {"restartPolicy": "Never", "containers": [{"name": "run", "image": "registry.invalid/tool:1"}]}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"backoffLimit": 0, "template": {"spec": pod}}}


def test_job_pods_finish_and_the_job_controller_completes_or_fails_the_job(kube_api, namespace):
    jobs = kube_api.dynamic.resources.get(api_version="batch/v1", kind="Job")
    jobs.create(body=_job("hooks-ok"), namespace=namespace)
    jobs.create(body=_job("hooks-bad"), namespace=namespace)

    def condition(name):
        conditions = (jobs.get(name=name, namespace=namespace).to_dict().get("status") or {}).get("conditions") or []
        return next((c["type"] for c in conditions if c.get("status") == "True"), None)

    with fake_kubelet.running(kube_api, namespace, interval=0.2, jobs=("hooks-bad",)):
        assert wait_for(lambda: condition("hooks-ok"), what="Job hooks-ok to finish") == "Complete"
        assert wait_for(lambda: condition("hooks-bad"), what="Job hooks-bad to finish") == "Failed"


def _namespace_gone(kube_api, name):
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

    try:
        kube_api.core.read_namespace(name)
    except ApiException as exc:
        return exc.status == 404
    return False


def test_released_pods_let_their_namespace_go(kube_api):
    """A namespace whose Pods were bound to the fake node is deleted once they are released
    (without release_pods it stays Terminating for good: no kubelet confirms the Pods)."""
    name = "node-release-%d" % int(time.time() * 1000)
    kube_api.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    deployments = kube_api.dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=_deployment("web", replicas=2), namespace=name)
    fake_kubelet.ensure_node(kube_api)
    bound = set()  # make_pods_ready returns the Pods each call changed: the ReplicaSet may make them one at a time

    def both_bound():
        bound.update(fake_kubelet.make_pods_ready(kube_api, name, label_selector="app=web"))
        return len(bound) == 2

    wait_for(both_bound, what="2 Pods bound")
    kube_api.core.delete_namespace(name)
    released = fake_kubelet.release_pods(kube_api, name)
    assert len(released) == 2
    wait_for(lambda: _namespace_gone(kube_api, name), timeout=30, what="namespace %s to be deleted" % name)


def test_terminating_pods_left_behind_are_released(kube_api):
    """release_terminating() finds a namespace's stuck Pods without knowing the namespace."""
    name = "node-left-%d" % int(time.time() * 1000)
    kube_api.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    deployments = kube_api.dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.create(body=_deployment("web"), namespace=name)
    fake_kubelet.ensure_node(kube_api)
    wait_for(lambda: fake_kubelet.make_pods_ready(kube_api, name, label_selector="app=web"), what="the Pod bound")
    kube_api.core.delete_namespace(name)

    def terminating_pod():
        pods = kube_api.core.list_namespaced_pod(name).items
        return [p.metadata.name for p in pods if p.metadata.deletion_timestamp]

    stuck = wait_for(terminating_pod, what="the Pod of %s to be Terminating" % name)
    assert set(stuck) <= set(fake_kubelet.release_terminating(kube_api))
    wait_for(lambda: _namespace_gone(kube_api, name), timeout=30, what="namespace %s to be deleted" % name)


def test_fake_node_is_unschedulable(kube_api):
    """The real scheduler of a cluster with a node never places Pods on the fake node."""
    node = fake_kubelet.ensure_node(kube_api)
    assert node["spec"]["unschedulable"] is True
