# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-Application Lease: short, renewed while held, taken over at once from a dead
holder on this host, waited for (until it expires) when held elsewhere."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import lease
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, LockError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

NS, NAME = "ops", "gapp-a"


@pytest.fixture
def cluster():
    return FakeCluster()


def lease_type(cluster):
    return cluster.resolve(lease.LEASE_API_VERSION, "Lease")


def plant(cluster, clock, holder, age=0.0, duration=lease.LEASE_DURATION, process=None):
    """Write a Lease held by ``holder``, renewed ``age`` seconds ago."""
    meta = {"name": NAME, "namespace": NS}
    if process is not None:
        meta["annotations"] = {lease.ANN_HOLDER_PROCESS: json.dumps(process)}
    renewed = lease.micro_time(clock.now() - age)
    cluster.create(
        lease_type(cluster),
        {
            "apiVersion": lease.LEASE_API_VERSION,
            "kind": "Lease",
            "metadata": meta,
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration, "acquireTime": renewed, "renewTime": renewed},
        },
    )


def stored(cluster):
    return cluster.get(lease_type(cluster), NS, NAME)


def dead_pid():
    """The pid of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lease_is_short_and_the_wait_outlasts_it():
    assert lease.LEASE_DURATION <= 60
    assert lease.LEASE_DURATION < lease.LOCK_TIMEOUT <= 2 * lease.LEASE_DURATION
    lock = lease.LeaseLock(FakeCluster(), FakeClock(), NS, NAME)
    assert lock.duration == lease.LEASE_DURATION and lock.timeout == lease.LOCK_TIMEOUT
    assert lock.renew_every == pytest.approx(lease.LEASE_DURATION / 3.0)


def test_identity_is_host_pid_nonce():
    host, pid, nonce = lease.holder_identity().split("/")
    assert host == socket.gethostname() and pid == str(os.getpid()) and len(nonce) == 8


def test_acquire_records_this_process_for_liveness_checks(cluster):
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire()
    obj = stored(cluster)
    assert obj["spec"]["holderIdentity"] == lock.holder
    assert obj["spec"]["leaseDurationSeconds"] == lease.LEASE_DURATION
    assert json.loads(obj["metadata"]["annotations"][lease.ANN_HOLDER_PROCESS]) == lease.process_fingerprint(os.getpid())


def test_dead_holder_on_this_host_is_taken_over_at_once(cluster):
    clock = FakeClock()
    pid = dead_pid()
    plant(cluster, clock, "%s/%d/deadbeef" % (socket.gethostname(), pid), process=lease.process_fingerprint(os.getpid()))
    started = clock.now()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    with lock.hold():
        assert stored(cluster)["spec"]["holderIdentity"] == lock.holder
        assert stored(cluster)["spec"]["leaseTransitions"] == 1
    assert clock.now() == started  # no waiting at all
    assert stored(cluster) is None


def test_live_holder_on_this_host_is_waited_for(cluster):
    clock = FakeClock()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        plant(cluster, clock, "%s/%d/cafe" % (socket.gethostname(), sleeper.pid), process=lease.process_fingerprint(sleeper.pid))
        lock = lease.LeaseLock(cluster, clock, NS, NAME, timeout=5)
        with pytest.raises(LockError, match="Lease ops/gapp-a is held by %s/%d/cafe" % (socket.gethostname(), sleeper.pid)):
            with lock.hold():
                pass
    finally:
        sleeper.kill()
        sleeper.wait()
    assert stored(cluster)["spec"]["holderIdentity"].endswith("/cafe")


def test_reused_pid_is_a_dead_holder(cluster):
    """The pid exists but belongs to a process started later than the holder (pid reuse)."""
    clock = FakeClock()
    recorded = dict(lease.process_fingerprint(os.getpid()), start="1")
    plant(cluster, clock, "%s/%d/0ld" % (socket.gethostname(), os.getppid()), process=recorded)
    assert lease.LeaseLock(cluster, clock, NS, NAME).try_acquire()


def test_same_host_name_in_another_pid_namespace_is_not_judged(cluster):
    """A hostNetwork pod shares the node's host name but not its pids: wait for expiry."""
    clock = FakeClock()
    other = dict(lease.process_fingerprint(os.getpid()), pidns="pid:[1]")
    plant(cluster, clock, "%s/%d/other" % (socket.gethostname(), dead_pid()), process=other)
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert not lock.try_acquire()
    clock.sleep(lease.LEASE_DURATION + 1)
    assert lock.try_acquire()


def test_foreign_holder_is_waited_for_until_its_lease_expires(cluster):
    clock = FakeClock()
    plant(cluster, clock, "other-host/1/abc", age=lease.LEASE_DURATION - 5)
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    with lock.hold():
        assert stored(cluster)["spec"]["holderIdentity"] == lock.holder
    assert 5 <= clock.now() - 1000.0 <= 7  # waited until it expired, not the whole lock_timeout


