# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSet templating: Argo CD's ``{{param}}`` and a safe subset of Go templates.

The text comes from a repository, so nothing of it is ever evaluated as Python or Jinja:
this module is a small interpreter of its own.

- ``goTemplate: false`` (fasttemplate): ``{{ name }}`` is replaced by the string parameter
  ``name`` (spaces around it trimmed); an unknown name, or a value that is not a string,
  is left as it was written. A string is templated only when one of its lines holds
  ``{{`` then ``}}``; an opening ``{{`` with no closing ``}}`` after it is an error.
- ``goTemplate: true``: actions ``{{ pipeline }}`` (``{{-`` and ``-}}`` trim spaces)
  whose commands are fields (``.path.basename``, ``.``), string/number/boolean literals,
  parenthesized pipelines and the functions of FUNCTIONS; a pipeline's value is the last
  argument of the next command. Output is printed as Go prints it (``<no value>`` for a
  missing key, numbers as ``%v``). ``goTemplateOptions``: ``missingkey=default|invalid|
  zero|error``. Anything else (``if``, ``range``, ``with``, variables, other functions)
  is a TemplateError naming the expression.
"""

from __future__ import annotations

import decimal
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

NO_VALUE = "<no value>"
_TEMPLATED = re.compile(r"\{\{.*\}\}")  # Argo CD's test: {{ and }} on one line
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_KEYWORDS = ("if", "else", "end", "range", "with", "define", "template", "block", "break", "continue")
_DNS_INVALID = re.compile(r"[^-a-z0-9.]")
MISSING_KEY_OPTIONS = ("missingkey=default", "missingkey=invalid", "missingkey=zero", "missingkey=error")


class TemplateError(InvalidSpec):
    """A template outside the supported subset, or one that fails to execute."""


class _Missing:
    """A map key that is not there (Go prints it ``<no value>``)."""


MISSING = _Missing()


def sanitize_name(name):
    """Argo CD's ``normalize`` (SanitizeName): lower case, invalid DNS characters to ``-``,
    at most 253 characters, no leading or trailing ``-`` or ``.``."""
    name = _DNS_INVALID.sub("-", str(name).lower())[:253]
    return name.strip("-.")


def go_string(value):
    """A value printed as Go's fmt ``%v`` prints it (what Argo CD puts in a parameter)."""
    if value is None or value is MISSING:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _go_float(value)
    if isinstance(value, list):
        return "[%s]" % " ".join(go_string(v) for v in value)
    if isinstance(value, dict):
        return "map[%s]" % " ".join("%s:%s" % (k, go_string(value[k])) for k in sorted(value))
    return str(value)


def _go_float(value):
    # numbers read from JSON or YAML are float64 in Argo CD; %v is %g with exponent threshold 21
    try:
        number = decimal.Decimal(repr(float(value)))
    except (OverflowError, decimal.InvalidOperation):
        return str(value)
    if number.is_nan():
        return "NaN"
    if number.is_infinite():
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "-0" if str(number).startswith("-") else "0"
    exponent = number.adjusted()
    if exponent < -4 or exponent >= 21:
        sign, digits, _exp = number.normalize().as_tuple()
        mantissa = str(digits[0]) + ("." + "".join(str(d) for d in digits[1:]) if len(digits) > 1 else "")
        return "%s%se%s%02d" % ("-" if sign else "", mantissa, "-" if exponent < 0 else "+", abs(exponent))
    text = format(number.normalize(), "f")
    return text


# fasttemplate


def replace_fast(text, params):
    """Argo CD's fasttemplate replacement of one string."""
    if not _TEMPLATED.search(text):
        return text
    out, pos = [], 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        end = text.find("}}", start + 2)
        if end < 0:
            raise TemplateError("invalid template %r: cannot find end tag '}}'" % text)
        out.append(text[pos:start])
        tag = text[start + 2 : end]
        value = params.get(tag.strip())
        out.append(value if tag.strip() and isinstance(value, str) else "{{%s}}" % tag)
        pos = end + 2


# Go templates: parse


