# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus instant queries for an analysis (``GET <address>/api/v1/query``).

``query(address, promql, timeout)`` returns what Argo Rollouts' Prometheus provider
hands to a condition as ``result``: a number for a scalar, a list of numbers (one per
series) for a vector (``[]`` when nothing matched). Anything else (no answer within
``timeout``, an HTTP error, Prometheus' own error, a matrix or a string) raises
MetricsError naming the address (never its user-info) and why: the analysis counts that
as an Error measurement, never as a failed one. No redirects are followed (the address
is written in an Application, so it is where the query goes). ``timeout`` bounds the
whole exchange, not each socket read: a reply trickling in byte by byte is cut off
(within one more read's timeout), as is one larger than MAX_REPLY_BYTES.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import MetricsError

MAX_REPLY_BYTES = 4 * 1024 * 1024  # a reply larger than this is not a metric a condition reads
_CHUNK = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def _number(text, subject):
    try:
        return float(text)  # Prometheus writes sample values as strings: "0.05", "NaN", "+Inf"
    except (TypeError, ValueError):
        raise MetricsError("the reply holds %r where a number belongs" % (str(text)[:40],), subject=subject) from None


def _values(data, subject):
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return _number(result[1], subject)
    if kind == "vector" and isinstance(result, list):
        return [_number((s.get("value") or [None, None])[1] if isinstance(s, dict) else None, subject) for s in result]
    raise MetricsError("a %s result cannot be judged (write a query that returns a scalar or an instant vector)" % (kind or "missing"), subject=subject)


def query(address, promql, timeout):
    """The value of ``promql`` now, from the Prometheus at ``address`` (see the module docstring)."""
    subject = repo_urls.display(address)
    url = "%s/api/v1/query?%s" % (address.rstrip("/"), urllib.parse.urlencode({"query": promql, "timeout": "%gs" % timeout}))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = _read(response, deadline, timeout, subject)
    except urllib.error.HTTPError as exc:
        body = _read(exc, deadline, timeout, subject) if exc.fp is not None else b""
        raise MetricsError("Prometheus answered %d %s%s" % (exc.code, exc.reason, _error_of(body)), subject=subject) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MetricsError("Prometheus not reachable: %s" % (getattr(exc, "reason", None) or exc), subject=subject) from None
    if len(body) > MAX_REPLY_BYTES:
        raise MetricsError("the reply is larger than %d MiB" % (MAX_REPLY_BYTES // (1024 * 1024)), subject=subject)
    try:
        reply = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MetricsError("the reply is not JSON (is this a Prometheus address?)", subject=subject) from None
    if not isinstance(reply, dict) or reply.get("status") != "success" or not isinstance(reply.get("data"), dict):
        raise MetricsError("the query failed%s" % _error_of(body), subject=subject)
    return _values(reply["data"], subject)


def _read(response, deadline, timeout, subject):
    """The reply's bytes, at most MAX_REPLY_BYTES + 1 of them (the caller refuses more),
    read before ``deadline`` (time.monotonic()) or MetricsError."""
    chunks, size = [], 0
    read = getattr(response, "read1", None) or response.read  # read1: what has arrived, never waiting for a full chunk
    while size <= MAX_REPLY_BYTES:
        chunk = read(min(_CHUNK, MAX_REPLY_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise MetricsError("no complete reply within the timeout of %gs" % timeout, subject=subject)
    return b"".join(chunks)


def _error_of(body):
    """': <errorType>: <error>' of a Prometheus error reply ('' when there is none)."""
    try:
        reply = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, AttributeError):
        return ""
    if not isinstance(reply, dict) or not reply.get("error"):
        return ""
    return ": %s: %s" % (str(reply.get("errorType") or "error")[:40], str(reply.get("error"))[:300])
