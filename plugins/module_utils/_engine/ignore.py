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
    """Pointers (token lists) of every rule matching an ObjectId."""
    out = []
    for rule in rules or ():
        if (rule.get("group") or "") != oid.group or rule.get("kind") != oid.kind:
            continue
        if rule.get("name") and rule["name"] != oid.name:
            continue
        if rule.get("namespace") and rule["namespace"] != oid.namespace:
            continue
        out.extend(parse_pointer(p) for p in rule.get("jsonPointers") or ())
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


def prune_fields_tree(fields, pointers):
    """Copy of a managedFields fieldsV1 tree without the ignored field paths (a pointer
    into a list drops that whole list: keyed items cannot be matched by index)."""
    if not pointers:
        return fields
    out = copy.deepcopy(fields)
    for tokens in pointers:
        node = out
        for idx, token in enumerate(tokens):
            key = "f:" + token
            if key not in node:
                break
            if idx == len(tokens) - 1 or (idx + 1 < len(tokens) and tokens[idx + 1].isdigit()):
                node.pop(key)
                break
            node = node[key]
    return out
