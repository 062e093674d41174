# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's ``spec.source.helm.parameters`` turned into Helm values with helm's own rules.

Argo CD passes each parameter as ``--set name=value`` (``--set-string`` when
``forceString``), escaping the commas of a value unless it is a ``{a,b}`` list. A
parameter comes from a repository, so we do not put it on helm's command line: this
module parses it the way helm's ``strvals`` parser does (``a\\.b`` is one key,
``x[0]`` a list index, ``{a,b}`` a list, ``true``/``false``/``null``/integers typed
unless forced to a string; a backslash escapes the next character) and the result
goes into the values file we write, applied last. Helm applies every ``--set``
before every ``--set-string``; so do we. The unit tests compare every rule with the
real helm binary.

xref: https://github.com/helm/helm/blob/main/pkg/strvals/parser.go

Pure: dicts in, dicts out; errors are RenderError naming the parameter.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError

PARAMETERS_FIELD = "spec.source.helm.parameters"
# helm's limits (strvals.MaxIndex, MaxNestedNameLevel)
MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30
_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = 2**63 - 1


class _EOF(Exception):
    """The end of the parameter text (helm's io.EOF: not an error at the top level)."""


class _Reader:
    """The runes of ``text`` read one by one, ``\\`` escaping the next one."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def read(self):
        if self.pos >= len(self.text):
            return None
        char = self.text[self.pos]
        self.pos += 1
        return char

    def unread(self):
        self.pos -= 1

    def until(self, stop):
        """(runes, the stop rune or None at the end): helm's runesUntil."""
        out = []
        while True:
            char = self.read()
            if char is None:
                return "".join(out), None
            if char in stop:
                return "".join(out), char
            if char == "\\":
                char = self.read()
                if char is None:
                    return "".join(out), None
            out.append(char)


def typed(text, as_string):
    """helm's typedVal: booleans, null and int64 integers (not with a leading 0) unless
    the value is forced to a string."""
    if as_string:
        return text
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if text and text[0] != "0" and _INT64.fullmatch(text) and -_INT64_MAX - 1 <= int(text) <= _INT64_MAX:
        return int(text)
    return text


class _Parser:
    def __init__(self, text, as_string, literal=None):
        self.sc = _Reader(text)
        self.as_string = as_string
        self.literal = literal  # --set-file: the file's text is the value

    def parse(self, data):
        while True:
            try:
                self.key(data, 0)
            except _EOF:
                return

    def key(self, data, level):
        k, last = self.sc.until("=[,.")
        if last is None:
            if not k:
                raise _EOF()
            raise ValueError("key %r has no value" % k)
        if last == "[":
            index = self.index()
            current = data.get(k)
            data_set(data, k, self.list_item(current if isinstance(current, list) else [], index, level))
            return
        if last == "=":
            data_set(data, k, self.value())
            return
        if last == ",":
            data_set(data, k, "")
            raise ValueError("key %r has no value (cannot end with ,)" % k)
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise ValueError("value name nested level is greater than maximum supported nested level of %d" % MAX_NESTED_NAME_LEVEL)
        inner = data.get(k) if isinstance(data.get(k), dict) else {}
        try:
            self.key(inner, level)
        except _EOF:
            if inner:
                data_set(data, k, inner)
            raise
        if not inner:
            raise ValueError("key map %r has no value" % k)
        data_set(data, k, inner)

    def value(self):
        """The value after ``=``: a ``{a,b}`` list or a scalar up to the next ``,``."""
        first = self.sc.read()
        if first is None:
            return ""
        if first != "{" or self.literal is not None:
            self.sc.unread()
            text, _last = self.sc.until(",")
            return self.literal if self.literal is not None else typed(text, self.as_string)
        items = []
        while True:
            text, last = self.sc.until(",}")
            if last is None:
                raise ValueError("list must terminate with '}'")
            items.append(typed(text, self.as_string))
            if last == "}":
                if self.sc.read() not in (",", None):
                    self.sc.unread()
                return items

    def index(self):
        text, last = self.sc.until("]")
        if last is None:
            raise ValueError("list index of %r does not end with ']'" % text)
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError("list index %r is not a number" % text)
        return int(text)

    def list_item(self, items, index, level):
        if index < 0:
            raise ValueError("negative %d index not allowed" % index)
        rest, last = self.sc.until("[.=")
        if rest:
            raise ValueError("unexpected data at end of array index: %r" % rest)
        if last is None:
            raise _EOF()
        if last == "=":
            return set_index(items, index, self.value())
        if last == "[":
            nested = self.index()
            current = items[index] if index < len(items) and isinstance(items[index], list) else []
            return set_index(items, index, self.list_item(current, nested, level))
        inner = items[index] if index < len(items) and isinstance(items[index], dict) else {}
        try:
            self.key(inner, level)
        except _EOF:
            set_index(items, index, inner)
            raise
        return set_index(items, index, inner)


def data_set(data, key, value):
    """helm's set: an empty key sets nothing."""
    if key:
        data[key] = value


def set_index(items, index, value):
    if index < 0:
        raise ValueError("negative %d index not allowed" % index)
    if index > MAX_INDEX:
        raise ValueError("index of %d is greater than maximum supported index of %d" % (index, MAX_INDEX))
    if len(items) <= index:
        items.extend([None] * (index + 1 - len(items)))
    items[index] = value
    return items


def argo_escape(value):
    """The value as Argo CD hands it to ``--set``: unescaped commas escaped, except in a
    ``{a,b}`` list (Argo CD's cleanSetParameters)."""
    if value.startswith("{") and value.endswith("}"):
        return value
    out, previous = [], ""
    for char in value:
        out.append("\\," if char == "," and previous != "\\" else char)
        previous = char
    return "".join(out)


def parse_into(data, text, as_string=False):
    """Apply one ``--set`` (or ``--set-string``) argument ``text`` to ``data``; ValueError
    with helm's message when helm would refuse it."""
    _Parser(text, as_string).parse(data)


def apply_file_parameter(values, name, text, subject):
    """``values`` with ``name`` set to the string ``text`` (a file's content), as helm's
    ``--set-file name=path`` sets it; RenderError naming ``subject`` for a bad name."""
    out = copy.deepcopy(values)
    if not isinstance(name, str) or not name:
        raise RenderError("needs a name (a string)", subject=subject)
    try:
        _Parser("%s=file" % name, True, literal=text).parse(out)
    except ValueError as exc:
        raise RenderError("helm would refuse --set-file %s: %s" % (name[:60], exc), subject=subject) from exc
    return out


def apply_parameters(values, parameters, field=PARAMETERS_FIELD):
    """``values`` (not modified) with Argo CD ``parameters`` (``[{name, value,
    forceString}]``) applied as helm applies ``--set`` then ``--set-string``."""
    out = copy.deepcopy(values)
    if not isinstance(parameters, list):
        raise RenderError("must be a list of {name, value, forceString}", subject=field)
    checked = []
    for number, param in enumerate(parameters):
        subject = "%s[%d]" % (field, number)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str) or not param["name"]:
            raise RenderError("needs a name (a string)", subject=subject)
        value = param.get("value")
        value = "" if value is None else value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        checked.append((subject, param["name"], value, bool(param.get("forceString"))))
    for forced in (False, True):
        for subject, name, value, force in checked:
            if force != forced:
                continue
            try:
                parse_into(out, "%s=%s" % (name, argo_escape(value)), as_string=force)
            except ValueError as exc:
                raise RenderError("helm would refuse --set %s: %s" % (name[:60], exc), subject=subject) from exc
    return out
