# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health of OpenShift kinds: Route, DeploymentConfig and Build.

Route and DeploymentConfig follow the health checks Argo CD ships
(xref: argo-cd resource_customizations/route.openshift.io/Route/health.lua and
apps.openshift.io/DeploymentConfig/health.lua). Argo CD has none for Build; ours reads
its phase as the OpenShift build controller writes it (New, Pending, Running, Complete,
Failed, Error, Cancelled), the way a hook Pod's phase is read.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED, HEALTHY, PROGRESSING, UNKNOWN
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import (
    COND_FALSE,
    COND_TRUE,
    Health,
    HealthCheck,
    _cond_message,
    _conditions,
    _map,
    _status,
)

ROUTE_GROUP = "route.openshift.io"
APPS_GROUP = "apps.openshift.io"
BUILD_GROUP = "build.openshift.io"

ROUTE_ADMITTED = "Admitted"
ROUTE_HEALTHY = "Route is healthy"
ROUTE_DEGRADED = "Route is degraded"
ROUTE_PENDING = "Route is still getting admitted"

DC_HEALTHY = "replication controller successfully rolled out"
DC_WAITING = "replication controller is waiting for pods to run"
DC_DEGRADED = "Deployment config is degraded"
# (condition type, reason or None) counted as "rolled out" by Argo CD
DC_ROLLED_OUT = (("Available", None), ("Progressing", "NewReplicationControllerAvailable"))

# Build status.phase -> health
BUILD_PHASES: Dict[str, str] = {
    "New": PROGRESSING,
    "Pending": PROGRESSING,
    "Running": PROGRESSING,
    "Complete": HEALTHY,
    "Failed": DEGRADED,
    "Error": DEGRADED,
    "Cancelled": DEGRADED,
}


def route_health(obj: Mapping[str, Any]) -> Health:
    """route.openshift.io Route: Healthy when every router in status.ingress admitted it,
    Degraded when one refused it (Admitted=False), else Progressing.

    Unlike Argo CD, an empty status.ingress list is Progressing: no router admitted the
    Route yet (Argo CD counts zero of zero routers as Healthy)."""
    ingress = _status(obj).get("ingress")
    if not isinstance(ingress, list) or not ingress:
        return Health(PROGRESSING, ROUTE_PENDING)
    admitted = 0
    refused: List[str] = []
    for router in ingress:
        router = _map(router)
        for cond in _conditions(router):
            if cond.get("type") != ROUTE_ADMITTED:
                continue
            if cond.get("status") == COND_TRUE:
                admitted += 1
            elif cond.get("status") == COND_FALSE:
                refused.append("router %s: %s" % (router.get("routerName") or "?", _cond_message(cond) or "not admitted"))
    if admitted == len(ingress):
        return Health(HEALTHY, ROUTE_HEALTHY)
    if refused:
        return Health(DEGRADED, "%s (%s)" % (ROUTE_DEGRADED, "; ".join(refused)))
    return Health(PROGRESSING, ROUTE_PENDING)


def deploymentconfig_health(obj: Mapping[str, Any]) -> Health:
    """apps.openshift.io DeploymentConfig: Available and a new replication controller
    available (or zero replicas) is Healthy, one of the two Progressing, none Degraded."""
    status = _status(obj)
    if not isinstance(status.get("conditions"), list) or status.get("replicas") is None:
        return Health(PROGRESSING, DC_WAITING)
    rolled_out = 0
    for cond in _conditions(status):
        if cond.get("status") != COND_TRUE:
            continue
        if any(cond.get("type") == ctype and (reason is None or cond.get("reason") == reason) for ctype, reason in DC_ROLLED_OUT):
            rolled_out += 1
    if rolled_out == 2 or status.get("replicas") == 0:
        return Health(HEALTHY, DC_HEALTHY)
    if rolled_out == 1:
        return Health(PROGRESSING, DC_WAITING)
    return Health(DEGRADED, DC_DEGRADED)


def build_health(obj: Mapping[str, Any]) -> Health:
    """build.openshift.io Build: Complete is Healthy; Failed, Error and Cancelled are
    Degraded (with the build's message); New, Pending and Running are Progressing."""
    status = _status(obj)
    phase = status.get("phase")
    if not phase:
        return Health(PROGRESSING, "Waiting for the build to start")
    code = BUILD_PHASES.get(str(phase), UNKNOWN)
    detail = str(status.get("message") or status.get("reason") or "")
    message = "Build is %s%s" % (str(phase)[:40], ": " + detail if detail else "")
    return Health(code, "" if code == HEALTHY else message)


CHECKS: Dict[Tuple[str, str], HealthCheck] = {
    (ROUTE_GROUP, "Route"): route_health,
    (APPS_GROUP, "DeploymentConfig"): deploymentconfig_health,
    (BUILD_GROUP, "Build"): build_health,
}
