# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The safe condition language of analyses: what it reads, what it refuses."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.analysis_conditions import Condition, ConditionError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec


@pytest.mark.parametrize(
    "text, result, expected",
    [
        ("result[0] < 0.05", [0.01], True),
        ("result[0] < 0.05", [0.07], False),
        ("result < 1", 0.5, True),
        ("result < 1", 1, False),
        ("result <= 1", 1.0, True),
        ("result >= 0.95 && result <= 1", 0.97, True),
        ("result >= 0.95 and result <= 1", 0.9, False),
        ("len(result) > 0", [], False),
        ("len(result) == 0 or result[0] < 1", [], True),
        ("not (result[0] > 5)", [3], True),
        ("!(result[0] > 5)", [6], False),
        ("result[-1] == 2", [1, 2], True),
        ("result[0] * 100 > 2.5", [0.03], True),
        ("result[0] / 2 - 1 < 0", [1], True),
        ("-result < 0", 3, True),
        ("isNaN(result[0])", [float("nan")], True),
        ("isNaN(result)", 1.0, False),
        ("max(result) < 1 and min(result) >= 0", [0.2, 0.9], True),
        ("sum(result) > 1", [0.6, 0.6], True),
        ("result[0] != result[1]", [1, 2], True),
        ("true", None, True),
        ("true == false", None, False),
        ("result < 1e-3", 0.0001, True),
        ("result < .5", 0.4, True),
    ],
)
def test_conditions_evaluate(text, result, expected):
    assert Condition(text, "successCondition").holds(result) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "result <",
        "result < 1 < 2",
        "__import__('os')",
        "result.__class__",
        "open('x')",
        "result[0",
        "{{ result }}",
        "result ; 1",
        "lambda: 1",
        "x" * 2000,
    ],
)
def test_malformed_conditions_are_invalid_specs(text):
    with pytest.raises(InvalidSpec) as err:
        Condition(text, "metrics[0].successCondition")
    assert "metrics[0].successCondition" in str(err.value)


@pytest.mark.parametrize(
    "text, result, why",
    [
        ("result[0] < 1", [], "out of range"),
        ("result < 1", [0.5], "index it: result[0]"),
        ("result[0] and true", [1], "needs a boolean"),
        ("result", 1, "not true or false"),
        ("result / 0 > 1", 1, "division by zero"),
        ("len(result) > 0", 1, "needs a list"),
        ("max(result) > 0", [], "empty list"),
        ("result[0.5] > 0", [1], "whole number"),
    ],
)
def test_conditions_that_do_not_fit_the_value_raise(text, result, why):
    with pytest.raises(ConditionError) as err:
        Condition(text, "f").holds(result)
    assert why in str(err.value)


def test_deep_nesting_is_refused_not_crashing():
    with pytest.raises(InvalidSpec):
        Condition("(" * 400 + "true" + ")" * 400, "f")
