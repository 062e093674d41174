# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""status.metrics (app_metrics.py, written by app_status.next_status) and the
notification triggers read from it (triggers.py)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_metrics, app_status, strategies, triggers
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import Health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.multi_source import Sourced
from ansible_collections.gitops.k8s.plugins.module_utils._engine.sync import SyncResult

from tests.helpers.app_reports import item, plan, report, written


def test_a_sync_records_its_times_result_counts_and_starts_the_counters():
    status = app_status.next_status({}, report())[0]
    metrics = status["metrics"]
    assert metrics["lastSync"] == {
        "startedAt": "2026-11-26T03:00:00Z",
        "finishedAt": "2026-11-26T03:00:04Z",
        "durationSeconds": 4.25,
        "result": "Succeeded",
        "revision": "c0ffee",
        "changes": 2,
    }
    assert metrics["syncs"] == {"Succeeded": 1, "Failed": 0, "Error": 0} and metrics["driftCorrected"] == 0
    assert metrics["since"] == "2026-11-26T03:00:00Z"
    # after a sync that succeeded every desired object is Synced; health is counted as assessed
    assert metrics["resources"] == {"sync": {"Synced": 3}, "health": {"Healthy": 2, "Progressing": 1}}
    assert metrics["deployedRevision"] == "c0ffee"


def test_a_report_only_run_counts_objects_as_found_and_keeps_the_last_sync():
    first = app_status.next_status({}, report())[0]
    extra = item("", blocks_sync=True, action="pruned-later", name="left")
    second = app_status.next_status(copy.deepcopy(first), report(synced=False, plan=plan(item("OutOfSync"), item("Synced"), extra=[extra])))[0]
    assert second["metrics"]["lastSync"] == first["metrics"]["lastSync"] and second["metrics"]["syncs"] == first["metrics"]["syncs"]
    assert second["metrics"]["resources"]["sync"] == {"OutOfSync": 2, "Synced": 1}  # the extra object left to prune is OutOfSync
    assert second["metrics"]["since"] == first["metrics"]["since"]


def test_a_failed_sync_counts_as_failed_and_deploys_nothing():
    failed = SyncResult(changeset=None, inventory=(), sync_status="OutOfSync", error=ApplyError("apply failed: no", subject="ConfigMap/shop/a"))
    status = app_status.next_status({}, report(result=failed, health=Health("Degraded", "x")))[0]
    assert status["metrics"]["lastSync"]["result"] == "Failed" and status["metrics"]["syncs"]["Failed"] == 1
    assert status["metrics"]["resources"]["sync"] == {"OutOfSync": 1, "Missing": 1, "Synced": 1}
    assert "deployedRevision" not in status["metrics"]


def test_changes_written_at_the_revision_already_synced_are_a_drift_correction():
    first = app_status.next_status({}, report())[0]
    again = app_status.next_status(copy.deepcopy(first), report(reason="selfHeal: reverting drift"))[0]
    assert again["metrics"]["driftCorrected"] == 1 and again["metrics"]["syncs"]["Succeeded"] == 2
    new_commit = app_status.next_status(copy.deepcopy(first), report(sourced=Sourced((), "beef", "https://github.com/acme/shop")))[0]
    assert new_commit["metrics"]["driftCorrected"] == 0
    nothing_written = app_status.next_status(
        copy.deepcopy(first), report(result=SyncResult(changeset=written("unchanged"), inventory=(), sync_status="Synced"))
    )[0]
    assert nothing_written["metrics"]["driftCorrected"] == 0


@pytest.mark.parametrize("garbage", [None, "7", -3, True, 2.5, []])
def test_counters_read_back_from_a_tampered_status_restart_from_zero(garbage):
    previous = {"metrics": {"since": "t0", "syncs": {"Succeeded": garbage, "Failed": 2}, "driftCorrected": garbage}}
    metrics = app_metrics.next_metrics(previous, "t1", {"sync": {}, "health": {}}, app_metrics.last_sync("t1", "t2", 1, "Error", "", 0))
    assert metrics["syncs"] == {"Succeeded": 0, "Failed": 2, "Error": 1} and metrics["driftCorrected"] == 0 and metrics["since"] == "t0"


def test_health_reached_later_deploys_the_revision_of_the_last_successful_sync():
    first = app_status.next_status({}, report(health=Health("Progressing", "rolling out")))[0]
    assert "deployedRevision" not in first["metrics"]
    later = app_status.next_status(copy.deepcopy(first), report(synced=False))[0]
    assert later["metrics"]["deployedRevision"] == "c0ffee"


