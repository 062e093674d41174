# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run summary: counts only of what was done; a held lock says so instead."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.filter.summary import cluster_summary, reconcile_summary, run_rows, run_summary, summary_line

HOLDER = "node-1/4242/beef"


def result(**extra):
    out = {
        "application": "gitops-system/web",
        "sync_status": "OutOfSync",
        "health_status": "Missing",
        "revision": "1a2b3c4d5e6f7a8b",
        "created": [],
        "configured": [],
        "pruned": [],
        "duration": 0.4,
        "synced": False,
        "reason": "",
    }
    out.update(extra)
    return out


def test_synced_row_prints_its_counts():
    row = reconcile_summary(result(synced=True, sync_status="Synced", health_status="Healthy", created=["ConfigMap/web/a"] * 3))
    assert row["result"] == "synced" and row["created"] == 3
    assert summary_line(row) == "gitops-system/web: synced (Synced, Healthy) rev 1a2b3c4d5e6f created 3 configured 0 pruned 0 in 0.4s"


def test_lock_wait_that_ran_out_is_a_failure_without_counts():
    reason = "not synced: Lease gitops-system/gapp-web is held by %s" % HOLDER
    row = reconcile_summary(
        result(lock_held_by=HOLDER, reason=reason, warnings=[reason], error="Lease/gitops-system/gapp-web: " + reason[12:], error_step="lock")
    )
    assert row["result"] == "failed" and row["lock_held_by"] == HOLDER
    line = summary_line(row)
    assert "lock held by %s, nothing synced" % HOLDER in line
    assert "created" not in line and "configured" not in line and "pruned" not in line


def test_skipped_lock_is_its_own_result_and_still_visible():
    reason = "not synced: Lease gitops-system/gapp-web is held by %s" % HOLDER
    row = reconcile_summary(result(lock_held_by=HOLDER, reason=reason, warnings=[reason]))
    assert row["result"] == "locked"
    assert summary_line(row) == "gitops-system/web: locked (OutOfSync, Missing) rev 1a2b3c4d5e6f lock held by %s, nothing synced in 0.4s" % HOLDER


def test_hooks_are_named_in_the_row_and_the_line():
    hooks = [
        {"hookType": "PreSync", "kind": "Job", "namespace": "web", "name": "db-migrate-x7k2q", "hookPhase": "Failed"},
        {"hookType": "SyncFail", "kind": "Job", "namespace": "web", "name": "notify-p2v9c", "hookPhase": "Succeeded"},
    ]
    row = reconcile_summary(result(synced=True, hooks=hooks, error="Job/web/db-migrate-x7k2q: PreSync hook failed: BackoffLimitExceeded"))
    assert row["hooks"] == ["PreSync Job/web/db-migrate-x7k2q: Failed", "SyncFail Job/web/notify-p2v9c: Succeeded"]
    assert " hooks [PreSync Job/web/db-migrate-x7k2q: Failed, SyncFail Job/web/notify-p2v9c: Succeeded] - Job/web/" in summary_line(row)
    assert "hooks" not in reconcile_summary(result())


def test_cluster_summary_counts_and_names_the_failed():
    rows = [
        {"application": "gitops-system/root", "result": "in-sync", "revision": "abc", "requests": {"list": 2}},
        {"application": "gitops-system/web", "result": "synced", "revision": "abc", "requests": {"list": 3, "patch": 1}},
        {"application": "gitops-system/db", "result": "failed", "revision": "abc"},
    ]
    got = cluster_summary(rows, "gitops-system/root")
    assert got == {
        "result": "failed",
        "requests": {"list": 5, "patch": 1},
        "applications": 3,
        "synced": 2,
        "failed": 1,
        "failed_applications": ["gitops-system/db"],
        "revision": "abc",
    }
    assert cluster_summary(rows[:2], "gitops-system/root")["result"] == "synced"
    assert cluster_summary(rows[:1])["result"] == "in-sync"
    assert cluster_summary([dict(rows[0], result="out-of-sync")])["result"] == "out-of-sync"
    assert cluster_summary([])["revision"] == "" and cluster_summary([])["applications"] == 0


def test_cluster_summary_refuses_what_is_not_rows():
    with pytest.raises(AnsibleFilterError):
        cluster_summary({"application": "x"})


def test_a_run_is_summarised_root_first_and_a_skipped_root_has_no_row():
    run = {
        "root": result(application="gitops-system/root", synced=True, created=["Application/gitops-system/web"]),
        "applications": [result(), result(application="gitops-system/db", error="boom")],
    }
    rows = run_summary(run)
    assert [(r["application"], r["result"]) for r in rows] == [
        ("gitops-system/root", "synced"),
        ("gitops-system/web", "out-of-sync"),
        ("gitops-system/db", "failed"),
    ]
    assert rows[0]["created"] == 1 and "cluster" not in rows[0]
    assert [r["cluster"] for r in run_summary(run, cluster="east")] == ["east"] * 3
    assert run_rows(run) == [run["root"]] + run["applications"]
    skipped = dict(run, root={"changed": False, "skipped": True, "msg": "the push does not change Application/gitops-system/root"})
    assert [r["application"] for r in run_summary(skipped)] == ["gitops-system/web", "gitops-system/db"]
    assert run_summary({"applications": []}) == [] and run_rows({}) == []


def test_a_run_summary_of_something_else_is_an_error():
    with pytest.raises(AnsibleFilterError, match="all=true result"):
        run_summary([result()])
