# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prune guards: whether one sync may delete what left Git.

A commit that removes most of an Application (a wrong path, a bad merge, a generator
that lost half its output; argo-cd#15058 is such a mass prune) must not delete it all at
once. Each sync has a deletion budget: at most ``percent`` of the Application's objects
(its previous inventory) and at most ``count`` objects. One object is not a mass prune:
the percentage holds two or more (a one-object Application renaming its object is not
held; one losing its only object is an empty render, refused on its own by
sync.check_empty_guard). A sync over it still applies
what Git declares (holding the writes too would leave the Application stuck on the old
revision for a reason that has nothing to do with them) but prunes nothing at all, not
even the part within the budget: which part of a suspicious deletion is the right one
cannot be told. The held objects stay in the inventory, so raising the budget (or a
later commit that brings them back) settles them, and they are listed in a condition.

Protected kinds (PRUNE_PROTECTED_KINDS: data and everything in a namespace or of a CRD)
are never pruned unless allowed (module option ``prune_protected``, ``PruneProtected=true``
in the Application's syncOptions or the object's sync-options annotation); plan.py
classifies them, this file lists them beside the budget's holds.

Pure: the plan calls hold() after classifying its extra objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    DEFAULT_PRUNE_LIMIT,
    DEFAULT_PRUNE_LIMIT_PERCENT,
    OPT_PRUNE_LIMIT,
    OPT_PRUNE_LIMIT_PERCENT,
    PRUNE_HOLD_LIST_LIMIT,
    PRUNE_PROTECTED_KINDS,
    PRUNED,
    SKIPPED,
)

# The condition type of a held prune (budget or protected kind), Argo CD's naming.
CONDITION = "PruneHeldWarning"
PROTECTED_REASON = "%s is protected from pruning (allow with PruneProtected=true or prune_protected)"


@dataclass(frozen=True)
class Budget:
    """The deletion budget of one sync. count: most objects it may prune (0: no count
    limit). percent: most objects it may prune, in percent of the Application's objects
    (100: no limit; 0: no prune without an explicit allow)."""

    count: int = DEFAULT_PRUNE_LIMIT
    percent: int = DEFAULT_PRUNE_LIMIT_PERCENT


def budget_of(app_values, count=None, percent=None):
    """The Budget of an Application: its own syncOptions (PruneLimit, PruneLimitPercent)
    over the run's (module options / playbook vars; None: not given) over the defaults."""
    count = DEFAULT_PRUNE_LIMIT if count is None else count
    percent = DEFAULT_PRUNE_LIMIT_PERCENT if percent is None else percent
    return Budget(syncopts.whole(app_values, OPT_PRUNE_LIMIT, count), syncopts.whole(app_values, OPT_PRUNE_LIMIT_PERCENT, percent))


def over_budget(budget, pruning, total):
    """'' when pruning ``pruning`` of ``total`` objects is within ``budget``, else why not
    (with what allows it)."""
    if pruning <= 0:
        return ""
    share = 100 * pruning // max(total, 1)
    if budget.count and pruning > budget.count:
        return "%d of %d objects would be pruned, over the deletion budget of %d (raise it with the PruneLimit sync option or prune_limit)" % (
            pruning,
            total,
            budget.count,
        )
    if budget.percent < 100 and pruning > 1 and pruning * 100 > budget.percent * total:
        return (
            "%d of %d objects (%d%%) would be pruned, over the deletion budget of %d%% (raise it with the PruneLimitPercent sync option or prune_limit_percent)"
            % (
                pruning,
                total,
                share,
                budget.percent,
            )
        )
    return ""


def hold(extra, total, budget):
    """(extra, reason): the plan's extra PlanItems with every prune held when they are over
    ``budget`` for an Application of ``total`` objects (each becomes skipped, still
    blocking sync), and why ('' and the items unchanged when within it)."""
    pruning = [i for i in extra if i.action == PRUNED]
    reason = over_budget(budget, len(pruning), total)
    if not reason:
        return extra, ""
    held = [replace(i, action=SKIPPED, held=True, reason="not pruned: held by the deletion budget") if i.action == PRUNED else i for i in extra]
    return held, reason


def protected(extra):
    """Objects of ``extra`` kept only because their kind is protected."""
    return [i for i in extra if i.entry.kind in PRUNE_PROTECTED_KINDS and i.action == SKIPPED and i.reason.startswith(PROTECTED_REASON % i.entry.kind)]


def _listed(subjects):
    names = list(subjects)[:PRUNE_HOLD_LIST_LIMIT]
    more = len(subjects) - len(names)
    return ", ".join(names) + (", +%d more" % more if more > 0 else "")


def message(plan):
    """The PruneHeldWarning condition's message: what a sync would have pruned and did not
    (budget, protected kinds), each ``Kind/namespace/name``; '' when nothing is held."""
    parts = []
    if plan.held_prunes:
        parts.append("prune held: %s: %s" % (plan.prune_hold, _listed(plan.held_prunes)))
    kept = protected(plan.extra)
    if kept:
        parts.append("protected kinds not pruned (allow with PruneProtected=true or prune_protected): %s" % _listed([str(i.entry) for i in kept]))
    return "; ".join(parts)