def test_nothing_given_changes():
    previous = app_status.next_status({}, report())[0]
    kept = copy.deepcopy(previous)
    app_status.next_status(previous, report())
    assert previous == kept


# ---- triggers ----


def statuses(*reports):
    """The statuses after each report, the first from an empty status."""
    out, previous = [], {}
    for given in reports:
        previous = app_status.next_status(copy.deepcopy(previous), given)[0]
        out.append(previous)
    return out


def test_a_first_sync_that_writes_and_is_healthy_fires_succeeded_and_deployed():
    (status,) = statuses(report())
    assert triggers.fired({}, status) == [triggers.SYNC_SUCCEEDED, triggers.DEPLOYED]


def test_a_drift_correction_fires_succeeded_and_drift_corrected_not_deployed():
    first, second = statuses(report(), report())
    assert triggers.fired(first, second) == [triggers.SYNC_SUCCEEDED, triggers.DRIFT_CORRECTED]


def test_an_unchanged_run_fires_nothing():
    first, second = statuses(report(), report(synced=False))
    assert triggers.fired(first, second) == []


def test_a_failure_fires_once_per_revision_and_degraded_once():
    failed = SyncResult(changeset=None, inventory=(), sync_status="OutOfSync", error=ApplyError("apply failed: no", subject="ConfigMap/shop/a"))
    bad = report(result=failed, health=Health("Degraded", "x"), finished="2026-11-26T03:01:00Z")
    retried = report(result=failed, health=Health("Degraded", "x"), finished="2026-11-26T03:02:00Z")
    first, second, third = statuses(report(), bad, retried)
    assert triggers.fired(first, second) == [triggers.SYNC_FAILED, triggers.HEALTH_DEGRADED]
    assert triggers.fired(second, third) == []  # the retry fails again at the same revision: told already
    other = report(result=failed, sourced=Sourced((), "beef", "https://github.com/acme/shop"), health=Health("Degraded", "x"))
    assert triggers.fired(third, app_status.next_status(copy.deepcopy(third), other)[0]) == [triggers.SYNC_FAILED]


def test_an_error_before_sync_fires_sync_failed():
    previous = statuses(report())[0]
    status = dict(previous, metrics=app_metrics.next_metrics(previous, "t9", {}, app_metrics.last_sync("t9", "t9", 0.1, app_metrics.ERROR, "", 0)))
    assert triggers.fired(previous, status) == [triggers.SYNC_FAILED]


def test_an_error_is_counted_once_per_revision_while_it_lasts():
    synced = statuses(report())[0]
    first = dict(synced, metrics=app_metrics.after_error(synced, "t5", "t6", 0.4, "c0ffee"))
    assert first["metrics"]["syncs"] == {"Succeeded": 1, "Failed": 0, "Error": 1} and first["metrics"]["lastSync"]["result"] == "Error"
    assert first["metrics"]["resources"] == synced["metrics"]["resources"]  # the last counts kept
    again = dict(first, metrics=app_metrics.after_error(first, "t7", "t8", 0.5, "c0ffee"))
    assert again == first  # nothing to write while the same error holds
    assert triggers.fired(synced, first) == [triggers.SYNC_FAILED] and triggers.fired(first, again) == []
    other = app_metrics.after_error(first, "t9", "t9", 0.5, "beef")
    assert other["syncs"]["Error"] == 2


def test_a_progressive_strategys_step_at_the_revision_already_synced_is_not_a_drift_correction():
    first = app_status.next_status({}, report())[0]
    both = frozenset(("ConfigMap/shop/c0", "ConfigMap/shop/c1"))  # the two writes of report() are the strategy's
    step = app_status.next_status(copy.deepcopy(first), report(rollouts=strategies.Rollouts(manifests=(), objects=both)))[0]
    assert step["metrics"]["driftCorrected"] == 0 and step["metrics"]["syncs"]["Succeeded"] == 2
    one = frozenset(("ConfigMap/shop/c0",))  # c1 is not: reverting it is a drift correction
    mixed = app_status.next_status(copy.deepcopy(first), report(rollouts=strategies.Rollouts(manifests=(), objects=one)))[0]
    assert mixed["metrics"]["driftCorrected"] == 1
