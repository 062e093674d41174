# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cron schedules of sync windows: fields, matching, next fire, daylight saving time."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import cron
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

zoneinfo = pytest.importorskip("zoneinfo")
UTC = datetime.timezone.utc


def at(text, zone=UTC):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)


@pytest.mark.parametrize(
    "schedule, wanted",
    [
        ("*/15 * * * *", {"minutes": {0, 15, 30, 45}}),
        ("0 9-17/4 * * *", {"hours": {9, 13, 17}}),
        ("5,10-12 * * * *", {"minutes": {5, 10, 11, 12}}),
        ("0 0 * JAN,dec *", {"months": {1, 12}}),
        ("0 0 * * mon-fri", {"weekdays": {1, 2, 3, 4, 5}}),
        ("0 0 * * 7", {"weekdays": {0}}),
        ("0 22 * * 5/1", {"weekdays": {5, 6, 0}}),
        ("@hourly", {"minutes": {0}, "hours": set(range(24))}),
    ],
)
def test_fields(schedule, wanted):
    parsed = cron.parse(schedule)
    for name, values in wanted.items():
        assert getattr(parsed, name) == frozenset(values), name


@pytest.mark.parametrize(
    "schedule, message",
    [
        ("* * * *", "5 fields"),
        ("60 * * * *", "minute '60' is not in 0-59"),
        ("* 24 * * *", "hour"),
        ("* * 0 * *", "day of month"),
        ("* * * foo *", "month 'foo'"),
        ("* * * * 8", "day of week"),
        ("*/0 * * * *", "step"),
        ("10-5 * * * *", "backwards"),
        ("", "5 fields"),
    ],
)
def test_bad_schedules(schedule, message):
    with pytest.raises(InvalidSpec, match=message):
        cron.parse(schedule)


@pytest.mark.parametrize(
    "schedule, after, expected",
    [
        ("0 22 * * *", "2026-11-25 21:00", "2026-11-25 22:00"),
        ("0 22 * * *", "2026-11-25 22:00", "2026-11-26 22:00"),  # strictly after
        ("30 1 1 * *", "2026-11-25 00:00", "2026-12-01 01:30"),
        ("0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"),
        ("0 0 * * sat", "2026-11-25 12:00", "2026-11-28 00:00"),  # 2026-11-25 is a Wednesday
        ("0 0 13 * fri", "2026-11-25 12:00", "2026-11-27 00:00"),  # both day fields restricted: either matches
    ],
)
def test_next_fire_utc(schedule, after, expected):
    assert cron.next_fire(cron.parse(schedule), at(after), UTC) == at(expected)


def test_dst_gap_never_fires_and_repeat_fires_once():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    # 2026-03-29: 02:00 -> 03:00 in Paris; 02:30 does not exist that day
    fire = cron.next_fire(cron.parse("30 2 * * *"), at("2026-03-28 12:00", UTC), paris)
    assert fire == at("2026-03-30 00:30", UTC)  # 02:30 CEST the next day
    # 2026-10-25: 03:00 -> 02:00; 02:30 happens twice, fires at the first (00:30 UTC, CEST)
    first = cron.next_fire(cron.parse("30 2 * * *"), at("2026-10-24 12:00", UTC), paris)
    assert first == at("2026-10-25 00:30", UTC)
    assert cron.next_fire(cron.parse("30 2 * * *"), first, paris) == at("2026-10-26 01:30", UTC)


def test_time_zone_shifts_the_fire():
    ny = zoneinfo.ZoneInfo("America/New_York")
    assert cron.next_fire(cron.parse("0 9 * * *"), at("2026-11-25 00:00", UTC), ny) == at("2026-11-25 14:00", UTC)
