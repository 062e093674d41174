# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Applications of one run recorded a health of a child Application that is no
longer its health.

A parent Application's health sums up its child Applications' health as they reported it
when the parent was reconciled (health_checks.application_health). In the run that creates
the children the parent comes first: the children report no health yet and the parent
records them (and so itself) as Progressing. Once the children were reconciled later in
the same run, the parent is evaluated again (gitops.k8s.app all=true, without a sync), so a
converged run leaves the parent's health final and the next run has nothing to write.
Pure: the rows are the run's, the statuses as written.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_KIND, API_GROUP


def app_key(namespace, name):
    """The key of an Application in a run: namespace/name, as Outcome.app names it."""
    return "%s/%s" % (namespace or "", name or "")


def row_of(app):
    """The row of next_stale() of an Application reconciled before the run (as listed)."""
    meta, status = app.get("metadata") or {}, app.get("status") or {}
    return (app_key(meta.get("namespace"), meta.get("name")), status, str((status.get("health") or {}).get("status") or ""), False)


def recorded(status):
    """{namespace/name: health status} of the child Applications in ``status.resources``
    (an Application's status as written)."""
    out = {}
    for row in (status or {}).get("resources") or ():
        if not isinstance(row, dict) or row.get("kind") != APP_KIND or (row.get("group") or API_GROUP) != API_GROUP:
            continue
        out[app_key(row.get("namespace"), row.get("name"))] = str((row.get("health") or {}).get("status") or "")
    return out


def stale(status, reached):
    """Whether ``status`` (a parent's, as written) recorded, for one of the Applications of
    ``reached`` ({namespace/name: the health status it reached later in this run}), a
    health it no longer has."""
    return any(key in reached and reached[key] != health for key, health in recorded(status).items())


def next_stale(rows, below):
    """The highest index under ``below`` of a row to evaluate again, or -1.

    ``rows``: (key, status as written, health status, failed) of each Application in the
    order the run reconciled it (one reconciled before the run first). A row is compared
    with the rows after it only (its children come later: it created them); a failed one
    is never evaluated again. The caller evaluates the row found, updates it and asks
    again below it, so a grandchild's final health reaches the root through its parent."""
    for index in range(min(below, len(rows)) - 1, -1, -1):
        _key, status, _health, failed = rows[index]
        if failed:
            continue
        reached = dict((key, health) for key, _status, health, _failed in rows[index + 1 :])
        if stale(status, reached):
            return index
    return -1
