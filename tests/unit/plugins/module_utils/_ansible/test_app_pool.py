# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applications of one step side by side (app_pool.py): results in order, a stop that ends
the running ones at their next write or wait, the steps and thread shares of ordering.py,
and each Application's own request tally (request_tally.py, fanout.py)."""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import request_tally
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_pool, signals
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.signals import Terminated
from ansible_collections.gitops.k8s.plugins.module_utils._engine import fanout, ordering
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Ports

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock

WAIT = 60  # seconds: generous, the machine may be loaded


def app(name, wave=None):
    meta = {"name": name}
    if wave is not None:
        meta["annotations"] = {"gitops-k8s.dev/sync-wave": str(wave)}
    return {"metadata": meta}


def names(step):
    return [a["metadata"]["name"] for a in step]


def test_steps_are_the_waves_lowest_first_each_by_name():
    apps = [app("z"), app("b", 1), app("a"), app("crd", -1), app("m", "bad"), app("c", 1)]
    assert [names(s) for s in ordering.app_steps(apps)] == [["crd"], ["a", "m", "z"], ["b", "c"]]
    assert ordering.app_steps([]) == []


@pytest.mark.parametrize("workers, app_workers, slots", [(8, 1, None), (8, 4, 8), (2, 4, 2), (0, 4, 1), (8, 2, 8)])
def test_request_slots_are_the_runs_workers_when_applications_run_side_by_side(workers, app_workers, slots):
    made = app_pool.request_slots(workers, app_workers)
    if slots is None:
        assert made is None
        return
    taken = 0
    while made.acquire(blocking=False):
        taken += 1
    assert taken == slots


def test_an_application_alone_at_its_writes_uses_every_slot_of_the_run():
    """The last Application of a wave (the others done) sends ``workers`` calls at once, not a
    share: three calls that each wait for all three to have started."""
    slots = app_pool.request_slots(3, 4)
    barrier = threading.Barrier(3, timeout=WAIT)

    def plan(a):
        if a["metadata"]["name"] != "last":
            return []
        return [o.value for o in fanout.each(lambda n: barrier.wait() is not None and n, range(3), 3, slots=slots)]

    assert app_pool.each(plan, [app("done"), app("last")], 4, app_pool.Stop()) == [[], [0, 1, 2]]


def test_applications_run_side_by_side_and_come_back_in_order():
    barrier = threading.Barrier(3, timeout=WAIT)  # passes only when three run at once

    def call(a):
        barrier.wait()
        return a["metadata"]["name"].upper()

    assert app_pool.each(call, [app("a"), app("b"), app("c")], 3, app_pool.Stop()) == ["A", "B", "C"]


def test_one_worker_runs_them_one_after_another_in_this_thread():
    seen = []
    app_pool.each(lambda a: seen.append(threading.current_thread()), [app("a"), app("b")], 1, app_pool.Stop())
    assert seen == [threading.main_thread()] * 2 or seen == [threading.current_thread()] * 2


def test_sigterm_ends_the_running_ones_at_their_next_wait_and_starts_no_other():
    stop = app_pool.Stop()
    running, started = threading.Event(), []
    ports = app_pool.stoppable(Ports(cluster=None, source=None, render=None, lock=None, write_status=None, clock=FakeClock()), stop)

    def call(a):
        started.append(a["metadata"]["name"])
        if a["metadata"]["name"] == "a":
            assert running.wait(WAIT)
            os.kill(os.getpid(), signal.SIGTERM)  # as systemctl stop sends it: handled in the main thread, which waits
        else:
            running.set()
        while True:
            ports.clock.sleep(0.01)  # a wait for health: ends once the run stops
            time.sleep(0.001)

    with pytest.raises(Terminated) as raised:
        with signals.terminate_on_signals():
            app_pool.each(call, [app("a"), app("b"), app("never-1"), app("never-2")], 2, stop)
    assert raised.value.signum == signal.SIGTERM and stop.is_set()
    assert sorted(started) == ["a", "b"]


def test_after_a_stop_writes_and_locks_refuse():
    stop = app_pool.Stop()
    written, released = [], []

    @contextmanager
    def lock(_spec):
        try:
            yield None
        finally:
            released.append(True)

    ports = app_pool.stoppable(Ports(cluster=None, source=None, render=None, lock=lock, write_status=lambda a, s: written.append(s), clock=FakeClock()), stop)
    with ports.lock("spec") as held:
        held.check()
        ports.write_status({}, {"a": 1})
        stop.set(signal.SIGTERM)
        with pytest.raises(Terminated):
            held.check()
    assert released == [True]
    with pytest.raises(Terminated):
        ports.write_status({}, {"a": 2})
    with pytest.raises(Terminated):
        with ports.lock("spec"):
            pass
    assert written == [{"a": 1}]


def test_a_wait_of_a_stoppable_clock_takes_the_clock_s_time():
    clock = FakeClock()
    ports = app_pool.stoppable(Ports(cluster=None, source=None, render=None, lock=None, write_status=None, clock=clock), app_pool.Stop())
    before = clock.now()
    ports.clock.sleep(2.5)
    assert clock.now() - before == pytest.approx(2.5)  # in slices of at most one second
    assert ports.clock.iso() == clock.iso()


def test_each_application_counts_its_own_requests_threads_included():
    def requests(n):
        with request_tally.counting() as tally:
            fanout.each(lambda _i: request_tally.add("get"), range(n), 4)
            request_tally.add("list")
        return dict(tally)

    got = app_pool.each(lambda a: requests(len(a["metadata"]["name"])), [app("a"), app("bbb"), app("cc")], 3, app_pool.Stop())
    assert got == [{"get": 1, "list": 1}, {"get": 3, "list": 1}, {"get": 2, "list": 1}]
    request_tally.add("get")  # outside any tally: counted nowhere, no error
