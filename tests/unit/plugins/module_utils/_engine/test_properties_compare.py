# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of drift detection (compare.py, quantity.py).

- An object compared with its own server-defaulted form is in sync: no false drift.
- A real change of the desired object (a value changed, a field removed, a key added to a
  string map) is always suspected: a missed change would never be applied.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from ansible_collections.gitops.k8s.plugins.module_utils._engine import compare, quantity

from .strategies import (
    changed_at,
    examples,
    get_path,
    map_keys,
    object_pairs,
    paths,
    scalar_paths,
    spelled_quantities,
    stored,
    texts,
)


def configmap(**data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n0", "labels": {"app": "web"}}, "data": data}


def deployment(memory):
    container = {"name": "web", "image": "nginx", "resources": {"limits": {"memory": memory}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}},
    }


@st.composite
def changes(draw, scalars_only):
    """(desired, changed desired, stored form of desired)."""
    desired, live = draw(object_pairs())
    choices = scalar_paths(desired) if scalars_only else [p for p in paths(desired) if p != ("metadata",)]
    assume(choices)
    changed = draw(changed_at(desired, draw(st.sampled_from(choices))))
    # not when stringData still sets the same data (the object does not change)
    assume(compare.normalize_desired(changed) != compare.normalize_desired(desired))
    return desired, changed, live


@settings(max_examples=examples(150))
@given(object_pairs())
@example((deployment("1Ki"), stored(deployment("1Ki"), deployment(1024))))  # `Ki` was not parsed
def test_server_defaulted_form_is_synced(pair):
    desired, live = pair
    before = copy.deepcopy(pair)
    assert compare.suspect_drift(desired, live) is None
    assert (desired, live) == before


@settings(max_examples=examples(100))
@given(spelled_quantities)
@example((Decimal(1024), "1Ki", "1024000000000n"))
def test_spellings_of_one_quantity_are_equal(spelled):
    value, first, second = spelled
    assert quantity.parse(first) == value
    assert quantity.equal(first, second)


@settings(max_examples=examples(100))
@given(spelled_quantities, spelled_quantities)
@example((Decimal(1024), "1Ki", "1Ki"), (Decimal(1024), "1024", "1024"))
def test_spellings_of_different_quantities_differ(one, other):
    assert quantity.equal(one[1], other[2]) is (one[0] == other[0])


@settings(max_examples=examples(150))
@given(changes(scalars_only=True))
# a ConfigMap key named like a quantity field (`storage`) was compared as a quantity
@example((configmap(storage="1Gi"), configmap(storage="1024Mi"), stored(configmap(storage="1Gi"))))
def test_changed_desired_value_is_drift(case):
    _desired, changed, live = case
    assert compare.suspect_drift(changed, live) is not None


@settings(max_examples=examples(150))
@given(changes(scalars_only=False))
def test_removed_or_changed_desired_field_is_drift(case):
    _desired, changed, live = case
    assert compare.suspect_drift(changed, live) is not None


STRING_MAPS = (("metadata", "labels"), ("metadata", "annotations"), ("data",), ("stringData",))


@settings(max_examples=examples(100))
@given(object_pairs(), st.sampled_from(STRING_MAPS), map_keys, texts)
# an empty value added to labels, annotations or data was skipped as "empty"
@example((configmap(a="b"), stored(configmap(a="b"))), ("metadata", "labels"), "sizeLimit", "")
@example((configmap(a="b"), stored(configmap(a="b"))), ("data",), "c", "")
def test_key_added_to_a_string_map_is_drift(pair, where, key, value):
    desired, live = pair
    if where == ("stringData",) and desired["kind"] != "Secret":
        where = ("data",)
    if where == ("data",) and desired["kind"] not in ("ConfigMap", "Secret"):
        where = ("metadata", "labels")
    before = compare.normalize_desired(desired)
    target = desired
    for token in where:
        target = target.setdefault(token, {})
    target[key] = value
    after = compare.normalize_desired(desired)
    stored_where = ("data",) if where == ("stringData",) else where
    in_live = get_path(live, stored_where[:-1]).get(stored_where[-1]) or {}
    if after == before or in_live.get(key) == get_path(after, stored_where)[key]:
        return  # no change (stringData sets that data key), or live has the key with that value
    assert compare.suspect_drift(desired, live) is not None
