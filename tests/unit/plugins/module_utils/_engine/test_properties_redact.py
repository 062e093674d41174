# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of Secret redaction (redact.py), alone and as diffs and results use it.

- ``redact`` changes exactly the places a Secret value may sit (every ``data`` and
  ``stringData`` value, whatever its shape, and the last-applied annotation), in Secrets
  alone or inside (nested) Lists, and leaves everything else as it was;
- the diffs and results of a sync (plan, execute, then the Ansible diff and object rows)
  do not depend on Secret values at all: renaming every value gives the same text once the
  placeholders are masked, and a planted canary value never shows;
- ``redact_text`` scrubs every form in which a Secret value appeared in its manifest.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import random
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import results
from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan, redact, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.redact import LAST_APPLIED

from .fake_cluster import FakeClock, FakeCluster
from .strategies import (
    any_secrets,
    applied_fields,
    b64,
    examples,
    managed_entry,
    names,
    secret_documents,
    secret_keys,
    secret_texts,
    stored,
)

SALT = "5a1t" * 8
PLACEHOLDER = re.compile(r"<redacted sha256:[0-9a-f]{8}>")
MASK = "<masked>"


def is_core_secret(obj):
    return isinstance(obj, dict) and obj.get("kind") == "Secret" and "/" not in str(obj.get("apiVersion") or "")


def value_places_masked(obj, mask_value):
    """Copy of a document with every place a Secret value may sit replaced by mask_value(v):
    the spec of redaction, written independently of redact.py."""
    out = copy.deepcopy(obj)
    if is_core_secret(out):
        for field in ("data", "stringData"):
            if isinstance(out.get(field), dict):
                out[field] = dict((k, mask_value(v)) for k, v in out[field].items())
            elif out.get(field):
                out[field] = mask_value(out[field])
        notes = (out.get("metadata") or {}).get("annotations") or {}
        if LAST_APPLIED in notes:
            notes[LAST_APPLIED] = mask_value(notes[LAST_APPLIED])
    elif isinstance(out, dict) and str(out.get("kind") or "").endswith("List") and isinstance(out.get("items"), list):
        out["items"] = [value_places_masked(i, mask_value) for i in out["items"]]
    return out


def masked_values(obj):
    """The values at the places ``value_places_masked`` masks."""
    found = []
    value_places_masked(obj, found.append)
    return found


@settings(max_examples=examples(150))
@given(secret_documents)
def test_redact_changes_exactly_the_secret_values(doc):
    before = copy.deepcopy(doc)
    out = redact.redact(doc, SALT)
    assert doc == before
    assert value_places_masked(out, lambda v: MASK) == value_places_masked(doc, lambda v: MASK)
    for value in masked_values(out):
        assert value == redact.REDACTED or PLACEHOLDER.fullmatch(value), value


@settings(max_examples=examples(150))
@given(secret_keys, st.one_of(secret_texts, st.binary(max_size=12)))
def test_same_value_same_placeholder_in_data_and_string_data(key, plain):
    as_data = redact.redact({"apiVersion": "v1", "kind": "Secret", "data": {key: b64(plain)}}, SALT)["data"][key]
    if isinstance(plain, str):
        as_text = redact.redact({"apiVersion": "v1", "kind": "Secret", "stringData": {key: plain}}, SALT)["stringData"][key]
        assert as_data == as_text
    changed = plain + (b"x" if isinstance(plain, bytes) else "x")
    assert redact.redact({"apiVersion": "v1", "kind": "Secret", "data": {key: b64(changed)}}, SALT)["data"][key] != as_data


# -- diffs and results of a sync --------------------------------------------------------------

CANARY = "Canary-8d41-value"


def secret(name, data=None, string_data=None):
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "demo"}}
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    return obj


