# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A LIST response body decoded item by item, each item kept or dropped as it is decoded.

``json.loads`` of a LIST builds every item before the caller can drop any: a LIST across
namespaces from the watch cache is one answer (the API server ignores ``limit`` there),
and most of its objects may be no Application's. Here the top-level object is walked key
by key and the ``items`` array element by element (the standard library's decoder reads
each value), so only the items ``keep`` returns are ever held together, and equal keys
and short strings of different items are one string object.
"""

from __future__ import annotations

import json
import re

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# Strings up to this long are shared between the kept items of one answer (keys, kinds,
# namespaces, managers...): the decoder shares equal keys only within the value it decodes.
SHARED_STRING_MAX = 64


def _shared(value, memo):
    """``value`` rebuilt with each key and short string the one equal string in ``memo``."""
    if isinstance(value, dict):
        return dict((memo.setdefault(k, k), _shared(v, memo)) for k, v in value.items())
    if isinstance(value, list):
        return [_shared(v, memo) for v in value]
    if isinstance(value, str) and len(value) <= SHARED_STRING_MAX:
        return memo.setdefault(value, value)
    return value


def _skip(text, at):
    return _SPACE.match(text, at).end()


def _expect(text, at, chars):
    """The position after whitespace, where one of ``chars`` must be; ValueError if not."""
    at = _skip(text, at)
    if at >= len(text) or text[at] not in chars:
        raise ValueError("malformed LIST response at character %d" % at)
    return at


def decode(text, keep):
    """{"metadata": ..., "items": [keep(item) of each item, None dropped], any other
    top-level key} of a LIST response body (str). ValueError when it is not one JSON object."""
    out = {}
    at = _expect(text, _expect(text, 0, "{") + 1, '"}')
    while text[at] != "}":
        key, at = _DECODER.raw_decode(text, at)
        at = _skip(text, _expect(text, at, ":") + 1)
        if key == "items" and text[at : at + 1] == "[":
            out[key], at = _items(text, at + 1, keep)
        else:
            out[key], at = _DECODER.raw_decode(text, at)
        at = _expect(text, at, ",}")
        if text[at] == ",":
            at = _expect(text, at + 1, '"')
    if _skip(text, at + 1) != len(text):
        raise ValueError("malformed LIST response: extra data at character %d" % (at + 1))
    return out


def _items(text, at, keep):
    items, memo = [], {}
    at = _skip(text, at)
    if text[at : at + 1] == "]":
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, _skip(text, at))
        item = keep(item)
        if item is not None:
            items.append(_shared(item, memo))
        at = _expect(text, at, ",]")
        if text[at] == "]":
            return items, at + 1
        at += 1
