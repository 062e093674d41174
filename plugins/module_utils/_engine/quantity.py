# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes resource quantities (``500m``, ``1Gi``, ``1e3``) compared by value.

The API server canonicalises quantities (``0.5`` becomes ``500m``, ``1024Mi`` becomes
``1Gi``), so comparing the strings would report false drift.
xref: https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SUFFIXES = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}

# Decimal SI suffixes (n u m k M G T P E) or binary ones (Ki Mi Gi Ti Pi Ei: note the capital K).
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[numkKMGTPE]i?|)$")
# An exponent, as apimachinery reads a suffix that is neither binary nor decimal ("E" alone is exa).
_EXPONENT = re.compile(r"^[eE][+-]?[0-9]+$")

# Map keys whose values are quantities (container resources, quotas, limit ranges,
# PVC requests, node capacity) and scalar keys holding one quantity.
QUANTITY_MAP_KEYS = frozenset(
    ("limits", "requests", "hard", "used", "capacity", "allocatable", "default", "defaultRequest", "max", "min", "maxLimitRequestRatio", "overhead")
)
QUANTITY_SCALAR_KEYS = frozenset(("sizeLimit", "storage"))


def parse(value):
    """Value of a quantity as a Decimal, or None when it is not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value)
    if not match:
        return None
    number, suffix = match.groups()
    try:
        if _EXPONENT.match(suffix):
            return Decimal(number + suffix)
        if suffix not in _SUFFIXES:
            return None
        return Decimal(number) * _SUFFIXES[suffix]
    except InvalidOperation:
        return None


def equal(a, b):
    """True when a and b are the same quantity (or the same value)."""
    if a == b:
        return True
    pa, pb = parse(a), parse(b)
    return pa is not None and pb is not None and pa == pb
