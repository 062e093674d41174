# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of ignoreDifferences (ignore.py, as compare.py and plan.py use it).

- A difference only at an ignored JSON pointer is never drift (desired changed there, live
  changed there, or both).
- A real change anywhere else is always drift, whatever the pointer.
Pointers address map keys (``/spec/replicas``, ``/spec/template/spec/containers/0/image``),
the way ignoreDifferences is written; live lists keep the desired order (a sidecar injected
by a webhook comes last), since a pointer's index means the same item on both sides only then.
"""

from __future__ import annotations

import copy

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from ansible_collections.gitops.k8s.plugins.module_utils._engine import compare, ignore
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import ObjectId, object_id

from .strategies import changed_at, examples, get_path, has_path, object_pairs, paths, pointer, stored, texts

MERGE_KEY_FIELDS = ("name", "containerPort", "port", "protocol")


def pointable(path):
    """A pointer a user would write: it ends at a map key that is not a list item's merge key."""
    if path == ("metadata",) or not isinstance(path[-1], str):
        return False
    return not (len(path) > 1 and isinstance(path[-2], int) and path[-1] in MERGE_KEY_FIELDS)


def pointers_for(obj, path):
    """Pointers of an ignoreDifferences rule naming ``path`` of ``obj``'s kind, as the plan gets them."""
    oid = object_id(obj)
    return ignore.rules_for([{"group": oid.group, "kind": oid.kind, "jsonPointers": [pointer(path)]}], oid)


def secret(**string_data):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": string_data}


def secret_stored(**string_data):
    live = stored(secret(**string_data))
    del live["stringData"]
    live["data"] = dict((k, compare.normalize_desired(secret(**{k: v}))["data"][k]) for k, v in string_data.items())
    return live


def deployment(*containers):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": list(containers)}}},
    }


WEB = {"name": "web", "image": "nginx", "env": [{"name": "MODE", "value": "prod"}]}
LOGGER = {"name": "log", "image": "busybox", "args": ["-f"]}
LOGGER_ARGS = ("spec", "template", "spec", "containers", 1, "args")


def overlaps(one, other):
    return one[: len(other)] == other or other[: len(one)] == one


@st.composite
def ignored_cases(draw):
    """(desired, live, pointer path) with both sides changed only at the pointer."""
    desired, live = draw(object_pairs(extras_at_end=True))
    choices = [p for p in paths(desired) if pointable(p)]
    assume(choices)
    path = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        desired = draw(changed_at(desired, path))
    if has_path(live, path) and draw(st.booleans()):
        live = draw(changed_at(live, path))
    elif has_path(live, path[:-1]) and isinstance(get_path(live, path[:-1]), dict):
        live = copy.deepcopy(live)
        get_path(live, path[:-1])[path[-1]] = draw(texts)
    return desired, live, path


@st.composite
def elsewhere_cases(draw):
    """(changed desired, live, pointer path): a real change outside the ignored field."""
    desired, live = draw(object_pairs(extras_at_end=True))
    ignorable = [p for p in paths(desired) if pointable(p)]
    assume(ignorable)
    path = draw(st.sampled_from(ignorable))
    others = [p for p in paths(desired) if p != ("metadata",) and not overlaps(p, path)]
    assume(others)
    changed = draw(changed_at(desired, draw(st.sampled_from(others))))
    pointers = pointers_for(desired, path)
    before = compare.normalize_desired(ignore.remove_pointers(desired, pointers))
    assume(compare.normalize_desired(ignore.remove_pointers(changed, pointers)) != before)
    return changed, live, path


@settings(max_examples=examples(100))
@given(st.lists(st.text(max_size=6), min_size=1, max_size=4))
@example(["a~1b", "~0", "/", "~"])
def test_pointer_text_round_trips(tokens):
    assert ignore.parse_pointer(pointer(tokens)) == tokens


@settings(max_examples=examples(150))
@given(ignored_cases())
# stringData is stored as data: ignoring /stringData/password must ignore data.password too
@example((secret(password="new"), secret_stored(password="old"), ("stringData", "password")))
# ... and ignoring /data/password must ignore the stringData key we own (removed from Git here)
@example((secret(user="app"), secret_stored(password="old", user="app"), ("data", "password")))
def test_difference_only_at_ignored_pointer_is_not_drift(case):
    desired, live, path = case
    pointers = pointers_for(desired, path)
    assert compare.suspect_drift(desired, live, pointers=pointers) is None
    predicted = copy.deepcopy(live)
    predicted["metadata"]["resourceVersion"] += "1"
    assert compare.same_object(predicted, live, pointers)


@settings(max_examples=examples(150))
@given(elsewhere_cases())
# a pointer into one container used to hide every removal in the whole containers list
@example((deployment({"name": "web", "image": "nginx"}, LOGGER), stored(deployment(WEB, LOGGER)), LOGGER_ARGS))
@example((deployment(LOGGER), stored(deployment(WEB, LOGGER)), LOGGER_ARGS))
def test_difference_elsewhere_is_drift(case):
    changed, live, path = case
    assert compare.suspect_drift(changed, live, pointers=pointers_for(changed, path)) is not None


@settings(max_examples=examples(50))
@given(st.sampled_from(["", "apps"]), st.sampled_from(["Deployment", "ConfigMap"]), st.sampled_from(["a", "b", None]), st.sampled_from(["demo", "other", None]))
def test_rules_match_group_kind_and_optional_name_namespace(group, kind, name, namespace):
    rule = {"group": group, "kind": kind, "jsonPointers": ["/spec/replicas"]}
    if name:
        rule["name"] = name
    if namespace:
        rule["namespace"] = namespace
    for oid in (ObjectId(g, k, ns, n) for g in ("", "apps") for k in ("Deployment", "ConfigMap") for ns in ("demo", "other") for n in ("a", "b")):
        matches = oid.group == group and oid.kind == kind and name in (None, oid.name) and namespace in (None, oid.namespace)
        assert ignore.rules_for([rule], oid) == ([["spec", "replicas"]] if matches else [])
