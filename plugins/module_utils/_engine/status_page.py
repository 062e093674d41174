# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status page: one self-contained HTML file (inline CSS, no script, no link to
anything) with the app-of-apps tree, sync and health in colour with their messages, each
Application's revision, conditions and last syncs (status.history, the hooks of the last
operation), and the diff of every object that is out of sync.

Everything shown comes from Git or the cluster and is untrusted: every text goes through
html.escape, and colours are CSS classes chosen from fixed tables, never from the input.
The diffs are the ones the reconcile or drift_info returned, already redacted
(redact.py: a Secret's values are salted hashes). The page is bounded (PAGE_LIMIT) so it
fits a ConfigMap: diffs are cut first, then dropped, saying so.
"""

from __future__ import annotations

import html

from ansible_collections.gitops.k8s.plugins.module_utils._engine import status_tree
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_OUT_OF_SYNC,
    APP_SYNCED,
    DEGRADED,
    HEALTH_MISSING,
    HEALTHY,
    MISSING,
    PROGRESSING,
    SUSPENDED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.messages import bounded
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

PAGE_LIMIT = 900_000  # characters; a ConfigMap holds at most 1 MiB
NOTE_ROOM = 1_000  # characters kept for the notes saying what was left out
FULL, PROBLEMS, NONE = 2, 1, 0  # how much of each Application a page too large for its bound shows
DIFF_LIMIT = 20_000  # characters of one object's diff
HISTORY_SHOWN = 5
SYNC_CLASSES = {APP_SYNCED: "ok", APP_OUT_OF_SYNC: "warn", MISSING: "warn", "Extra": "warn"}
HEALTH_CLASSES = {HEALTHY: "ok", PROGRESSING: "info", SUSPENDED: "muted", HEALTH_MISSING: "warn", DEGRADED: "bad"}
RESULT_CLASSES = {"Succeeded": "ok", "Failed": "bad", "Error": "bad", "Running": "info"}
DRIFTED = (APP_OUT_OF_SYNC, MISSING)

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin:1.2em 0 .3em}
.app{border:1px solid #ccc;border-radius:6px;padding:.6em .9em;margin:.6em 0}
.children{margin-left:1.6em}
.badge{display:inline-block;padding:0 .5em;border-radius:4px;font-weight:600;margin-right:.3em}
.ok{background:#d4f5dc;color:#0a5c22}.warn{background:#ffe7b3;color:#7a4a00}
.bad{background:#ffd6d6;color:#8a0d0d}.info{background:#d6e8ff;color:#0b3d80}
.muted{background:#eee;color:#555}
table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ddd;padding:.15em .5em;text-align:left}
tr.drift td{background:#fff4dc}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.5em;overflow:auto;white-space:pre-wrap}
.msg{color:#444}.note{color:#7a4a00}
.add{color:#0a5c22;background:#e6f7ea}.del{color:#8a0d0d;background:#fdeaea}
"""


def _e(value):
    return html.escape("" if value is None else str(value), quote=True)


def _badge(value, classes):
    return '<span class="badge %s">%s</span>' % (classes.get(value, "muted"), _e(value or "Unknown"))


def _application_of(result):
    """namespace/name of a gitops.k8s.app result, or of a drift_info result of a loop over
    app_info rows (its ``item``)."""
    if result.get("application"):
        return str(result["application"])
    item = result.get("item") if isinstance(result.get("item"), dict) else {}
    return "%s/%s" % (item.get("namespace") or "", item.get("name") or "")


def _diffs_by_app(results):
    """{namespace/name: [object row with a diff]} from gitops.k8s.app results (or
    drift_info results of a loop over app_info rows)."""
    out = {}
    for result in results or ():
        if not isinstance(result, dict):
            continue
        rows = [o for o in result.get("objects") or () if isinstance(o, dict) and o.get("diff") and o.get("status") in DRIFTED]
        if rows:
            out.setdefault(_application_of(result), []).extend(rows)
    return out


def _still_drifted(row, diff_rows):
    """The diffs of objects the Application's status still has out of sync: a diff the
    run carried out (selfHeal, a new revision) is history, not drift. Without per-object
    status (an Application not reconciled since) every diff is shown."""
    objects = status_tree.objects_of(row)
    if not objects:
        return list(diff_rows)
    drifted = set(subject for subject, sync, _health, prune in objects if sync in DRIFTED or prune)
    return [d for d in diff_rows if d.get("id") in drifted]


class _Budget:
    def __init__(self, limit):
        self.left = limit
        self.dropped = 0

    def take(self, text):
        if len(text) > self.left:
            self.dropped += 1
            return None
        self.left -= len(text)
        return text


def _table(title, headers, rows, row_classes=None):
    """A table of cells already escaped (or badges); '' without rows."""
    if not rows:
        return ""
    head = "<h2>%s</h2>" % _e(title) if title else ""
    lines = []
    for index, cells in enumerate(rows):
        cls = ' class="%s"' % row_classes[index] if row_classes and row_classes[index] else ""
        lines.append("<tr%s>%s</tr>" % (cls, "".join("<td>%s</td>" % c for c in cells)))
    return "%s<table><tr>%s</tr>%s</table>" % (head, "".join("<th>%s</th>" % _e(h) for h in headers), "".join(lines))


def _needs_attention(sync, health, prune):
    return sync in DRIFTED or prune or health not in (HEALTHY, "")


def _objects_table(row, detail):
    objects = status_tree.objects_of(row)
    if detail < FULL:  # a large page: only what needs attention
        objects = [o for o in objects if _needs_attention(o[1], o[2], o[3])] if detail == PROBLEMS else []
    rows = [
        (_e(subject), _badge(sync, SYNC_CLASSES) + (" requires pruning" if prune else ""), _badge(health, HEALTH_CLASSES) if health else "")
        for subject, sync, health, prune in objects
    ]
    drift = ["drift" if sync in DRIFTED or prune else "" for _subject, sync, _health, prune in objects]
    return _table("", ("object", "sync", "health"), rows, drift)


def _history(row):
    history = [h for h in row.get("history") or () if isinstance(h, dict)][:HISTORY_SHOWN]
    rows = [
        (
            _e(h.get("id")),
            _e(h.get("syncedAt")),
            _badge(h.get("result"), RESULT_CLASSES),
            _e((h.get("revision") or "")[:12]),
            _e("%s created, %s configured, %s pruned" % (h.get("created", 0), h.get("configured", 0), h.get("pruned", 0))),
        )
        for h in history
    ]
    return _table("last syncs", ("id", "at", "result", "revision", "objects"), rows)


def _hooks(row):
    hooks = [h for h in row.get("hooks") or () if isinstance(h, dict)]
    rows = [
        (
            _e(h.get("hookType")),
            _e(format_id(str(h.get("kind") or ""), str(h.get("namespace") or ""), str(h.get("name") or ""))),
            _badge(h.get("hookPhase"), RESULT_CLASSES),
            '<span class="msg">%s</span>' % _e(bounded(h.get("message"))),
        )
        for h in hooks
    ]
    return _table("hooks of the last sync", ("phase", "hook", "result", "message"), rows)


def _conditions(row):
    conditions = [c for c in row.get("conditions") or () if isinstance(c, dict)]
    return "".join('<div class="note">%s: %s</div>' % (_e(c.get("type")), _e(bounded(c.get("message")))) for c in conditions)


def _diff_lines(text):
    """Escaped diff text, added and removed lines in their colours."""
    out = []
    for line in text.splitlines(True):
        cls = "add" if line.startswith("+") and not line.startswith("+++") else "del" if line.startswith("-") and not line.startswith("---") else ""
        out.append('<span class="%s">%s</span>' % (cls, _e(line)) if cls else _e(line))
    return "".join(out)


def _diff_blocks(rows, budget):
    out = []
    for obj in rows:
        text = str(obj.get("diff"))
        if len(text) > DIFF_LIMIT:
            text = bounded(text, DIFF_LIMIT)
        block = budget.take('<h2>diff of %s (%s)</h2><pre class="diff">%s</pre>' % (_e(obj.get("id")), _e(obj.get("status")), _diff_lines(text)))
        if block is not None:
            out.append(block)
    return "".join(out)


def _app_html(node, diffs, budget, detail):
    row = node.app
    head = '<div class="app" id="app-%s"><strong class="name">%s</strong> %s %s <span class="rev">revision %s</span>' % (
        _e(node.key),
        _e(node.key),
        _badge(row.get("sync_status"), SYNC_CLASSES),
        _badge(row.get("health_status"), HEALTH_CLASSES),
        _e((row.get("revision") or "")[:12] or "-"),
    )
    parts = [head]
    if row.get("commit_subject"):
        parts.append(' <span class="subject">%s</span>' % _e(bounded(row["commit_subject"], 200)))
    if row.get("health_message"):
        parts.append('<div class="msg">%s</div>' % _e(bounded(row["health_message"])))
    parts.extend((_conditions(row), _objects_table(row, detail), _diff_blocks(_still_drifted(row, diffs.get(node.key, ())), budget)))
    if detail == FULL:
        parts.extend((_history(row), _hooks(row)))
    if node.children:
        parts.append('<div class="children">%s</div>' % "".join(_app_html(c, diffs, budget, detail) for c in node.children))
    parts.append("</div>")
    return "".join(parts)


def _page(rows, forest, diffs, budget, detail, generated, title):
    body = "".join(_app_html(node, diffs, budget, detail) for node in forest) or "<p>no Applications</p>"  # first: it counts what was dropped
    notes = []
    if detail < FULL:
        left_out = "synced and healthy objects, histories and hooks" if detail == PROBLEMS else "objects, histories and hooks"
        notes.append("%s are not listed: the page is limited to %d characters" % (left_out, PAGE_LIMIT))
    if budget.dropped:
        notes.append("%d diffs left out: the page is limited to %d characters" % (budget.dropped, PAGE_LIMIT))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<title>%s</title><style>%s</style></head><body><h1>%s</h1><p class="msg">%d Applications, as of %s</p>%s%s</body></html>\n'
        % (_e(title), CSS, _e(title), len(rows or ()), _e(generated), "".join('<p class="note">%s</p>' % _e(n) for n in notes), body)
    )


def render(rows, results=(), generated="", title="GitOps status"):
    """The page (a str) of the Applications ``rows`` (gitops.k8s.app_info rows with
    ``include_inventory``) with the diffs of ``results`` (gitops.k8s.app results, or
    drift_info results of a loop over the rows).

    At most PAGE_LIMIT characters: the tree without diffs is drawn first, in full or, when
    that is too large, with only the objects that need attention (then none); the diffs
    get what is left, in tree order, and those that do not fit are counted."""
    rows = list(rows or ())
    forest = status_tree.build(rows)
    for detail in (FULL, PROBLEMS, NONE):
        base = _page(rows, forest, {}, _Budget(0), detail, generated, title)
        if len(base) <= PAGE_LIMIT - NOTE_ROOM:
            break
    budget = _Budget(max(PAGE_LIMIT - NOTE_ROOM - len(base), 0))
    page = _page(rows, forest, _diffs_by_app(results), budget, detail, generated, title)
    if len(page) > PAGE_LIMIT:  # thousands of Applications: even their names do not fit
        page = bounded(page, PAGE_LIMIT - len("</body></html>\n")) + "</body></html>\n"
    return page
