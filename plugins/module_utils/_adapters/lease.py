# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A per-Application lock held in the cluster (coordination.k8s.io/v1 Lease).

Two reconciles of one Application never write at once: the second waits (or skips)
until the holder releases the Lease or it expires. Taking and releasing the lock are
writes, so reconcile takes it only when it is about to write.

A Lease must not outlive its holder:
- it is short (LEASE_DURATION) and renewed by a background thread every third of it
  while held, so only a dead or frozen holder lets it expire;
- it is released in ``finally:`` (the Ansible layer turns SIGTERM/SIGINT into an
  exception, so a terminated run releases it too);
- a holder that is provably dead is taken over at once: it ran on this host, in this
  pid namespace since the same boot, and its pid is gone (or now belongs to a process
  started later: pid reuse). Holders elsewhere are waited for until their Lease expires.
- the sync asks ``check()`` before every write and stops when a renewal found the
  Lease taken by someone else, or renewals failed for so long that it may have expired.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import socket
import threading
import uuid
from contextlib import contextmanager

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANNOTATION_PREFIX
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, LockError

LEASE_API_VERSION = "coordination.k8s.io/v1"
WAIT = "wait"
SKIP = "skip"
LEASE_DURATION = 30  # seconds a Lease lives unless renewed (renewed every third of it)
LOCK_TIMEOUT = 45  # default wait: over LEASE_DURATION, so a dead holder's Lease is always outwaited
ANN_HOLDER_PROCESS = ANNOTATION_PREFIX + "holder-process"  # JSON: boot id, pid namespace, start time of the holder


def micro_time(clock_now):
    """A Kubernetes MicroTime (RFC 3339 with microseconds)."""
    return datetime.datetime.fromtimestamp(clock_now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value):
    if not value:
        return 0.0
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            continue
    return 0.0


