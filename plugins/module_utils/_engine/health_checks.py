# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-kind health checks (Argo CD / gitops-engine semantics) and their registry.

Each check reads one LIVE object and returns a Health; health.py dispatches to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    API_GROUP,
    APP_KIND,
    DEGRADED,
    HEALTH_ORDER,
    HEALTHY,
    PROGRESSING,
    SUSPENDED,
    UNKNOWN,
)

# Condition types and statuses of the Kubernetes API read here.
COND_TRUE = "True"
COND_FALSE = "False"
COND_READY = "Ready"
COND_STALLED = "Stalled"
COND_RECONCILING = "Reconciling"
COND_AVAILABLE = "Available"

# Container waiting reasons that mean the pod will not start without a change (Degraded).
# gitops-engine also matches the patterns below (Err*, *Error, *BackOff).
DEGRADED_WAITING_REASONS = (
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
)

# Fragments of a Ready=False reason that mean "still working on it" (Progressing, not Degraded).
IN_PROGRESS_REASON_HINTS = (
    "progress",
    "reconcil",
    "pending",
    "waiting",
    "creating",
    "updating",
    "initializ",
    "provisioning",
    "notready",
    "dependency",
)

# A child Application (in its parent's render) is summed up by its health status and this
# fixed message, never by its own message (which would nest); an unknown status is quoted
# at most this many characters.
APP_HEALTH_MESSAGE = "reported by the Application (details in its own status)"
APP_STATUS_QUOTE = 40

# HorizontalPodAutoscaler (condition type, reason) pairs that mean it cannot scale.
HPA_DEGRADED = (
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "FailedGetExternalMetric"),
    ("ScalingActive", "FailedGetObjectMetric"),
    ("ScalingActive", "FailedGetPodsMetric"),
    ("ScalingActive", "InvalidSelector"),
    ("ScalingActive", "InvalidMetricSourceType"),
)


@dataclass(frozen=True)
class Health:
    """Health of one object (or of a set): a code of constants.HEALTH_ORDER and why."""

    status: str
    message: str = ""

    def __str__(self) -> str:
        if self.message:
            return "%s: %s" % (self.status, self.message)
        return self.status


HealthCheck = Callable[[Mapping[str, Any]], Health]


# --- small readers -------------------------------------------------------------------


def _map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (absent or null fields)."""
    return value if isinstance(value, Mapping) else {}


def _int(value: Any, default: int = 0) -> int:
    """An integer field; ``default`` when absent. Raises ValueError on garbage."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise ValueError("expected an integer, got %r" % (value,))
    return int(value)


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(obj.get("spec"))


def _status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(obj.get("status"))


def _name(obj: Mapping[str, Any]) -> str:
    return str(_map(obj.get("metadata")).get("name") or "")


def _generation(obj: Mapping[str, Any]) -> int:
    return _int(_map(obj.get("metadata")).get("generation"))


def _observed(obj: Mapping[str, Any]) -> int:
    return _int(_status(obj).get("observedGeneration"))


