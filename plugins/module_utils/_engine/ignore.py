# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ignoreDifferences: fields excluded from drift detection (Argo CD's jsonPointers).

A rule matches by group, kind and optionally name/namespace; its JSON pointers
(RFC 6901) are removed from both sides before comparing.
"""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError


def parse_pointer(pointer):
    """RFC 6901 pointer to a list of tokens."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise GitOpsError("invalid JSON pointer %r in ignoreDifferences (must start with '/')" % (pointer,))
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def rules_for(rules, oid):
    """Pointers (token lists) of every rule matching an ObjectId.

    A Secret's ``stringData`` is write-only: the server stores it in ``data``, so a key of
    either is one field, and a pointer into ``/data`` or ``/stringData`` covers both."""
    out = []
    for rule in rules or ():
        if (rule.get("group") or "") != oid.group or rule.get("kind") != oid.kind:
            continue
        if rule.get("name") and rule["name"] != oid.name:
            continue
        if rule.get("namespace") and rule["namespace"] != oid.namespace:
            continue
        out.extend(parse_pointer(p) for p in rule.get("jsonPointers") or ())
    if oid.kind == "Secret" and oid.group == "":
        twins = {"data": "stringData", "stringData": "data"}
        out.extend([twins[p[0]]] + p[1:] for p in list(out) if p[0] in twins)
    return out


def remove_pointers(obj, pointers):
    """Copy of obj without the fields at pointers (missing paths are fine)."""
    if not pointers or obj is None:
        return obj
    out = copy.deepcopy(obj)
    for tokens in pointers:
        _remove(out, tokens)
    return out


def _remove(node, tokens):
    for token in tokens[:-1]:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return
    last = tokens[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node.pop(int(last))
