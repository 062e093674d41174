# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""json_copy: a copy of an API object that shares no dict or list with it."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.json_copy import json_copy


def test_a_copy_equals_the_value_and_shares_no_container():
    live = {
        "metadata": {"name": "web", "labels": {"app": "web"}, "managedFields": [{"fieldsV1": {"f:data": {}}}]},
        "spec": {"replicas": 0, "paused": False, "ratio": 0.5, "ports": [{"port": 80, "name": None}]},
    }
    copied = json_copy(live)
    assert copied == live
    copied["metadata"]["labels"]["app"] = "other"
    copied["spec"]["ports"][0]["port"] = 81
    copied["metadata"]["managedFields"].append({})
    assert live["metadata"]["labels"] == {"app": "web"}
    assert live["spec"]["ports"] == [{"port": 80, "name": None}]
    assert len(live["metadata"]["managedFields"]) == 1


def test_what_json_never_holds_is_deep_copied():
    inner = [1]
    value = {"tuple": (inner,), "set": {1, 2}}
    copied = json_copy(value)
    assert copied == value
    assert copied["tuple"][0] is not inner and copied["set"] is not value["set"]
