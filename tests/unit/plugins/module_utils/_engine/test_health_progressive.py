# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo Rollouts and Flagger health: the statuses AND messages Argo CD's own checks give
for the same objects (its health_test.yaml cases; the objects are in fixtures/health)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import constants as C
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import Health, assess
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_progressive import analysisrun_health, canary_health, rollout_health

from .test_health import FIXTURES, load

# fixture -> the message Argo CD gives (its status is in the fixture's name)
ARGOCD_MESSAGES = {
    "rollout-new-rollout-without-status-progressing.yaml": "Waiting for rollout spec update to be observed",
    "rollout-new-generation-progressing.yaml": "Waiting for rollout spec update to be observed",
    "rollout-new-workload-generation-progressing.yaml": "Waiting for rollout spec update to be observed",
    "rollout-status-phase-message-degraded.yaml": "InvalidSpec",
    "rollout-legacy-v09-observed-generation-healthy.yaml": "",
    "rollout-legacy-v09-observed-generation-numeric-healthy.yaml": "",
    "rollout-legacy-v10-new-workload-generation-healthy.yaml": "",
    "rollout-new-workload-generation-healthy.yaml": "",
    "rollout-invalid-spec-degraded.yaml": (
        'The Rollout "basic" is invalid: spec.strategy.strategy: Required value: '
        "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'"
    ),
    "rollout-timeout-degraded.yaml": 'ReplicaSet "guestbook-bluegreen-helm-guestbook-6b8cf6f7db" has timed out progressing.',
    "rollout-aborted-degraded.yaml": "Rollout is aborted",
    "rollout-bluegreen-serving-active-service-healthy.yaml": "",
    "rollout-bluegreen-adding-more-replicas-progressing.yaml": "Waiting for roll out to finish: More replicas need to be updated",
    "rollout-bluegreen-waiting-until-available-progressing.yaml": "Waiting for roll out to finish: updated replicas are still becoming available",
    "rollout-canary-set-weight-step-progressing.yaml": "Waiting for roll out to finish: More replicas need to be updated",
    "rollout-canary-killing-old-replicas-progressing.yaml": "Waiting for roll out to finish: old replicas are pending termination",
    "rollout-controller-pause-suspended.yaml": "Rollout is paused",
    "rollout-user-pause-suspended.yaml": "Rollout is paused",
    "rollout-v10-paused-suspended.yaml": "CanaryPauseStep",
    "rollout-canary-executed-all-steps-pre-v08-healthy.yaml": "",
    "rollout-canary-executed-all-steps-healthy.yaml": "",
    "rollout-canary-no-steps-progressing.yaml": "Waiting for roll out to finish: updated replicas are still becoming available",
    "rollout-canary-no-steps-healthy.yaml": "",
    "rollout-canary-empty-steps-list-healthy.yaml": "",
    "analysisrun-pending-progressing.yaml": "Analysis run is running",
    "analysisrun-no-status-progressing.yaml": "Waiting for analysis run to finish: status has not been reconciled.",
    "analysisrun-running-progressing.yaml": "Analysis run is running",
    "analysisrun-successful-healthy.yaml": "Analysis run completed successfully",
    "analysisrun-failed-degraded.yaml": "Analysis run failed",
    "analysisrun-failed-with-status-message-degraded.yaml": "Status Message: Assessed as Failed",
    "analysisrun-error-degraded.yaml": "Analysis run had an error",
    "analysisrun-error-with-status-message-degraded.yaml": "Status Message: Assessed as Error",
    "analysisrun-inconclusive-unknown.yaml": "Analysis run was inconclusive",
    "analysisrun-inconclusive-with-status-message-unknown.yaml": "Status Message: Assessed as Inconclusive",
    "analysisrun-terminated-healthy.yaml": "run terminated",
    "canary-progressing-progressing.yaml": "Progressing --- Canary Weight: 10 % --- New revision detected, progressing canary analysis.",
    "canary-finalising-progressing.yaml": "Finalising --- Canary analysis completed, routing all traffic to primary.",
    "canary-promoting-progressing.yaml": "Promoting --- Canary analysis completed, starting primary rolling update.",
    "canary-degraded-degraded.yaml": "Failed --- Canary analysis failed, Deployment scaled to zero.",
    "canary-succeeded-healthy.yaml": "Succeeded --- Canary analysis completed successfully, promotion finished.",
    "canary-initialized-healthy.yaml": "Initialized --- Installation successful.",
}


def rollout(status=None, spec=None, generation=2, annotations=None):
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "shop", "generation": generation},
        "spec": spec if spec is not None else {"replicas": 2, "strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}}},
    }
    if annotations:
        obj["metadata"]["annotations"] = annotations
    if status is not None:
        obj["status"] = status
    return obj


def settled(**extra):
    """A canary Rollout's status once every step ran (v0.10+, no phase)."""
    status = {
        "observedGeneration": "2",
        "currentPodHash": "abc",
        "stableRS": "abc",
        "replicas": 2,
        "updatedReplicas": 2,
        "availableReplicas": 2,
    }
    status.update(extra)
    return status


