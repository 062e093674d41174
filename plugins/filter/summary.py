# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn gitops.k8s.app results into the reconcile run's summary."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_SYNCED, APP_UNKNOWN, UNKNOWN
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

# The run summary's own vocabulary: what a reconcile did with one Application.
FAILED = "failed"
SYNCED = "synced"
IN_SYNC = "in-sync"
OUT_OF_SYNC = "out-of-sync"
DELETED = "deleted"
LOCKED = "locked"  # lock: skip found the Lease held; nothing synced (a failed wait is FAILED)


def reconcile_summary(result):
    """One summary row of a gitops.k8s.app result."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("reconcile_summary expects a gitops.k8s.app result, got %s" % type(result).__name__)
    if result.get("error") or result.get("failed"):
        outcome = FAILED
    elif result.get("lock_held_by"):
        outcome = LOCKED
    elif result.get("deleted"):
        outcome = DELETED
    elif result.get("synced"):
        outcome = SYNCED
    elif result.get("sync_status") == APP_SYNCED:
        outcome = IN_SYNC
    else:
        outcome = OUT_OF_SYNC
    row = {
        "application": result.get("application", ""),
        "result": outcome,
        "sync_status": result.get("sync_status", APP_UNKNOWN),
        "health_status": result.get("health_status", UNKNOWN),
        "revision": result.get("revision", ""),
        "created": len(result.get("created") or []),
        "configured": len(result.get("configured") or []),
        "pruned": len(result.get("pruned") or []),
        "duration": result.get("duration", 0),
        "reason": result.get("reason", ""),
        "requests": dict(result.get("requests") or {}),  # API requests by verb
    }
    if result.get("hooks"):  # each hook run: phase, id as the server named it, outcome
        row["hooks"] = [
            "%s %s: %s" % (h.get("hookType"), format_id(h.get("kind"), h.get("namespace"), h.get("name")), h.get("hookPhase")) for h in result["hooks"]
        ]
    if outcome == FAILED:
        row["error"] = result.get("error") or result.get("msg", "")
    if result.get("lock_held_by"):
        row["lock_held_by"] = result["lock_held_by"]
    return row


def summary_line(row):
    """A one-line, human-readable form of a reconcile_summary row. A run that could not
    take the Application's Lease did nothing: it names the holder instead of counts."""
    if row.get("lock_held_by"):
        done = "lock held by %s, nothing synced" % row["lock_held_by"]
    else:
        done = "created %d configured %d pruned %d" % (row.get("created", 0), row.get("configured", 0), row.get("pruned", 0))
    line = "%s: %s (%s, %s) rev %s %s in %.1fs" % (
        row.get("application"),
        row.get("result"),
        row.get("sync_status"),
        row.get("health_status"),
        (row.get("revision") or "-")[:12],
        done,
        float(row.get("duration") or 0),
    )
    if row.get("lock_held_by"):
        return line
    if row.get("hooks"):
        line += " hooks [%s]" % ", ".join(row["hooks"])
    if row.get("error"):
        line += " - " + row["error"]
    elif row.get("result") == OUT_OF_SYNC and row.get("reason"):
        line += " - " + row["reason"]
    return line


def cluster_summary(rows, root_application=""):
    """One cluster's line of a fleet run (set_stats ``gitops_k8s_clusters``): how many
    Applications, how many synced or already in sync, which failed, the API requests
    by verb, the revision of the root Application (``root_application``, namespace/name; else the first row's)."""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise AnsibleFilterError("cluster_summary expects a list of reconcile_summary rows")
    failed = sorted(row.get("application", "") for row in rows if row.get("result") == FAILED)
    root = [row for row in rows if row.get("application") == root_application] or rows[:1]
    results = set(row.get("result") for row in rows)
    if failed:
        outcome = FAILED
    elif results <= {IN_SYNC}:
        outcome = IN_SYNC
    elif results <= {SYNCED, IN_SYNC, DELETED}:
        outcome = SYNCED
    else:
        outcome = OUT_OF_SYNC
    requests = {}
    for row in rows:
        for verb, count in (row.get("requests") or {}).items():
            requests[verb] = requests.get(verb, 0) + count
    return {
        "result": outcome,
        "requests": requests,
        "applications": len(rows),
        "synced": sum(1 for row in rows if row.get("result") in (SYNCED, IN_SYNC)),
        "failed": len(failed),
        "failed_applications": failed,
        "revision": root[0].get("revision", "") if root else "",
    }


def run_rows(result):
    """The Application results of one gitops.k8s.app all=true result: its root's (when it
    reconciled one) first, then every other one's."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("run_rows and run_summary expect a gitops.k8s.app all=true result, got %s" % type(result).__name__)
    root = result.get("root")
    return ([root] if isinstance(root, dict) and "application" in root else []) + list(result.get("applications") or [])


def run_summary(result, cluster=None):
    """The summary rows (reconcile_summary) of a gitops.k8s.app all=true result, the root
    first; each names ``cluster`` (a fleet's inventory host) when given. One filter, so
    a run of 1,000 Applications is summarised in Python, not by a template looping over rows."""
    rows = [reconcile_summary(r) for r in run_rows(result)]
    if cluster is not None:
        for row in rows:
            row["cluster"] = cluster
    return rows


class FilterModule:
    def filters(self):
        return {
            "reconcile_summary": reconcile_summary,
            "run_rows": run_rows,
            "run_summary": run_summary,
            "summary_line": summary_line,
            "cluster_summary": cluster_summary,
        }