@st.composite
def secret_syncs(draw):
    """(desired Secrets, live Secrets): plain values drawn from a small pool so that desired
    and live share some and differ in others; live Secrets carry last-applied and managedFields."""
    pool = draw(st.lists(st.one_of(secret_texts, st.binary(max_size=8)), min_size=1, max_size=4)) + [CANARY]
    desired, live = [], []
    for name in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
        keys = draw(st.lists(secret_keys, min_size=1, max_size=3, unique=True))
        data = dict((k, b64(draw(st.sampled_from(pool)))) for k in keys if draw(st.booleans()))
        string_data = dict((k, draw(st.sampled_from([p for p in pool if isinstance(p, str)]))) for k in keys if k not in data)
        obj = secret(name, data, string_data or None)
        desired.append(obj)
        if draw(st.booleans()):
            old = secret(name, dict((k, b64(draw(st.sampled_from(pool)))) for k in keys))
            old = stored(old)
            old["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(old["data"])}
            old["metadata"]["managedFields"].append(managed_entry("kubectl", applied_fields(obj), "Update"))
            live.append(old)
    return desired, live


def rename(value):
    """An injective renaming of one plain value (equal stays equal, different stays different)."""
    return value + b"\xe2\x98\x83" if isinstance(value, bytes) else value + "\u2603"


def renamed(obj):
    """obj with every Secret value renamed (base64 data decoded, renamed, encoded again)."""
    out = copy.deepcopy(obj)
    out["data"] = dict((k, b64(rename(base64.b64decode(v)))) for k, v in (obj.get("data") or {}).items())
    if "stringData" in obj:
        out["stringData"] = dict((k, rename(v)) for k, v in obj["stringData"].items())
    notes = out["metadata"].get("annotations") or {}
    if LAST_APPLIED in notes:
        notes[LAST_APPLIED] = json.dumps(out["data"])
    return out


def sync_text(desired, live, dry_run):
    """Everything a sync shows about its objects: diffs, rows and reasons (placeholders masked)."""
    cluster = FakeCluster()
    cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
    secret_type = cluster.resolve("v1", "Secret")
    for obj in live:
        cluster.apply(secret_type, copy.deepcopy(obj))
    options = SyncOptions(namespace="demo", tracking="gitops-system/demo", dry_run=dry_run, salt=SALT)
    the_plan = plan.build_plan(cluster, [Manifest(copy.deepcopy(o), "secrets.yaml") for o in desired], (), options)
    changeset = sync.execute(cluster, the_plan, options, FakeClock()).changeset
    text = json.dumps([results.ansible_diff(changeset), results.object_rows(changeset, with_diff=True)], ensure_ascii=False)
    return PLACEHOLDER.sub(MASK, text)


@settings(max_examples=examples(100))
@given(secret_syncs(), st.booleans())
@example(([secret("db", string_data={"password": CANARY})], [stored(secret("db", {"password": b64("old")}))]), False)
def test_sync_output_does_not_depend_on_secret_values(case, dry_run):
    desired, live = case
    text = sync_text(desired, live, dry_run)
    assert CANARY not in text and b64(CANARY) not in text
    assert text == sync_text([renamed(o) for o in desired], [renamed(o) for o in live], dry_run)


# -- redact_text --------------------------------------------------------------------------------


def manifest_forms(obj):
    """Every text form in which the Secret's values appear in its manifest or the API:
    the written data string, its plain text, the canonical base64, and stringData values."""
    forms = []
    for value in (obj.get("data") or {}).values():
        if not isinstance(value, str):
            continue
        forms.append(value)
        try:
            plain = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        forms.append(base64.b64encode(plain).decode("ascii"))
        try:
            forms.append(plain.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    forms.extend((obj.get("stringData") or {}).values())
    # (forms holding the marker characters could be formed by the markers themselves)
    return [f for f in forms if isinstance(f, str) and len(f) >= redact.MIN_TEXT_SECRET_LENGTH and not set(f) & set("<>\x00")]


@settings(max_examples=examples(150))
@given(
    any_secrets().filter(lambda s: isinstance(s.get("data", {}), dict) and isinstance(s.get("stringData", {}), dict)),
    st.lists(secret_texts, max_size=3),
    st.randoms(use_true_random=False),
)
# a non-canonical base64 string (padding bits set) decodes to the value but was not scrubbed
@example({"apiVersion": "v1", "kind": "Secret", "data": {"password": "cGFzc3dvcmR="}}, [], random.Random(0))
def test_redact_text_scrubs_every_form_of_a_value(obj, noise, rnd):
    forms = manifest_forms(obj)
    pieces = forms + noise
    rnd.shuffle(pieces)
    text = "error: " + " | ".join(pieces)
    scrubbed = redact.redact_text(text, redact.secret_values(obj)).replace(redact.REDACTED, "\x00")
    assert [f for f in forms if f in scrubbed] == []
