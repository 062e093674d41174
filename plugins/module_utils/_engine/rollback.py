# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rollback to an earlier revision of the history, and the suspension it leaves.

As in Argo CD (``argocd app rollback APP ID``), a rollback syncs the revision of a
history entry, and automated sync stays off afterwards: otherwise the next run would
sync the branch again and undo the rollback. Here the suspension is recorded in the
status (``status.rolledBack`` and an AutomatedSyncSuspended condition) rather than by
editing the spec (which Git owns). While suspended every run renders the rolled-back
revision, so drift from it is still reported. ``resume`` (or a manual sync without
``rollback``) ends it: the run follows targetRevision and the policy again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

CONDITION = "AutomatedSyncSuspended"
FIELD = "rolledBack"
_MIN_PREFIX = 7  # shortest revision prefix accepted (git's default abbreviation)


@dataclass(frozen=True)
class Decision:
    """revision: the commit to render ('' : targetRevision as usual); requested: this run
    syncs whatever the policy says (a rollback is a manual sync); record: the new
    ``status.rolledBack`` (None: no rollback in effect); suspended: automated sync is off."""

    revision: str = ""
    requested: bool = False
    record: Optional[dict] = None
    suspended: bool = False


def find(history, ref):
    """The history entry named by ``ref``: its id (a number) or its revision (full, or a
    unique prefix of at least 7 characters)."""
    text = str(ref).strip()
    entries = [h for h in history or () if isinstance(h, dict)]
    hits = []
    if len(text) >= _MIN_PREFIX:  # a revision (all digits is a possible SHA prefix too), else an id
        hits = [h for h in entries if str(h.get("revision") or "").startswith(text)]
        hits = list(dict((h.get("revision"), h) for h in hits).values())  # the same revision synced twice: one
    if not hits and text.isdigit():
        hits = [h for h in entries if str(h.get("id")) == text]
    if len(hits) != 1:
        known = ", ".join("%s (%s)" % (h.get("id", "?"), str(h.get("revision") or "")[:12]) for h in entries) or "none"
        what = "is ambiguous" if hits else "matches no history entry"
        raise InvalidSpec("rollback %r %s; history ids (revisions): %s" % (text, what, known))
    return hits[0]


def decide(status, rollback, resume, requested, now, cause=None):
    """Decision of this run from the previous status and the run's choices: ``rollback``
    (history id or revision, or None), ``resume``, ``requested`` (the sync option: True
    is a manual sync) and ``now`` (timestamp recorded with a new rollback). ``cause``:
    fields recorded with a new rollback that was not the user's (app_analysis.cause)."""
    status = status or {}
    if rollback not in (None, ""):
        entry = find(status.get("history"), rollback)
        record = dict(cause or {}, id=entry.get("id"), revision=entry.get("revision"), at=now)
        return Decision(revision=entry["revision"], requested=True, record=record, suspended=True)
    current = status.get(FIELD)
    if resume or requested or not isinstance(current, dict) or not current.get("revision"):
        return Decision()
    return Decision(revision=current["revision"], record=current, suspended=True)


def message(record):
    how = "rolled back automatically (analysis of revision %s failed)" % str(record.get("failedRevision"))[:12] if record.get("automatic") else "rolled back"
    return "%s to history id %s (revision %s): automated sync is suspended until resumed (gitops.k8s.app resume=true, or a manual sync)" % (
        how,
        record.get("id"),
        str(record.get("revision"))[:12],
    )
