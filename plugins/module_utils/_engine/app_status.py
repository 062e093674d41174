# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The next status of an Application, from what one reconcile found and did.

reconcile() gathers a Report (a frozen value: the spec, what was fetched, the plan, the
sync result, health, the gate) and next_status() turns it into the status to write and
the warnings of the run. Pure: nothing here reads or writes the cluster, and nothing
passed in is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from ansible_collections.gitops.k8s.plugins.module_utils._engine import (
    app_analysis,
    app_metrics,
    application,
    inventory,
    messages,
    prune_guard,
    retry,
    rollback,
    strategies,
    sync_windows,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan as planner
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import OUT_OF_SYNC, PRUNED, SKIPPED, SYNCED, WRITE_ACTIONS


@dataclass(frozen=True)
class Report:
    """What one reconcile found and did.

    synced: this reconcile wrote to the cluster (not check mode, the gate said yes, the
        lock was taken). started/finished: ISO times of the reconcile and of its end.
    hooks: each hook run, in Argo CD's syncResult.resources shape. seconds: how long the
    reconcile took; healths: (subject, health) of each tracked object (status.resources and
    status.metrics)."""

    spec: Any  # application.AppSpec
    sourced: Any  # multi_source.Sourced: revision(s) and the URLs of what was rendered
    plan: Any  # plan.Plan
    result: Any  # sync.SyncResult
    health: Any  # health.Health
    reason: str
    synced: bool
    started: str
    finished: str
    gate: Optional[Any] = None  # sync_gate.Gate
    hooks: tuple = ()
    seconds: float = 0.0
    healths: tuple = ()  # (subject, health.Health) of every tracked object (sync.assess)
    rollouts: Optional[Any] = None  # strategies.Rollouts: status.strategy and its conditions (None: keep the previous)


def unsupported_message(spec, plan):
    """One line of everything the spec and the objects ask for that is not carried out
    (the UnsupportedFeatureWarning condition), or '' when there is nothing."""
    return "; ".join(tuple(spec.warnings) + tuple(plan.warnings))


def out_of_sync_count(plan, result, synced):
    """Objects still out of sync after this reconcile."""
    extra = sum(1 for i in plan.extra if i.blocks_sync and i.action != PRUNED)
    if synced and result.error is None:  # a write the sync left out (strategy_sync.py) is still drift
        return extra + sum(1 for i in plan.items if i.status != SYNCED and i.action == SKIPPED)
    return extra + sum(1 for i in plan.items if i.status != SYNCED)


def resources(plan, result, synced, healths):
    """status.resources, Argo CD's shape: every object of the Application with its sync
    status after this reconcile and its health (what the status tree and page show)."""
    written = synced and result.error is None
    by_subject = dict((str(s), h) for s, h in healths)
    out = []
    for item in plan.items:
        if item.hook is not None or not item.tracked:
            continue
        row = dict(item.entry.to_dict(), status=SYNCED if written and item.action in WRITE_ACTIONS else item.status)
        found = by_subject.get(str(item.subject))
        if found is not None:
            row["health"] = {"status": found.status}
        out.append(row)
    for item in plan.extra:
        if item.blocks_sync and not (written and item.action == PRUNED):
            out.append(dict(item.entry.to_dict(), status=OUT_OF_SYNC, requiresPruning=True))
    return out


def _gate_fields(previous, gate, now):
    """Conditions and status fields of a rollback's suspension and a held sync window
    (the fields are removed when neither holds)."""
    conditions, changes = [], {rollback.FIELD: None, sync_windows.FIELD: None}
    if gate is None:
        return conditions, changes
    if gate.held is not None and gate.held.suspended:
        changes[rollback.FIELD] = gate.held.record
        conditions.append(application.condition(rollback.CONDITION, rollback.message(gate.held.record), previous.get("conditions"), now))
    if gate.window is not None:
        changes[sync_windows.FIELD] = {"message": gate.window.message, "opensAt": gate.window.opens_at}
        conditions.append(application.condition(sync_windows.CONDITION, gate.window.message, previous.get("conditions"), now))
    return conditions, changes


def _warning_conditions(previous, report, now, warnings):
    """UnsupportedFeatureWarning, SharedResourceWarning and PruneHeldWarning: a condition
    each, and a warning of the run for each thing they name."""
    conditions, spec, plan = [], report.spec, report.plan
    unsupported = unsupported_message(spec, plan)
    if unsupported:
        conditions.append(application.condition(application.UNSUPPORTED_WARNING, unsupported, previous.get("conditions"), now))
        warnings.extend("%s: %s" % (application.UNSUPPORTED_WARNING, w) for w in tuple(spec.warnings) + tuple(plan.warnings))
    shared = planner.shared_message(plan)
    if shared:  # a condition on each Application that finds the other's annotation, and a warning in the run
        conditions.append(application.condition(application.SHARED_RESOURCE_WARNING, shared, previous.get("conditions"), now))
        warnings.append("%s: %s" % (application.SHARED_RESOURCE_WARNING, shared))
    held = prune_guard.message(plan)
    if held:  # what a sync would have pruned and did not (deletion budget, protected kinds)
        conditions.append(application.condition(prune_guard.CONDITION, held, previous.get("conditions"), now))
        warnings.append("%s: %s" % (prune_guard.CONDITION, held))
    return conditions


def _operation(previous, report, phase, warnings):
    """status.operationState of a sync: its phase and message, a failed sync's retry
    fields, and the hooks it ran."""
    result, revision, gate = report.result, report.sourced.revision, report.gate
    operation = {
        "revision": revision,
        "phase": phase,
        "startedAt": report.started,
        "finishedAt": report.finished,
        "message": messages.bounded(str(result.error) if result.error else report.reason),
    }
    if result.error:
        retry_fields, note = retry.after_failure(
            report.spec.retry, previous.get("operationState") or {}, revision, gate is not None and gate.retried, gate.clock if gate is not None else 0.0
        )
        operation.update(retry_fields)
        if note:
            operation["message"] = messages.bounded("%s (%s)" % (note, result.error))
            warnings.append(note)
    if report.hooks:  # Argo CD's shape: one ResourceResult per hook run, with hookType and hookPhase
        operation["syncResult"] = {"revision": revision, "resources": list(report.hooks)}
    return operation


def next_status(previous, report) -> Tuple[dict, List[str]]:
    """(status, warnings): the Application's next status (``previous`` updated) and the
    warnings this reconcile gives the run."""
    warnings: List[str] = []
    now, spec, plan, result, sourced = report.started, report.spec, report.plan, report.result, report.sourced
    conditions, changes = _gate_fields(previous, report.gate, now)
    conditions += _warning_conditions(previous, report, now, warnings)
    if app_analysis.kept(spec, previous.get(app_analysis.FIELD), changes.get(rollback.FIELD)):  # until another replaces it
        conditions += app_analysis.conditions(previous, previous, now)
    else:  # forgotten with its spec (a strategy's: with the rollback it caused)
        changes[app_analysis.FIELD] = None
    sync = {"status": result.sync_status, "revision": sourced.revision, "repoURL": sourced.repo_url, "path": spec.path}
    if sourced.revisions:  # a multi-source Application: each source's revision, as Argo CD
        sync["revisions"] = list(sourced.revisions)
    if sourced.fetched_url:  # a repo_url_rewrites mirror served it
        sync["fetchedURL"] = sourced.fetched_url
    if spec.chart:  # a chart of a chart repository or OCI registry (Argo CD's source.chart)
        sync["chart"] = spec.chart
    if sourced.subject:  # the commit's subject line (the status page shows it beside the revision)
        sync["commitSubject"] = sourced.subject
    health = report.health
    changes.update(
        {
            "sync": sync,
            "health": {"status": health.status, "message": health.message} if health.message else {"status": health.status},
            "summary": {"resources": len(plan.desired_entries), "outOfSync": out_of_sync_count(plan, result, report.synced)},
            "resources": resources(plan, result, report.synced, report.healths) or None,
        }
    )
    if report.synced:
        phase = application.FAILED if result.error else application.SUCCEEDED
        if result.error:
            message = "%s failed: %s" % (result.error.step, result.error)
            conditions.append(application.condition(application.SYNC_ERROR, message, previous.get("conditions"), now))
        changes["inventory"] = inventory.to_status(result.inventory)
        changes["operationState"] = _operation(previous, report, phase, warnings)
        if phase == application.SUCCEEDED:
            changes["lastSyncedAt"] = report.finished
        if result.changeset is None or result.changeset.changed or result.error:
            summary = result.changeset.summary() if result.changeset else {}
            entry = application.history_entry(sourced.revision, report.finished, phase, summary, now)
            changes["history"] = application.push_history(previous.get("history"), entry, spec.revision_history_limit)
    else:
        changes["inventory"] = inventory.to_status(plan.previous)
        if (previous.get("operationState") or {}).get("phase") == application.FAILED:
            conditions.extend(c for c in previous.get("conditions") or [] if c.get("type") == application.SYNC_ERROR)
    if report.rollouts is not None:
        changes[strategies.FIELD] = report.rollouts.status or None
        conditions.extend(application.condition(ctype, text, previous.get("conditions"), now) for ctype, text in report.rollouts.conditions)
    changes["conditions"] = conditions or None
    changes[app_metrics.FIELD] = _metrics(previous, report)
    return application.next_status(previous, **changes), warnings


def _metrics(previous, report):
    """status.metrics (app_metrics.py): the object counts, and the sync when one ran."""
    result, synced = report.result, report.synced
    counts = app_metrics.resource_counts(report.plan, synced and result.error is None, tuple(h.status for _subject, h in report.healths))
    sync = drift = None
    if synced:
        phase = application.FAILED if result.error else application.SUCCEEDED
        changes = app_metrics.changes_of(result.changeset)
        sync = app_metrics.last_sync(report.started, report.finished, report.seconds, phase, report.sourced.revision, changes)
        # a progressive strategy's step (its canary, preview, promoted stable) deploys Git's revision: not drift
        steps = report.rollouts.objects if report.rollouts is not None else frozenset()
        drift = app_metrics.is_drift_correction(previous, report.sourced.revision, phase, app_metrics.changes_of(result.changeset, steps))
    return app_metrics.next_metrics(previous, report.started, counts, sync, bool(drift), report.health.status)
