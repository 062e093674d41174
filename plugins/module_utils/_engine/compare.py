# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cheap, pure drift detection between a desired and a live object.

A desired object is in sync when
1. every field it sets has the same value in the live object (server defaults and
   fields other managers own are ignored; list items are matched by merge key;
   quantities are compared by value), and
2. every field our field manager owns in the live object's managedFields is still
   set by the desired object (otherwise server-side apply would remove it).

This check has no false negatives for objects we applied before; when it suspects
drift, the caller confirms with a server-side dry-run apply (see sync.py), so server
defaults never show up as drift.
"""

from __future__ import annotations

import base64
import copy
import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine import ignore, quantity
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.json_copy import json_copy

# Merge keys of the common keyed lists (strategic merge / SSA list-map keys).
MERGE_KEYS = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "conditions": ("type",),
    "ports": ("containerPort", "port"),
    "topologySpreadConstraints": ("topologyKey",),
    "resourceClaims": ("name",),
}

# Maps of opaque text (labels, annotations, ConfigMap and Secret data): a value is never a
# quantity (a ConfigMap key named `storage` changed from "1Gi" to "1024Mi" is a change), and
# an empty value is a value the server keeps (so adding one is a change).
TEXT_MAP_KEYS = frozenset(("labels", "annotations", "data", "stringData", "binaryData"))

# Metadata the server owns; never part of a comparison or a diff.
VOLATILE_METADATA = ("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid", "selfLink")


def _is_empty(value):
    return value is None or value == {} or value == [] or value == ""


def _merge_key(field, items):
    """The key to match the dict items of list ``field`` by, or None (positional)."""
    for key in MERGE_KEYS.get(field, ()) + ("name",):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _scalar_equal(desired, live, field, parent):
    if desired == live and type(desired) is type(live):
        return True
    if parent not in TEXT_MAP_KEYS and (field in quantity.QUANTITY_SCALAR_KEYS or parent in quantity.QUANTITY_MAP_KEYS):
        return quantity.equal(desired, live)
    if isinstance(desired, bool) or isinstance(live, bool):
        return False
    if isinstance(desired, (int, float)) and isinstance(live, (int, float)):
        return desired == live
    return False


def covers(desired, live, field="", parent=""):
    """True when ``live`` has every value ``desired`` sets (desired is a subset)."""
    if desired is None:
        return True
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return not desired
        for key, value in desired.items():
            if value is None:
                continue
            if key not in live or live[key] is None:
                if _is_empty(value) and field not in TEXT_MAP_KEYS:
                    continue
                return False
            if not covers(value, live[key], key, field):
                return False
        return True
    if isinstance(desired, list):
        if not isinstance(live, list):
            return not desired
        return _list_covers(desired, live, field)
    return _scalar_equal(desired, live, field, parent)


def _list_covers(desired, live, field):
    key = _merge_key(field, desired)
    if key is None:
        if len(desired) != len(live):
            return False
        return all(covers(d, l_item, field, field) for d, l_item in zip(desired, live))
    for item in desired:
        candidates = [li for li in live if isinstance(li, dict) and li.get(key) == item[key]]
        if not any(covers(item, c, field, field) for c in candidates):
            return False
    return True


# --- managedFields -------------------------------------------------------------------


def owned_fields(live, manager=FIELD_MANAGER):
    """Merged fieldsV1 trees of our manager's Apply entries in live managedFields."""
    merged = {}
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            _merge_tree(merged, entry.get("fieldsV1") or {})
    return merged


def _merge_tree(into, tree):
    for key, sub in tree.items():
        if isinstance(sub, dict):
            _merge_tree(into.setdefault(key, {}), sub)
        else:
            into.setdefault(key, {})


# Defaults the server fills into list-map keys (a desired port without protocol is TCP).
KEY_DEFAULTS = {"protocol": "TCP"}


def _item_matches(item, wanted):
    """Whether a desired list item is the one a managedFields key (k:{...}) names."""
    if not isinstance(item, dict):
        return False
    for key, value in wanted.items():
        mine = item.get(key, KEY_DEFAULTS.get(key))
        if mine is not None and mine != value and str(mine) != str(value):
            return False
    return any(key in item for key in wanted)


