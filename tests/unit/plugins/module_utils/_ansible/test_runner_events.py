# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gitops.k8s.app writes each Application's events (none in check mode), and with
report_diffs returns each drifted object's redacted diff."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import runner

from .test_runner_app_all import NS, Module, rows_by_name, run_all, world_with


def events(world):
    return sorted((e["involvedObject"]["name"], e["reason"], e["count"]) for e in world.cluster.list(world.cluster.resolve("v1", "Event"), NS))


def test_each_application_gets_its_events():
    world = world_with("a", "b")
    run_all(world)
    assert events(world) == [("a", "SyncSucceeded", 1), ("b", "SyncSucceeded", 1)]
    run_all(world)  # nothing to do: nothing to tell
    assert events(world) == [("a", "SyncSucceeded", 1), ("b", "SyncSucceeded", 1)]


def test_check_mode_writes_no_event():
    world = world_with("a")
    module = Module()
    module.check_mode = True
    ports = world.ports()
    runner.run_all(module, world.cluster, AppStore(world.cluster, ports.clock), ports)
    assert events(world) == []


def test_report_diffs_returns_the_diff_of_each_drifted_object():
    world = world_with("a")
    world.paths["a"].append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "hunter2-very-secret"}})
    result, _clock = run_all(world, sync=False, report_diffs=True)
    objects = dict((o["id"], o) for o in rows_by_name(result)["a"]["objects"])
    assert "+++ desired/ConfigMap/demo/cm-a" in objects["ConfigMap/demo/cm-a"]["diff"]
    assert "redacted sha256:" in objects["Secret/demo/s"]["diff"] and "hunter2" not in objects["Secret/demo/s"]["diff"]
    plain, _clock = run_all(world, sync=False)
    assert all("diff" not in o for o in rows_by_name(plain)["a"]["objects"])
