# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quantities as Kubernetes reads them (apimachinery resource.ParseQuantity): every binary
suffix, every decimal suffix, exponents, and what is not a quantity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import quantity


@pytest.mark.parametrize(
    "text, value",
    [
        ("1Ki", 2**10),
        ("1Mi", 2**20),
        ("1Gi", 2**30),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("512Ki", 512 * 1024),
        ("1.5Gi", 3 * 2**29),
        ("1n", Decimal("1e-9")),
        ("1u", Decimal("1e-6")),
        ("1m", Decimal("0.001")),
        ("1", 1),
        ("1k", 1000),
        ("1M", 10**6),
        ("1G", 10**9),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1e-3", Decimal("0.001")),
        ("1e+3", 1000),
        ("2.5e2", 250),
        ("+1", 1),
        ("-1", -1),
        (".5", Decimal("0.5")),
        ("5.", 5),
        ("0", 0),
    ],
)
def test_every_suffix_and_exponent(text, value):
    assert quantity.parse(text) == Decimal(value)


@pytest.mark.parametrize(
    "a, b",
    [
        ("1Gi", "1024Mi"),
        ("1Mi", "1024Ki"),
        ("1Ei", "1024Pi"),
        ("1Ti", "1024Gi"),
        ("1Pi", "1024Ti"),
        ("0.5", "500m"),
        ("1k", "1e3"),
        ("1M", "1000k"),
        ("1u", "1000n"),
        ("1m", "1000u"),
        ("1E", "1000P"),
        ("1.5", "1500m"),
        ("1000", 1000),
        ("512Ki", 524288),
    ],
)
def test_the_same_quantity_written_two_ways_is_equal(a, b):
    assert quantity.equal(a, b)


@pytest.mark.parametrize(
    "text", ["1K", "1ki", "1mi", "1ni", "1ui", "1b", "Gi", "", "1.2.3", "1 Gi", " 1Gi", "0x10", "1e", "1ee3", "1e3Ki", "1KiB", ".", "ten", None, True, [1]]
)
def test_not_quantities(text):
    assert quantity.parse(text) is None


def test_different_quantities_are_not_equal():
    assert not quantity.equal("1Gi", "1G")
    assert not quantity.equal("1K", "1k")