def _lex(expr, where):
    """Tokens of one action: (kind, value) with kinds field, ident, str, num, (, ), |."""
    tokens, i = [], 0
    while i < len(expr):
        c = expr[i]
        if c in " \t\r\n":
            i += 1
        elif c in "()|":
            tokens.append((c, c))
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < len(expr) and expr[j] != '"':
                if expr[j] == "\\" and j + 1 < len(expr):
                    esc = expr[j + 1]
                    buf.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}.get(esc, "\\" + esc))
                    j += 2
                    continue
                buf.append(expr[j])
                j += 1
            if j >= len(expr):
                raise TemplateError("unterminated quoted string in %s" % where)
            tokens.append(("str", "".join(buf)))
            i = j + 1
        elif c == "`":
            j = expr.find("`", i + 1)
            if j < 0:
                raise TemplateError("unterminated raw string in %s" % where)
            tokens.append(("str", expr[i + 1 : j]))
            i = j + 1
        elif c == ".":
            m = re.compile(r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+").match(expr, i)
            if m:
                tokens.append(("field", tuple(m.group(0)[1:].split("."))))
                i = m.end()
            elif i + 1 < len(expr) and expr[i + 1].isdigit():
                m = _NUMBER.match(expr, i)
                tokens.append(("num", m.group(0)))
                i = m.end()
            else:
                tokens.append(("field", ()))
                i += 1
        elif c.isdigit() or (c in "+-" and i + 1 < len(expr) and expr[i + 1].isdigit()):
            m = _NUMBER.match(expr, i)
            tokens.append(("num", m.group(0)))
            i = m.end()
        elif _IDENT.match(expr, i):
            m = _IDENT.match(expr, i)
            word = m.group(0)
            if word in _KEYWORDS:
                raise TemplateError("%r is not supported (only expressions, no %s blocks) in %s" % (word, word, where))
            tokens.append(("ident", word))
            i = m.end()
        elif c == "$":
            raise TemplateError("variables ($) are not supported in %s" % where)
        else:
            raise TemplateError("unexpected %r in %s" % (c, where))
    return tokens


def _parse_pipeline(tokens, pos, where, closing=None):
    """[command, ...] and the next position; a command is a list of operands."""
    commands, current = [], []
    while pos < len(tokens):
        kind, value = tokens[pos]
        if kind == ")":
            if closing != ")":
                raise TemplateError("unexpected ')' in %s" % where)
            break
        if kind == "|":
            if not current:
                raise TemplateError("missing command before '|' in %s" % where)
            commands.append(current)
            current = []
            pos += 1
            continue
        if kind == "(":
            inner, pos = _parse_pipeline(tokens, pos + 1, where, ")")
            if pos >= len(tokens):
                raise TemplateError("unclosed '(' in %s" % where)
            current.append(("pipe", inner))
            pos += 1
            continue
        current.append((kind, value))
        pos += 1
    if not current:
        raise TemplateError("missing value in %s" % where)
    commands.append(current)
    return commands, pos


def parse_go(text, where):
    """The parts of a Go template: literal strings and parsed pipelines, trims applied."""
    parts, pos = [], 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            parts.append(text[pos:])
            break
        literal = text[pos:start]
        inner_start = start + 2
        if text.startswith("- ", inner_start) or text.startswith("-\t", inner_start) or text.startswith("-\n", inner_start):
            literal = literal.rstrip(" \t\r\n")
            inner_start += 1
        parts.append(literal)
        end = _action_end(text, inner_start, where)
        inner = text[inner_start:end]
        after = end + 2
        trim_right = False
        if inner.endswith(" -") or inner.endswith("\t-") or inner.endswith("\n-"):
            inner, trim_right = inner[:-1], True
        stripped = inner.strip()
        if stripped.startswith("/*") and stripped.endswith("*/"):
            pipeline = None
        else:
            pipeline, _end = _parse_pipeline(_lex(inner, where), 0, where)
        parts.append(pipeline)
        pos = after
        if trim_right:
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    return parts


def _action_end(text, pos, where):
    """Index of the ``}}`` closing the action starting at ``pos`` (quotes skipped)."""
    quote = None
    while pos < len(text):
        c = text[pos]
        if quote:
            if c == "\\" and quote == '"':
                pos += 2
                continue
            if c == quote:
                quote = None
        elif c in '"`':
            quote = c
        elif text.startswith("}}", pos):
            return pos
        pos += 1
    raise TemplateError("unclosed action in %s" % where)


# Go templates: execute


def _empty(value):
    return value is None or value is MISSING or value is False or value == 0 and not isinstance(value, bool) or value in ("", [], {})


def _fn_default(where, *args):
    if len(args) != 2:
        raise TemplateError("default needs 2 arguments, got %d in %s" % (len(args), where))
    return args[0] if _empty(args[1]) else args[1]


def _fn_index(where, *args):
    if not args:
        raise TemplateError("index needs an argument in %s" % where)
    value = args[0]
    for key in args[1:]:
        if isinstance(value, list):
            if not isinstance(key, int) or isinstance(key, bool):
                raise TemplateError("cannot index a list with %r in %s" % (key, where))
            if not 0 <= key < len(value):
                raise TemplateError("error calling index: index out of range: %d in %s" % (key, where))
            value = value[key]
        elif isinstance(value, dict):
            value = value.get(key, MISSING) if isinstance(key, str) else MISSING
        elif value is None or value is MISSING:
            raise TemplateError("error calling index: index of untyped nil in %s" % where)
        else:
            raise TemplateError("error calling index: cannot index %s in %s" % (go_string(value), where))
    return value


def _go_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def _strings(name, count, where, args):
    """The arguments of a function taking ``count`` strings (Go refuses any other type)."""
    if len(args) != count:
        raise TemplateError("wrong number of args for %s: want %d got %d in %s" % (name, count, len(args), where))
    for arg in args:
        if arg is None or arg is MISSING:
            raise TemplateError("error calling %s: invalid value; expected string in %s" % (name, where))
        if not isinstance(arg, str):
            raise TemplateError("error calling %s: wrong type for value; expected string; got %s in %s" % (name, _go_type(arg), where))
    return args


def _fn_lower(where, *args):
    return _strings("lower", 1, where, args)[0].lower()


def _fn_upper(where, *args):
    return _strings("upper", 1, where, args)[0].upper()


def _fn_normalize(where, *args):
    return sanitize_name(_strings("normalize", 1, where, args)[0])


def _fn_trim(where, *args):
    return _strings("trim", 1, where, args)[0].strip()  # Go's strings.TrimSpace


def _fn_trim_prefix(where, *args):
    prefix, text = _strings("trimPrefix", 2, where, args)
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _fn_trim_suffix(where, *args):
    suffix, text = _strings("trimSuffix", 2, where, args)
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _fn_replace(where, *args):
    old, new, text = _strings("replace", 3, where, args)
    return text.replace(old, new)


def _fn_to_string(where, *args):
    if len(args) != 1:
        raise TemplateError("wrong number of args for toString: want 1 got %d in %s" % (len(args), where))
    return "<nil>" if args[0] is None or args[0] is MISSING else go_string(args[0])


FUNCTIONS = {
    "default": _fn_default,
    "index": _fn_index,
    "lower": _fn_lower,
    "upper": _fn_upper,
    "normalize": _fn_normalize,
    "trim": _fn_trim,
    "trimPrefix": _fn_trim_prefix,
    "trimSuffix": _fn_trim_suffix,
    "replace": _fn_replace,
    "toString": _fn_to_string,
}


def _literal(kind, value, where):
    if kind == "str":
        return value
    if kind == "num":
        try:
            return int(value, 0)
        except ValueError:
            return float(value)
    if kind == "ident" and value in ("true", "false"):
        return value == "true"
    if kind == "ident" and value == "nil":
        raise TemplateError("nil is not a command in %s" % where)
    raise TemplateError("%r is not supported in %s" % (value, where))


class _Context:
    def __init__(self, data, missingkey, where):
        self.data = data
        self.missingkey = missingkey
        self.where = where

    def field(self, chain):
        value = self.data
        for name in chain:
            if isinstance(value, dict):
                if name in value:
                    value = value[name]
                elif self.missingkey == "error":
                    raise TemplateError('map has no entry for key "%s" in %s' % (name, self.where))
                else:
                    value = MISSING
            elif value is None or value is MISSING:
                raise TemplateError("nil pointer evaluating interface {}.%s in %s" % (name, self.where))
            else:
                raise TemplateError("can't evaluate field %s in %s" % (name, self.where))
        return value

    def operand(self, op):
        kind, value = op
        if kind == "field":
            return self.field(value)
        if kind == "pipe":
            return self.pipeline(value)
        return _literal(kind, value, self.where)

    def command(self, cmd, piped):
        kind, value = cmd[0]
        if kind == "ident" and value not in ("true", "false", "nil"):
            func = FUNCTIONS.get(value)
            if func is None:
                raise TemplateError('function "%s" not defined (supported: %s) in %s' % (value, ", ".join(sorted(FUNCTIONS)), self.where))
            args = [self.operand(op) for op in cmd[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            return func(self.where, *args)
        if len(cmd) > 1 or piped is not _NOTHING:
            raise TemplateError("can't give argument to non-function %s in %s" % (_show(cmd[0]), self.where))
        return self.operand(cmd[0])

    def pipeline(self, commands):
        value = _NOTHING
        for cmd in commands:
            value = self.command(cmd, value)
        return value


_NOTHING = object()


def _show(op):
    kind, value = op
    if kind == "field":
        return "." + ".".join(value)
    return str(value)


def missing_key_mode(options, where):
    """The ``missingkey`` mode of goTemplateOptions; other options are an error."""
    mode = "default"
    for option in options or ():
        if option not in MISSING_KEY_OPTIONS:
            raise TemplateError("goTemplateOptions %r is not supported (supported: %s) in %s" % (option, ", ".join(MISSING_KEY_OPTIONS), where))
        mode = option.split("=", 1)[1]
    return mode


def replace_go(text, params, missingkey, where):
    """One string executed as a Go template over ``params``."""
    ctx = _Context(params, missingkey, "%s (template %r)" % (where, text))
    out = []
    for part in parse_go(text, ctx.where):
        if isinstance(part, str):
            out.append(part)
        elif part is not None:
            value = ctx.pipeline(part)
            if value is MISSING and missingkey == "zero":
                value = None
            out.append(go_string(value))
    return "".join(out)


def replace(text, params, go_template, missingkey, where):
    """One string templated the way the ApplicationSet says."""
    if go_template:
        return replace_go(text, params, missingkey, where)
    return replace_fast(text, params)


def render(value, params, go_template, missingkey, where):
    """A copy of ``value`` with every string (and map key) templated, as Argo CD walks an
    Application template."""
    if isinstance(value, str):
        return replace(value, params, go_template, missingkey, where)
    if isinstance(value, list):
        return [render(v, params, go_template, missingkey, where) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            out[replace(key, params, go_template, missingkey, where) if isinstance(key, str) else key] = render(item, params, go_template, missingkey, where)
        return out
    return value
