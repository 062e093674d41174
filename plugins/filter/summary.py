# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn gitops.k8s.app results into the reconcile run's summary."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

FAILED = "failed"
SYNCED = "synced"
IN_SYNC = "in-sync"
OUT_OF_SYNC = "out-of-sync"
DELETED = "deleted"


def reconcile_summary(result):
    """One summary row of a gitops.k8s.app result."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("reconcile_summary expects a gitops.k8s.app result, got %s" % type(result).__name__)
    if result.get("error") or result.get("failed"):
        outcome = FAILED
    elif result.get("deleted"):
        outcome = DELETED
    elif result.get("synced"):
        outcome = SYNCED
    elif result.get("sync_status") == "Synced":
        outcome = IN_SYNC
    else:
        outcome = OUT_OF_SYNC
    row = {
        "application": result.get("application", ""),
        "result": outcome,
        "sync_status": result.get("sync_status", "Unknown"),
        "health_status": result.get("health_status", "Unknown"),
        "revision": result.get("revision", ""),
        "created": len(result.get("created") or []),
        "configured": len(result.get("configured") or []),
        "pruned": len(result.get("pruned") or []),
        "duration": result.get("duration", 0),
        "reason": result.get("reason", ""),
    }
    if outcome == FAILED:
        row["error"] = result.get("error") or result.get("msg", "")
    return row


def summary_line(row):
    """A one-line, human-readable form of a reconcile_summary row."""
    line = "%s: %s (%s, %s) rev %s created %d configured %d pruned %d in %.1fs" % (
        row.get("application"), row.get("result"), row.get("sync_status"), row.get("health_status"),
        (row.get("revision") or "-")[:12], row.get("created", 0), row.get("configured", 0), row.get("pruned", 0),
        float(row.get("duration") or 0),
    )
    if row.get("error"):
        line += " - " + row["error"]
    elif row.get("result") == OUT_OF_SYNC and row.get("reason"):
        line += " - " + row["reason"]
    return line


class FilterModule:
    def filters(self):
        return {"reconcile_summary": reconcile_summary, "summary_line": summary_line}
