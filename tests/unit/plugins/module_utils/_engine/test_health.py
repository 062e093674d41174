# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health checks, table-tested from live objects named ``<kind>-<case>-<outcome>.yaml``."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import constants as C
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import (
    CHECKS,
    Health,
    aggregate,
    assess,
    check_for,
    generic_health,
    is_worse,
    worst,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "health")
OUTCOMES = {
    "healthy": C.HEALTHY,
    "progressing": C.PROGRESSING,
    "degraded": C.DEGRADED,
    "suspended": C.SUSPENDED,
    "missing": C.HEALTH_MISSING,
    "unknown": C.UNKNOWN,
}
FILES = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".yaml"))


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def outcome_of(name):
    return OUTCOMES[name[: -len(".yaml")].rsplit("-", 1)[1]]


def deployment(spec=None, status=None, generation=1):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "generation": generation},
        "spec": spec or {},
        "status": status or {},
    }


# --- fixtures ------------------------------------------------------------------------


def test_fixtures_are_named_by_outcome():
    assert len(FILES) >= 40
    for name in FILES:
        assert name[: -len(".yaml")].rsplit("-", 1)[1] in OUTCOMES, name


@pytest.mark.parametrize("name", FILES)
def test_assess_fixture(name):
    health = assess(load(name))
    assert isinstance(health, Health)
    assert health.status == outcome_of(name), "%s: %s" % (name, health)


def test_every_builtin_kind_has_a_fixture():
    kinds = {(load(name) or {}).get("kind") for name in FILES}
    missing = {kind for _group, kind in CHECKS} - kinds
    assert not missing


@pytest.mark.parametrize(
    "name, expected",
    [
        ("deployment-rollout-progressing.yaml", "Waiting for rollout to finish: 1 of 3 updated replicas are available..."),
        ("deployment-old-replicas-progressing.yaml", "Waiting for rollout to finish: 1 old replicas are pending termination..."),
        ("deployment-deadline-degraded.yaml", 'Deployment "worker" exceeded its progress deadline'),
        ("deployment-paused-suspended.yaml", "Deployment is paused"),
        ("deployment-deleting-progressing.yaml", "pending deletion"),
        ("statefulset-pods-not-ready-progressing.yaml", "Waiting for 2 pods to be ready..."),
        ("statefulset-rolling-update-progressing.yaml", "waiting for statefulset rolling update to complete 1 pods at revision postgres-84d6b5c7f9..."),
        ("daemonset-rollout-progressing.yaml", 'Waiting for daemon set "node-exporter" rollout to finish: 1 out of 3 new pods have been updated...'),
        ("job-failed-degraded.yaml", "Job has reached the specified backoff limit"),
        ("crd-names-conflict-degraded.yaml", '"gapp" is already in use'),
        (
            "apiservice-unavailable-progressing.yaml",
            'MissingEndpoints: endpoints for service/prometheus-adapter in "monitoring" have no addresses with port name "https"',
        ),
        ("pdb-insufficient-progressing.yaml", "1 of 2 required pods are healthy"),
        ("application-child-degraded.yaml", "reported by the Application (details in its own status)"),
        ("pod-failed-degraded.yaml", 'container "migrate" failed with exit code 3'),
        ("pod-node-lost-unknown.yaml", "Node edge-node-7 which was running pod edge-agent-x9v8c is unresponsive"),
        ("missing-absent-missing.yaml", "object not found"),
    ],
)
def test_assess_fixture_message(name, expected):
    assert assess(load(name)).message == expected


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("pod-crashloop-degraded.yaml", "back-off 2m40s restarting failed container=worker"),
        ("pod-imagepullbackoff-degraded.yaml", 'Back-off pulling image "ghcr.io/example/api:does-not-exist"'),
        ("pod-init-crashloop-degraded.yaml", 'container "migrate"'),
        ("replicaset-quota-degraded.yaml", "exceeded quota"),
        ("hpa-failed-metrics-degraded.yaml", "unable to compute the replica count"),
        ("custom-ready-false-degraded.yaml", "Failed to register ACME account"),
        ("custom-stalled-degraded.yaml", "kustomization path not found"),
        ("custom-generation-progressing.yaml", "generation 4"),
    ],
)
def test_assess_fixture_message_names_the_cause(name, fragment):
    assert fragment in assess(load(name)).message


# --- entry point ---------------------------------------------------------------------


@pytest.mark.parametrize("obj", [None, {}])
def test_assess_absent_is_missing(obj):
    assert assess(obj).status == C.HEALTH_MISSING


def test_assess_not_a_mapping_is_unknown():
    assert assess(["not", "an", "object"]).status == C.UNKNOWN


def test_assess_malformed_field_is_unknown_not_an_exception():
    health = assess(deployment(spec={"replicas": "three"}, status={"observedGeneration": 1}))
    assert health.status == C.UNKNOWN
    assert health.message.startswith("health check failed:")


