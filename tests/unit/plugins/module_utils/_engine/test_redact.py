# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret redaction: no value survives, keys stay comparable within one salt."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.redact import (
    LAST_APPLIED,
    REDACTED,
    is_secret,
    new_salt,
    redact,
    redact_text,
    secret_values,
)

PASSWORD = "Sup3r-S3cret-Pa55phrase!"
TOKEN = "tok_7Hq2LmZx9PwRk4Vn"
SALT = "0123456789abcdef0123456789abcdef"
PLACEHOLDER = re.compile(r"^<redacted sha256:[0-9a-f]{8}>$")


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def secret(data=None, string_data=None, api_version="v1"):
    obj = {
        "apiVersion": api_version,
        "kind": "Secret",
        "metadata": {
            "name": "db",
            "namespace": "shop",
            "annotations": {
                "team": "payments",
                LAST_APPLIED: json.dumps({"apiVersion": "v1", "kind": "Secret", "data": data or {}, "stringData": string_data or {}}),
            },
        },
        "type": "Opaque",
    }
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    return obj


def leaked(result, values):
    text = json.dumps(result)
    return [v for v in values if v in text]


def test_values_never_appear_in_output():
    obj = secret(data={"password": b64(PASSWORD), "token": b64(TOKEN)}, string_data={"extra": PASSWORD})
    result = redact(obj, SALT)
    assert not leaked(result, [PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN)])
    assert set(result["data"]) == {"password", "token"}
    assert set(result["stringData"]) == {"extra"}
    for value in list(result["data"].values()) + list(result["stringData"].values()):
        assert PLACEHOLDER.match(value), value


def test_last_applied_annotation_is_redacted_other_annotations_kept():
    result = redact(secret(data={"password": b64(PASSWORD)}), SALT)
    annotations = result["metadata"]["annotations"]
    assert annotations[LAST_APPLIED] == REDACTED
    assert annotations["team"] == "payments"


def test_placeholder_is_salted_hash_of_key_and_plain_value():
    result = redact(secret(string_data={"password": PASSWORD}), SALT)
    digest = hashlib.sha256((SALT + "password" + PASSWORD).encode("utf-8")).hexdigest()[:8]
    assert result["stringData"]["password"] == "<redacted sha256:%s>" % digest


def test_same_value_same_placeholder():
    first = redact(secret(data={"password": b64(PASSWORD)}), SALT)
    second = redact(secret(data={"password": b64(PASSWORD)}), SALT)
    assert first["data"]["password"] == second["data"]["password"]


def test_data_and_string_data_of_same_value_match():
    result = redact(secret(data={"password": b64(PASSWORD)}, string_data={"password": PASSWORD}), SALT)
    assert result["data"]["password"] == result["stringData"]["password"]


def test_changed_value_changes_placeholder():
    before = redact(secret(data={"password": b64(PASSWORD), "user": b64("app")}), SALT)
    after = redact(secret(data={"password": b64(PASSWORD + "2"), "user": b64("app")}), SALT)
    assert before["data"]["password"] != after["data"]["password"]
    assert before["data"]["user"] == after["data"]["user"]


def test_same_value_under_other_key_differs():
    result = redact(secret(string_data={"a": PASSWORD, "b": PASSWORD}), SALT)
    assert result["stringData"]["a"] != result["stringData"]["b"]


def test_different_salt_different_placeholder():
    obj = secret(data={"password": b64(PASSWORD)})
    assert redact(obj, SALT)["data"]["password"] != redact(obj, SALT + "x")["data"]["password"]


def test_invalid_base64_is_hashed_raw_and_not_leaked():
    raw = "not*base64*" + PASSWORD
    result = redact(secret(data={"password": raw}), SALT)
    assert PLACEHOLDER.match(result["data"]["password"])
    assert not leaked(result, [raw, PASSWORD])
    assert result["data"]["password"] == redact(secret(string_data={"password": raw}), SALT)["stringData"]["password"]


def test_empty_and_null_values_are_placeholders():
    result = redact(secret(data={"empty": "", "null": None}), SALT)
    assert PLACEHOLDER.match(result["data"]["empty"])
    assert PLACEHOLDER.match(result["data"]["null"])


def test_malformed_data_field_is_redacted_whole():
    result = redact(secret(data=[PASSWORD]), SALT)
    assert result["data"] == REDACTED


def test_input_not_mutated():
    obj = secret(data={"password": b64(PASSWORD)}, string_data={"token": TOKEN})
    before = copy.deepcopy(obj)
    result = redact(obj, SALT)
    assert obj == before
    assert result is not obj
    assert result["metadata"] is not obj["metadata"]


@pytest.mark.parametrize(
    "obj",
    [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"password": PASSWORD}},
        {"apiVersion": "bitnami.com/v1alpha1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "v"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "annotations": {LAST_APPLIED: "{}"}}},
    ],
)
def test_non_secrets_are_copied_unchanged(obj):
    before = copy.deepcopy(obj)
    result = redact(obj, SALT)
    assert result == before
    assert result is not obj
    assert obj == before


def test_secret_without_api_version_is_redacted():
    obj = secret(data={"password": b64(PASSWORD)})
    del obj["apiVersion"]
    assert is_secret(obj)
    assert not leaked(redact(obj, SALT), [PASSWORD, b64(PASSWORD)])


def test_secrets_inside_a_list_are_redacted():
    items = {"apiVersion": "v1", "kind": "List", "items": [secret(data={"password": b64(PASSWORD)}), {"kind": "ConfigMap", "data": {"a": "b"}}]}
    result = redact(items, SALT)
    assert not leaked(result, [PASSWORD, b64(PASSWORD)])
    assert result["items"][1] == {"kind": "ConfigMap", "data": {"a": "b"}}


def test_new_salt_is_random_hex():
    first, second = new_salt(), new_salt()
    assert first != second
    assert re.match(r"^[0-9a-f]{32}$", first)


def test_redact_text_replaces_every_occurrence():
    text = "error: %s rejected; retry with %s" % (PASSWORD, PASSWORD)
    assert redact_text(text, [PASSWORD]) == "error: %s rejected; retry with %s" % (REDACTED, REDACTED)


def test_redact_text_ignores_short_and_non_string_secrets():
    assert redact_text("a abc ab", ["abc", "", "a", None]) == "a abc ab"
    assert redact_text("key=abcd", ["abcd"]) == "key=" + REDACTED


def test_redact_text_longest_first():
    assert redact_text("pw=hunter2hunter2", ["hunter2", "hunter2hunter2"]) == "pw=" + REDACTED


def test_redact_text_empty():
    assert redact_text("", [PASSWORD]) == ""


def test_secret_values_feed_redact_text():
    obj = secret(data={"password": b64(PASSWORD)}, string_data={"token": TOKEN})
    values = secret_values(obj)
    assert PASSWORD in values and TOKEN in values and b64(PASSWORD) in values
    output = "kubectl: invalid value %s (base64 %s) and %s" % (PASSWORD, b64(PASSWORD), TOKEN)
    assert not leaked(redact_text(output, values), [PASSWORD, b64(PASSWORD), TOKEN])


def test_secret_values_of_non_secret_is_empty():
    assert secret_values({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": PASSWORD}}) == []
