# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""merge_patch.between: the RFC 7386 patch that turns one document into another, nested
removals included; applying it (the fake cluster's merge) gives the new document."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.merge_patch import between

from tests.unit.plugins.module_utils._engine.fake_cluster import merge_patch

OLD = {
    "health": {"status": "Progressing", "message": "Waiting for rollout"},
    "metrics": {"resources": {"health": {"Healthy": 9, "Progressing": 1}}, "since": "t0"},
    "conditions": [{"type": "A"}],
    "summary": {"resources": 10},
}


def test_equal_documents_need_no_patch():
    assert between(OLD, dict(OLD)) == {}


def test_a_key_removed_deep_inside_is_nulled_and_only_differences_are_sent():
    new = {
        "health": {"status": "Healthy"},
        "metrics": {"resources": {"health": {"Healthy": 10}}, "since": "t0"},
        "conditions": [{"type": "A"}],
    }
    patch = between(OLD, new)
    assert patch == {
        "health": {"status": "Healthy", "message": None},
        "metrics": {"resources": {"health": {"Healthy": 10, "Progressing": None}}},
        "summary": None,
    }
    assert merge_patch(OLD, patch) == new


@pytest.mark.parametrize(
    "old, new",
    [
        ({}, {"a": {"b": 1}}),
        ({"a": {"b": 1}}, {"a": [1, 2]}),  # a map becomes a list: replaced whole
        ({"a": [1, 2]}, {"a": [2]}),  # lists are replaced whole
        ({"a": {"b": {"c": 1}}}, {"a": {}}),
        ({"a": 1}, {"a": {"b": 1}}),
    ],
)
def test_applying_the_patch_gives_the_new_document(old, new):
    assert merge_patch(old, between(old, new)) == new
