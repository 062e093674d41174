# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift detection on fixtures named by outcome: <case>-synced.yaml / <case>-drift.yaml."""

from __future__ import annotations

import copy
import glob
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import compare, ignore, quantity

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "fixtures", "compare", "*.yaml")))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_fixtures_cover_both_outcomes():
    names = [os.path.basename(p) for p in FIXTURES]
    assert any(n.endswith("-synced.yaml") for n in names)
    assert any(n.endswith("-drift.yaml") for n in names)


@pytest.mark.parametrize("path", FIXTURES, ids=[os.path.basename(p)[:-5] for p in FIXTURES])
def test_suspect_drift_matches_fixture_outcome(path):
    case = load(path)
    reason = compare.suspect_drift(case["desired"], case["live"])
    if path.endswith("-synced.yaml"):
        assert reason is None
    else:
        assert reason is not None


@pytest.mark.parametrize("path", FIXTURES, ids=[os.path.basename(p)[:-5] for p in FIXTURES])
def test_suspect_drift_does_not_mutate_inputs(path):
    case = load(path)
    before = copy.deepcopy(case)
    compare.suspect_drift(case["desired"], case["live"])
    assert case == before


def test_missing_live_object_is_missing():
    assert compare.suspect_drift({"kind": "ConfigMap"}, None) == "missing"


def test_owned_field_removed_names_the_path():
    case = load(os.path.join(os.path.dirname(__file__), "fixtures", "compare", "deployment-owned-env-removed-drift.yaml"))
    reason = compare.suspect_drift(case["desired"], case["live"])
    assert "env" in reason and "removed" in reason


def test_ignored_pointer_hides_scale_drift():
    case = load(os.path.join(os.path.dirname(__file__), "fixtures", "compare", "deployment-scaled-drift.yaml"))
    pointers = [ignore.parse_pointer("/spec/replicas")]
    assert compare.suspect_drift(case["desired"], case["live"], pointers=pointers) is None


def test_ignored_pointer_does_not_hide_other_drift():
    case = load(os.path.join(os.path.dirname(__file__), "fixtures", "compare", "deployment-image-edited-drift.yaml"))
    pointers = [ignore.parse_pointer("/spec/replicas")]
    assert compare.suspect_drift(case["desired"], case["live"], pointers=pointers) is not None


@pytest.mark.parametrize(
    "a, b, equal",
    [
        ("0.5", "500m", True),
        ("1024Mi", "1Gi", True),
        ("1e3", "1k", True),
        (1, "1000m", True),
        ("100m", "0.2", False),
        ("1Gi", "1G", False),
        ("abc", "abc", True),
        ("abc", "abd", False),
    ],
)
def test_quantity_equal(a, b, equal):
    assert quantity.equal(a, b) is equal


def test_list_without_merge_key_compares_positionally():
    desired = {"spec": {"args": ["--a", "--b"]}}
    assert compare.covers(desired, {"spec": {"args": ["--a", "--b"]}})
    assert not compare.covers(desired, {"spec": {"args": ["--b", "--a"]}})
    assert not compare.covers(desired, {"spec": {"args": ["--a", "--b", "--c"]}})


def test_bool_is_not_int():
    assert not compare.covers({"a": True}, {"a": 1})


def test_same_object_ignores_bookkeeping():
    live = {"metadata": {"name": "x", "resourceVersion": "1", "managedFields": [{"manager": "a"}]}, "data": {"k": "v"}}
    predicted = {"metadata": {"name": "x", "resourceVersion": "2", "managedFields": [{"manager": "b"}]}, "data": {"k": "v"}}
    assert compare.same_object(predicted, live)
    predicted["data"]["k"] = "w"
    assert not compare.same_object(predicted, live)


def test_normalize_secret_moves_string_data_to_data():
    out = compare.normalize_desired({"apiVersion": "v1", "kind": "Secret", "stringData": {"a": "b"}, "data": {"c": "ZA=="}})
    assert out["data"] == {"a": "Yg==", "c": "ZA=="}
    assert "stringData" not in out
