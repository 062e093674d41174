# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change sets and reconcile outcomes turned into Ansible results (one place)."""

from __future__ import annotations

import difflib

from ansible.module_utils.common.warnings import warn

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import UNSUPPORTED_WARNING
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import SYNCED, UNCHANGED, UNKNOWN


TOP_KEYS = ("apiVersion", "kind", "metadata", "spec")


def _sorted(node):
    if isinstance(node, dict):
        return dict((k, _sorted(node[k])) for k in sorted(node))
    if isinstance(node, list):
        return [_sorted(i) for i in node]
    return node


def canonical(obj):
    """Keys in one order on both sides of a diff: apiVersion, kind, metadata, spec, then
    the rest; nested keys sorted (live and dry-run objects list keys in other orders)."""
    first = [k for k in TOP_KEYS if k in obj]
    return dict((k, _sorted(obj[k])) for k in first + sorted(k for k in obj if k not in TOP_KEYS))


def yaml_text(obj):
    return "" if obj is None else yaml_io.dump(canonical(obj))


def unified_diff(entry):
    """Unified diff text of one change set entry (values already redacted)."""
    before, after = yaml_text(entry.before), yaml_text(entry.after)
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), "live/" + entry.subject, "desired/" + entry.subject)
    return "".join(lines)


def ansible_diff(changeset):
    """Ansible diff mode data: one before/after pair per written (or to-be-written) object."""
    out = []
    for entry in changeset.entries if changeset else ():
        if entry.before is None and entry.after is None:
            continue
        out.append(
            {
                "before_header": entry.subject,
                "after_header": entry.subject,
                "before": yaml_text(entry.before),
                "after": yaml_text(entry.after),
            }
        )
    return out


def object_rows(changeset, with_diff=False):
    rows = []
    for entry in changeset.entries if changeset else ():
        row = {"id": entry.subject, "action": entry.action, "status": entry.status}
        if entry.reason:
            row["reason"] = entry.reason
        if with_diff and (entry.before is not None or entry.after is not None):
            row["diff"] = unified_diff(entry)
        rows.append(row)
    return rows


def changeset_result(changeset):
    """changed, summary and per-action id lists of a change set."""
    summary = changeset.summary() if changeset else {}
    return {
        "changed": bool(changeset and changeset.changed),
        "summary": summary,
        "created": changeset.by_action("created") if changeset else [],
        "configured": changeset.by_action("configured") if changeset else [],
        "pruned": changeset.by_action("pruned") if changeset else [],
    }


def outcome_result(outcome, with_diff):
    """Result of one Application reconcile. Its warnings go to Ansible's warning list
    (printed once for the task, named by Application), not into the result: with
    all=true the results are nested rows Ansible would never print, and a ``warnings``
    key passed to exit_json is deprecated."""
    result = changeset_result(outcome.changeset)
    result.update(
        {
            "application": outcome.app,
            "revision": outcome.revision,
            "sync_status": outcome.sync_status,
            "health_status": outcome.health.status if outcome.health else UNKNOWN,
            "health_message": outcome.health.message if outcome.health else "",
            "synced": outcome.synced,
            "deleted": outcome.deleted,
            "reason": outcome.reason,
            "objects": object_rows(outcome.changeset),
            "status": outcome.status,
            "duration": round(outcome.duration, 3),
            "requests": dict(outcome.requests),
            "hooks": list(outcome.hooks),
            "triggers": list(outcome.triggers),
        }
    )
    # recording status is bookkeeping, not a change to the managed objects: it does not
    # make the task changed (so idempotence holds while health moves on)
    result["status_updated"] = outcome.status_written
    for warning in outcome.warnings:  # a held lock, a shared object
        warn("%s: %s" % (outcome.app, warning))
    if outcome.lock_holder:
        result["lock_held_by"] = outcome.lock_holder  # nothing synced: the summary says so instead of counts
    if outcome.error is not None:
        result["error"] = str(outcome.error)
        result["error_step"] = outcome.error.step
    if with_diff:
        result["diff"] = ansible_diff(outcome.changeset)
    return result


# What an all=true run's rows leave out unless asked for (diff mode, or -vv): per object,
# the same for every object of an Application in sync; the counts stay (RV(summary)).
PER_OBJECT_STATUS = ("inventory", "resources")  # status lists read whole with gitops.k8s.app_info include_inventory
FULL_ROWS_VERBOSITY = 2


def _worth_listing(row):
    """An object row that says more than "unchanged, in sync" (counted in RV(summary))."""
    return row.get("action") != UNCHANGED or row.get("status") != SYNCED or bool(row.get("reason")) or "diff" in row


def compact_row(row):
    """An all=true row in the size of what happened: its objects that were written, are out
    of sync or have something to say (the others only counted, in ``summary.unchanged``), and its
    status without the per-object lists (PER_OBJECT_STATUS). A new dict where it changes:
    the status may be shared with what the store recorded."""
    if not isinstance(row, dict):
        return row
    if isinstance(row.get("objects"), list):
        row["objects"] = [o for o in row["objects"] if not isinstance(o, dict) or _worth_listing(o)]
    status = row.get("status")
    if isinstance(status, dict) and any(key in status for key in PER_OBJECT_STATUS):
        row["status"] = dict((key, value) for key, value in status.items() if key not in PER_OBJECT_STATUS)
    return row


def compact_run(result):
    """An all=true ``result`` with each Application's row compacted (compact_row): the root's,
    the refreshed ones', every other; a no-op of 5,000 objects returned 1.9 MB otherwise."""
    for row in result.get("applications") or ():
        compact_row(row)
    compact_row(result.get("root"))
    for row in (result.get("refreshed") or {}).values():
        compact_row(row)
    return result


REFRESHED_FIELDS = ("health_status", "health_message", "status", "status_updated", "error", "error_step")


def refreshed_fields(result):
    """What an Application's evaluation again at the end of an all=true run (no sync: its
    children reported health meanwhile) changes in its row."""
    return dict((key, result[key]) for key in REFRESHED_FIELDS if key in result)


def merge_refreshed(row, again, fields):
    """``row`` (the Application's result in this run) with its evaluation ``again``: the
    health and status of the evaluation, the writes and counts of the reconcile, the
    requests and time of both."""
    status_updated = row.get("status_updated") or fields.get("status_updated")
    row.update(fields)
    row["status_updated"] = bool(status_updated)
    row["duration"] = round(row.get("duration", 0) + again.get("duration", 0), 3)
    requests = dict(row.get("requests") or {})
    for verb, count in (again.get("requests") or {}).items():
        requests[verb] = requests.get(verb, 0) + count
    row["requests"] = requests
    return row


def warn_unsupported(warnings):
    """An Ansible warning for each thing the objects ask for that is not carried out (a
    standalone sync has no Application to hold the condition)."""
    for warning in warnings:
        warn("%s: %s" % (UNSUPPORTED_WARNING, warning))
