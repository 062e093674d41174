# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan as ordered steps: phase -> wave -> kind order (Argo CD's sync semantics).

PreSync hooks, then the Sync phase (the objects to apply and the Sync hooks, wave by
wave), then PostSync hooks; SyncFail hooks form their own steps, run when a sync fails,
and so do PreDelete / PostDelete hooks, run when the Application is deleted.
Within a step the items keep the plan's kind order; ``kind_groups`` cuts a step's objects
into runs of one kind (Namespaces, then CRDs, then each kind in KIND_ORDER): the objects of
one group may be written side by side, the groups one after another. Pure: execution is
sync.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import PHASE_SYNC, PHASE_SYNC_FAIL, SYNC_PHASES


@dataclass(frozen=True)
class Step:
    """One wave of one phase: objects to apply (Sync phase only) and hooks to run."""

    phase: str
    wave: int
    items: tuple = ()

    @property
    def objects(self):
        return tuple(i for i in self.items if i.hook is None)

    @property
    def hooks(self):
        return tuple(i for i in self.items if i.hook is not None)


def kind_groups(items):
    """Consecutive runs of ``items`` (in plan order) with the same wave, stage and kind: the
    objects that may be dry-run or written side by side (an order between them is none of
    the apply order's business)."""
    groups = []
    for item in items:
        key = item.sort_key[:4]
        if groups and groups[-1][0] == key:
            groups[-1][1].append(item)
        else:
            groups.append((key, [item]))
    return [tuple(members) for _key, members in groups]


def _wave(item):
    return item.sort_key[0] if item.sort_key else 0


def _steps(phase, items):
    waves = {}
    for item in items:
        waves.setdefault(_wave(item), []).append(item)
    return [Step(phase, wave, tuple(sorted(waves[wave], key=lambda i: i.sort_key))) for wave in sorted(waves)]


def hooks_of(plan, phase):
    """The hooks of the plan that run in ``phase``."""
    return [i for i in plan.hooks if phase in i.hook.phases]


def steps(plan, with_hooks=True):
    """Steps of a sync in order: PreSync waves, Sync waves (objects and Sync hooks), PostSync
    waves. Without hooks (nothing to write: Argo CD runs hooks per sync operation) only
    the objects' waves."""
    out = []
    for phase in SYNC_PHASES:
        items = hooks_of(plan, phase) if with_hooks else []
        if phase == PHASE_SYNC:
            items = list(plan.items) + items
        out.extend(_steps(phase, items))
    return out


def fail_steps(plan):
    """Steps of the SyncFail hooks, run when a sync failed."""
    return hook_steps(plan, PHASE_SYNC_FAIL)


def hook_steps(plan, phase):
    """Steps (waves) of the hooks of one phase alone: SyncFail, PreDelete, PostDelete."""
    return _steps(phase, hooks_of(plan, phase))


def later_sync_wave(all_steps, index):
    """True when a Sync-phase step follows step ``index`` in the same phase: its wave must
    be healthy before the next one starts. The last Sync wave is waited for only before
    PostSync hooks (a single-wave sync behaves as without waves)."""
    step = all_steps[index]
    return step.phase == PHASE_SYNC and any(s.phase == PHASE_SYNC for s in all_steps[index + 1 :])
