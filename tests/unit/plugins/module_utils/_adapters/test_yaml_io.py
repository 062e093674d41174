# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError

MULTI = """\
# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
---
---
# a document with only a comment

---
apiVersion: v1
kind: Secret
metadata:
  name: second
"""


def test_load_manifests_origin_is_file_and_line_of_each_document():
    manifests = yaml_io.load_manifests(MULTI, "apps/web/cm.yaml")
    assert [m.origin for m in manifests] == ["apps/web/cm.yaml:3", "apps/web/cm.yaml:12"]
    assert [m.obj["metadata"]["name"] for m in manifests] == ["first", "second"]


def test_load_manifests_skips_empty_documents():
    assert yaml_io.load_manifests("---\n---\n# nothing\n...\n", "empty.yaml") == []
    assert yaml_io.load_manifests("", "empty.yaml") == []


def test_load_documents_keeps_values_json_serialisable():
    text = """\
metadata:
  creationTimestamp: 2024-01-01T00:00:00Z
data:
  date: 2024-05-01
  explicit: !!timestamp 2001-12-14
  blob: !!binary |
    aGVsbG8g
    d29ybGQ=
  1: one
  true: yes-key
  ~: null-key
"""
    [(line, value)] = yaml_io.load_documents(text, "x.yaml")
    assert line == 1
    assert value["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z"
    assert value["data"]["date"] == "2024-05-01"
    assert value["data"]["explicit"] == "2001-12-14"
    assert value["data"]["blob"] == "aGVsbG8gd29ybGQ="
    assert value["data"]["1"] == "one"
    assert value["data"]["true"] == "yes-key"
    assert value["data"]["null"] == "null-key"
    json.dumps(value)


def test_loader_does_not_change_pyyaml_globally():
    import yaml

    assert yaml.safe_load("d: 2024-05-01")["d"].__class__.__name__ == "date"


def test_merge_keys_are_allowed_and_explicit_keys_win():
    [(_line, value)] = yaml_io.load_documents("base: &b {a: 1, b: 2}\nmerged:\n  <<: *b\n  b: 3\n", "m.yaml")
    assert value["merged"] == {"a": 1, "b": 3}


def test_duplicate_key_is_an_error_naming_file_and_line():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
    with pytest.raises(ManifestError) as err:
        yaml_io.load_manifests(text, "cm.yaml")
    assert err.value.subject == "cm.yaml:5"
    assert "duplicate key 'name'" in str(err.value)


@pytest.mark.parametrize(
    "text, line, problem",
    [
        ("apiVersion: v1\nkind: [ConfigMap\n", 3, "expected ',' or ']'"),
        ("a: 1\n---\nkind: x\n  bad: indent\n", 4, "mapping values are not allowed"),
        ("a: 1\nb: @x\n", 2, "cannot start any token"),
        ("a: 'unterminated\n", 2, "unexpected end of stream"),
    ],
)
def test_syntax_errors_name_file_line_and_problem(text, line, problem):
    with pytest.raises(ManifestError) as err:
        yaml_io.load_manifests(text, "bad.yaml")
    assert err.value.subject == "bad.yaml:%d" % line
    assert problem in str(err.value)
    assert str(err.value).startswith("bad.yaml:%d: invalid YAML" % line)


def test_custom_locate_names_errors_and_origins():
    manifests = yaml_io.load_manifests("a: 1\n", "ignored", locate=lambda line: "tool:x")
    assert manifests[0].origin == "tool:x"
    with pytest.raises(ManifestError) as err:
        yaml_io.load_manifests("a: [\n", "ignored", locate=lambda line: "tool:x")
    assert err.value.subject == "tool:x"


def test_json_with_tabs_parses_as_yaml():
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "j"}\n}\n'
    [manifest] = yaml_io.load_manifests(text, "j.json")
    assert manifest.obj["metadata"]["name"] == "j"
    assert manifest.origin == "j.json:1"


def test_dump_is_block_style_in_given_key_order_with_literal_blocks():
    obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"},
           "data": {"script": "echo one\necho two\n", "when": "2024-01-01", "n": "1"}}
    text = yaml_io.dump(obj)
    assert text.splitlines()[:4] == ["kind: ConfigMap", "apiVersion: v1", "metadata:", "  name: x"]
    assert "script: |\n    echo one\n    echo two\n" in text
    assert "{" not in text
    # strings that would read back as other types stay quoted
    assert [(line, value)[1] for line, value in yaml_io.load_documents(text, "x")] == [obj]


def test_dump_all_round_trips():
    objs = [{"a": 1}, {"b": [1, 2]}]
    text = yaml_io.dump_all(objs)
    assert text.startswith("---\n")
    assert [value for _line, value in yaml_io.load_documents(text, "x")] == objs