def test_assess_deletion_timestamp_wins_over_kind_check():
    obj = load("pod-succeeded-healthy.yaml")
    obj["metadata"]["deletionTimestamp"] = "2026-01-15T18:00:00Z"
    assert assess(obj) == Health(C.PROGRESSING, "pending deletion")


def test_assess_does_not_mutate_input():
    obj = load("deployment-rollout-progressing.yaml")
    before = copy.deepcopy(obj)
    assess(obj)
    assert obj == before


def test_check_for_registry():
    assert check_for("apps", "Deployment") is CHECKS[("apps", "Deployment")]
    assert check_for(C.API_GROUP, C.APP_KIND) is not None
    assert check_for("example.com", "Widget") is None
    # Same kind, other group: not ours.
    assert check_for("argoproj.io", "Application") is None


# --- per-kind edge cases -------------------------------------------------------------


def test_deployment_replicas_default_to_one():
    health = assess(deployment(status={"observedGeneration": 1}))
    assert health == Health(C.PROGRESSING, "Waiting for rollout to finish: 0 out of 1 new replicas have been updated...")


def test_deployment_unobserved_generation_is_progressing():
    health = assess(deployment(spec={"replicas": 1}, generation=2, status={"observedGeneration": 1}))
    assert health.status == C.PROGRESSING
    assert health.message.startswith("Waiting for rollout to be observed")


def test_deployment_just_created_without_status_is_progressing():
    assert assess(deployment(spec={"replicas": 2})).status == C.PROGRESSING


def test_deployment_all_counts_met_is_healthy():
    status = {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}
    assert assess(deployment(spec={"replicas": 2}, status=status)) == Health(C.HEALTHY)


def test_statefulset_without_observed_generation_is_progressing():
    obj = load("statefulset-ready-healthy.yaml")
    del obj["status"]["observedGeneration"]
    assert assess(obj).status == C.PROGRESSING


def test_statefulset_partition_not_reached_is_progressing():
    obj = load("statefulset-partitioned-healthy.yaml")
    obj["status"]["updatedReplicas"] = 1
    health = assess(obj)
    assert health.status == C.PROGRESSING
    assert "1 out of 2 new pods" in health.message


def test_pod_waiting_reason_ignored_for_finite_pods():
    obj = load("pod-imagepullbackoff-degraded.yaml")
    obj["spec"]["restartPolicy"] = "Never"
    assert assess(obj).status == C.PROGRESSING


@pytest.mark.parametrize("reason", ["CreateContainerConfigError", "InvalidImageName", "ErrImagePull", "RunContainerError"])
def test_pod_stuck_waiting_reasons_are_degraded(reason):
    obj = load("pod-pending-progressing.yaml")
    obj["status"]["containerStatuses"] = [{"name": "trainer", "state": {"waiting": {"reason": reason}}}]
    health = assess(obj)
    assert health.status == C.DEGRADED
    assert reason in health.message


def test_pod_container_creating_is_progressing():
    obj = load("pod-pending-progressing.yaml")
    obj["status"]["containerStatuses"] = [{"name": "trainer", "state": {"waiting": {"reason": "ContainerCreating"}}}]
    assert assess(obj).status == C.PROGRESSING


def test_pod_running_with_never_restart_is_progressing_even_if_ready():
    obj = load("pod-running-ready-healthy.yaml")
    obj["spec"]["restartPolicy"] = "Never"
    assert assess(obj).status == C.PROGRESSING


def test_job_spec_suspend_without_condition_is_suspended():
    obj = load("job-running-progressing.yaml")
    obj["spec"]["suspend"] = True
    assert assess(obj).status == C.SUSPENDED


def test_namespace_terminating_without_deletion_timestamp():
    obj = load("namespace-terminating-progressing.yaml")
    del obj["metadata"]["deletionTimestamp"]
    assert assess(obj) == Health(C.PROGRESSING, "Namespace is terminating")


def test_application_with_unknown_code_is_unknown():
    obj = load("application-synced-healthy.yaml")
    obj["status"]["health"] = {"status": "Great", "message": "trust me"}
    health = assess(obj)
    assert health.status == C.UNKNOWN
    assert "Great" in health.message


@pytest.mark.parametrize("status", ["Degraded", "Progressing", "Healthy", "G" * 5000])
def test_application_health_never_quotes_the_child_message(status):
    obj = load("application-child-degraded.yaml")
    obj["status"]["health"] = {"status": status, "message": "Application/ns/child: " + "M" * 5000}
    health = assess(obj)
    assert "M" * 10 not in health.message and len(health.message) < 120, health


def test_foreign_application_uses_generic_check():
    obj = load("application-child-degraded.yaml")
    obj["apiVersion"] = "argoproj.io/v1alpha1"
    assert assess(obj).status == C.HEALTHY


