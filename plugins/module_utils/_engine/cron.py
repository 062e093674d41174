# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Five-field cron schedules (minute hour day-of-month month day-of-week), as Argo CD's
sync windows write them: ``*``, lists, ranges, steps, month and day names, 7 for Sunday,
and the @hourly/@daily/@weekly/@monthly/@yearly shorthands.

As in cron (and robfig/cron, which Argo CD uses), when both day fields are restricted a
day matches either. Schedules are matched on the wall clock of a time zone: a wall time
that does not exist (the hour skipped when DST starts) never fires; one that happens
twice (when DST ends) fires at its first occurrence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Dict, Tuple

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

_MONTHS = dict((n, i + 1) for i, n in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split()))
_DAYS = dict((n, i) for i, n in enumerate("sun mon tue wed thu fri sat".split()))
_SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# (name, low, high, names)
_FIELDS: Tuple[Tuple[str, int, int, Dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
# How far ahead a next match is looked for (a Feb 29 schedule fires within 8 years).
_HORIZON_DAYS = 8 * 366


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset  # 0 = Sunday
    any_day: bool  # day of month is '*'
    any_weekday: bool

    def day_matches(self, date):
        if date.month not in self.months:
            return False
        in_month, in_week = date.day in self.days, (date.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_wall(self, after):
        """First naive wall time strictly after the naive datetime ``after`` (minute
        precision) that matches, or None within the horizon."""
        start = after.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        day = start.date()
        for _day in range(_HORIZON_DAYS):
            if self.day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        wall = datetime.datetime.combine(day, datetime.time(hour, minute))
                        if wall >= start:
                            return wall
            day += datetime.timedelta(days=1)
        return None


def _value(token, names, low, high, what, text):
    token = token.lower()
    value = names.get(token) if token in names else (int(token) if token.isdigit() else None)
    if value is None or not low <= value <= high:
        raise InvalidSpec("schedule %r: %s %r is not in %d-%d" % (text, what, token, low, high))
    return value


def _field(part, what, low, high, names, text):
    values = set()
    for item in part.split(","):
        body, _slash, step = item.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            raise InvalidSpec("schedule %r: %s step %r must be a positive number" % (text, what, step))
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, _dash, b = body.partition("-")
            first, last = _value(a, names, low, high, what, text), _value(b, names, low, high, what, text)
            if first > last:
                raise InvalidSpec("schedule %r: %s range %r runs backwards" % (text, what, body))
        else:
            first = _value(body, names, low, high, what, text)
            last = high if step else first
        values.update(range(first, last + 1, int(step or 1)))
    return frozenset(values)


def parse(text):
    """Schedule of a cron string; InvalidSpec quoting it and naming the bad field."""
    raw = str(text or "").strip()
    fields = _SHORTHANDS.get(raw.lower(), raw).split()
    if len(fields) != 5:
        raise InvalidSpec("schedule %r must have 5 fields (minute hour day-of-month month day-of-week)" % (text,))
    parsed = [_field(part, what, low, high, names, raw) for part, (what, low, high, names) in zip(fields, _FIELDS)]
    weekdays = frozenset(d % 7 for d in parsed[4])
    return Schedule(parsed[0], parsed[1], parsed[2], parsed[3], weekdays, fields[2] == "*", fields[4] == "*")


def next_fire(schedule, after, zone):
    """First moment (aware UTC datetime) strictly after the aware datetime ``after`` at which
    ``schedule`` fires on the wall clock of ``zone`` (a tzinfo); None within the horizon.
    Skipped wall times never fire; repeated ones fire once (the first)."""
    wall = after.astimezone(zone).replace(tzinfo=None)
    while True:
        wall = schedule.next_wall(wall)
        if wall is None:
            return None
        moment = wall.replace(tzinfo=zone, fold=0)
        utc = moment.astimezone(datetime.timezone.utc)
        if utc.astimezone(zone).replace(tzinfo=None) != wall:
            continue  # does not exist on this day (DST gap)
        if utc > after:
            return utc