def _conditions(status: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    conditions = status.get("conditions")
    if not isinstance(conditions, list):
        return []
    return [c for c in conditions if isinstance(c, Mapping)]


def _condition(status: Mapping[str, Any], cond_type: str) -> Optional[Mapping[str, Any]]:
    """The condition of ``cond_type`` in a status, or None."""
    for cond in _conditions(status):
        if cond.get("type") == cond_type:
            return cond
    return None


def _is_true(status: Mapping[str, Any], cond_type: str) -> bool:
    cond = _condition(status, cond_type)
    return cond is not None and cond.get("status") == COND_TRUE


def _cond_message(cond: Mapping[str, Any]) -> str:
    """``message`` of a condition, else its reason."""
    return str(cond.get("message") or cond.get("reason") or "")


def _has_lb_ingress(obj: Mapping[str, Any]) -> bool:
    ingress = _map(_status(obj).get("loadBalancer")).get("ingress")
    return isinstance(ingress, list) and len(ingress) > 0


# --- workloads -----------------------------------------------------------------------


def deployment_health(obj: Mapping[str, Any]) -> Health:
    """Deployment: paused, observed, progress deadline, then rollout counts (kubectl rollout status)."""
    spec, status = _spec(obj), _status(obj)
    if spec.get("paused"):
        return Health(SUSPENDED, "Deployment is paused")
    generation, observed = _generation(obj), _observed(obj)
    if observed < generation:
        return Health(PROGRESSING, "Waiting for rollout to be observed (observed generation %d of %d)" % (observed, generation))
    progressing = _condition(status, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health(DEGRADED, 'Deployment "%s" exceeded its progress deadline' % _name(obj))
    replicas = _int(spec.get("replicas"), 1)
    updated = _int(status.get("updatedReplicas"))
    current = _int(status.get("replicas"))
    available = _int(status.get("availableReplicas"))
    if updated < replicas:
        return Health(PROGRESSING, "Waiting for rollout to finish: %d out of %d new replicas have been updated..." % (updated, replicas))
    if current > updated:
        return Health(PROGRESSING, "Waiting for rollout to finish: %d old replicas are pending termination..." % (current - updated))
    if available < updated:
        return Health(PROGRESSING, "Waiting for rollout to finish: %d of %d updated replicas are available..." % (available, updated))
    return Health(HEALTHY)


def statefulset_health(obj: Mapping[str, Any]) -> Health:
    """StatefulSet: observed, ready pods, OnDelete, partition, then revisions."""
    spec, status = _spec(obj), _status(obj)
    if "observedGeneration" not in status or _observed(obj) < _generation(obj):
        return Health(PROGRESSING, "Waiting for statefulset spec update to be observed...")
    replicas = _int(spec.get("replicas"), 1)
    ready = _int(status.get("readyReplicas"))
    if ready < replicas:
        return Health(PROGRESSING, "Waiting for %d pods to be ready..." % (replicas - ready))
    strategy = _map(spec.get("updateStrategy"))
    if strategy.get("type") == "OnDelete":
        return Health(HEALTHY, "statefulset has %d ready pods" % ready)
    partition = _int(_map(strategy.get("rollingUpdate")).get("partition"))
    updated = _int(status.get("updatedReplicas"))
    update_revision = str(status.get("updateRevision") or "")
    if partition > 0:
        if updated < replicas - partition:
            return Health(
                PROGRESSING, "Waiting for partitioned roll out to finish: %d out of %d new pods have been updated..." % (updated, replicas - partition)
            )
        return Health(HEALTHY, "partitioned roll out complete: %d new pods have been updated..." % updated)
    if update_revision and update_revision != status.get("currentRevision"):
        return Health(PROGRESSING, "waiting for statefulset rolling update to complete %d pods at revision %s..." % (updated, update_revision))
    return Health(HEALTHY)


def daemonset_health(obj: Mapping[str, Any]) -> Health:
    """DaemonSet: observed, OnDelete, then updated and available pods per node."""
    spec, status = _spec(obj), _status(obj)
    if _observed(obj) < _generation(obj):
        return Health(PROGRESSING, "Waiting for rollout to be observed: observed daemon set generation less than desired generation")
    desired = _int(status.get("desiredNumberScheduled"))
    updated = _int(status.get("updatedNumberScheduled"))
    available = _int(status.get("numberAvailable"))
    if _map(spec.get("updateStrategy")).get("type") == "OnDelete":
        return Health(HEALTHY, "daemon set %d out of %d new pods have been updated" % (updated, desired))
    if updated < desired:
        return Health(PROGRESSING, 'Waiting for daemon set "%s" rollout to finish: %d out of %d new pods have been updated...' % (_name(obj), updated, desired))
    if available < desired:
        return Health(PROGRESSING, 'Waiting for daemon set "%s" rollout to finish: %d of %d updated pods are available...' % (_name(obj), available, desired))
    return Health(HEALTHY)


def replicaset_health(obj: Mapping[str, Any]) -> Health:
    """ReplicaSet: observed, ReplicaFailure condition, then available replicas."""
    spec, status = _spec(obj), _status(obj)
    if _observed(obj) < _generation(obj):
        return Health(PROGRESSING, "Waiting for rollout to be observed: observed replica set generation less than desired generation")
    failure = _condition(status, "ReplicaFailure")
    if failure is not None and failure.get("status") == COND_TRUE:
        return Health(DEGRADED, _cond_message(failure))
    replicas = _int(spec.get("replicas"), 1)
    available = _int(status.get("availableReplicas"))
    if available < replicas:
        return Health(PROGRESSING, "Waiting for rollout to finish: %d out of %d new replicas are available..." % (available, replicas))
    return Health(HEALTHY)


def _is_degraded_reason(reason: str) -> bool:
    """A container waiting reason that will not resolve by itself."""
    return reason in DEGRADED_WAITING_REASONS or reason.startswith("Err") or reason.endswith(("Error", "BackOff"))


def _container_statuses(status: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    out: List[Mapping[str, Any]] = []
    for field in ("initContainerStatuses", "containerStatuses"):
        items = status.get(field)
        if isinstance(items, list):
            out.extend(item for item in items if isinstance(item, Mapping))
    return out


def _failed_container_message(status: Mapping[str, Any]) -> str:
    for ctr in _container_statuses(status):
        terminated = _map(_map(ctr.get("state")).get("terminated"))
        if terminated.get("message"):
            return str(terminated["message"])
        if terminated.get("reason") == "OOMKilled":
            return "OOMKilled"
        if _int(terminated.get("exitCode")) != 0:
            return 'container "%s" failed with exit code %d' % (ctr.get("name"), _int(terminated.get("exitCode")))
    return ""


def pod_health(obj: Mapping[str, Any]) -> Health:
    """Pod: stuck containers, then phase; finite pods (hooks) never count as Healthy while running.

    Waiting reasons are only Degraded for restartPolicy Always (the default): a hook pod
    with ImagePullBackOff must not fail a sync that it could still complete (gitops-engine).
    """
    spec, status = _spec(obj), _status(obj)
    restart_policy = spec.get("restartPolicy") or "Always"
    message = str(status.get("message") or "")
    if restart_policy == "Always":
        stuck: List[str] = []
        for ctr in _container_statuses(status):
            waiting = _map(_map(ctr.get("state")).get("waiting"))
            reason = str(waiting.get("reason") or "")
            if reason and _is_degraded_reason(reason):
                stuck.append('container "%s": %s' % (ctr.get("name"), waiting.get("message") or reason))
        if stuck:
            return Health(DEGRADED, ", ".join(stuck))
    phase = status.get("phase")
    if phase == "Pending":
        return Health(PROGRESSING, message)
    if phase == "Succeeded":
        return Health(HEALTHY, message)
    if phase == "Failed":
        return Health(DEGRADED, message or _failed_container_message(status))
    if phase == "Running":
        if restart_policy == "Always" and _is_true(status, COND_READY):
            return Health(HEALTHY, message)
        return Health(PROGRESSING, message)
    return Health(UNKNOWN, message or "Pod phase is %s" % (phase or "unknown"))


def job_health(obj: Mapping[str, Any]) -> Health:
    """Job: Failed (or FailureTarget) -> Degraded, Complete -> Healthy, suspended, else running."""
    status = _status(obj)
    for cond_type in ("Failed", "FailureTarget"):
        cond = _condition(status, cond_type)
        if cond is not None and cond.get("status") == COND_TRUE:
            return Health(DEGRADED, _cond_message(cond))
    complete = _condition(status, "Complete")
    if complete is not None and complete.get("status") == COND_TRUE:
        return Health(HEALTHY, str(complete.get("message") or ""))
    if _is_true(status, "Suspended") or _spec(obj).get("suspend"):
        return Health(SUSPENDED, "Job is suspended")
    return Health(PROGRESSING, "Job is running: %d active, %d succeeded" % (_int(status.get("active")), _int(status.get("succeeded"))))


def cronjob_health(obj: Mapping[str, Any]) -> Health:
    """CronJob: suspended or not; its Jobs carry their own health."""
    if _spec(obj).get("suspend"):
        return Health(SUSPENDED, "CronJob is suspended")
    return Health(HEALTHY)


# --- storage, network, cluster -------------------------------------------------------


def pvc_health(obj: Mapping[str, Any]) -> Health:
    """PersistentVolumeClaim: Bound, Lost or Pending."""
    phase = _status(obj).get("phase")
    if phase == "Bound":
        return Health(HEALTHY)
    if phase == "Lost":
        return Health(DEGRADED, "PersistentVolumeClaim lost its volume")
    if phase == "Pending" or phase is None:
        return Health(PROGRESSING, "Waiting for the claim to be bound")
    return Health(UNKNOWN, "PersistentVolumeClaim phase is %s" % phase)


def service_health(obj: Mapping[str, Any]) -> Health:
    """Service: a LoadBalancer needs an ingress point; other types are Healthy."""
    if _spec(obj).get("type") == "LoadBalancer" and not _has_lb_ingress(obj):
        return Health(PROGRESSING, "Waiting for the load balancer to be provisioned")
    return Health(HEALTHY)


def ingress_health(obj: Mapping[str, Any]) -> Health:
    """Ingress: Healthy once the controller published an address (Argo CD semantics)."""
    if _has_lb_ingress(obj):
        return Health(HEALTHY)
    return Health(PROGRESSING, "Waiting for the ingress controller to publish an address")


def crd_health(obj: Mapping[str, Any]) -> Health:
    """CustomResourceDefinition: Established, or names refused."""
    status = _status(obj)
    if _is_true(status, "Established"):
        return Health(HEALTHY)
    names = _condition(status, "NamesAccepted")
    if names is not None and names.get("status") == COND_FALSE:
        return Health(DEGRADED, _cond_message(names))
    return Health(PROGRESSING, "Waiting for the CustomResourceDefinition to be established")


def namespace_health(obj: Mapping[str, Any]) -> Health:
    """Namespace: Active or Terminating."""
    if _status(obj).get("phase") == "Terminating":
        return Health(PROGRESSING, "Namespace is terminating")
    return Health(HEALTHY)


def hpa_health(obj: Mapping[str, Any]) -> Health:
    """HorizontalPodAutoscaler: failing to scale or to read metrics is Degraded."""
    status = _status(obj)
    for cond in _conditions(status):
        if cond.get("status") == COND_FALSE and (cond.get("type"), cond.get("reason")) in HPA_DEGRADED:
            return Health(DEGRADED, _cond_message(cond))
    able = _condition(status, "AbleToScale")
    if able is not None and able.get("status") == COND_TRUE:
        return Health(HEALTHY, _cond_message(able))
    return Health(PROGRESSING, "Waiting to Autoscale")


def apiservice_health(obj: Mapping[str, Any]) -> Health:
    """APIService: its Available condition."""
    available = _condition(_status(obj), COND_AVAILABLE)
    if available is None:
        return Health(PROGRESSING, "Waiting to be processed")
    message = "%s: %s" % (available.get("reason") or "", available.get("message") or "")
    if available.get("status") == COND_TRUE:
        return Health(HEALTHY, message)
    return Health(PROGRESSING, message)


def pdb_health(obj: Mapping[str, Any]) -> Health:
    """PodDisruptionBudget: enough healthy pods to allow what it promises."""
    status = _status(obj)
    if "currentHealthy" not in status or "desiredHealthy" not in status:
        return Health(PROGRESSING, "Waiting for status")
    current, desired = _int(status.get("currentHealthy")), _int(status.get("desiredHealthy"))
    if current >= desired:
        return Health(HEALTHY)
    return Health(PROGRESSING, "%d of %d required pods are healthy" % (current, desired))


def application_health(obj: Mapping[str, Any]) -> Health:
    """Our Application (as an object of its parent's render): the health status it
    reports in status.health, with a fixed short message. Never its message: a parent
    quoting its child's message (which quotes its own children...) nests messages, and
    an Application that names itself would grow its message on every run."""
    status = _map(_status(obj).get("health")).get("status")
    if not status:
        return Health(PROGRESSING, "Waiting for the Application to report health")
    if status not in HEALTH_ORDER:
        return Health(UNKNOWN, "unknown health status %r" % str(status)[:APP_STATUS_QUOTE])
    if status == HEALTHY:
        return Health(HEALTHY)
    return Health(str(status), APP_HEALTH_MESSAGE)


# --- any other kind (kstatus-like) ---------------------------------------------------


def _in_progress_reason(reason: str) -> bool:
    low = reason.lower()
    return any(hint in low for hint in IN_PROGRESS_REASON_HINTS)


def generic_health(obj: Mapping[str, Any]) -> Health:
    """Any kind without a dedicated check: observedGeneration, Stalled, Reconciling, Ready.

    Objects without status (ConfigMap, Secret, RBAC, ...) are Healthy.
    """
    status = _status(obj)
    if not status:
        return Health(HEALTHY)
    if "observedGeneration" in status and _observed(obj) < _generation(obj):
        return Health(PROGRESSING, "Waiting for the controller to observe generation %d" % _generation(obj))
    stalled = _condition(status, COND_STALLED)
    if stalled is not None and stalled.get("status") == COND_TRUE:
        return Health(DEGRADED, _cond_message(stalled))
    reconciling = _condition(status, COND_RECONCILING)
    if reconciling is not None and reconciling.get("status") == COND_TRUE:
        return Health(PROGRESSING, _cond_message(reconciling))
    ready = _condition(status, COND_READY)
    if ready is None:
        return Health(HEALTHY)
    if ready.get("status") == COND_TRUE:
        return Health(HEALTHY, str(ready.get("message") or ""))
    if ready.get("status") == COND_FALSE and not _in_progress_reason(str(ready.get("reason") or "")):
        return Health(DEGRADED, _cond_message(ready))
    return Health(PROGRESSING, _cond_message(ready))


# --- registry and entry point --------------------------------------------------------

# (API group, kind) -> check; gitops-engine's GetHealthCheckFunc switch as data.
CHECKS: Dict[Tuple[str, str], HealthCheck] = {
    ("apps", "Deployment"): deployment_health,
    ("extensions", "Deployment"): deployment_health,
    ("apps", "StatefulSet"): statefulset_health,
    ("apps", "DaemonSet"): daemonset_health,
    ("extensions", "DaemonSet"): daemonset_health,
    ("apps", "ReplicaSet"): replicaset_health,
    ("extensions", "ReplicaSet"): replicaset_health,
    ("", "Pod"): pod_health,
    ("batch", "Job"): job_health,
    ("batch", "CronJob"): cronjob_health,
    ("", "PersistentVolumeClaim"): pvc_health,
    ("", "Service"): service_health,
    ("networking.k8s.io", "Ingress"): ingress_health,
    ("extensions", "Ingress"): ingress_health,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): crd_health,
    ("", "Namespace"): namespace_health,
    ("autoscaling", "HorizontalPodAutoscaler"): hpa_health,
    ("apiregistration.k8s.io", "APIService"): apiservice_health,
    ("policy", "PodDisruptionBudget"): pdb_health,
    (API_GROUP, APP_KIND): application_health,
}
