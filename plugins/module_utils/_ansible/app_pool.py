# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent Applications of one step of a run reconciled side by side (``app_workers``).

The run (runner.run_all) hands over the Applications of one step (_engine/ordering.py
``app_steps``: one sync wave of the Application objects); their results come back in the
order given, whatever order they finished in. Each reconcile counts its own requests
(_adapters/request_tally.py) and never raises for its Application's errors.

Stopping: SIGTERM/SIGINT raise ``signals.Terminated`` in the main thread, which waits here.
Then the run stops: no reconcile starts; the running ones raise Terminated at their next
write check, status write or wait (the ports of ``stoppable``), so their ``finally:``
blocks release their Leases; once all ended, Terminated goes on up in the main thread.
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

from ansible_collections.gitops.k8s.plugins.module_utils._ansible.signals import Terminated


class Stop:
    """Set once the run was told to stop; ``check()`` raises Terminated from then on."""

    def __init__(self):
        self._event = threading.Event()
        self.signum = None

    def set(self, signum):
        self.signum = signum
        self._event.set()

    def is_set(self):
        return self._event.is_set()

    def check(self):
        if self._event.is_set():
            raise Terminated(self.signum)


SLICE = 1.0  # seconds: a wait asks whether the run stopped at least this often


class _StoppableClock:
    """The run's clock, whose waits end when the run stops."""

    def __init__(self, clock, stop):
        self._clock = clock
        self._stop = stop

    def __getattr__(self, name):
        return getattr(self._clock, name)

    def sleep(self, seconds):
        """The clock's sleep, in slices; Terminated once the run stopped."""
        left = seconds
        while True:
            self._stop.check()
            if left <= 0:
                return
            self._clock.sleep(min(left, SLICE))
            left -= SLICE


class _CheckedHold:
    """A held lock whose check() (before every write of a sync) stops with the run too."""

    def __init__(self, held, stop):
        self._held = held
        self._stop = stop

    def __getattr__(self, name):
        return getattr(self._held, name)

    def check(self):
        self._stop.check()
        if self._held is not None:
            self._held.check()


def stoppable(ports, stop):
    """``ports`` whose writes and waits stop with the run (``stop``)."""
    take, write = ports.lock, ports.write_status

    @contextmanager
    def lock(spec):
        stop.check()
        with take(spec) as held:
            yield _CheckedHold(held, stop)

    def write_status(app, status):
        stop.check()
        return write(app, status)

    return ports.with_changes(clock=_StoppableClock(ports.clock, stop), lock=lock, write_status=write_status)


def request_slots(workers, app_workers):
    """The run's request slots (_engine/fanout.py ``slots``): ``workers`` dry-runs and writes in
    flight across the Applications reconciled side by side, or None when they run one at a time
    (each then sends its own ``workers``). Each Application may use every slot the others leave
    free, instead of a fixed share of them: one alone at its writes (the last of a wave, or while
    the others plan or take their Lease) keeps the API server as busy as all of them would."""
    return threading.BoundedSemaphore(max(1, workers)) if app_workers > 1 else None


def each(call, apps, app_workers, stop):
    """``call(app)`` for every app of one step, at most ``app_workers`` at a time (one after
    another in this thread when 1, or for a single app); the results in the order of ``apps``."""
    if app_workers <= 1 or len(apps) <= 1:
        return [call(app) for app in apps]

    def one(app):
        stop.check()  # the run stopped before this one started
        return call(app)

    pool = ThreadPoolExecutor(max_workers=min(app_workers, len(apps)), thread_name_prefix="gitops-k8s-app")
    try:
        futures = [pool.submit(contextvars.copy_context().run, one, app) for app in apps]
        # waited for in slices: a signal the kernel gave a worker thread runs its handler
        # here only once this thread wakes (a lock wait is not interrupted for another thread)
        while wait(futures, timeout=SLICE).not_done:
            pass
        results = [f.result() for f in futures]
    except BaseException as exc:  # no other starts; on Terminated the running ones end at their next check, else they finish
        if isinstance(exc, Terminated):
            stop.set(exc.signum)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
