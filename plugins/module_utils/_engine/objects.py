# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Object identity: one way to name and print a Kubernetes object.

An object is identified by (group, kind, namespace, name); its version is carried
beside the id (the same object may be served at several versions). Every message,
result and inventory entry prints an id as ``Kind/namespace/name`` (cluster-scoped:
``Kind/name``).
"""

from __future__ import annotations

from dataclasses import dataclass


def split_api_version(api_version):
    """Return (group, version) of an apiVersion; the core group is ''."""
    if not api_version:
        return "", ""
    if "/" in api_version:
        group, version = api_version.split("/", 1)
        return group, version
    return "", api_version


def join_api_version(group, version):
    return "%s/%s" % (group, version) if group else version


@dataclass(frozen=True, order=True)
class ObjectId:
    """Identity of one object. Sorts by group, kind, namespace, name."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self):
        return format_id(self.kind, self.namespace, self.name)


def format_id(kind, namespace, name):
    """The one printed form of an object id."""
    if namespace:
        return "%s/%s/%s" % (kind, namespace, name)
    return "%s/%s" % (kind, name)


def object_id(obj):
    """ObjectId of a manifest dict (missing parts become '')."""
    meta = obj.get("metadata") or {}
    group, _version = split_api_version(obj.get("apiVersion") or "")
    return ObjectId(group, obj.get("kind") or "", meta.get("namespace") or "", meta.get("name") or "")


def describe(obj):
    """Printed id of a manifest dict."""
    return str(object_id(obj))


def annotations(obj):  # type: ignore[no-redef]  # the name __future__ "annotations" also binds
    """The annotations of an object ({} when it has none)."""
    return ((obj.get("metadata") or {}).get("annotations")) or {}
