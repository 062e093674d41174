# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether one reconcile writes: the sync policy (with the retry backoff), then a
rollback's suspension, then the sync windows; each may only say no to what the one
before allowed. Pure: the result is a frozen Gate the status is built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, rollback, sync_windows
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_SYNCED


@dataclass(frozen=True)
class Gate:
    """The sync decision and what it leaves in the status.

    retried: this is an automated retry of a failed sync of the same revision.
    held: the rollback.Decision of this run (a suspension, a rollback asked for).
    window: the sync_windows.Verdict that held the sync, or None.
    clock: epoch seconds: when the decision was taken, then when the sync finished (a
        retry's backoff counts from the end of the failed attempt).
    strategies_only: the policy said no and only a progressive strategy wants this run:
        the sync writes the strategies' objects alone (strategy_sync.py); ``policy`` is
        why the others are not synced."""

    do_sync: bool
    reason: str
    retried: bool = False
    held: Any = None
    window: Optional[Any] = None
    clock: float = 0.0
    strategies_only: bool = False
    policy: str = ""


def decide(spec, previous, revision, planned, settings, held, windows, now, clusters=sync_windows.LOCAL_CLUSTERS, progressing=""):
    """The Gate of this reconcile. ``planned``: the plan's Application sync status;
    ``held``: rollback.decide()'s Decision; ``windows``: parsed sync windows; ``now``:
    epoch seconds; ``clusters``: the name and server of the destination cluster;
    ``progressing``: why a progressive strategy (strategies.py) needs this run to write
    ("" when none does): a canary steps on each run of an automated Application (or one
    synced, promoted or aborted by hand) without a new revision or selfHeal."""
    requested = True if held.requested else settings.sync
    do_sync, reason = application.should_sync(spec, previous, revision, planned, requested, now=now)
    only, policy = False, ""
    if not do_sync and progressing and planned != APP_SYNCED and requested is not False and (spec.automated or settings.promote or settings.abort):
        do_sync, reason, only, policy = True, progressing, True, reason
    last = previous.get("operationState") or {}
    retried = requested is not True and last.get("phase") == application.FAILED and last.get("revision") == revision
    if do_sync and held.suspended and requested is not True:
        return Gate(False, "out of sync; " + rollback.message(held.record), held=held, clock=now)
    window = None
    if do_sync:
        verdict = sync_windows.verdict(windows, spec.name, spec.destination_namespace or settings.default_namespace, now, requested is True, clusters)
        if not verdict.allowed:
            do_sync, reason, window = False, verdict.message, verdict
            if held.requested:  # a rollback that did not happen is not in effect: the earlier state stays
                held = rollback.decide(previous, None, settings.resume, settings.sync, held.record.get("at"))
    return Gate(do_sync, reason, retried=retried, held=held, window=window, clock=now, strategies_only=only and do_sync, policy=policy)
