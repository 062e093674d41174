# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a LIST across namespaces keeps for the run (wide_lists.kept): what the comparison,
ownership, pruning and health read of a live object is still there."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import compare, health, wide_lists
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import owner_of

OURS = {"manager": FIELD_MANAGER, "operation": "Apply", "apiVersion": "apps/v1", "fieldsV1": {"f:spec": {"f:replicas": {}, "f:paused": {}}}}
CONTROLLER = {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "fieldsV1": {"f:status": {"f:replicas": {}}}}
OURS_UPDATE = {"manager": FIELD_MANAGER, "operation": "Update", "fieldsV1": {"f:metadata": {"f:labels": {}}}}


def live():
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": "u-1",
            "resourceVersion": "7",
            "annotations": {ANN_TRACKING_ID: "shop:apps/Deployment:shop/web"},
            "managedFields": [OURS, CONTROLLER, OURS_UPDATE],
        },
        "spec": {"replicas": 2, "paused": True},
        "status": {"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2, "observedGeneration": 1},
    }


def test_only_our_apply_entries_of_managed_fields_are_kept():
    obj = wide_lists.kept(live(), None)
    assert obj["metadata"]["managedFields"] == [OURS]
    rest = live()
    del rest["metadata"]["managedFields"]
    del obj["metadata"]["managedFields"]
    assert obj == rest  # nothing else is touched


def test_objects_outside_the_runs_namespaces_are_dropped():
    assert wide_lists.kept(live(), frozenset(["other"])) is None
    assert wide_lists.kept(live(), frozenset(["shop"])) is not None
    assert wide_lists.kept(live(), None) is not None
    assert wide_lists.kept({"metadata": {"name": "no-namespace"}}, frozenset([""])) is not None
    assert wide_lists.kept({"kind": "odd"}, frozenset(["shop"])) == {"kind": "odd"}  # no metadata: left to the plan


@pytest.mark.parametrize(
    "desired_spec, suspected",
    [
        ({"replicas": 2, "paused": True}, None),
        ({"replicas": 3, "paused": True}, "fields differ"),
        ({"replicas": 2}, "field spec.paused removed from desired state"),  # read from our managedFields entry
    ],
)
def test_drift_is_seen_the_same_on_a_kept_object(desired_spec, suspected):
    desired = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": desired_spec}
    assert compare.suspect_drift(desired, live()) == suspected
    assert compare.suspect_drift(desired, wide_lists.kept(live(), None)) == suspected


def test_ownership_health_and_comparison_read_the_same_on_a_kept_object():
    kept = wide_lists.kept(live(), frozenset(["shop"]))
    assert owner_of(kept) == owner_of(live())
    assert health.assess(kept) == health.assess(live())
    assert compare.same_object(copy.deepcopy(kept), live())  # managedFields never take part in a comparison


def test_deploy_namespaces():
    apps = [{"spec": {"destination": {"namespace": "a"}}}, {"spec": {"destination": {"namespace": "b", "server": "https://x"}}}]
    assert wide_lists.deploy_namespaces(apps) == {"a", "b"}
    assert wide_lists.deploy_namespaces([]) == set()
    assert wide_lists.deploy_namespaces(apps + [{"spec": {"destination": {}}}]) is None
    assert wide_lists.deploy_namespaces(apps + [{"spec": None}]) is None
    assert wide_lists.deploy_namespaces(apps + [{"spec": {"destination": {"namespace": ["x"]}}}]) is None
