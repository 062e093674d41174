# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON merge patch (RFC 7386) that turns one document into another.

A merge patch merges maps key by key: a key it leaves out is kept, ``null`` removes it,
anything else replaces it (lists whole). Replacing a map whose keys went away therefore
needs a ``null`` for each of them, at every depth: ``{"health": {"status": "Healthy"}}``
sent over ``{"health": {"status": "Progressing", "message": "..."}}`` keeps the message.
Pure: plain dicts in, a plain dict out.
"""

from __future__ import annotations


def between(old, new):
    """The merge patch that turns the map ``old`` into the map ``new``: only what differs,
    ``None`` for every key (at any depth) ``new`` no longer has; ``{}`` when they are equal.
    ``new`` must hold no ``None`` values (a merge patch cannot store a null)."""
    old = old if isinstance(old, dict) else {}
    patch = {}
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            inner = between(before, value)
            if inner:
                patch[key] = inner
        elif value != before or key not in old:
            patch[key] = value
    for key in old:
        if key not in new:
            patch[key] = None
    return patch
