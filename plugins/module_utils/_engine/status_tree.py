# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The app-of-apps tree: root Applications -> their child Applications -> objects, each
with its sync and health, from the Applications' status alone (what ``argocd app get``
prints). Pure: the rows are gitops.k8s.app_info's (``include_inventory``), and the text
lines are what the status playbook prints; status_page.py draws the same tree in HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_KIND, APP_UNKNOWN
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

MAX_DEPTH = 10  # as application.APP_MAX_DEPTH: a cycle of parents is cut, never followed


@dataclass(frozen=True)
class Node:
    """One Application of the tree with the objects it manages and its child Applications."""

    app: dict  # an app_info row
    children: tuple = ()

    @property
    def key(self):
        return "%s/%s" % (self.app.get("namespace") or "", self.app.get("name") or "")


def _key(row):
    return "%s/%s" % (row.get("namespace") or "", row.get("name") or "")


def build(rows):
    """The forest of Applications (roots first, by name); an Application whose parent is
    not among ``rows`` is a root of its own."""
    rows = sorted((r for r in rows or () if isinstance(r, dict)), key=_key)
    keys = set(_key(r) for r in rows)
    children = {}
    for row in rows:
        parent = row.get("parent") or ""
        if parent in keys and parent != _key(row):
            children.setdefault(parent, []).append(row)

    def node(row, depth, seen):
        below = () if depth >= MAX_DEPTH else tuple(node(c, depth + 1, seen | {_key(c)}) for c in children.get(_key(row), ()) if _key(c) not in seen)
        return Node(row, below)

    roots = [r for r in rows if (r.get("parent") or "") not in keys or r.get("parent") == _key(r)]
    return tuple(node(r, 0, {_key(r)}) for r in roots)


def objects_of(row):
    """(id, sync, health, requires pruning) of an Application's objects, child
    Applications left out (they are nodes of the tree)."""
    out = []
    for obj in row.get("objects") or ():
        if not isinstance(obj, dict) or obj.get("kind") == APP_KIND:
            continue
        subject = format_id(str(obj.get("kind") or ""), str(obj.get("namespace") or ""), str(obj.get("name") or ""))
        out.append((subject, str(obj.get("status") or APP_UNKNOWN), str((obj.get("health") or {}).get("status") or ""), bool(obj.get("requiresPruning"))))
    return out


def app_line(row):
    revision = (row.get("revision") or "")[:12] or "-"
    line = "%s/%s  %s  %s  %s" % (
        row.get("namespace") or "",
        row.get("name") or "",
        row.get("sync_status") or APP_UNKNOWN,
        row.get("health_status") or APP_UNKNOWN,
        revision,
    )
    if row.get("health_message"):
        line += "  %s" % row["health_message"]
    return line


def lines(rows):
    """The tree as indented text lines: one per Application and one per object."""
    out = []

    def walk(node, depth):
        pad = "  " * depth
        out.append(pad + app_line(node.app))
        for subject, sync, health, prune in objects_of(node.app):
            out.append("%s  - %s  %s  %s%s" % (pad, subject, sync, health or "-", "  (requires pruning)" if prune else ""))
        for child in node.children:
            walk(child, depth + 1)

    for root in build(rows):
        walk(root, 0)
    return out
