# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small, safe condition language of an analysis (successCondition, failureCondition).

Argo Rollouts evaluates these with the expr language; a repository writes them, so here
they are parsed by a small recursive-descent parser into closures over one variable,
``result`` (a number for a scalar query, a list of numbers for a vector). Nothing is
ever passed to Python's eval or to a template engine. The language:

- numbers (``0.05``, ``1e-3``), ``true``, ``false``, ``result``;
- ``result[0]`` (index, negative counts from the end);
- ``len(x)``, ``isNaN(x)``, ``min(x)``, ``max(x)``, ``sum(x)`` (x a number or a list);
- ``+ - * /``, comparisons ``< <= > >= == !=`` (not chained);
- ``and`` / ``&&``, ``or`` / ``||``, ``not`` / ``!``, parentheses.

A malformed condition is an InvalidSpec when the spec is read; a condition that does not
fit the value measured (``result[0]`` of an empty vector, a list compared with a number)
raises ConditionError, which the analysis counts as an Error measurement.
"""

from __future__ import annotations

import math
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

MAX_LENGTH = 1000  # characters of one condition (the parser recurses per nesting level)
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*)|(<=|>=|==|!=|&&|\|\||[-+*/<>!()\[\],]))")
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


class ConditionError(Exception):
    """A condition cannot be evaluated on the value measured (an Error measurement)."""


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers(value, what):
    if _is_number(value):
        return [value]
    if isinstance(value, list):
        return value
    raise ConditionError("%s needs a number or a list, got %s" % (what, _kind(value)))


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list of %d value%s (index it: result[0])" % (len(value), "" if len(value) == 1 else "s")
    if _is_number(value):
        return "a number"
    return type(value).__name__


def _len(value):
    if isinstance(value, list):
        return len(value)
    raise ConditionError("len() needs a list, got %s" % _kind(value))


def _is_nan(value):
    if _is_number(value):
        return math.isnan(value)
    raise ConditionError("isNaN() needs a number, got %s" % _kind(value))


def _reduce(name, func):
    def call(value):
        values = _numbers(value, name + "()")
        if not values:
            raise ConditionError("%s() of an empty list" % name)
        return func(values)

    return call


_FUNCTIONS = {"len": _len, "isNaN": _is_nan, "min": _reduce("min", min), "max": _reduce("max", max), "sum": _reduce("sum", math.fsum)}


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError("unexpected %r at character %d" % (text[pos:].strip()[:10], pos + 1))
        number, name, op = match.groups()
        out.append(("num", float(number) if any(c in number for c in ".eE") else int(number)) if number else ("name", name) if name else ("op", op))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", None)

    def take(self, *accepted):
        token = self.peek()
        if token[1] in accepted and token[0] in ("op", "name"):
            self.pos += 1
            return token[1]
        return None

    def expect(self, op):
        if not self.take(op):
            raise ValueError("expected %r, found %s" % (op, self.describe()))

    def describe(self):
        kind, value = self.peek()
        return "the end" if kind == "end" else repr(value)

    def expression(self):
        left = self.conjunction()
        while self.take("or", "||"):
            right = self.conjunction()
            left = _logical(left, right, True)
        return left

    def conjunction(self):
        left = self.negation()
        while self.take("and", "&&"):
            right = self.negation()
            left = _logical(left, right, False)
        return left

    def negation(self):
        if self.take("not", "!"):
            inner = self.negation()
            return lambda r: not _boolean(inner(r), "not")
        return self.comparison()

    def comparison(self):
        left = self.additive()
        op = self.take(*_COMPARE)
        if op is None:
            return left
        right = self.additive()
        if self.peek()[1] in _COMPARE:
            raise ValueError("comparisons cannot be chained (use and)")
        return _compare(op, left, right)

    def additive(self):
        return self.arithmetic(("+", "-"), self.multiplicative)

    def multiplicative(self):
        return self.arithmetic(("*", "/"), self.unary)

    def arithmetic(self, ops, operand):
        """Left-associative ``operand (op operand)*`` for the operators ``ops``."""
        left = operand()
        while True:
            op = self.take(*ops)
            if op is None:
                return left
            left = _arithmetic(op, left, operand())

    def unary(self):
        if self.take("-"):
            inner = self.unary()
            return lambda r: -_number(inner(r), "-")
        return self.postfix()

    def postfix(self):
        node = self.atom()
        while self.take("["):
            index = self.expression()
            self.expect("]")
            node = _index(node, index)
        return node

    def atom(self):
        kind, value = self.peek()
        if kind == "num":
            self.pos += 1
            return lambda r: value
        if self.take("("):
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "name":
            self.pos += 1
            if value == "result":
                return lambda r: r
            if value in ("true", "false"):
                constant = value == "true"
                return lambda r: constant
            if value in _FUNCTIONS:
                self.expect("(")
                argument = self.expression()
                self.expect(")")
                func = _FUNCTIONS[value]
                return lambda r: func(argument(r))
            raise ValueError("unknown name %r (known: result, true, false, %s)" % (value, ", ".join(sorted(_FUNCTIONS))))
        raise ValueError("expected a value, found %s" % self.describe())


def _boolean(value, op):
    if isinstance(value, bool):
        return value
    raise ConditionError("%s needs a boolean, got %s" % (op, _kind(value)))


def _number(value, op):
    if _is_number(value):
        return value
    raise ConditionError("%s needs a number, got %s" % (op, _kind(value)))


def _logical(left, right, is_or):
    if is_or:
        return lambda r: _boolean(left(r), "or") or _boolean(right(r), "or")
    return lambda r: _boolean(left(r), "and") and _boolean(right(r), "and")


def _compare(op, left, right):
    func = _COMPARE[op]

    def evaluate(r):
        a, b = left(r), right(r)
        if op in ("==", "!=") and isinstance(a, bool) and isinstance(b, bool):
            return func(a, b)
        return func(_number(a, op), _number(b, op))

    return evaluate


def _arithmetic(op, left, right):
    def evaluate(r):
        a, b = _number(left(r), op), _number(right(r), op)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise ConditionError("division by zero")
        return a / b

    return evaluate


def _index(node, index):
    def evaluate(r):
        values, i = node(r), index(r)
        if not isinstance(values, list):
            raise ConditionError("[] needs a list, got %s" % _kind(values))
        if not isinstance(i, int) or isinstance(i, bool):
            raise ConditionError("an index must be a whole number, got %r" % (i,))
        if not -len(values) <= i < len(values):
            raise ConditionError("index %d out of range: the query returned %d value%s" % (i, len(values), "" if len(values) == 1 else "s"))
        return values[i]

    return evaluate


class Condition:
    """A parsed condition; ``holds(result)`` is True or False, or raises ConditionError."""

    def __init__(self, text, field):
        self.text = str(text)
        if len(self.text) > MAX_LENGTH:
            raise InvalidSpec("%s: longer than %d characters" % (field, MAX_LENGTH))
        try:
            parser = _Parser(_tokens(self.text))
            if parser.peek()[0] == "end":
                raise ValueError("empty condition")
            self._evaluate = parser.expression()
            if parser.peek()[0] != "end":
                raise ValueError("unexpected %s" % parser.describe())
        except (ValueError, RecursionError) as exc:
            raise InvalidSpec("%s: %r is not a condition: %s" % (field, self.text, exc)) from None

    def holds(self, result):
        try:
            value = self._evaluate(result)
        except RecursionError:
            raise ConditionError("too deeply nested") from None
        if not isinstance(value, bool):
            raise ConditionError("%r gives %s, not true or false" % (self.text, _kind(value)))
        return value

    def __repr__(self):
        return "Condition(%r)" % self.text
