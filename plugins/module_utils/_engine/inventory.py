# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory: the exact set of objects an Application applied.

It is stored in the Application status and is the only input of pruning:
stale = previous inventory minus current desired set (never a label scan).
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import ObjectId, format_id, join_api_version


@dataclass(frozen=True, order=True)
class Entry:
    """One inventory entry: identity plus the version it was applied at."""

    group: str
    kind: str
    namespace: str
    name: str
    version: str

    @property
    def id(self):
        return ObjectId(self.group, self.kind, self.namespace, self.name)

    @property
    def api_version(self):
        return join_api_version(self.group, self.version)

    def __str__(self):
        return format_id(self.kind, self.namespace, self.name)

    def to_dict(self):
        return {"group": self.group, "version": self.version, "kind": self.kind, "namespace": self.namespace, "name": self.name}


def entry_of(obj):
    """Inventory entry of a (prepared) manifest."""
    api_version = obj.get("apiVersion") or ""
    group, version = api_version.split("/", 1) if "/" in api_version else ("", api_version)
    meta = obj.get("metadata") or {}
    return Entry(group, obj.get("kind") or "", meta.get("namespace") or "", meta.get("name") or "", version)


def from_status(items):
    """Inventory from the list stored in an Application status; raises on garbage."""
    out = []
    for item in items or []:
        if not isinstance(item, dict) or not item.get("kind") or not item.get("name") or not item.get("version"):
            raise GitOpsError("invalid inventory entry in Application status: %r" % (item,))
        out.append(Entry(item.get("group") or "", item["kind"], item.get("namespace") or "", item["name"], item["version"]))
    return tuple(sorted(set(out)))


def to_status(entries):
    return [e.to_dict() for e in sorted(set(entries))]


def stale(previous, current):
    """Entries of previous whose object id is not in current (version changes are not stale)."""
    current_ids = set(e.id for e in current)
    return tuple(e for e in sorted(set(previous)) if e.id not in current_ids)
