# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sync for the progressive strategies alone.

An automated Application without selfHeal syncs once per new revision (Argo CD's
autoSync): drift is reported, never reverted. A canary or blue-green in progress still
needs a run to write its next step (strategies.py), and such a run must not become a
selfHeal by the back door. So when the sync policy said no and only a strategy wants the
run (sync_gate.Gate.strategies_only), the plan is narrowed to the strategies' own objects
(the Deployments with a strategy, their canary or preview, the blue-green Services, a
strategy object to prune): every other object keeps its live state, its drift reported
with its diff (the Application stays OutOfSync), and no hook runs (a strategy's step is
not a sync operation of the Application, as with Argo Rollouts' controller). Pure.
"""

from __future__ import annotations

from dataclasses import replace

from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_STRATEGY_OBJECT,
    APP_OUT_OF_SYNC,
    OUT_OF_SYNC,
    SKIPPED,
    WRITE_ACTIONS,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations

REASON = "not synced: only the progressive strategies advance (%s)"


def _ours(item, subjects):
    return item.subject in subjects


def _ours_extra(item):
    return item.live is not None and ANN_STRATEGY_OBJECT in annotations(item.live)


def left_out(plan, subjects):
    """The subjects of the plan's writes that are not the strategies' (``subjects``)."""
    out = set(i.subject for i in plan.items if i.action in WRITE_ACTIONS and not _ours(i, subjects))
    out.update(i.subject for i in plan.extra if i.action in WRITE_ACTIONS and not _ours_extra(i))
    return frozenset(out)


def narrow(plan, subjects, why):
    """``plan`` writing only the strategies' objects: each other write is skipped for
    ``why`` (the sync policy's reason), and no hook runs."""
    skipped = left_out(plan, subjects)
    reason = REASON % why

    def held(item):
        return replace(item, action=SKIPPED, reason=reason) if item.subject in skipped else item

    return replace(plan, items=tuple(held(i) for i in plan.items), extra=tuple(held(i) for i in plan.extra), hooks=())


def writes(plan, subjects):
    """Whether a sync of the strategies alone writes anything."""
    ours = [i for i in plan.items if _ours(i, subjects)] + [i for i in plan.extra if _ours_extra(i)]
    return any(i.action in WRITE_ACTIONS for i in ours)


def merged(result, report, skipped, why):
    """The SyncResult of a narrowed sync told as it was: the entries of the ``skipped``
    subjects from ``report`` (the full plan's dry-run) as skipped writes with their diff,
    and the Application OutOfSync when any of them drifted."""
    reason = REASON % why
    told = dict((e.subject, replace(e, action=SKIPPED, reason=reason)) for e in report.changeset.entries if e.subject in skipped)
    entries = tuple(told.get(e.subject, e) if e.subject in skipped else e for e in result.changeset.entries)
    drifted = any(e.status == OUT_OF_SYNC or e.action in WRITE_ACTIONS for e in report.changeset.entries if e.subject in skipped)
    status = APP_OUT_OF_SYNC if drifted and result.error is None else result.sync_status
    return replace(result, changeset=ChangeSet(entries), sync_status=status)
