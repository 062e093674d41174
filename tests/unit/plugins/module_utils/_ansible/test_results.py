# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change sets turned into Ansible results and diffs."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import results
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Outcome


def test_canonical_orders_keys_the_same_on_both_sides():
    live = {"spec": {"b": 1, "a": 2}, "metadata": {"name": "x"}, "kind": "ConfigMap", "apiVersion": "v1", "data": {}}
    assert list(results.canonical(live)) == ["apiVersion", "kind", "metadata", "spec", "data"]
    assert list(results.canonical(live)["spec"]) == ["a", "b"]


def test_unified_diff_shows_only_the_change():
    entry = ChangeSetEntry(
        "ConfigMap/ns/x",
        "configured",
        "OutOfSync",
        before={"kind": "ConfigMap", "apiVersion": "v1", "data": {"k": "old", "same": "1"}},
        after={"apiVersion": "v1", "kind": "ConfigMap", "data": {"same": "1", "k": "new"}},
    )
    diff = results.unified_diff(entry)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-  k: old", "+  k: new"]


def test_changeset_result_and_rows():
    cs = ChangeSet(
        (
            ChangeSetEntry("ConfigMap/ns/a", "created", "Missing", "not in the cluster", None, {"kind": "ConfigMap"}),
            ChangeSetEntry("ConfigMap/ns/b", "unchanged", "Synced"),
        )
    )
    out = results.changeset_result(cs)
    assert out["changed"] is True and out["created"] == ["ConfigMap/ns/a"] and out["summary"]["unchanged"] == 1
    assert results.object_rows(cs)[1] == {"id": "ConfigMap/ns/b", "action": "unchanged", "status": "Synced"}
    assert len(results.ansible_diff(cs)) == 1


@pytest.fixture
def warned(monkeypatch):
    """Warnings handed to Ansible's warn(). Captured at the call: where Ansible's list ends up
    depends on whether controller code was imported in this process (then Display prints
    them), which other test files (filter, lookup) do."""
    messages = []
    monkeypatch.setattr(results, "warn", messages.append)
    return messages


def test_lock_blocked_outcome_reports_the_holder_and_no_counts(warned):
    reason = "not synced: Lease ops/gapp-a is held by node-1/42/beef"
    cs = ChangeSet((ChangeSetEntry("ConfigMap/ns/a", "skipped", "Missing", reason), ChangeSetEntry("ConfigMap/ns/b", "unchanged", "Synced")))
    out = results.outcome_result(Outcome(app="ops/a", changeset=cs, reason=reason, lock_holder="node-1/42/beef", warnings=[reason]), False)
    assert out["lock_held_by"] == "node-1/42/beef" and warned == ["ops/a: " + reason]
    assert out["changed"] is False and out["created"] == [] and out["summary"]["skipped"] == 1
    assert results.outcome_result(Outcome(app="ops/a", changeset=cs), False).get("lock_held_by") is None


def test_outcome_warnings_become_ansible_warnings_named_by_application(warned):
    """Printed once for the task, also with all=true (where results are nested rows), and
    never passed to exit_json as a result key (deprecated in ansible-core 2.19)."""
    shared = "SharedResourceWarning: ConfigMap/demo/shared is also managed by Application ops/a"
    out = results.outcome_result(Outcome(app="ops/b", warnings=[shared]), False)
    assert warned == ["ops/b: " + shared]
    assert "warnings" not in out


def _row(objects, status):
    return {"application": "ops/web", "summary": {"unchanged": 2}, "objects": objects, "status": status}


def test_compact_row_lists_only_objects_that_say_something_and_drops_per_object_status():
    quiet = {"id": "ConfigMap/web/a", "action": "unchanged", "status": "Synced"}
    written = {"id": "ConfigMap/web/b", "action": "configured", "status": "OutOfSync", "reason": "data.k: 1 != 2"}
    skipped = {"id": "Secret/web/c", "action": "skipped", "status": "OutOfSync"}
    explained = {"id": "Service/web/d", "action": "unchanged", "status": "Synced", "reason": "ignored by ignoreDifferences"}
    diffed = {"id": "Service/web/e", "action": "unchanged", "status": "Synced", "diff": "--- live\n"}
    extra = {"id": "ConfigMap/web/old", "action": "unchanged", "status": "Extra"}
    status = {"sync": {"status": "Synced"}, "inventory": [{"name": "a"}], "resources": [{"name": "a"}], "summary": {"resources": 2}}
    row = results.compact_row(_row([quiet, written, skipped, explained, diffed, extra, quiet], status))
    assert row["objects"] == [written, skipped, explained, diffed, extra]
    assert row["status"] == {"sync": {"status": "Synced"}, "summary": {"resources": 2}}
    assert "inventory" in status and "resources" in status  # the recorded status is another dict, left whole
    assert row["summary"] == {"unchanged": 2}


def test_compact_run_compacts_the_root_the_refreshed_and_every_row():
    status = {"inventory": [{"name": "a"}], "health": {"status": "Healthy"}}
    quiet = {"id": "ConfigMap/web/a", "action": "unchanged", "status": "Synced"}
    result = {
        "applications": [_row([quiet], dict(status)), _row([], {})],
        "root": _row([quiet], dict(status)),
        "refreshed": {"root": {"health_status": "Healthy", "status": dict(status)}},
    }
    out = results.compact_run(result)
    assert [r["objects"] for r in out["applications"]] == [[], []]
    assert out["applications"][0]["status"] == {"health": {"status": "Healthy"}}
    assert out["root"]["objects"] == [] and out["root"]["status"] == {"health": {"status": "Healthy"}}
    assert out["refreshed"]["root"]["status"] == {"health": {"status": "Healthy"}}
    # a root the push skipped has no rows to compact
    skipped = {"applications": [], "root": {"changed": False, "skipped": True, "msg": "the push does not change ops/root"}}
    assert results.compact_run(dict(skipped)) == skipped