def test_foreign_live_holder_times_out_with_its_name(cluster):
    clock = FakeClock()
    plant(cluster, clock, "other-host/1/abc", duration=3600)
    with pytest.raises(LockError) as err:
        with lease.LeaseLock(cluster, clock, NS, NAME).hold():
            pass
    assert str(err.value).startswith("Lease/ops/gapp-a: Lease ops/gapp-a is held by other-host/1/abc")
    assert err.value.details == {"holder": "other-host/1/abc", "skipped": False}
    assert clock.now() - 1000.0 >= lease.LOCK_TIMEOUT


def test_skip_mode_gives_up_at_once_and_says_so(cluster):
    clock = FakeClock()
    plant(cluster, clock, "other-host/1/abc")
    with pytest.raises(LockError) as err:
        with lease.LeaseLock(cluster, clock, NS, NAME, mode=lease.SKIP).hold():
            pass
    assert err.value.details == {"holder": "other-host/1/abc", "skipped": True}
    assert clock.now() == 1000.0


def test_renew_moves_renew_time_and_keeps_acquire_time(cluster):
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire()
    acquired = stored(cluster)["spec"]["acquireTime"]
    clock.sleep(10)
    assert lock.renew()
    spec = stored(cluster)["spec"]
    assert spec["acquireTime"] == acquired and spec["renewTime"] == lease.micro_time(clock.now())
    clock.sleep(15)  # 25 s after acquiring: still held thanks to the renewal
    lock.check()


def test_renewal_that_finds_another_holder_makes_check_fail(cluster):
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire()
    cluster.delete(lease_type(cluster), NS, NAME)
    plant(cluster, clock, "other-host/7/thief")
    assert not lock.renew()
    with pytest.raises(LockError, match="taken over by other-host/7/thief"):
        lock.check()
    lock.release()
    assert stored(cluster)["spec"]["holderIdentity"] == "other-host/7/thief"  # not ours to delete


def test_check_fails_once_renewals_failed_long_enough(cluster):
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire()
    clock.sleep(lock.duration - lock.renew_every - 1)
    lock.check()
    clock.sleep(2)
    with pytest.raises(LockError, match="not renewed for"):
        lock.check()


def test_background_renewer_keeps_the_lease_and_stops_on_release(cluster):
    lock = lease.LeaseLock(cluster, SystemClock(), NS, NAME, duration=0.6)
    with lock.hold() as held:
        first = stored(cluster)["spec"]["renewTime"]
        time.sleep(0.9)
        assert stored(cluster)["spec"]["renewTime"] != first
        held.check()
        renewer = lock.renewer
        assert renewer.is_alive()
    assert not renewer.is_alive()
    assert stored(cluster) is None


def test_release_never_raises_over_the_error_being_unwound(cluster):
    """release() runs in finally: an API server gone mid-sync must not replace the sync's
    own error with a ClusterError from the release's GET."""
    lock = lease.LeaseLock(cluster, FakeClock(), NS, NAME)
    assert lock.try_acquire()

    def unreachable(*_args, **_kwargs):
        raise ClusterError("the API server did not answer within 30 s (get Lease/ops/gapp-a)")

    cluster.get = cluster.delete = unreachable
    with pytest.raises(ValueError, match="the sync's own error"):
        try:
            raise ValueError("the sync's own error")
        finally:
            lock.release()


def lease_calls(cluster):
    return [c[0] for c in cluster.calls if c[1] == "Lease"]


def test_an_uncontended_hold_is_a_create_and_a_delete(cluster):
    with lease.LeaseLock(cluster, FakeClock(), NS, NAME).hold() as held:
        held.check()
    assert lease_calls(cluster) == ["create", "delete"] and stored(cluster) is None


def test_a_held_lease_found_by_the_create_is_read_and_judged(cluster):
    clock = FakeClock()
    plant(cluster, clock, "other-host/1/abc")
    lock = lease.LeaseLock(cluster, clock, NS, NAME, mode=lease.SKIP)
    with pytest.raises(LockError, match="held by other-host/1/abc"):
        lock.acquire()
    assert lease_calls(cluster) == ["create", "create", "get"]  # planted, then ours: 409, then read


def test_release_after_a_renewal_deletes_the_renewed_lease(cluster):
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire(first=True) and lock.renew()
    lock.release()
    assert lease_calls(cluster) == ["create", "get", "replace", "delete"] and stored(cluster) is None


def test_release_leaves_a_lease_another_holder_took_over_in_place(cluster):
    """Our Lease expired (a frozen holder) and another took it over by an update (same uid):
    the delete on our resourceVersion fails, the read shows the other holder, nothing is deleted."""
    clock = FakeClock()
    lock = lease.LeaseLock(cluster, clock, NS, NAME)
    assert lock.try_acquire(first=True)
    taken = stored(cluster)
    taken["spec"]["holderIdentity"] = "other-host/7/thief"
    cluster.replace(lease_type(cluster), taken)
    lock.release()
    assert stored(cluster)["spec"]["holderIdentity"] == "other-host/7/thief"
