"""Play the kubelet (and the scheduler) for the node-less test cluster.

The local cluster (hack/cluster.sh) runs kube-apiserver and kube-controller-manager
only, so Pods are created but stay Pending. These helpers make them look like a
kubelet ran them, which is what health checks need:

- ensure_node(api)                       a Ready Node named "fake-node", unschedulable (so the real
                                         scheduler of a cluster with a node never places Pods on it)
- make_pods_ready(api, namespace)        bind Pending Pods to it, report them Running/Ready
- fail_pods(api, namespace)              report containers waiting in CrashLoopBackOff
- succeed_pods(api, namespace)           report Pods Succeeded (for Jobs and hooks)
- finish_job_pods(api, namespace, fail)  terminate the Pods of Jobs: Succeeded, or Failed (exit
                                         code 1) for Jobs whose name starts with a prefix in FAIL,
                                         so the real Job controller completes or fails the Job
- run_until(api, namespace, stop_event)  keep making Pods ready until the event is set; with
                                         ``jobs`` (prefixes of Jobs to fail), Job Pods finish instead
- running(api, namespace)                context manager: run_until in a background thread
- release_pods(api, namespace)           force-delete the Pods bound to the fake node: without a
                                         kubelet to confirm, they (and their namespace) would stay
                                         Terminating for good. The ``namespace`` fixture calls it
- release_terminating(api)               the same for every Pod of the fake node being deleted

`api` may be a kubernetes ``ApiClient``, a ``kubernetes.dynamic.DynamicClient`` or
the ``kube_api`` fixture of tests/integration/conftest.py.

Nothing here sends traffic anywhere but the API server: Pods get no IP address.

When the cluster also has a real node (hack/node.sh), its kube-scheduler leaves the fast
tests' Pods alone: the real node is tainted and the fake node is unschedulable, so the
Pods stay Pending until these helpers bind them to the fake node.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from typing import Any, Iterator

DEFAULT_NODE = "fake-node"
MERGE_PATCH = "application/merge-patch+json"


def _dynamic(api: Any) -> Any:
    """Return a DynamicClient for whatever client object the caller has."""
    from kubernetes.dynamic import DynamicClient  # pylint: disable=import-outside-toplevel

    if isinstance(api, DynamicClient):
        return api
    if hasattr(api, "dynamic"):
        return api.dynamic
    return DynamicClient(api)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resource(dyn: Any, kind: str) -> Any:
    return dyn.resources.get(api_version="v1", kind=kind)


def _conditions(ready: bool, now: str) -> list[dict[str, str]]:
    flag = "True" if ready else "False"
    return [
        {"type": "Initialized", "status": "True", "lastTransitionTime": now},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
        {"type": "Ready", "status": flag, "lastTransitionTime": now},
    ]


def ensure_node(api: Any, name: str = DEFAULT_NODE) -> dict[str, Any]:
    """Create (or refresh) a Ready Node called NAME; return it as a dict."""
    from kubernetes.dynamic.exceptions import ConflictError, NotFoundError  # pylint: disable=import-outside-toplevel

    dyn = _dynamic(api)
    nodes = _resource(dyn, "Node")
    try:
        nodes.get(name=name)
        created = False
    except NotFoundError:
        try:
            nodes.create(
                body={
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
                    "spec": {"unschedulable": True},
                }
            )
            created = True
        except ConflictError:  # another test process (pytest-xdist worker) created it meanwhile
            created = False
    if not created:
        nodes.patch(name=name, body={"spec": {"unschedulable": True}}, content_type=MERGE_PATCH)
    now = _now()
    capacity = {"cpu": "8", "memory": "32Gi", "pods": "250", "ephemeral-storage": "100Gi"}
    status = {
        "capacity": capacity,
        "allocatable": capacity,
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "message": "fake kubelet is posting ready status",
                "lastHeartbeatTime": now,
                "lastTransitionTime": now,
            },
            {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "lastHeartbeatTime": now, "lastTransitionTime": now},
        ],
        "nodeInfo": {
            "architecture": "amd64",
            "operatingSystem": "linux",
            "osImage": "fake",
            "kernelVersion": "fake",
            "kubeletVersion": "v1.20.2",
            "kubeProxyVersion": "v1.20.2",
            "containerRuntimeVersion": "fake://1",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
    }
    return nodes.status.patch(name=name, body={"status": status}, content_type=MERGE_PATCH).to_dict()


def _pods(dyn: Any, namespace: str, label_selector: str | None) -> list[Any]:
    pods = _resource(dyn, "Pod")
    return list(pods.get(namespace=namespace, label_selector=label_selector).items)


def _bind(dyn: Any, pod: Any, node: str) -> None:
    if pod.spec.nodeName:
        return
    pods = _resource(dyn, "Pod")
    pods.binding.create(
        name=pod.metadata.name,
        namespace=pod.metadata.namespace,
        body={
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": pod.metadata.name, "namespace": pod.metadata.namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        },
    )


def _containers(pod: Any) -> list[tuple[str, str]]:
    return [(c.name, c.image) for c in (pod.spec.containers or [])]


def _patch_status(dyn: Any, pod: Any, status: dict[str, Any]) -> None:
    pods = _resource(dyn, "Pod")
    pods.status.patch(
        name=pod.metadata.name,
        namespace=pod.metadata.namespace,
        body={"status": status},
        content_type=MERGE_PATCH,
    )


def _is_ready(pod: Any) -> bool:
    status = pod.status
    if not status or status.phase != "Running":
        return False
    conditions = {c.type: c.status for c in (status.conditions or [])}
    return conditions.get("Ready") == "True"


def make_pods_ready(api: Any, namespace: str, label_selector: str | None = None, node: str = DEFAULT_NODE) -> list[str]:
    """Bind the Pods of NAMESPACE to NODE and report them Running and Ready.

    Pods being deleted and Pods already Ready are left alone. Returns the names of
    the Pods this call changed.
    """
    dyn = _dynamic(api)
    changed = []
    for pod in _pods(dyn, namespace, label_selector):
        if pod.metadata.deletionTimestamp or _is_ready(pod):
            continue
        if pod.status and pod.status.phase in ("Succeeded", "Failed"):
            continue
        _bind(dyn, pod, node)
        now = _now()
        _patch_status(
            dyn,
            pod,
            {
                "phase": "Running",
                "hostIP": "127.0.0.1",
                "startTime": now,
                "conditions": _conditions(True, now),
                "containerStatuses": [
                    {
                        "name": name,
                        "image": image,
                        "imageID": "fake://" + image,
                        "containerID": "fake://" + name,
                        "ready": True,
                        "started": True,
                        "restartCount": 0,
                        "state": {"running": {"startedAt": now}},
                    }
                    for name, image in _containers(pod)
                ],
            },
        )
        changed.append(pod.metadata.name)
    return changed


def fail_pods(
    api: Any, namespace: str, label_selector: str | None = None, node: str = DEFAULT_NODE, reason: str = "CrashLoopBackOff", restart_count: int = 5
) -> list[str]:
    """Report every container of the selected Pods waiting with REASON (not Ready)."""
    dyn = _dynamic(api)
    changed = []
    for pod in _pods(dyn, namespace, label_selector):
        if pod.metadata.deletionTimestamp:
            continue
        _bind(dyn, pod, node)
        now = _now()
        _patch_status(
            dyn,
            pod,
            {
                "phase": "Running",
                "hostIP": "127.0.0.1",
                "startTime": now,
                "conditions": _conditions(False, now),
                "containerStatuses": [
                    {
                        "name": name,
                        "image": image,
                        "imageID": "fake://" + image,
                        "containerID": "fake://" + name,
                        "ready": False,
                        "started": False,
                        "restartCount": restart_count,
                        "state": {"waiting": {"reason": reason, "message": "back-off 5m0s restarting failed container=%s" % name}},
                        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}},
                    }
                    for name, image in _containers(pod)
                ],
            },
        )
        changed.append(pod.metadata.name)
    return changed


def succeed_pods(api: Any, namespace: str, label_selector: str | None = None, node: str = DEFAULT_NODE) -> list[str]:
    """Report the selected Pods Succeeded (every container terminated with exit code 0)."""
    dyn = _dynamic(api)
    changed = []
    for pod in _pods(dyn, namespace, label_selector):
        if pod.metadata.deletionTimestamp or (pod.status and pod.status.phase == "Succeeded"):
            continue
        _bind(dyn, pod, node)
        now = _now()
        conditions = _conditions(False, now)
        for condition in conditions:
            if condition["type"] in ("Ready", "ContainersReady"):
                condition["reason"] = "PodCompleted"
        _patch_status(
            dyn,
            pod,
            {
                "phase": "Succeeded",
                "hostIP": "127.0.0.1",
                "startTime": now,
                "conditions": conditions,
                "containerStatuses": [
                    {
                        "name": name,
                        "image": image,
                        "imageID": "fake://" + image,
                        "containerID": "fake://" + name,
                        "ready": False,
                        "started": False,
                        "restartCount": 0,
                        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}},
                    }
                    for name, image in _containers(pod)
                ],
            },
        )
        changed.append(pod.metadata.name)
    return changed


JOB_LABEL = "job-name"  # the Job controller labels the Pods it creates with their Job's name


def _terminated(pod: Any, exit_code: int, now: str) -> dict[str, Any]:
    """Pod status of a finished Pod: every container terminated with EXIT_CODE."""
    ok = exit_code == 0
    conditions = _conditions(False, now)
    for condition in conditions:
        if condition["type"] in ("Ready", "ContainersReady"):
            condition["reason"] = "PodCompleted" if ok else "ContainersNotReady"
    return {
        "phase": "Succeeded" if ok else "Failed",
        "hostIP": "127.0.0.1",
        "startTime": now,
        "conditions": conditions,
        "containerStatuses": [
            {
                "name": name,
                "image": image,
                "imageID": "fake://" + image,
                "containerID": "fake://" + name,
                "ready": False,
                "started": False,
                "restartCount": 0,
                "state": {"terminated": {"exitCode": exit_code, "reason": "Completed" if ok else "Error", "startedAt": now, "finishedAt": now}},
            }
            for name, image in _containers(pod)
        ],
    }


def finish_job_pods(api: Any, namespace: str, fail: tuple[str, ...] = (), node: str = DEFAULT_NODE) -> list[str]:
    """Terminate the running Pods of Jobs in NAMESPACE: exit code 1 (Failed) when their Job's
    name starts with one of FAIL, else 0 (Succeeded). The Job controller then marks the Job
    Complete, or Failed once its backoffLimit is used up. Returns the Pods changed."""
    dyn = _dynamic(api)
    changed = []
    for pod in _pods(dyn, namespace, JOB_LABEL):
        if pod.metadata.deletionTimestamp or (pod.status and pod.status.phase in ("Succeeded", "Failed")):
            continue
        job = (pod.metadata.labels or {}).get(JOB_LABEL) or ""
        _bind(dyn, pod, node)
        _patch_status(dyn, pod, _terminated(pod, 1 if job.startswith(tuple(fail)) else 0, _now()))
        changed.append(pod.metadata.name)
    return changed


def run_until(
    api: Any,
    namespace: str,
    stop_event: threading.Event,
    label_selector: str | None = None,
    node: str = DEFAULT_NODE,
    interval: float = 0.5,
    jobs: tuple[str, ...] | None = None,
) -> None:
    """Keep the Node Ready and make new Pods Ready every INTERVAL seconds until STOP_EVENT is set.

    With JOBS (a tuple of Job name prefixes to fail, possibly empty), the Pods of Jobs are
    terminated instead (finish_job_pods) and only the other Pods are made Ready.

    Meant for a background thread while a test waits for health. API errors of one
    round (for example a Pod deleted mid-way) are retried on the next round.
    """
    from kubernetes.dynamic.exceptions import DynamicApiError  # pylint: disable=import-outside-toplevel

    dyn = _dynamic(api)
    ensure_node(dyn, node)
    while not stop_event.is_set():
        try:
            if jobs is not None:
                finish_job_pods(dyn, namespace, jobs, node=node)
                make_pods_ready(dyn, namespace, label_selector=label_selector or "!" + JOB_LABEL, node=node)
            else:
                make_pods_ready(dyn, namespace, label_selector=label_selector, node=node)
        except DynamicApiError:
            pass
        stop_event.wait(interval)


def _force_delete(dyn: Any, pods: list[Any]) -> list[str]:
    from kubernetes.dynamic.exceptions import NotFoundError  # pylint: disable=import-outside-toplevel

    resource = _resource(dyn, "Pod")
    deleted = []
    for pod in pods:
        try:
            resource.delete(name=pod.metadata.name, namespace=pod.metadata.namespace, body={"gracePeriodSeconds": 0})
        except NotFoundError:
            continue
        deleted.append(pod.metadata.name)
    return deleted


def release_pods(api: Any, namespace: str, node: str = DEFAULT_NODE) -> list[str]:
    """Force-delete (grace period 0) every Pod of NAMESPACE bound to NODE; return their names.

    A Pod bound to a node is only removed once that node's kubelet confirms its containers
    stopped. No kubelet ever runs for the fake node, so a test that bound Pods to it calls
    this when it is done (after deleting the namespace: its controllers can no longer
    create Pods), else the namespace stays Terminating for good."""
    dyn = _dynamic(api)
    pods = _resource(dyn, "Pod").get(namespace=namespace, field_selector="spec.nodeName=" + node).items
    return _force_delete(dyn, list(pods))


def release_terminating(api: Any, node: str = DEFAULT_NODE) -> list[str]:
    """Force-delete the Pods of NODE, in any namespace, already being deleted (what its kubelet
    would confirm): the ones tests left behind in namespaces they did not create themselves."""
    dyn = _dynamic(api)
    pods = _resource(dyn, "Pod").get(field_selector="spec.nodeName=" + node).items
    return _force_delete(dyn, [p for p in pods if p.metadata.deletionTimestamp])


@contextlib.contextmanager
def running(
    api: Any, namespace: str, label_selector: str | None = None, node: str = DEFAULT_NODE, interval: float = 0.5, jobs: tuple[str, ...] | None = None
) -> Iterator[threading.Thread]:
    """Run run_until() in a daemon thread for the duration of the ``with`` block (``jobs``:
    see run_until)."""
    dyn = _dynamic(api)
    ensure_node(dyn, node)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_until,
        args=(dyn, namespace, stop),
        kwargs={"label_selector": label_selector, "node": node, "interval": interval, "jobs": jobs},
        name="fake-kubelet-%s" % namespace,
        daemon=True,
    )
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=10)