def _owned_child(kind, raw, desired):
    """(pointer token, desired value) of one managedFields key (f:, k: or i:) in desired;
    the value is None when desired does not set it."""
    if kind == "f":
        return raw, desired.get(raw) if isinstance(desired, dict) else None
    if not isinstance(desired, list):
        return None, None
    if kind == "k":
        wanted = json.loads(raw)
        for index, item in enumerate(desired):
            if _item_matches(item, wanted):
                return str(index), item
        return None, None
    return raw, desired[int(raw)] if int(raw) < len(desired) else None


def missing_owned(fields, desired, path="", ignored=frozenset(), at=()):
    """First path we own in the live object that desired no longer sets, or None.

    Server-side apply deletes such a field, so its absence is drift. ``ignored`` holds
    ignoreDifferences pointers (token tuples) read against desired's own positions:
    ``/spec/containers/0/image`` skips the image of the container desired lists first,
    and a removal anywhere else in that list is still found."""
    for key, sub in fields.items():
        kind, _sep, raw = key.partition(":")
        if kind == "v":
            if not isinstance(desired, list) or json.loads(raw) not in desired:
                return "%s[=%s]" % (path, raw)
            continue
        if kind not in ("f", "k", "i"):
            continue
        token, child = _owned_child(kind, raw, desired)
        if token is not None and at + (token,) in ignored:
            continue
        where = path + "." + raw if kind == "f" else "%s[%s]" % (path, raw)
        if child is None:
            return where
        found = missing_owned(sub, child, where, ignored, at + (token,))
        if found:
            return found
    return None


# --- normalisation -------------------------------------------------------------------


def normalize_desired(desired):
    """Copy of desired in the shape the server stores it.

    Secret stringData is write-only: the server merges it into data (base64).
    xref: https://github.com/kubernetes/kubernetes/issues/108008
    """
    obj = copy.deepcopy(desired)
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1" and isinstance(obj.get("stringData"), dict):
        data = obj.setdefault("data", {}) or {}
        for key, value in obj.pop("stringData").items():
            text = value if isinstance(value, str) else str(value)
            data[key] = base64.b64encode(text.encode("utf-8")).decode("ascii")
        obj["data"] = data
    return obj


POD_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def fill_list_keys(obj):
    """Set ``protocol: TCP`` on Service and container ports that omit it (in place).

    Server-side apply on Kubernetes < 1.22 rejects a port without protocol: "associative
    list with keys has an element that omits key field protocol". TCP is the default
    the server would set anyway, so adding it changes nothing else.
    xref: https://github.com/kubernetes/kubernetes/issues/103544
    """
    if obj.get("kind") == "Service" and isinstance((obj.get("spec") or {}).get("ports"), list):
        _default_protocol(obj["spec"]["ports"])
    _fill_containers(obj.get("spec"))
    return obj


def _default_protocol(ports):
    for port in ports:
        if isinstance(port, dict) and "protocol" not in port:
            port["protocol"] = KEY_DEFAULTS["protocol"]


def _fill_containers(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in POD_CONTAINER_LISTS and isinstance(value, list):
                for container in value:
                    if isinstance(container, dict) and isinstance(container.get("ports"), list):
                        _default_protocol(container["ports"])
            elif isinstance(value, (dict, list)):
                _fill_containers(value)
    elif isinstance(node, list):
        for item in node:
            _fill_containers(item)


def strip_volatile(obj, keep_status=True):
    """Copy of a live object without server bookkeeping (for equality and diffs)."""
    out = json_copy(obj)  # an object the API server returned: JSON, nothing shared
    meta = out.get("metadata") or {}
    for key in VOLATILE_METADATA:
        meta.pop(key, None)
    if not keep_status:
        out.pop("status", None)
    return out


def suspect_drift(desired, live, manager=FIELD_MANAGER, pointers=()):
    """Reason to suspect drift between desired and live, or None when in sync.

    ``pointers`` (token lists, see ignore.py) are left out of the comparison."""
    if live is None:
        return "missing"
    normalized = normalize_desired(desired)
    if not covers(ignore.remove_pointers(normalized, pointers), ignore.remove_pointers(live, pointers)):
        return "fields differ"
    if isinstance(desired.get("stringData"), dict):
        normalized["stringData"] = desired["stringData"]
    missing = missing_owned(owned_fields(live, manager), normalized, ignored=frozenset(tuple(p) for p in pointers))
    if missing:
        return "field %s removed from desired state" % missing.lstrip(".")
    return None


def same_object(predicted, live, pointers=()):
    """True when a dry-run result equals the live object (nothing would change)."""
    return ignore.remove_pointers(strip_volatile(predicted), pointers) == ignore.remove_pointers(strip_volatile(live), pointers)
