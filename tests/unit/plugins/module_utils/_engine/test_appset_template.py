# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSet templating: Argo CD's fasttemplate and the Go template subset, exactly."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import appset_template as t

FLAT = {"path": "apps/guestbook", "path.basename": "guestbook", "path[0]": "apps", "cluster": "engineering-dev", "count": 3}
NESTED = {
    "path": {"path": "apps/Guest_Book", "basename": "Guest_Book", "basenameNormalized": "guest-book", "segments": ["apps", "Guest_Book"]},
    "name": "in-cluster",
    "server": "https://kubernetes.default.svc",
    "metadata": {"labels": {"env": "prod"}},
    "replicas": 3,
    "ratio": 0.5,
    "big": 1e21,
    "small": 0.00001,
    "enabled": True,
    "empty": "",
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{{path.basename}}", "guestbook"),
        ("{{ path.basename }}-{{cluster}}", "guestbook-engineering-dev"),
        ("{{path[0]}}/{{path}}", "apps/apps/guestbook"),
        ("{{unknown}}", "{{unknown}}"),  # unknown parameters stay as written
        ("{{ unknown }}", "{{ unknown }}"),
        ("{{count}}", "{{count}}"),  # only string parameters are replaced
        ("{{}}", "{{}}"),
        ("no template", "no template"),
        ("{{path.basename\n}}", "{{path.basename\n}}"),  # {{ and }} not on one line: not templated
        ("a {{ b", "a {{ b"),  # no }} at all: not templated
    ],
)
def test_fasttemplate(text, expected):
    assert t.replace_fast(text, FLAT) == expected


def test_fasttemplate_without_end_tag_after_a_templated_line_is_an_error():
    with pytest.raises(t.TemplateError, match="end tag"):
        t.replace_fast("{{cluster}} and {{ never closed", FLAT)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{{.path.basename}}", "Guest_Book"),
        ("{{ .name }}", "in-cluster"),
        ("{{index .path.segments 1}}", "Guest_Book"),
        ("{{ index .path.segments 0 | upper }}", "APPS"),
        ("{{.path.basename | normalize}}", "guest-book"),
        ("{{ normalize .path.basename }}", "guest-book"),
        ("{{ .path.basenameNormalized }}", "guest-book"),
        ("{{ .metadata.labels.env }}", "prod"),
        ('{{ index .metadata.labels "env" }}', "prod"),
        ("{{ .missing }}", "<no value>"),
        ('{{ index .metadata.labels "nope" }}', "<no value>"),
        ('{{ .missing | default "fallback" }}', "fallback"),
        ('{{ .empty | default "fallback" }}', "fallback"),
        ('{{ default "fallback" .name }}', "in-cluster"),
        ("{{ lower .path.basename }}", "guest_book"),
        ("{{ .name | upper }}", "IN-CLUSTER"),
        ("{{ .replicas }}/{{ .ratio }}/{{ .big }}/{{ .small }}/{{ .enabled }}", "3/0.5/1e+21/1e-05/true"),
        ("{{ .path.segments }}", "[apps Guest_Book]"),
        ('{{ replace "-" "_" .name }}', "in_cluster"),
        ('{{ trimPrefix "https://" .server }}', "kubernetes.default.svc"),
        ('{{ .server | trimSuffix ".svc" }}', "https://kubernetes.default"),
        ("{{ .replicas | toString }}|{{ toString .missing }}", "3|<nil>"),
        ('{{ "lit" }}-{{ `raw` }}-{{ 42 }}-{{ true }}', "lit-raw-42-true"),
        ("a  {{- .name -}}  b", "ain-clusterb"),
        ("{{/* a comment */}}x", "x"),
        ('{{ "}}" }}', "}}"),
        ("{{ (index .path.segments 1) | normalize }}", "guest-book"),
        ("plain text", "plain text"),
    ],
)
def test_go_template_subset(text, expected):
    assert t.replace_go(text, NESTED, "default", "ApplicationSet/ns/s") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ if .name }}x{{ end }}", "'if' is not supported"),
        ("{{ range .path.segments }}{{ . }}{{ end }}", "'range' is not supported"),
        ('{{ env "HOME" }}', 'function "env" not defined'),
        ('{{ include "x" . }}', 'function "include" not defined'),
        ("{{ $x := 1 }}", "variables"),
        ("{{ index .path.segments 5 }}", "index out of range: 5"),
        ("{{ .name.first }}", "can't evaluate field first"),
        ("{{ .missing.deeper }}", "nil pointer evaluating"),
        ("{{ .name", "unclosed action"),
        ('{{ .name "x" }}', "can't give argument to non-function"),
        ("{{ upper }}", "wrong number of args for upper: want 1 got 0"),
        ("{{ upper .replicas }}", "wrong type for value; expected string; got float64"),
        ("{{ .missing | lower }}", "error calling lower: invalid value; expected string"),
        ("{{ ( .name }}", "unclosed '('"),
    ],
)
def test_go_template_outside_the_subset_is_an_error_naming_the_set_and_the_expression(text, message):
    with pytest.raises(t.TemplateError) as caught:
        t.replace_go(text, NESTED, "default", "ApplicationSet/ns/s")
    assert message in str(caught.value)
    assert "ApplicationSet/ns/s" in str(caught.value) and repr(text) in str(caught.value)


def test_missingkey_error_and_zero():
    with pytest.raises(t.TemplateError, match='no entry for key "missing"'):
        t.replace_go("{{ .missing }}", NESTED, "error", "s")
    assert t.replace_go("{{ .missing }}", NESTED, "zero", "s") == "<no value>"


def test_go_template_options_other_than_missingkey_are_refused():
    assert t.missing_key_mode(["missingkey=error"], "s") == "error"
    assert t.missing_key_mode(None, "s") == "default"
    with pytest.raises(t.TemplateError, match="not supported"):
        t.missing_key_mode(["strict"], "s")


def test_repository_text_is_never_evaluated():
    # Jinja and Python look-alikes are plain text to both modes
    text = "{{ __import__('os').system('id') }}{% raw %}"
    assert t.replace_fast(text, FLAT) == text
    with pytest.raises(t.TemplateError):
        t.replace_go(text, NESTED, "default", "s")


def test_render_walks_strings_and_map_keys_and_drops_nulls():
    template = {"metadata": {"name": "{{cluster}}-app", "labels": {"{{cluster}}": "yes"}, "annotations": None}, "spec": {"replicas": 2, "args": ["{{path}}"]}}
    assert t.render(template, FLAT, False, "default", "s") == {
        "metadata": {"name": "engineering-dev-app", "labels": {"engineering-dev": "yes"}},
        "spec": {"replicas": 2, "args": ["apps/guestbook"]},
    }


@pytest.mark.parametrize(
    "name, expected",
    [("Guest_Book", "guest-book"), ("-a.b-", "a.b"), ("UPPER case", "upper-case"), ("x" * 300, "x" * 253), ("in-cluster", "in-cluster")],
)
def test_normalize_is_argo_cds_sanitize_name(name, expected):
    assert t.sanitize_name(name) == expected
