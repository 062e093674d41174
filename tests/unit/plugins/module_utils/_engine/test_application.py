# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application spec parsing, the sync decision, and reconcile() over the in-memory cluster."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_FINALIZER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .fake_cluster import World


def app(**policy):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": policy},
    }


@pytest.mark.parametrize(
    "policy, status, revision, planned, requested, expected",
    [
        ({}, {}, "r1", "OutOfSync", None, False),
        ({"automated": {}}, {}, "r1", "Synced", None, False),
        ({"automated": {}}, {}, "r1", "OutOfSync", None, True),
        ({"automated": {}}, {"operationState": {"revision": "r1", "phase": "Succeeded"}}, "r1", "OutOfSync", None, False),
        ({"automated": {"selfHeal": True}}, {"operationState": {"revision": "r1", "phase": "Succeeded"}}, "r1", "OutOfSync", None, True),
        ({"automated": {}}, {"operationState": {"revision": "r1", "phase": "Failed"}}, "r1", "OutOfSync", None, True),
        ({}, {}, "r1", "OutOfSync", True, True),
        ({"automated": {"selfHeal": True}}, {}, "r1", "OutOfSync", False, False),
    ],
)
def test_should_sync(policy, status, revision, planned, requested, expected):
    spec = application.parse(app(**policy))
    assert application.should_sync(spec, status, revision, planned, requested)[0] is expected


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"spec": "x"}, "spec must be a mapping"),
        ({"spec": {"source": {"path": "/abs"}}}, "relative path"),
        ({"spec": {"syncPolicy": {"syncOptions": [1]}}}, "syncOptions"),
        ({"spec": {"ignoreDifferences": [{"group": "apps"}]}}, "ignoreDifferences"),
    ],
)
def test_parse_rejects_bad_specs(bad, message):
    obj = app()
    obj.update(bad)
    with pytest.raises(InvalidSpec, match=message):
        application.parse(obj)


def test_history_is_bounded_newest_first():
    history = []
    for i in range(15):
        history = application.push_history(history, {"revision": str(i)})
    assert len(history) == 10 and history[0]["revision"] == "14"


def test_reconcile_syncs_then_does_nothing():
    world, obj = World(), app(automated={"prune": True})
    first = world.run(obj)
    assert first.synced and first.error is None and first.status["sync"]["status"] == "Synced"
    world.cluster.reset_calls()
    second = world.run(obj)
    assert not second.synced and not second.status_written and world.cluster.writes() == []


def test_render_failure_records_condition_and_touches_nothing():
    world, obj = World(), app(automated={"prune": True})
    world.run(obj)
    world.cluster.reset_calls()
    world.fail_render = True
    outcome = world.run(obj)
    assert outcome.error is not None and world.cluster.writes() == []
    assert outcome.status["sync"]["status"] == "Unknown"
    assert "kustomize build failed" in outcome.status["conditions"][0]["message"]
    assert len(outcome.status["inventory"]) == 1


def test_deleted_application_with_finalizer_prunes_then_releases():
    world, obj = World(), app(automated={"prune": True})
    world.run(obj)
    obj["metadata"].update(deletionTimestamp="2026-11-22T00:00:00Z", finalizers=[APP_FINALIZER])
    outcome = world.run(obj)
    assert outcome.changeset.by_action("pruned") == ["ConfigMap/demo/c"]
    assert world.finalized == ["a"]


def test_deleted_application_without_finalizer_prunes_nothing():
    world, obj = World(), app(automated={"prune": True})
    world.run(obj)
    world.cluster.reset_calls()
    obj["metadata"]["deletionTimestamp"] = "2026-11-22T00:00:00Z"
    outcome = world.run(obj)
    assert world.cluster.writes() == [] and "stay" in outcome.reason
