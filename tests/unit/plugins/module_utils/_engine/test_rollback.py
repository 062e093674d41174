# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rollback: choosing the history entry, the suspension it leaves, and reconcile syncing
the earlier revision over the fake cluster until resumed."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import rollback
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched

from .fake_cluster import World

R1, R2 = "1" * 40, "2" * 40
HISTORY = [{"id": 2, "revision": R2}, {"id": 1, "revision": R1}, {"id": 0, "revision": R1}]


@pytest.mark.parametrize("ref, expected", [("1", 1), ("2", 2), (R2, 2), ("2222222", 2)])
def test_find_by_id_or_revision(ref, expected):
    assert rollback.find(HISTORY, ref)["id"] == expected


def test_find_one_entry_per_revision_synced_twice():
    assert rollback.find(HISTORY, R1)["revision"] == R1


@pytest.mark.parametrize("ref, message", [("7", "matches no history entry"), ("22", "matches no history entry"), ("", "matches no history entry")])
def test_find_refuses(ref, message):
    with pytest.raises(InvalidSpec, match=message):
        rollback.find(HISTORY, ref)


def test_decide():
    status = {"history": HISTORY}
    new = rollback.decide(status, "1", False, None, "T")
    assert new == rollback.Decision(revision=R1, requested=True, record={"id": 1, "revision": R1, "at": "T"}, suspended=True)
    held = rollback.decide(dict(status, rolledBack=new.record), None, False, None, "T2")
    assert held.revision == R1 and held.suspended and not held.requested and held.record["at"] == "T"
    assert rollback.decide(dict(status, rolledBack=new.record), None, True, None, "T2") == rollback.Decision()
    assert rollback.decide(dict(status, rolledBack=new.record), None, False, True, "T2") == rollback.Decision()
    assert rollback.decide(dict(status, rolledBack=new.record), None, False, False, "T2").suspended  # sync=false: compare only


def app():
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "ops"},
        "spec": {
            "source": {"path": "p", "repoURL": "https://git.example.com/a.git"},
            "destination": {"namespace": "demo"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


class PinnedWorld(World):
    """Renders the ConfigMap value of the revision asked for: targetRevision follows
    ``revision``; a pinned revision renders what that commit held."""

    def __init__(self):
        super().__init__()
        self.contents = {}
        self.asked = []

    def source(self, _app, spec):
        self.asked.append(spec.pinned_revision)
        rev = spec.pinned_revision or self.revision
        self.objects[0]["data"]["k"] = self.contents[rev]
        return Fetched("/src", rev, "repo")

    def ports(self):
        return super().ports().with_changes(source=self.source)

    def commit(self, rev, value):
        self.contents[rev] = value
        self.revision = rev


def live_value(world):
    return world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), "demo", "c")["data"]["k"]


def test_rollback_syncs_the_earlier_revision_and_suspends_until_resumed():
    world, obj = PinnedWorld(), app()
    world.commit(R1, "one")
    world.run(obj)
    world.commit(R2, "two")
    world.run(obj)
    assert live_value(world) == "two" and [h["id"] for h in obj["status"]["history"]] == [1, 0]

    back = world.run(obj, rollback="0")
    assert back.synced and back.revision == R1 and live_value(world) == "one"
    assert obj["status"]["rolledBack"]["revision"] == R1
    assert any(c["type"] == "AutomatedSyncSuspended" for c in obj["status"]["conditions"])

    world.commit("3" * 40, "three")  # a new commit: automated sync stays suspended
    held = world.run(obj)
    assert not held.synced and live_value(world) == "one" and world.asked[-1] == R1

    world.cluster.objects[world.cluster.key(world.cluster.resolve("v1", "ConfigMap"), "demo", "c")]["data"]["k"] = "edited"
    drift = world.run(obj)  # selfHeal is suspended too, but the drift from the rolled-back revision is reported
    assert not drift.synced and drift.sync_status == "OutOfSync" and "automated sync is suspended" in drift.reason

    resumed = world.run(obj, resume=True)
    assert resumed.synced and live_value(world) == "three" and "rolledBack" not in obj["status"]
    assert not any(c["type"] == "AutomatedSyncSuspended" for c in obj["status"].get("conditions") or [])


def test_rollback_to_an_unknown_entry_syncs_nothing():
    world, obj = PinnedWorld(), app()
    world.commit(R1, "one")
    world.run(obj)
    world.cluster.reset_calls()
    outcome = world.run(obj, rollback="9")
    assert outcome.error is not None and "matches no history entry" in str(outcome.error) and world.cluster.writes() == []


def test_a_rollback_held_by_a_sync_window_is_not_in_effect():
    world, obj = PinnedWorld(), app()
    world.commit(R1, "one")
    world.run(obj)
    world.commit(R2, "two")
    world.run(obj)
    always = ({"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": ["a"]},)
    held = world.run(obj, rollback="0", sync_windows=always)
    assert not held.synced and live_value(world) == "two" and "rolledBack" not in obj["status"]
    assert "SyncWindowClosed" in [c["type"] for c in obj["status"]["conditions"]]
    passes = world.run(obj, rollback="0", sync_windows=(dict(always[0], manualSync=True),))
    assert passes.synced and live_value(world) == "one" and obj["status"]["rolledBack"]["id"] == 0
