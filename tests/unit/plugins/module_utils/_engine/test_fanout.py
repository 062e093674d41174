# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls side by side (fanout.py): order of results, every error collected, stop after a failure."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible.signals import Terminated, terminate_on_signals
from ansible_collections.gitops.k8s.plugins.module_utils._engine import fanout
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError, ClusterError, LockError

# generous: the machine may be loaded; nothing waits this long unless the code is wrong
DEADLINE = 60


@pytest.mark.parametrize("workers", [1, 4])
def test_results_come_back_in_item_order(workers):
    outcomes = fanout.each(lambda n: n * n, range(20), workers)
    assert [o.value for o in outcomes] == [n * n for n in range(20)]
    assert [o.item for o in outcomes] == list(range(20))
    assert all(o.ran and o.error is None for o in outcomes)


def test_calls_really_overlap_up_to_the_worker_count():
    """Four calls that each wait for all four to have started: only possible side by side."""
    barrier = threading.Barrier(4, timeout=DEADLINE)
    outcomes = fanout.each(lambda n: barrier.wait() is not None and n, range(4), 4)
    assert [o.value for o in outcomes] == [0, 1, 2, 3]


class Gauge:
    """Calls that count how many run at once (``running``, ``peak``) and wait for ``release``
    (set by the ``release_at``-th call running at once, or by the test)."""

    def __init__(self, release_at=None):
        self.lock, self.running, self.peak = threading.Lock(), 0, 0
        self.release, self.release_at = threading.Event(), release_at

    def call(self, n):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            if self.running == self.release_at:
                self.release.set()
        self.release.wait(DEADLINE)
        with self.lock:
            self.running -= 1
        return n


def test_never_more_than_workers_at_once():
    gauge = Gauge(release_at=3)
    fanout.each(gauge.call, range(12), 3)
    assert gauge.peak == 3


def test_slots_bound_every_fanout_that_shares_them():
    """Two fanouts of 4 workers each (two Applications side by side) sharing 2 slots: never
    more than 2 calls at once in all, and every call is still made, in item order."""
    slots = threading.BoundedSemaphore(2)
    gauge = Gauge()
    results = {}
    threads = [threading.Thread(target=lambda k=k: results.update({k: fanout.each(gauge.call, range(4), 4, slots=slots)})) for k in "ab"]
    for thread in threads:
        thread.start()
    ends = time.monotonic() + DEADLINE
    while gauge.running < 2 and time.monotonic() < ends:
        time.sleep(0.01)
    time.sleep(0.5)  # time for any call that does not wait for a slot to start
    assert gauge.peak == 2
    gauge.release.set()
    for thread in threads:
        thread.join(DEADLINE)
    assert [[o.value for o in results[k]] for k in "ab"] == [[0, 1, 2, 3]] * 2


def test_stop_on_error_starts_nothing_that_was_waiting_for_a_slot():
    slots = threading.BoundedSemaphore(1)
    calls = []

    def call(n):
        calls.append(n)
        if n == 0:
            raise ClusterError("refused", subject="o0")
        return n

    outcomes = fanout.each(call, range(6), 3, catch=ClusterError, stop_on_error=True, slots=slots)
    assert calls[-1] == 0  # one slot: the calls are one after another, and none after the failure
    assert [o.ran for o in outcomes] == [n in calls for n in range(6)]
    assert outcomes[0].error is not None


@pytest.mark.parametrize("workers", [1, 4])
def test_every_error_is_collected_with_its_item(workers):
    def call(n):
        if n % 3 == 0:
            raise ApplyError("refused %d" % n, subject="ConfigMap/demo/c%d" % n)
        return n

    outcomes = fanout.each(call, range(7), workers)
    assert [o.item for o in outcomes if o.error] == [0, 3, 6]
    assert [o.value for o in outcomes if not o.error] == [1, 2, 4, 5]
    assert [e.subject for e in fanout.errors_of(outcomes)] == ["ConfigMap/demo/c0", "ConfigMap/demo/c3", "ConfigMap/demo/c6"]


def test_stop_on_error_starts_nothing_after_a_failure_one_at_a_time():
    seen = []

    def call(n):
        seen.append(n)
        if n == 2:
            raise ClusterError("refused")
        return n

    outcomes = fanout.each(call, range(6), 1, stop_on_error=True)
    assert seen == [0, 1, 2]
    assert [o.ran for o in outcomes] == [True, True, True, False, False, False]


def test_stop_on_error_side_by_side_runs_fewer_than_all():
    started = []
    lock = threading.Lock()

    def call(n):
        with lock:
            started.append(n)
        if n == 0:
            raise ClusterError("refused")
        return n

    outcomes = fanout.each(call, range(200), 2, stop_on_error=True)
    assert outcomes[0].error is not None
    assert len(started) < 200
    assert [o.ran for o in outcomes].count(True) == len(started)


def test_an_error_outside_catch_is_raised():
    def call(n):
        if n == 1:
            raise KeyError("bug")
        return n

    with pytest.raises(KeyError):
        fanout.each(call, range(3), 2, catch=ApplyError)


def test_summary_of_one_error_is_that_error():
    error = ApplyError("dry-run apply failed: bad", subject="ConfigMap/demo/a")
    assert fanout.summary([error]) is error


def test_summary_names_every_object_and_keeps_class_subject_and_details():
    errors = [ApplyError("dry-run apply failed: bad %d" % i, subject="ConfigMap/demo/c%d" % i, details={"origin": "f.yaml:%d" % i}) for i in range(3)]
    error = fanout.summary(errors)
    assert isinstance(error, ApplyError) and error.step == "apply"
    assert error.subject == "ConfigMap/demo/c0" and error.details == {"origin": "f.yaml:0"}
    assert str(error) == (
        "ConfigMap/demo/c0: dry-run apply failed: bad 0; ConfigMap/demo/c1: dry-run apply failed: bad 1; "
        "ConfigMap/demo/c2: dry-run apply failed: bad 2 (3 objects failed)"
    )


def test_summary_counts_what_it_does_not_name():
    errors = [LockError("lost %d" % i, subject="Lease/x") for i in range(fanout.SUMMARY_LIMIT + 4)]
    error = fanout.summary(errors)
    assert isinstance(error, LockError)
    assert error.message.endswith("; +4 more (%d objects failed)" % (fanout.SUMMARY_LIMIT + 4))
    assert error.message.count("lost") == fanout.SUMMARY_LIMIT


def test_sigterm_in_the_waiting_thread_starts_no_further_call():
    """SIGTERM raises Terminated in the thread that waits: the calls not started are not made
    (the running ones finish), as pool.map's iterator cancelled them when it was closed."""
    started = []

    def call(item):
        started.append(item)
        time.sleep(0.2)
        if item == 0:  # every call submitted by now: the caller waits for the first
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(Terminated):
        with terminate_on_signals():
            fanout.each(call, range(40), 2)
    time.sleep(0.5)
    assert len(started) < 10, started  # without the cancel, all 40 ran before the exception went on