def test_every_fixture_of_these_kinds_has_argocds_message():
    kinds = ("rollout-", "analysisrun-", "canary-")
    assert sorted(f for f in os.listdir(FIXTURES) if f.startswith(kinds)) == sorted(ARGOCD_MESSAGES)


@pytest.mark.parametrize("name", sorted(ARGOCD_MESSAGES))
def test_message_is_argocds(name):
    assert assess(load(name)).message == ARGOCD_MESSAGES[name]


def test_rollout_settled_canary_is_healthy():
    assert rollout_health(rollout(settled())).status == C.HEALTHY


def test_rollout_stepping_canary_is_progressing():
    health = rollout_health(rollout(settled(stableRS="old", updatedReplicas=2)))
    assert (health.status, health.message) == (C.PROGRESSING, "Waiting for rollout to finish steps")


def test_rollout_paused_by_user_is_suspended():
    obj = rollout(settled(), spec={"paused": True, "replicas": 2, "strategy": {"canary": {}}})
    assert rollout_health(obj).status == C.SUSPENDED


def test_rollout_pause_step_is_suspended_before_replica_counts():
    obj = rollout(settled(updatedReplicas=1, pauseConditions=[{"reason": "CanaryPauseStep"}]))
    assert rollout_health(obj).status == C.SUSPENDED


def test_rollout_aborted_condition_wins_over_pause():
    cond = {"type": "Progressing", "status": "False", "reason": "RolloutAborted", "message": "Rollout aborted update to revision 2"}
    obj = rollout(settled(conditions=[cond], pauseConditions=[{"reason": "CanaryPauseStep"}]))
    assert rollout_health(obj) == Health(C.DEGRADED, "Rollout aborted update to revision 2")


def test_rollout_phase_is_surfaced_and_paused_maps_to_suspended():
    assert rollout_health(rollout(settled(phase="Degraded", message="RolloutAborted: aborted"))).status == C.DEGRADED
    assert rollout_health(rollout(settled(phase="Progressing", message="more replicas"))).status == C.PROGRESSING
    assert rollout_health(rollout(settled(phase="Paused", message="CanaryPauseStep"))).status == C.SUSPENDED


def test_rollout_unknown_phase_is_unknown_not_a_new_health_code():
    health = rollout_health(rollout(settled(phase="Exploded")))
    assert health.status == C.UNKNOWN and "Exploded" in health.message


def test_rollout_older_generation_observed_is_progressing():
    health = rollout_health(rollout(settled(observedGeneration=1), generation=3))
    assert (health.status, health.message) == (C.PROGRESSING, "Waiting for rollout spec update to be observed")


def test_rollout_workload_generation_not_observed_is_progressing():
    spec = {"replicas": 2, "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "strategy": {"canary": {}}}
    obj = rollout(settled(workloadObservedGeneration="3"), spec=spec, annotations={"rollout.argoproj.io/workload-generation": "4"})
    assert rollout_health(obj).status == C.PROGRESSING
    obj["status"]["workloadObservedGeneration"] = "4"
    assert rollout_health(obj).status == C.HEALTHY


def test_rollout_bluegreen_cutover_then_analysis():
    spec = {"replicas": 2, "strategy": {"blueGreen": {"activeService": "web"}}}
    pending = rollout(settled(blueGreen={"activeSelector": "old"}), spec=spec)
    assert rollout_health(pending).message == "active service cutover pending"
    analysing = rollout(settled(blueGreen={"activeSelector": "abc"}, stableRS="old"), spec=spec)
    assert rollout_health(analysing).message == "waiting for analysis to complete"
    done = rollout(settled(blueGreen={"activeSelector": "abc"}), spec=spec)
    assert rollout_health(done).status == C.HEALTHY


def test_rollout_with_empty_status_is_not_reconciled_yet():
    # Argo CD's Lua fails on a status without conditions; ours reads it as not reconciled
    health = rollout_health(rollout({}))
    assert (health.status, health.message) == (C.PROGRESSING, "Waiting for rollout to finish: status has not been reconciled.")


def test_rollout_malformed_fields_are_unknown_through_assess():
    assert assess(rollout(settled(updatedReplicas="many"))).status == C.UNKNOWN


def test_analysisrun_unknown_phase_is_unknown():
    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun", "metadata": {"name": "a"}, "status": {"phase": "Weird"}}
    assert analysisrun_health(obj).status == C.UNKNOWN


def test_analysisrun_running_ignores_its_message():
    obj = {"kind": "AnalysisRun", "status": {"phase": "Running", "message": "metric 1 of 3"}}
    assert analysisrun_health(obj).message == "Analysis run is running"


def test_canary_without_status_is_unknown():
    assert canary_health({"kind": "Canary", "metadata": {"name": "c"}}) == canary_health({"kind": "Canary", "status": None})
    assert canary_health({"kind": "Canary"}).status == C.UNKNOWN


def test_canary_waiting_phase_is_unknown_and_zero_weight_not_shown():
    health = canary_health({"kind": "Canary", "status": {"phase": "Waiting", "canaryWeight": 0, "conditions": [{"message": "waiting for approval"}]}})
    assert (health.status, health.message) == (C.UNKNOWN, "Waiting --- waiting for approval")
