# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one reconcile tells ``kubectl describe gapp``: the Kubernetes Events of an
Application, from its previous status and the reconcile's outcome.

Reasons are modelled on Argo CD's and Flux's (``SyncSucceeded``, ``SyncFailed``,
``DriftDetected``, ``DriftCorrected``, ``HealthChanged``, ``Pruned``, ``HookSucceeded``,
``HookFailed``; ``ComparisonError`` when nothing could be compared), plus ``AnalysisSucceeded``,
``AnalysisFailed``, ``AnalysisInconclusive`` (spec.analysis, app_analysis.py) and ``RolledBack``. Messages name objects
by id and quote errors that the sync already scrubbed of Secret values; they never carry
a diff. Pure: _adapters/app_events.py writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import messages, rollback
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    CONFIGURED,
    CREATED,
    DEGRADED,
    HOOK_FAILED,
    HOOK_SUCCEEDED,
    MISSING,
    OUT_OF_SYNC,
    PRUNED,
    SKIPPED,
    UNKNOWN,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

NORMAL = "Normal"
WARNING = "Warning"
SYNC_SUCCEEDED = "SyncSucceeded"
SYNC_FAILED = "SyncFailed"
COMPARISON_ERROR = "ComparisonError"
DRIFT_DETECTED = "DriftDetected"
DRIFT_CORRECTED = "DriftCorrected"
HEALTH_CHANGED = "HealthChanged"
PRUNED_REASON = "Pruned"
HOOK_SUCCEEDED_REASON = "HookSucceeded"
HOOK_FAILED_REASON = "HookFailed"
ANALYSIS_SUCCEEDED = "AnalysisSucceeded"
ANALYSIS_FAILED = "AnalysisFailed"
ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive"
ROLLED_BACK = "RolledBack"
_ANALYSIS_REASONS = {"Successful": (NORMAL, ANALYSIS_SUCCEEDED), "Failed": (WARNING, ANALYSIS_FAILED)}
REASONS = (
    SYNC_SUCCEEDED,
    SYNC_FAILED,
    COMPARISON_ERROR,
    DRIFT_DETECTED,
    DRIFT_CORRECTED,
    HEALTH_CHANGED,
    PRUNED_REASON,
    HOOK_SUCCEEDED_REASON,
    HOOK_FAILED_REASON,
    ANALYSIS_SUCCEEDED,
    ANALYSIS_FAILED,
    ANALYSIS_INCONCLUSIVE,
    ROLLED_BACK,
)
MAX_NAMED = 10  # objects named in one message; the rest are counted
MAX_EVENTS = 12  # events of one reconcile (hooks of a long sync are the ones cut)
_DRIFTED = (OUT_OF_SYNC, MISSING)


@dataclass(frozen=True)
class Event:
    """One event of an Application: type (Normal/Warning), reason, message."""

    type: str
    reason: str
    message: str


def _names(subjects):
    subjects = list(subjects)
    shown = ", ".join(subjects[:MAX_NAMED])
    if len(subjects) > MAX_NAMED:
        shown += " and %d more" % (len(subjects) - MAX_NAMED)
    return shown


def _short(revision):
    return (revision or "")[:12] or "(no revision)"


def _event(kind, reason, message):
    return Event(kind, reason, messages.bounded(message))


def _health_event(previous, health):
    before = (previous.get("health") or {}).get("status") or ""
    after = getattr(health, "status", "") or ""
    if not after or not before or before == after:  # the first assessment is no change
        return None
    text = "health %s -> %s" % (before, after)
    if getattr(health, "message", ""):
        text += ": %s" % health.message
    return _event(WARNING if after in (DEGRADED, UNKNOWN) else NORMAL, HEALTH_CHANGED, text)


def _hook_events(hooks):
    out = []
    for hook in hooks:
        phase = hook.get("hookPhase")
        if phase not in (HOOK_SUCCEEDED, HOOK_FAILED):
            continue
        subject = format_id(hook.get("kind", ""), hook.get("namespace", ""), hook.get("name", ""))
        text = "%s hook %s %s" % (hook.get("hookType", ""), subject, phase.lower())
        if hook.get("message"):
            text += ": %s" % hook["message"]
        failed = phase == HOOK_FAILED
        out.append(_event(WARNING if failed else NORMAL, HOOK_FAILED_REASON if failed else HOOK_SUCCEEDED_REASON, text))
    return out


