# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go durations and status timestamps."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("5s", 5),
        ("2m", 120),
        ("1h", 3600),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("300ms", 0.3),
        ("2h45m10s", 9910),
        ("5", 5),
        (5, 5),
        ("0s", 0),
        ("1m0.5s", 60.5),
        (".5s", 0.5),
    ],
)
def test_go_durations(text, seconds):
    assert durations.parse(text, "f") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", None, "5x", "1d", "h", "-5s", " 5 s", "1h-3m", "s5"])
def test_bad_durations_name_the_field(text):
    with pytest.raises(InvalidSpec, match="retry.duration"):
        durations.parse(text, "retry.duration")


def test_iso_round_trip():
    assert durations.iso(0) == "1970-01-01T00:00:00Z"
    assert durations.epoch(durations.iso(1764000000)) == 1764000000
    assert durations.epoch("yesterday") is None and durations.epoch(None) is None