@pytest.mark.parametrize(
    "conditions, expected",
    [
        ([{"type": "Ready", "status": "True"}], C.HEALTHY),
        ([{"type": "Ready", "status": "False", "reason": "InstallFailed"}], C.DEGRADED),
        ([{"type": "Ready", "status": "False", "reason": "Progressing"}], C.PROGRESSING),
        ([{"type": "Ready", "status": "False", "reason": "ReconciliationInProgress"}], C.PROGRESSING),
        ([{"type": "Ready", "status": "Unknown", "reason": "Failed"}], C.PROGRESSING),
        ([{"type": "Stalled", "status": "True", "reason": "InvalidSpec"}, {"type": "Ready", "status": "True"}], C.DEGRADED),
        ([{"type": "Reconciling", "status": "True"}, {"type": "Ready", "status": "True"}], C.PROGRESSING),
        ([{"type": "Stalled", "status": "False"}, {"type": "Reconciling", "status": "False"}], C.HEALTHY),
        ([{"type": "Synced", "status": "False"}], C.HEALTHY),
        ([], C.HEALTHY),
    ],
)
def test_generic_conditions(conditions, expected):
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "generation": 1}, "status": {"conditions": conditions}}
    assert generic_health(obj).status == expected
    assert assess(obj).status == expected


def test_generic_ignores_generation_without_observed_generation():
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "generation": 9}, "status": {"phase": "Ready"}}
    assert assess(obj).status == C.HEALTHY


# --- ordering and aggregation --------------------------------------------------------


def test_is_worse_follows_health_order():
    for better, worse in zip(C.HEALTH_ORDER, C.HEALTH_ORDER[1:]):
        assert is_worse(worse, better)
        assert not is_worse(better, worse)
        assert not is_worse(Health(better), Health(better))


def test_is_worse_treats_unknown_codes_as_unknown():
    assert is_worse("NotACode", C.DEGRADED)
    assert not is_worse("NotACode", C.UNKNOWN)


def test_worst_empty_is_healthy():
    assert worst([]) == Health(C.HEALTHY)


def test_worst_picks_least_healthy_first_on_ties():
    first = Health(C.DEGRADED, "first")
    healths = [Health(C.HEALTHY), Health(C.PROGRESSING, "p"), first, Health(C.SUSPENDED), Health(C.DEGRADED, "second")]
    assert worst(healths) is first
    assert worst(iter(healths)) is first


def test_worst_missing_is_worse_than_progressing():
    assert worst([Health(C.PROGRESSING), Health(C.HEALTH_MISSING)]).status == C.HEALTH_MISSING


def test_aggregate_all_healthy_has_no_message():
    assert aggregate([("ConfigMap/ns/a", Health(C.HEALTHY)), ("Service/ns/b", Health(C.HEALTHY))]) == Health(C.HEALTHY)
    assert aggregate([]) == Health(C.HEALTHY)


def test_aggregate_names_the_worst_objects():
    pairs = [
        ("ConfigMap/shop/cfg", Health(C.HEALTHY)),
        ("Deployment/shop/web", assess(deployment(spec={"replicas": 1}, status={"observedGeneration": 1, "updatedReplicas": 1, "replicas": 1}))),
        ("Pod/shop/p", Health(C.SUSPENDED, "paused")),
    ]
    health = aggregate(pairs)
    assert health == Health(C.PROGRESSING, "Deployment/shop/web: Waiting for rollout to finish: 0 of 1 updated replicas are available...")


def test_aggregate_limits_named_objects():
    pairs = [("Pod/ns/p%d" % i, Health(C.DEGRADED, "boom %d" % i)) for i in range(5)]
    pairs.insert(2, ("Service/ns/s", Health(C.PROGRESSING, "lb")))
    health = aggregate(pairs)
    assert health.status == C.DEGRADED
    assert health.message == "Pod/ns/p0: boom 0; Pod/ns/p1: boom 1; Pod/ns/p2: boom 2; +2 more"


def test_aggregate_without_message_names_the_subject_only():
    health = aggregate([("Namespace/shop", Health(C.HEALTH_MISSING)), ("Pod/shop/x", Health(C.PROGRESSING, "x"))])
    assert health == Health(C.HEALTH_MISSING, "Namespace/shop")


def test_aggregate_accepts_object_ids():
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import object_id

    obj = load("deployment-deadline-degraded.yaml")
    health = aggregate([(object_id(obj), assess(obj))])
    assert health.message == 'Deployment/shop/worker: Deployment "worker" exceeded its progress deadline'


def test_health_is_frozen_and_printable():
    health = Health(C.DEGRADED, "boom")
    with pytest.raises(AttributeError):
        health.status = C.HEALTHY  # type: ignore[misc]
    assert str(health) == "Degraded: boom"
    assert str(Health(C.HEALTHY)) == "Healthy"


def test_every_builtin_check_is_in_the_health_docs():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))))
    with open(os.path.join(root, "docs", "health.md"), encoding="utf-8") as handle:
        rows = [line for line in handle if line.startswith("| ")]
    missing = []
    for group, kind in CHECKS:
        label = "`%s`" % group if group else "core"
        if not any(("| `%s` |" % kind) in row and label in row.split("|")[1] for row in rows):
            missing.append("%s/%s" % (group, kind))
    assert not missing
