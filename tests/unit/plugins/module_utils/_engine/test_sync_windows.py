# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sync windows: Argo CD's allow/deny rules, manualSync, selection by globs, when a
window opens, and reconcile holding an automated sync (drift reported, nothing written)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_windows
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .fake_cluster import FakeClock, World

# 2026-11-25 is a Wednesday; 21:30 UTC
NOW = datetime.datetime(2026, 11, 25, 21, 30, tzinfo=datetime.timezone.utc).timestamp()
NIGHT_DENY = {"kind": "deny", "schedule": "0 21 * * *", "duration": "2h", "applications": ["*"]}
DAY_ALLOW = {"kind": "allow", "schedule": "0 8 * * mon-fri", "duration": "10h", "applications": ["shop-*"]}


def verdict(windows, name="shop-web", namespace="shop", now=NOW, manual=False):
    return sync_windows.verdict(sync_windows.parse(windows), name, namespace, now, manual)


def test_no_window_allows():
    assert verdict([]).allowed


def test_active_deny_blocks_and_says_when_it_ends():
    out = verdict([NIGHT_DENY])
    assert not out.allowed and out.opens_at == "2026-11-25T23:00:00Z"
    assert "deny window deny '0 21 * * *' for 2h (UTC) is active" in out.message


def test_a_description_is_quoted():
    assert "(UTC): change freeze" in verdict([dict(NIGHT_DENY, description="change freeze")]).message


def test_inactive_deny_allows():
    assert verdict([dict(NIGHT_DENY, schedule="0 3 * * *")]).allowed


def test_allow_windows_hold_outside_and_name_the_next_opening():
    out = verdict([DAY_ALLOW])
    assert not out.allowed and out.opens_at == "2026-11-26T08:00:00Z" and "outside every allow window" in out.message
    inside = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.timezone.utc).timestamp()
    assert verdict([DAY_ALLOW], now=inside).allowed


def test_deny_wins_over_allow():
    always = {"kind": "allow", "schedule": "* * * * *", "duration": "1h", "applications": ["*"]}
    assert not verdict([always, NIGHT_DENY]).allowed


def test_manual_sync_passes_only_with_manual_sync():
    assert not verdict([NIGHT_DENY], manual=True).allowed
    assert verdict([dict(NIGHT_DENY, manualSync=True)], manual=True).allowed
    assert not verdict([dict(NIGHT_DENY, manualSync=True)], manual=False).allowed
    assert verdict([dict(DAY_ALLOW, manualSync=True)], manual=True).allowed
    # every active deny window must allow manual syncs
    assert not verdict([dict(NIGHT_DENY, manualSync=True), dict(NIGHT_DENY, schedule="0 20 * * *")], manual=True).allowed


@pytest.mark.parametrize(
    "selector, matches",
    [
        ({"applications": ["shop-*"]}, True),
        ({"applications": ["billing"]}, False),
        ({"namespaces": ["sh?p"]}, True),
        ({"clusters": ["in-cluster"]}, True),
        ({"clusters": ["https://prod.example.com"]}, False),
        ({"applications": ["billing"], "namespaces": ["shop"]}, True),
        ({"applications": ["billing"], "namespaces": ["shop"], "andOperator": True}, False),
        ({}, False),
    ],
)
def test_windows_cover_applications_by_glob(selector, matches):
    window = {"kind": "deny", "schedule": "0 21 * * *", "duration": "2h"}
    window.update(selector)
    assert verdict([window]).allowed is not matches


def test_time_zone_of_a_window():
    pytest.importorskip("zoneinfo")
    # 22:30 in Paris is 21:30 UTC: a Paris window at 22:00 for 1h is active
    assert not verdict([dict(NIGHT_DENY, schedule="0 22 * * *", duration="1h", timeZone="Europe/Paris")]).allowed
    assert verdict([dict(NIGHT_DENY, schedule="0 22 * * *", duration="1h")]).allowed


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"kind": "maybe"}, r"sync_windows\[0\].kind must be allow or deny"),
        ({"duration": "forever"}, r"sync_windows\[0\].duration"),
        ({"duration": "0s"}, "longer than 0"),
        ({"schedule": "0 25 * * *"}, r"sync_windows\[0\].schedule '0 25 \* \* \*': hour"),
        ({"timeZone": "Mars/Olympus"}, "'Mars/Olympus' is not a known time zone"),
        ({"applications": "shop"}, "applications must be a list"),
    ],
)
def test_bad_windows_are_named(bad, message):
    with pytest.raises(InvalidSpec, match=message):
        sync_windows.parse([dict(NIGHT_DENY, **bad)])


def app(name="shop-web", **policy):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "ops"},
        "spec": {"source": {"path": "p"}, "destination": {"namespace": "demo"}, "syncPolicy": dict({"automated": {"prune": True, "selfHeal": True}}, **policy)},
    }


def test_reconcile_holds_an_automated_sync_and_reports_drift():
    world, obj = World(), app()
    world.clock = FakeClock()
    world.clock.t = NOW
    windows = ({"kind": "deny", "schedule": "0 21 * * *", "duration": "2h", "namespaces": ["demo"]},)
    world.cluster.reset_calls()
    held = world.run(obj, sync_windows=windows)
    assert not held.synced and world.cluster.writes() == []
    assert held.sync_status == "OutOfSync" and held.status["summary"]["outOfSync"] == 1
    assert held.status["syncWindow"]["opensAt"] == "2026-11-25T23:00:00Z"
    assert [c["type"] for c in held.status["conditions"]] == ["SyncWindowClosed"]
    assert held.changeset.entries[0].action == "skipped"
    manual = world.run(obj, sync=True, sync_windows=windows)  # no manualSync: a manual sync waits too
    assert not manual.synced
    passes = world.run(obj, sync=True, sync_windows=(dict(windows[0], manualSync=True),))
    assert passes.synced and passes.error is None and "syncWindow" not in passes.status
    assert not [c for c in passes.status.get("conditions") or [] if c["type"] == "SyncWindowClosed"]


def test_reconcile_syncs_once_the_window_closes():
    world, obj = World(), app()
    world.clock = FakeClock()
    world.clock.t = NOW
    windows = (NIGHT_DENY,)
    assert not world.run(obj, sync_windows=windows).synced
    world.clock.t = NOW + 90 * 60
    assert world.run(obj, sync_windows=windows).synced


def test_a_bad_window_is_a_comparison_error_and_syncs_nothing():
    world, obj = World(), app()
    world.cluster.reset_calls()
    outcome = world.run(obj, sync_windows=({"kind": "deny", "schedule": "bad", "duration": "1h"},))
    assert outcome.error is not None and not outcome.synced and world.cluster.writes() == []
    assert outcome.status["conditions"][0]["type"] == "ComparisonError"
