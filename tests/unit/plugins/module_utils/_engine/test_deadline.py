# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run-wide deadline: time left, passed, a wait capped to the time left."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.deadline import Deadline, not_reconciled


class Clock:
    def __init__(self):
        self.t = 500.0

    def now(self):
        return self.t


def test_no_deadline_never_passes_and_caps_nothing():
    clock = Clock()
    deadline = Deadline(0, clock.now)
    clock.t += 10**6
    assert deadline.left() is None and not deadline.passed()
    assert deadline.cap(300) == 300 and deadline.cap(0) == 0


def test_a_deadline_passes_after_its_seconds():
    clock = Clock()
    deadline = Deadline(60, clock.now)
    clock.t += 59.5
    assert not deadline.passed() and deadline.left() == 0.5
    clock.t += 0.5
    assert deadline.passed() and deadline.left() == 0.0
    clock.t += 100
    assert deadline.left() == 0.0


def test_a_wait_for_health_is_capped_by_the_time_left():
    clock = Clock()
    deadline = Deadline(60, clock.now)
    clock.t += 45
    assert deadline.cap(300) == 15  # the run has 15 s left
    assert deadline.cap(10) == 10  # a shorter wait stays
    assert deadline.cap(0) == 0  # no wait stays no wait


def test_an_application_left_out_is_reported_as_not_reconciled():
    deadline = Deadline(90, Clock().now)
    outcome = not_reconciled({"metadata": {"namespace": "gitops-system", "name": "late"}}, deadline)
    assert outcome.app == "gitops-system/late"
    assert str(outcome.error) == "not reconciled: the run deadline of 90 s passed"
    assert outcome.reason == str(outcome.error) and outcome.sync_status == "Unknown" and not outcome.synced
