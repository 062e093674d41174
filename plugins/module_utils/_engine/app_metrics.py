# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""status.metrics: what Prometheus metrics of an Application need, kept in its status.

kube-state-metrics (its CustomResourceStateMetrics configuration, docs/metrics.md) and the
node agent's textfile (prometheus_text.py) read the same fields:

- ``lastSync``: the last sync this agent ran or tried: startedAt, finishedAt,
  durationSeconds, result (Succeeded, Failed or Error), revision, changes (objects written).
- ``resources``: the Application's objects counted by sync status and by health status.
- ``syncs``: cumulative count of syncs by result; ``driftCorrected``: cumulative count of
  syncs that reverted drift (changes written at the revision already synced); ``since``:
  when these counters started. They start at 0 when status.metrics is absent (a new
  Application, or a status that was cleared or not restored from a backup): a counter
  reset that Prometheus' rate() and increase() handle.
- ``deployedRevision``: the last revision that was synced and then found Healthy
  (the on-deployed notification fires once per revision).

Results follow Argo CD's operation phases: Succeeded and Failed for a sync that ran; Error
for a reconcile that could not get as far as deciding (fetch, render, plan, project
check failed), counted once per revision while it lasts (after_error). Pure: plain dicts in, plain dicts out.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import FAILED, SUCCEEDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import HEALTHY, OUT_OF_SYNC, PRUNED, SYNCED, WRITE_ACTIONS

FIELD = "metrics"
ERROR = "Error"
RESULTS = (SUCCEEDED, FAILED, ERROR)


def resource_counts(plan, synced_ok, health_statuses):
    """{"sync": {status: n}, "health": {status: n}} of the Application's objects.

    After a sync that succeeded every desired object is Synced; else each keeps the
    status the plan found. Extra objects that keep the Application OutOfSync (left to
    prune) count as OutOfSync, as Argo CD counts them."""
    by_sync = {}
    for item in plan.items:
        if item.tracked:
            status = SYNCED if synced_ok else (item.status or OUT_OF_SYNC)
            by_sync[status] = by_sync.get(status, 0) + 1
    for item in plan.extra:
        if item.blocks_sync and item.action != PRUNED:
            by_sync[OUT_OF_SYNC] = by_sync.get(OUT_OF_SYNC, 0) + 1
    by_health = {}
    for status in health_statuses:
        by_health[status] = by_health.get(status, 0) + 1
    return {"sync": by_sync, "health": by_health}


def changes_of(changeset, besides=frozenset()):
    """Objects a sync wrote (created, configured, pruned), but those of ``besides`` (subjects)."""
    return sum(1 for e in changeset.entries if e.action in WRITE_ACTIONS and e.subject not in besides) if changeset is not None else 0


def last_sync(started, finished, seconds, result, revision, changes):
    """The ``lastSync`` record of one sync (or Error)."""
    return {
        "startedAt": started,
        "finishedAt": finished,
        "durationSeconds": round(max(float(seconds), 0.0), 3),
        "result": result,
        "revision": revision,
        "changes": int(changes),
    }


def is_drift_correction(previous_status, revision, result, changes):
    """A sync that succeeded and wrote objects at the revision the last successful sync
    had already applied: it reverted drift (selfHeal, or a manual sync of a drifted
    Application), rather than deploying a new commit or retrying a failed one."""
    if result != SUCCEEDED or not changes:
        return False
    last = (previous_status or {}).get("operationState") or {}
    return last.get("phase") == SUCCEEDED and bool(revision) and last.get("revision") == revision


def next_metrics(previous_status, now, counts, sync=None, drift_corrected=False, health=""):
    """status.metrics after one reconcile: ``counts`` (resource_counts) replace the old
    ones; ``sync`` (a last_sync record, or None when no sync ran) becomes lastSync and
    adds one to its result's counter; ``health`` (the Application's health now) moves
    deployedRevision once the last successful sync's revision is Healthy."""
    old = (previous_status or {}).get(FIELD) or {}
    old_syncs = old.get("syncs") if isinstance(old.get("syncs"), dict) else {}
    syncs = dict((r, counter(old_syncs.get(r))) for r in RESULTS)
    metrics = {
        "since": old.get("since") or now,
        "syncs": syncs,
        "driftCorrected": counter(old.get("driftCorrected")),
        "resources": counts,
    }
    last = sync if sync is not None else old.get("lastSync")
    if sync is not None:
        syncs[sync["result"]] += 1
        metrics["driftCorrected"] += 1 if drift_corrected else 0
    if last:
        metrics["lastSync"] = last
    deployed = old.get("deployedRevision")
    if last and last.get("result") == SUCCEEDED and health == HEALTHY:
        deployed = last.get("revision") or deployed
    if deployed:
        metrics["deployedRevision"] = deployed
    return metrics


def after_error(previous_status, started, finished, seconds, revision):
    """status.metrics of a reconcile that failed before it could sync: an Error, counted
    once per revision (the object counts of the last reconcile kept). While the same error
    holds the metrics stay as they are, so the status is not rewritten every run."""
    old = (previous_status or {}).get(FIELD) or {}
    last = old.get("lastSync") or {}
    if old and last.get("result") == ERROR and last.get("revision") == revision:
        return old
    counts = old.get("resources") or {"sync": {}, "health": {}}
    return next_metrics(previous_status, started, counts, last_sync(started, finished, seconds, ERROR, revision, 0))


def counter(value):
    """A counter read back from the status: a non-negative int (anything else is 0)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
