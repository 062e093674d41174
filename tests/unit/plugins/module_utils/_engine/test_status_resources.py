# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the status tree and page read from the status: status.resources (each object's
sync status after the reconcile and its health) and the commit's subject line."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

from .fake_cluster import World
from .test_application import app


def by_name(status):
    return dict((r["name"], r) for r in status["resources"])


def test_a_sync_records_each_object_synced_with_its_health():
    world, obj = World(), app(automated={"prune": True, "selfHeal": True})
    world.run(obj)
    assert obj["status"]["resources"] == [
        {"group": "", "version": "v1", "kind": "ConfigMap", "namespace": "demo", "name": "c", "status": "Synced", "health": {"status": "Healthy"}}
    ]


def test_without_a_sync_the_drifted_and_the_extra_objects_are_out_of_sync():
    world, obj = World(), app(automated={"prune": True, "selfHeal": True})
    world.objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old"}, "data": {"k": "v"}})
    world.run(obj)
    cm = world.cluster.resolve("v1", "ConfigMap")
    world.cluster.apply(cm, dict(world.cluster.get(cm, "demo", "c"), data={"k": "by hand"}), force=True)
    world.objects.pop()
    world.run(obj, sync=False)
    rows = by_name(obj["status"])
    assert rows["c"]["status"] == "OutOfSync"
    assert rows["old"]["status"] == "OutOfSync" and rows["old"]["requiresPruning"] is True
    world.run(obj)  # the sync heals and prunes
    assert list(by_name(obj["status"])) == ["c"] and by_name(obj["status"])["c"]["status"] == "Synced"


def test_the_commit_subject_is_kept_beside_the_revision():
    world, obj = World(), app(automated={})
    ports = world.ports().with_changes(source=lambda a, s: Fetched("/src", "r1", "repo", subject="shop: two replicas"))
    outcome = reconcile(obj, ports, Settings())
    assert outcome.status["sync"]["commitSubject"] == "shop: two replicas"
    assert "commitSubject" not in World().run(app(automated={})).status["sync"]  # not a Git commit: nothing