def _sync_events(previous, outcome, entries):
    """SyncSucceeded/SyncFailed, DriftCorrected and Pruned of a reconcile that wrote."""
    out = []
    revision = outcome.revision
    previous_revision = (previous.get("sync") or {}).get("revision") or ""
    written = [e for e in entries if e.action in (CREATED, CONFIGURED)]
    pruned = [e.subject for e in entries if e.action == PRUNED]
    if outcome.error is not None:
        out.append(_event(WARNING, SYNC_FAILED, "sync to %s failed: %s failed: %s" % (_short(revision), outcome.error.step, outcome.error)))
    elif written or pruned or revision != previous_revision:
        counts = "%d created, %d configured, %d pruned" % (
            sum(1 for e in written if e.action == CREATED),
            sum(1 for e in written if e.action == CONFIGURED),
            len(pruned),
        )
        out.append(_event(NORMAL, SYNC_SUCCEEDED, "synced %s: %s" % (_short(revision), counts)))
    # a progressive strategy's step writes Git's revision in parts: not drift
    drifted = [e.subject for e in written if e.status in _DRIFTED and e.subject not in outcome.strategy_objects]
    if drifted and previous_revision and revision == previous_revision:  # the same revision: the cluster had moved, not Git
        out.append(_event(NORMAL, DRIFT_CORRECTED, "corrected drift at %s: %s" % (_short(revision), _names(drifted))))
    if pruned:
        out.append(_event(NORMAL, PRUNED_REASON, "pruned %d: %s" % (len(pruned), _names(pruned))))
    return out


def _analysis_events(previous, status):
    """The verdict of an analysis recorded by this reconcile, and a rollback it began."""
    out = []
    analysed = status.get("analysis") or {}
    if analysed and analysed.get("phase") != "Running" and analysed != (previous.get("analysis") or {}):
        kind, reason = _ANALYSIS_REASONS.get(analysed.get("phase"), (WARNING, ANALYSIS_INCONCLUSIVE))
        out.append(_event(kind, reason, "%s (revision %s)" % (analysed.get("message"), _short(analysed.get("revision")))))
    rolled = status.get(rollback.FIELD) or {}
    if rolled.get("at") and rolled != (previous.get(rollback.FIELD) or {}):
        out.append(_event(WARNING if rolled.get("automatic") else NORMAL, ROLLED_BACK, rollback.message(rolled)))
    return out


def events_of(previous, outcome, dry_run=False):
    """The events of one reconcile (``outcome``: reconcile.Outcome) of an Application whose
    status before it was ``previous``; none in check mode or for a deleted Application. An
    automatic rollback tells the sync whose analysis failed first, then its own."""
    if dry_run or outcome.deleted:
        return ()
    previous = previous or {}
    first = ()
    if outcome.before_rollback is not None:
        first = events_of(previous, outcome.before_rollback)
        previous = outcome.before_rollback.status or previous
    entries = list(outcome.changeset.entries) if outcome.changeset is not None else []
    out = []
    if outcome.synced:
        out.extend(_sync_events(previous, outcome, entries))
    elif outcome.error is not None:
        out.append(_event(WARNING, COMPARISON_ERROR, "%s failed: %s" % (outcome.error.step, outcome.error)))
    drifted = [e.subject for e in entries if e.action == SKIPPED and e.status in _DRIFTED]
    if drifted and not outcome.lock_holder:
        why = " (%s)" % outcome.reason if outcome.reason else ""
        out.append(_event(WARNING, DRIFT_DETECTED, "%d out of sync with %s%s: %s" % (len(drifted), _short(outcome.revision), why, _names(drifted))))
    health = _health_event(previous, outcome.health)
    if health is not None:
        out.append(health)
    out.extend(_hook_events(outcome.hooks))
    out.extend(_analysis_events(previous, outcome.status or {}))
    return (first + tuple(out))[: MAX_EVENTS * 2 if first else MAX_EVENTS]
