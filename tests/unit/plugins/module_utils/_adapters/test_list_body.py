# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A LIST response decoded item by item (list_body.py): the same values json.loads gives,
only the kept items held, their equal strings shared."""

from __future__ import annotations

import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import list_body


def item(ns, name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, "labels": {"app": "x"}}, "data": data}


BODIES = [
    {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {"resourceVersion": "12", "continue": "abc"}, "items": [item("a", "x", k="v"), item("b", "y")]},
    {"kind": "ConfigMapList", "items": []},
    {"items": None, "metadata": {}},
    {},
    {"items": [item("a", 'odd "name" ] } [ {', k="\u00e9\u2603 \\ \n end"), {"nested": [[], [{}], {"deep": [1, 2.5, None, True, False]}]}]},
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("indent", [None, 2])
def test_decodes_what_json_loads_decodes(body, indent):
    text = json.dumps(body, indent=indent)
    assert list_body.decode(text, lambda o: o) == json.loads(text)
    assert list_body.decode(" \n" + text + "\n ", lambda o: o) == json.loads(text)


def test_only_kept_items_are_returned_as_keep_changed_them():
    text = json.dumps(BODIES[0])
    seen = []

    def keep(obj):
        seen.append(obj["metadata"]["name"])
        if obj["metadata"]["namespace"] != "a":
            return None
        obj["metadata"].pop("labels")
        return obj

    out = list_body.decode(text, keep)
    assert seen == ["x", "y"]
    assert out["items"] == [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "a"}, "data": {"k": "v"}}]
    assert out["metadata"] == {"resourceVersion": "12", "continue": "abc"}


def test_equal_strings_of_kept_items_are_one_object():
    text = json.dumps({"items": [item("shop", "one"), item("shop", "two")]})
    first, second = list_body.decode(text, lambda o: o)["items"]
    assert first["metadata"]["namespace"] is second["metadata"]["namespace"]
    assert [k for k in first if k == "apiVersion"][0] is [k for k in second if k == "apiVersion"][0]
    long_value = "v" * (list_body.SHARED_STRING_MAX + 1)
    text = json.dumps({"items": [item("a", "x", k=long_value), item("a", "y", k=long_value)]})
    first, second = list_body.decode(text, lambda o: o)["items"]
    assert first["data"]["k"] == second["data"]["k"] == long_value


@pytest.mark.parametrize("text", ["", "   ", "[]", '{"items": [1,]}', '{"a": 1', '{"a": 1}x', '{"a" 1}', "{,}", '{"items": [{}] ', '{"items": [{} {}]}'])
def test_a_malformed_body_is_a_value_error(text):
    with pytest.raises(ValueError):
        list_body.decode(text, lambda o: o)
