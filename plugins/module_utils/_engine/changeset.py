# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results as typed change sets: one entry per object, from which ``changed``, the
summary and the Ansible diff are derived."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ACTIONS, WRITE_ACTIONS


@dataclass(frozen=True)
class ChangeSetEntry:
    """What happened (or, in check mode, would happen) to one object."""

    subject: str  # Kind/namespace/name
    action: str  # one of constants.ACTIONS
    status: str = ""  # comparison status before the action (Synced, OutOfSync, Missing, Extra)
    reason: str = ""
    before: Optional[dict] = field(default=None, hash=False, compare=False)  # redacted, for diffs
    after: Optional[dict] = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class ChangeSet:
    entries: tuple = ()

    @property
    def changed(self):
        return any(e.action in WRITE_ACTIONS for e in self.entries)

    def summary(self):
        counts = dict((action, 0) for action in ACTIONS)
        for e in self.entries:
            counts[e.action] = counts.get(e.action, 0) + 1
        return counts

    def by_action(self, action):
        return [e.subject for e in self.entries if e.action == action]
