# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go durations ("5s", "2m", "1h30m", "1.5h") and Kubernetes timestamps, parsed once.

Argo CD's retry backoff and sync windows are written as Go ``time.ParseDuration``
strings; a bare number is seconds (Argo CD's retry ``duration`` accepts "5"). Status
times are RFC 3339 UTC strings with seconds (the clock port's ``iso``).
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_NUMBER = re.compile(r"\d+(?:\.\d*)?$")
_ISO = "%Y-%m-%dT%H:%M:%SZ"


def parse(text, field):
    """Seconds (float) of a Go duration or a bare number of seconds; InvalidSpec naming
    ``field`` otherwise. Negative durations are refused (no Argo CD field wants one)."""
    value = str(text).strip() if text is not None else ""
    if _NUMBER.match(value):
        return float(value)
    pos, total = 0, 0.0
    for match in _PART.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not value or pos != len(value):
        raise InvalidSpec("%s: %r is not a duration (examples: 30s, 5m, 1h30m)" % (field, text))
    return total


def iso(epoch):
    """A Kubernetes timestamp (UTC, seconds) of seconds since the epoch."""
    return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime(_ISO)


def epoch(text):
    """Seconds since the epoch of a Kubernetes timestamp; None when absent or unreadable
    (a status edited by hand must not break a reconcile)."""
    try:
        return datetime.datetime.strptime(str(text), _ISO).replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None
