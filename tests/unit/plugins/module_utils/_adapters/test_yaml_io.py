# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
import json
import os
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError
from tests.helpers.hostile_yaml import alias_bomb, nested

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
    obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"}, "data": {"script": "echo one\necho two\n", "when": "2024-01-01", "n": "1"}}
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


# Limits: a repository is untrusted input (docs/sources-and-rendering.md, "Limits").


def big_crd(depth=6, width=4, versions=2):
    """A CustomResourceDefinition of about 3 MB with a deep, wide schema, like the largest
    Crossplane or Prometheus Operator CRDs: real content must pass every limit."""

    def schema(level):
        if level == 0:
            return {"description": "A leaf field of the widget. " * 2, "type": "string", "maxLength": 253}
        return {
            "description": "An object at depth %d. " % level * 2,
            "type": "object",
            "properties": {"field%d" % i: schema(level - 1) for i in range(width)},
            "required": ["field0"],
        }

    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [{"name": "v%d" % v, "served": True, "storage": v == 1, "schema": {"openAPIV3Schema": schema(depth)}} for v in range(1, versions + 1)],
        },
    }


def cpu_seconds(call):
    """(what call() returned, the CPU seconds this thread spent in it). The bounds below are
    on the parser's own work: wall time on a busy machine (CI runs the unit tests with -n 2
    beside other jobs) measures the scheduler too; a 3 MB load took 30 s of wall time for
    1.5 s of CPU on two cores shared by sixteen runnable processes."""
    start = time.thread_time()
    value = call()
    return value, time.thread_time() - start


def test_alias_bomb_is_refused_fast_naming_file_and_line():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\n" + alias_bomb("lol")
    err, took = cpu_seconds(lambda: pytest.raises(ManifestError, yaml_io.load_documents, text, "apps/bomb.yaml"))
    assert took < 1, took
    assert str(err.value) == "apps/bomb.yaml:6: YAML document expands to more than 1000000 nodes (aliases?)"


def test_shared_aliases_are_counted_as_expanded():
    """Six levels of nine aliases expand to 672,610 nodes (9**6 leaves in the last one), under
    the limit: the document is accepted. A seventh level (5,380,840 nodes more) is not."""

    def levels(count):
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for previous, current in zip("abcdefghi", "bcdefghi"[: count - 1]):
            lines.append("%s: &%s [%s]" % (current, current, ",".join(["*" + previous] * 9)))
        return "\n".join(lines) + "\n"

    [(_line, value)] = yaml_io.load_documents(levels(6), "six.yaml")
    assert len(json.dumps(value)) > 3000000  # what a later json.dumps or deepcopy really builds
    with pytest.raises(ManifestError, match="expands to more than 1000000 nodes"):
        yaml_io.load_documents(levels(7), "seven.yaml")


@pytest.mark.parametrize("text", ["&a [*a]", "a: &a {b: *a}", "- &x [1, [2, *x]]"])
def test_an_alias_inside_its_own_anchor_is_refused(text):
    with pytest.raises(ManifestError) as err:
        yaml_io.load_documents(text, "loop.yaml")
    assert str(err.value) == "loop.yaml:1: YAML alias refers to its own anchor (a document without end)"


def test_nesting_depth_is_bounded_and_the_deepest_allowed_document_survives_every_walk():
    deepest = json.dumps(nested(yaml_io.MAX_DOCUMENT_DEPTH))
    [(_line, value)] = yaml_io.load_documents(deepest, "deep.json")
    # what later steps do to a document: none of them may hit Python's recursion limit
    json.dumps(value)
    copy.deepcopy(value)
    yaml_io.dump(value)
    with pytest.raises(ManifestError) as err:
        yaml_io.load_documents("\n" + json.dumps(nested(yaml_io.MAX_DOCUMENT_DEPTH + 1)), "deeper.json")
    assert str(err.value) == "deeper.json:2: YAML document is nested more than 100 levels deep"


def test_a_document_over_the_size_limit_is_refused():
    small = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    huge = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  big: " + "x" * (16 * 1024 * 1024) + "\n"
    with pytest.raises(ManifestError) as err:
        yaml_io.load_documents(small + huge, "helm:chart/templates/big.yaml")
    assert str(err.value) == "helm:chart/templates/big.yaml:5: YAML document is larger than 16 MiB"


def test_text_over_the_render_limit_is_refused_before_parsing():
    text = "#" * (64 * 1024 * 1024 + 1)
    with pytest.raises(ManifestError) as err:
        yaml_io.load_documents(text, "kustomize:overlays/prod")
    assert str(err.value) == "kustomize:overlays/prod:1: a render may load at most 64 MiB of YAML/JSON text"


def test_expanded_nodes_are_bounded_across_the_documents_of_a_render():
    """Each document is under the per-document limit; together they pass the render's."""
    one = "a: &a [%s]\nb: &b [%s]\nc: [%s]\n" % (",".join(["x"] * 99), ",".join(["*a"] * 100), ",".join(["*b"] * 98))
    yaml_io.load_documents(one, "one.yaml")  # 990,204 nodes
    budget = yaml_io.ContentBudget()
    for index in range(4):
        yaml_io.load_documents(one, "f%d.yaml" % index, budget=budget)
    with pytest.raises(ManifestError) as err:
        yaml_io.load_documents("---\n" + one, "f4.yaml", budget=budget)
    assert str(err.value) == "f4.yaml:2: a render may expand to at most 4000000 YAML nodes in all (aliases?)"


def test_a_3_mb_crd_passes_every_limit():
    text = yaml_io.dump(big_crd())
    assert 2500000 < len(text) < 4000000
    [(_line, value)], took = cpu_seconds(lambda: yaml_io.load_documents(text, "crds/widgets.yaml"))
    assert value["spec"]["names"]["kind"] == "Widget"
    assert took < 10, took


def test_read_text_is_bounded(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    with pytest.raises(ManifestError) as err:
        yaml_io.read_text(str(path), "apps/big.yaml")
    assert str(err.value) == "apps/big.yaml: file is larger than 16 MiB"
    path.write_text("kind: x\n")
    assert yaml_io.read_text(str(path), "apps/big.yaml") == "kind: x\n"


def test_read_text_reads_what_grew_after_its_size_was_taken_up_to_the_limit(tmp_path, monkeypatch):
    real_fstat = os.fstat

    def smaller(fd):  # the size taken before the file grew
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, 0, 0, 1, 0, 0, 10) + tuple(info)[7:])

    monkeypatch.setattr(yaml_io.os, "fstat", smaller)
    path = tmp_path / "growing.yaml"
    path.write_text("kind: x\n" + "# padding\n" * 50)
    assert yaml_io.read_text(str(path), "apps/growing.yaml") == path.read_text()
    with open(path, "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    with pytest.raises(ManifestError) as err:
        yaml_io.read_text(str(path), "apps/growing.yaml")
    assert str(err.value) == "apps/growing.yaml: file is larger than 16 MiB"


def test_read_text_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer for ever
    with pytest.raises(ManifestError) as err:
        yaml_io.read_text(str(fifo), "apps/pipe.yaml")
    assert str(err.value) == "apps/pipe.yaml: not a regular file"
