# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret redaction for diffs, logs and return values.

A redacted Secret keeps its keys; each value becomes ``<redacted sha256:XXXXXXXX>``,
a salted hash of key and plain value. Within one run (one salt) a diff therefore shows
WHICH key changed, never a value, and the same value always prints the same way whether
it came from ``data`` (base64) or ``stringData`` (plain). A new salt per run keeps the
placeholders from being compared across runs (no offline guessing of short values).

``redact_text`` scrubs known secret strings out of free text (tool output, errors).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from secrets import token_hex
from typing import Any, Dict, Iterable, List, Mapping

from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import split_api_version

SECRET_KIND = "Secret"
SECRET_FIELDS = ("data", "stringData")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
REDACTED = "<redacted>"
PLACEHOLDER = "<redacted sha256:%s>"
# Shorter strings are not scrubbed from text: they would match everywhere and hide nothing.
MIN_TEXT_SECRET_LENGTH = 4


def new_salt() -> str:
    """A random salt for one run."""
    return token_hex(16)


def is_secret(obj: Any) -> bool:
    """True for a core-group Secret (``apiVersion: v1``; a missing apiVersion counts too)."""
    if not isinstance(obj, Mapping) or obj.get("kind") != SECRET_KIND:
        return False
    group, _version = split_api_version(str(obj.get("apiVersion") or ""))
    return group == ""


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return ("" if value is None else str(value)).encode("utf-8")


def _decode_data(value: Any) -> bytes:
    """Plain bytes of a ``data`` value; the raw text when it is not valid base64."""
    raw = _to_bytes(value)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return raw


def placeholder(salt: str, key: str, plain: Any) -> str:
    """The placeholder of one plain value: first 8 hex of sha256(salt + key + value)."""
    digest = hashlib.sha256(_to_bytes(salt) + _to_bytes(key) + _to_bytes(plain)).hexdigest()
    return PLACEHOLDER % digest[:8]


def _redact_values(values: Any, salt: str, decode: bool) -> Any:
    if not isinstance(values, Mapping):
        return REDACTED if values else values
    out: Dict[str, Any] = {}
    for key, value in values.items():
        plain = _decode_data(value) if decode else value
        out[key] = placeholder(salt, str(key), plain)
    return out


def _redact_secret(obj: Dict[str, Any], salt: str) -> None:
    """Redact one (already copied) Secret in place."""
    for field in SECRET_FIELDS:
        if field in obj:
            obj[field] = _redact_values(obj[field], salt, decode=field == "data")
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            annotations[LAST_APPLIED] = REDACTED


def _redact_in_place(obj: Any, salt: str) -> None:
    if not isinstance(obj, dict):
        return
    if is_secret(obj):
        _redact_secret(obj, salt)
        return
    kind = str(obj.get("kind") or "")
    items = obj.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for item in items:
            _redact_in_place(item, salt)


def redact(obj: Dict[str, Any], salt: str) -> Dict[str, Any]:
    """A deep copy of ``obj`` safe to print: Secret values hashed, other kinds unchanged.

    Items of a ``List`` (``kind: List``, ``SecretList``, ...) are redacted too.
    The input is never modified.
    """
    out = copy.deepcopy(obj)
    _redact_in_place(out, salt)
    return out


def secret_values(obj: Mapping[str, Any]) -> List[str]:
    """Every value of a Secret as text may show it: plain, base64, and as written (for ``redact_text``).

    Non-Secrets give an empty list.
    """
    if not is_secret(obj):
        return []
    found: List[str] = []
    for field in SECRET_FIELDS:
        values = obj.get(field)
        if not isinstance(values, Mapping):
            continue
        for value in values.values():
            if value is None:
                continue
            raw = _to_bytes(value)
            plain = _decode_data(raw) if field == "data" else raw
            found.append(plain.decode("utf-8", "replace"))
            found.append(base64.b64encode(plain).decode("ascii"))
            if raw != plain:  # data as written: its base64 need not be the canonical encoding
                found.append(raw.decode("utf-8", "replace"))
    return found


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (of 4+ characters) replaced by ``<redacted>``.

    Longer secrets are replaced first, so a secret containing another never half-leaks.
    """
    if not text:
        return text
    candidates = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_TEXT_SECRET_LENGTH}
    for secret in sorted(candidates, key=lambda s: (-len(s), s)):
        text = text.replace(secret, REDACTED)
    return text
