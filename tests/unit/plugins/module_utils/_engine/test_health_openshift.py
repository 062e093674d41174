# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenShift health: Route and DeploymentConfig give Argo CD's statuses and messages (its
health_test.yaml cases; the objects are in fixtures/health); Build is ours."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import constants as C
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import assess
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_openshift import build_health, deploymentconfig_health, route_health

from .test_health import load

ARGOCD_MESSAGES = {
    "deploymentconfig-progressing-progressing.yaml": "replication controller is waiting for pods to run",
    "deploymentconfig-rc-updated-progressing.yaml": "replication controller is waiting for pods to run",
    "deploymentconfig-degraded-degraded.yaml": "Deployment config is degraded",
    "deploymentconfig-healthy-healthy.yaml": "replication controller successfully rolled out",
    "deploymentconfig-zero-replicas-healthy.yaml": "replication controller successfully rolled out",
    "route-progressing-progressing.yaml": "Route is still getting admitted",
    "route-healthy-healthy.yaml": "Route is healthy",
}


def route(*routers):
    return {
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": {"name": "web", "namespace": "shop"},
        "status": {
            "ingress": [{"routerName": name, "conditions": [{"type": "Admitted", "status": status, "reason": reason}]} for name, status, reason in routers]
        },
    }


@pytest.mark.parametrize("name", sorted(ARGOCD_MESSAGES))
def test_message_is_argocds(name):
    assert assess(load(name)).message == ARGOCD_MESSAGES[name]


def test_route_degraded_names_the_refusing_router():
    health = assess(load("route-degraded-degraded.yaml"))
    assert health.status == C.DEGRADED
    assert health.message.startswith("Route is degraded") and "router default" in health.message


def test_route_all_routers_must_admit():
    assert route_health(route(("default", "True", ""), ("internal", "True", ""))).status == C.HEALTHY
    assert route_health(route(("default", "True", ""), ("internal", "Unknown", ""))).status == C.PROGRESSING
    health = route_health(route(("default", "True", ""), ("internal", "False", "HostAlreadyClaimed")))
    assert health.status == C.DEGRADED and "router internal: HostAlreadyClaimed" in health.message


def test_route_without_status_is_progressing():
    assert route_health({"kind": "Route", "metadata": {"name": "r"}}).status == C.PROGRESSING


def test_deploymentconfig_without_replicas_in_status_is_progressing():
    obj = {"kind": "DeploymentConfig", "status": {"conditions": [{"type": "Available", "status": "True"}]}}
    assert deploymentconfig_health(obj).status == C.PROGRESSING


def test_deploymentconfig_available_but_new_rc_not_yet_is_progressing():
    conds = [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True", "reason": "ReplicationControllerUpdated"}]
    assert deploymentconfig_health({"kind": "DeploymentConfig", "status": {"replicas": 2, "conditions": conds}}).status == C.PROGRESSING
    conds[1]["reason"] = "NewReplicationControllerAvailable"
    assert deploymentconfig_health({"kind": "DeploymentConfig", "status": {"replicas": 2, "conditions": conds}}).status == C.HEALTHY


@pytest.mark.parametrize(
    "phase, status",
    [
        ("New", C.PROGRESSING),
        ("Pending", C.PROGRESSING),
        ("Running", C.PROGRESSING),
        ("Complete", C.HEALTHY),
        ("Failed", C.DEGRADED),
        ("Error", C.DEGRADED),
        ("Cancelled", C.DEGRADED),
        ("Teleported", C.UNKNOWN),
    ],
)
def test_build_phases(phase, status):
    assert build_health({"kind": "Build", "status": {"phase": phase}}).status == status


def test_build_failure_carries_its_message():
    health = assess(load("build-failed-degraded.yaml"))
    assert health.message == "Build is Failed: Assemble script failed."
