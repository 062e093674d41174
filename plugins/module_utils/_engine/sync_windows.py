# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sync windows (Argo CD's AppProject ``syncWindows``): when an Application may sync.

Each window has ``kind`` (allow or deny), ``schedule`` (cron, cron.py), ``duration``
(Go duration), ``timeZone`` (IANA name, default UTC), the Applications it covers
(``applications``, ``namespaces``, ``clusters`` globs; any one matching, or all the
given ones with ``andOperator``) and ``manualSync``. Argo CD's rules (CanSync): an active
deny window blocks (a manual sync passes when every active deny window has manualSync);
otherwise, when allow windows exist, only an active one lets a sync through (a manual
sync passes when an inactive allow window has manualSync). Without a window covering
the Application, it syncs as always.

Until the Project kind exists, the windows come from the run (the reconcile playbook's
``gitops_k8s_sync_windows``, the app module's ``sync_windows``).
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import cron, durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

try:
    import zoneinfo
except ImportError:  # Python < 3.9: only UTC
    zoneinfo = None  # type: ignore[assignment]

# Where a held sync is recorded: a condition and status.syncWindow (message, opensAt).
CONDITION = "SyncWindowClosed"
FIELD = "syncWindow"
ALLOW = "allow"
DENY = "deny"
# The cluster of the run, as Argo CD names the local one.
LOCAL_CLUSTERS = ("in-cluster", "https://kubernetes.default.svc")
# How many window edges next_open() walks before giving up (windows that never open).
_MAX_STEPS = 500


@dataclass(frozen=True)
class Window:
    kind: str
    schedule: cron.Schedule
    duration: float
    zone: object
    applications: tuple = ()
    namespaces: tuple = ()
    clusters: tuple = ()
    and_operator: bool = False
    manual_sync: bool = False
    text: str = ""  # how messages name it: "deny '0 22 * * *' for 1h (UTC)"

    def covers(self, app_name, namespace, clusters=LOCAL_CLUSTERS):
        tests = []
        for globs, names in ((self.applications, (app_name,)), (self.namespaces, (namespace,)), (self.clusters, clusters)):
            if globs:
                tests.append(any(fnmatch.fnmatchcase(n, g) for g in globs for n in names))
        if not tests:
            return False
        return all(tests) if self.and_operator else any(tests)

    def active_since(self, now):
        """Start (aware UTC) of the occurrence active at the aware datetime ``now``, or None."""
        start = cron.next_fire(self.schedule, now - datetime.timedelta(seconds=self.duration), self.zone)
        return start if start is not None and start <= now else None


def _zone(name, where):
    if not name or name in ("UTC", "Etc/UTC"):
        return datetime.timezone.utc
    if zoneinfo is None:
        raise InvalidSpec("%s.timeZone %r: time zones need Python 3.9 or later (use UTC)" % (where, name))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSpec("%s.timeZone %r is not a known time zone (an IANA name such as Europe/Paris)" % (where, name)) from exc


def _globs(value, where):
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidSpec("%s must be a list of strings" % where)
    return tuple(value)


def parse(items, where="sync_windows"):
    """Windows of a list of Argo CD syncWindows entries; InvalidSpec names the bad one."""
    windows = []
    for idx, item in enumerate(items or ()):
        at = "%s[%d]" % (where, idx)
        if not isinstance(item, dict):
            raise InvalidSpec("%s must be a mapping" % at)
        kind = item.get("kind")
        if kind not in (ALLOW, DENY):
            raise InvalidSpec("%s.kind must be allow or deny, got %r" % (at, kind))
        duration = durations.parse(item.get("duration"), at + ".duration")
        if duration <= 0:
            raise InvalidSpec("%s.duration must be longer than 0" % at)
        zone_name = item.get("timeZone") or "UTC"
        try:
            schedule = cron.parse(item.get("schedule"))
        except InvalidSpec as exc:
            raise InvalidSpec("%s.%s" % (at, exc.message)) from exc
        windows.append(
            Window(
                kind=kind,
                schedule=schedule,
                duration=duration,
                zone=_zone(zone_name, at),
                applications=_globs(item.get("applications"), at + ".applications"),
                namespaces=_globs(item.get("namespaces"), at + ".namespaces"),
                clusters=_globs(item.get("clusters"), at + ".clusters"),
                and_operator=bool(item.get("andOperator")),
                manual_sync=bool(item.get("manualSync")),
                text="%s '%s' for %s (%s)%s"
                % (kind, item.get("schedule"), item.get("duration"), zone_name, ": %s" % item["description"] if item.get("description") else ""),
            )
        )
    return tuple(windows)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    opens_at: str = ""  # Kubernetes timestamp of the next moment a sync is allowed ('' unknown)


def _can_sync(windows, moment, manual):
    active = [w for w in windows if w.active_since(moment) is not None]
    denies = [w for w in active if w.kind == DENY]
    if denies:
        return manual and all(w.manual_sync for w in denies), "deny window %s is active" % denies[0].text
    if any(w.kind == ALLOW for w in active):
        return True, ""
    allows = [w for w in windows if w.kind == ALLOW]
    if allows:
        return manual and any(w.manual_sync for w in allows), "outside every allow window (%s)" % ", ".join(w.text for w in allows)
    return True, ""


def _next_edge(windows, moment):
    """The nearest moment after ``moment`` at which a window opens or an active one closes."""
    edges = []
    for window in windows:
        start = window.active_since(moment)
        if start is not None:
            edges.append(start + datetime.timedelta(seconds=window.duration))
        fire = cron.next_fire(window.schedule, moment, window.zone)
        if fire is not None:
            edges.append(fire)
    edges = [e for e in edges if e > moment]
    return min(edges) if edges else None


def next_open(windows, moment, manual=False):
    """The first moment after ``moment`` when a sync is allowed, or None."""
    for _step in range(_MAX_STEPS):
        moment = _next_edge(windows, moment)
        if moment is None:
            return None
        if _can_sync(windows, moment, manual)[0]:
            return moment
    return None


def verdict(windows, app_name, namespace, now, manual, clusters=LOCAL_CLUSTERS):
    """Verdict for an Application (name, destination namespace, and the name and server of
    its destination cluster) at epoch ``now``."""
    mine = [w for w in windows if w.covers(app_name, namespace, clusters)]
    if not mine:
        return Verdict(True)
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    allowed, why = _can_sync(mine, moment, manual)
    if allowed:
        return Verdict(True)
    opens = next_open(mine, moment, manual)
    opens_at = durations.iso(opens.timestamp()) if opens else ""
    when = "it may sync from %s" % opens_at if opens_at else "no window opens"
    message = "%s sync held by a sync window: %s; %s" % ("manual" if manual else "automated", why, when)
    return Verdict(False, message, opens_at)