def holder_identity():
    return "%s/%d/%s" % (socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _proc_stat(pid):
    """(state, start time in clock ticks since boot) of a pid from /proc, or ("", "")."""
    text = _read("/proc/%d/stat" % pid)
    fields = text[text.rfind(")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime field 22
    return (fields[0], fields[19]) if len(fields) > 19 else ("", "")


def process_fingerprint(pid):
    """What tells a process apart beyond its pid: boot id, pid namespace and start time
    (empty where /proc does not tell, e.g. off Linux)."""
    try:
        pidns = os.readlink("/proc/self/ns/pid")
    except OSError:
        pidns = ""
    return {"boot": _read("/proc/sys/kernel/random/boot_id"), "pidns": pidns, "start": _proc_stat(pid)[1]}


def holder_is_dead(holder, recorded):
    """True only when ``holder`` (``host/pid/nonce``) provably no longer runs.

    Only a holder on this host, in this pid namespace, since this boot can be judged
    (``recorded`` is its fingerprint): another machine, or a hostNetwork pod sharing this
    host name, has pids of its own. Then the pid is gone, a zombie, or a process started
    at another time than the holder (the pid was reused)."""
    host, _sep, rest = (holder or "").partition("/")
    pid = rest.partition("/")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    mine = process_fingerprint(os.getpid())
    if (recorded.get("boot"), recorded.get("pidns")) != (mine["boot"], mine["pidns"]):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return False
    state, start = _proc_stat(int(pid))
    return state == "Z" or bool(start and recorded.get("start") and start != recorded["start"])


def _recorded_process(lease):
    raw = ((lease.get("metadata") or {}).get("annotations") or {}).get(ANN_HOLDER_PROCESS) or "{}"
    try:
        recorded = json.loads(raw)
    except ValueError:
        return {}
    return recorded if isinstance(recorded, dict) else {}


STOP_WAIT = 2.0  # seconds a release waits for a renewal in flight


class Renewer(threading.Thread):
    """Renews a held Lease every ``lock.renew_every`` seconds until stopped."""

    def __init__(self, lock):
        super().__init__(name="gitops-k8s-lease-renewer", daemon=True)
        self.lock = lock
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.lock.renew_every):
            self.lock.renew()

    def stop(self):
        """Stop renewing. A renewal already in flight may take a whole request timeout
        against a hung API server: wait for it briefly only (the thread is a daemon)."""
        self.stopped.set()
        self.join(STOP_WAIT)


class LeaseLock:
    """Lock named ``name`` in ``namespace``; mode 'wait' (until timeout) or 'skip'."""

    def __init__(self, cluster, clock, namespace, name, mode=WAIT, timeout=LOCK_TIMEOUT, duration=LEASE_DURATION, holder=None):
        self.cluster = cluster
        self.clock = clock
        self.namespace = namespace
        self.name = name
        self.mode = mode
        self.timeout = timeout
        self.duration = duration
        self.renew_every = duration / 3.0
        self.holder = holder or holder_identity()
        self.current_holder = None
        self.renewed_at = None
        self.lost_to = None
        self.renewer = None
        self._acquired = None
        self._rtype = None
        self._version = None  # resourceVersion of our Lease as our last write left it

    @property
    def rtype(self):
        if self._rtype is None:
            self._rtype = self.cluster.resolve(LEASE_API_VERSION, "Lease")
        return self._rtype

    @property
    def subject(self):
        return "Lease/%s/%s" % (self.namespace, self.name)

    def _body(self, resource_version=None, transitions=0):
        now = self.clock.now()
        if self._acquired is None:
            self._acquired = micro_time(now)
        body = {
            "apiVersion": LEASE_API_VERSION,
            "kind": "Lease",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "annotations": {ANN_HOLDER_PROCESS: json.dumps(process_fingerprint(os.getpid()), sort_keys=True)},
            },
            "spec": {
                "holderIdentity": self.holder,
                "leaseDurationSeconds": max(1, int(math.ceil(self.duration))),
                "acquireTime": self._acquired,
                "renewTime": micro_time(now),
                "leaseTransitions": transitions,
            },
        }
        if resource_version:
            body["metadata"]["resourceVersion"] = resource_version
        return body

    def _available(self, lease):
        """Whether a Lease can be taken: ours, unheld, expired, or its holder is dead."""
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity")
        if not holder or holder == self.holder:
            return True
        expires = _parse_time(spec.get("renewTime") or spec.get("acquireTime")) + int(spec.get("leaseDurationSeconds") or 0)
        if expires <= self.clock.now() or holder_is_dead(holder, _recorded_process(lease)):
            return True
        self.current_holder = holder
        return False

    def try_acquire(self, first=False):
        """True when we now hold the Lease; False when someone else holds a live one.
        ``first``: create it before reading it (no Lease is the common case: one request);
        one that exists is then read and judged as on every other try."""
        try:
            if first:
                try:
                    return self._took(self.cluster.create(self.rtype, self._body()))
                except ClusterError as exc:
                    if exc.details.get("status_code") != 409:
                        raise
            lease = self.cluster.get(self.rtype, self.namespace, self.name)
            if lease is None:
                return self._took(self.cluster.create(self.rtype, self._body()))
            if not self._available(lease):
                return False
            transitions = int((lease.get("spec") or {}).get("leaseTransitions") or 0) + 1
            return self._took(self.cluster.replace(self.rtype, self._body(lease["metadata"]["resourceVersion"], transitions)))
        except ClusterError as exc:
            if exc.details.get("status_code") in (409, 422):
                return False  # lost a race: someone else created or updated it first
            raise

    def _took(self, written):
        self.lost_to = None
        return self._kept(written)

    def _kept(self, written):
        """Our Lease as ``written`` (its resourceVersion, for the release's precondition), renewed now."""
        self._version = ((written or {}).get("metadata") or {}).get("resourceVersion")
        self.renewed_at = self.clock.now()
        return True

    def renew(self):
        """Move renewTime on (from the renewer thread). False when the Lease is no longer
        ours (then check() fails) or the API failed (retried at the next tick)."""
        try:
            lease = self.cluster.get(self.rtype, self.namespace, self.name)
            spec = (lease or {}).get("spec") or {}
            if spec.get("holderIdentity") != self.holder:
                self.lost_to = spec.get("holderIdentity") or "nobody (the Lease was deleted)"
                return False
            written = self.cluster.replace(self.rtype, self._body(lease["metadata"]["resourceVersion"], int(spec.get("leaseTransitions") or 0)))
        except ClusterError:
            return False
        return self._kept(written)

    def check(self):
        """Raise LockError when the Lease may no longer be ours. No request: the sync
        calls it before every write."""
        if self.lost_to:
            raise LockError(
                "Lease %s/%s was taken over by %s" % (self.namespace, self.name, self.lost_to), subject=self.subject, details={"holder": self.lost_to}
            )
        stale = self.clock.now() - self.renewed_at
        if stale >= self.duration - self.renew_every:
            raise LockError("Lease %s/%s not renewed for %ds: it may have expired" % (self.namespace, self.name, stale), subject=self.subject)

    def release(self):
        """Delete our Lease. Runs in ``finally:`` blocks, so it never raises: a failure
        here must not hide the error being unwound, and the Lease expires on its own.
        One request when the Lease is as our last write left it (a delete on that
        resourceVersion); when it changed since (a renewal we did not see answered, or
        another holder), it is read and deleted only while it is still ours."""
        try:
            if self._version:
                try:
                    self.cluster.delete(self.rtype, self.namespace, self.name, resource_version=self._version)
                    return
                except ClusterError as exc:
                    if exc.details.get("status_code") != 409:
                        raise
            lease = self.cluster.get(self.rtype, self.namespace, self.name)
            if lease is None or (lease.get("spec") or {}).get("holderIdentity") != self.holder:
                return
            self.cluster.delete(self.rtype, self.namespace, self.name, resource_version=lease["metadata"].get("resourceVersion"))
        except ClusterError:
            pass

    def acquire(self):
        """Take the Lease, waiting (mode wait) up to ``timeout`` seconds; LockError
        (details: holder, skipped) when it stays held."""
        deadline = self.clock.now() + self.timeout
        first = True
        while not self.try_acquire(first):
            first = False
            if self.mode == SKIP or self.clock.now() >= deadline:
                raise LockError(
                    "Lease %s/%s is held by %s" % (self.namespace, self.name, self.current_holder or "another reconcile"),
                    subject=self.subject,
                    details={"holder": self.current_holder or "", "skipped": self.mode == SKIP},
                )
            self.clock.sleep(1.0)

    @contextmanager
    def hold(self):
        """Hold the Lease (renewed in the background) for the ``with`` block; yields the
        lock, whose check() the sync calls before each write."""
        self.acquire()
        self.renewer = Renewer(self)
        self.renewer.start()
        try:
            yield self
        finally:
            try:
                self.renewer.stop()
            finally:
                self.release()
