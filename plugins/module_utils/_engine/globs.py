# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Glob patterns as Argo CD matches them in AppProjects (gobwas/glob and Go's filepath.Match).

A Project written for Argo CD must allow and deny exactly what it does there, so the
syntax is Argo CD's, not Python's fnmatch: ``*`` any run of characters except a
separator, ``**`` any run including separators, ``?`` one character except a separator,
``[abc]`` / ``[a-z]`` / ``[!abc]`` / ``[^abc]`` a class, ``{a,b}`` alternatives and ``\\``
an escape. Source repositories are matched with ``/`` as separator (``https://git.example/team/*``
does not match ``https://git.example/team/sub/repo``); namespaces, servers and names
without one. A pattern that does not compile matches nothing (as in Argo CD).
"""

from __future__ import annotations

import functools
import re

DENY = "!"


def is_deny(pattern):
    """``!pattern``: a negation (sourceRepos and destinations)."""
    return str(pattern).startswith(DENY)


def _class(pattern, i):
    """(regex of the class starting at pattern[i] == '[', index after it); ValueError if unclosed."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    if negate:
        j += 1
    body = []
    while j < len(pattern) and (pattern[j] != "]" or not body):
        char = pattern[j]
        if char == "\\" and j + 1 < len(pattern):
            j += 1
            body.append(re.escape(pattern[j]))
        elif char == "-" and body and j + 1 < len(pattern) and pattern[j + 1] != "]":
            body.append("-")  # a range
        else:
            body.append(re.escape(char))
        j += 1
    if j >= len(pattern) or not body:
        raise ValueError("unclosed class")
    return ("[^" if negate else "[") + "".join(body) + "]", j + 1


def _translate(pattern, separators, depth=0):
    """Regex text of a glob; ValueError when it does not compile."""
    single = "[^%s]" % re.escape(separators) if separators else "."
    out, i, n = [], 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append(single + "*")
                i += 1
            continue
        if char == "?":
            out.append(single)
        elif char == "[":
            text, i = _class(pattern, i)
            out.append(text)
            continue
        elif char == "{" and depth < 4:
            close, level = i + 1, 1
            while close < n and level:
                level += {"{": 1, "}": -1}.get(pattern[close], 0)
                close += 1
            if level:
                raise ValueError("unclosed {")
            parts = _split_alternatives(pattern[i + 1 : close - 1])
            out.append("(?:" + "|".join(_translate(p, separators, depth + 1) for p in parts) + ")")
            i = close
            continue
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _split_alternatives(body):
    parts, level, current = [], 0, []
    for char in body:
        if char == "," and level == 0:
            parts.append("".join(current))
            current = []
            continue
        level += {"{": 1, "}": -1}.get(char, 0)
        current.append(char)
    parts.append("".join(current))
    return parts


@functools.lru_cache(maxsize=1024)
def _compiled(pattern, separators):
    """The compiled regex of a glob, None when it does not compile (a project's few
    patterns are matched against every object of a sync: translated once)."""
    try:
        return re.compile(_translate(pattern, separators), re.DOTALL)
    except ValueError:
        return None


def match(pattern, value, separators=""):
    """Whether ``value`` matches the glob ``pattern`` (no negation here)."""
    regex = _compiled(str(pattern), separators)
    return regex is not None and regex.fullmatch(str(value)) is not None


def match_allowing_negation(pattern, value, separators=""):
    """Argo CD's globMatch: ``*`` matches everything, ``!p`` matches what ``p`` does not."""
    pattern = str(pattern)
    if is_deny(pattern):
        return not match(pattern[1:], value, separators)
    if pattern == "*":
        return True
    return match(pattern, value, separators)
