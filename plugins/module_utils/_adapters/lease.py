# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A per-Application lock held in the cluster (coordination.k8s.io/v1 Lease).

Two reconciles of one Application never write at once: the second waits (or skips)
until the holder releases the Lease or it expires. Taking and releasing the lock are
writes, so reconcile takes it only when it is about to write.
"""

from __future__ import annotations

import datetime
import os
import socket
import uuid
from contextlib import contextmanager

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, LockError

LEASE_API_VERSION = "coordination.k8s.io/v1"
WAIT = "wait"
SKIP = "skip"


def _micro_time(clock_now):
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


class LeaseLock:
    """Lock named ``name`` in ``namespace``; mode 'wait' (until timeout) or 'skip'."""

    def __init__(self, cluster, clock, namespace, name, mode=WAIT, timeout=300, duration=600, holder=None):
        self.cluster = cluster
        self.clock = clock
        self.namespace = namespace
        self.name = name
        self.mode = mode
        self.timeout = timeout
        self.duration = duration
        self.holder = holder or holder_identity()
        self._rtype = None

    @property
    def rtype(self):
        if self._rtype is None:
            self._rtype = self.cluster.resolve(LEASE_API_VERSION, "Lease")
        return self._rtype

    def _body(self, resource_version=None, transitions=0):
        now = _micro_time(self.clock.now())
        body = {
            "apiVersion": LEASE_API_VERSION,
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": {"holderIdentity": self.holder, "leaseDurationSeconds": self.duration, "acquireTime": now,
                     "renewTime": now, "leaseTransitions": transitions},
        }
        if resource_version:
            body["metadata"]["resourceVersion"] = resource_version
        return body

    def try_acquire(self):
        """True when we now hold the Lease; False when someone else holds a live one."""
        lease = self.cluster.get(self.rtype, self.namespace, self.name)
        try:
            if lease is None:
                self.cluster.create(self.rtype, self._body())
                return True
            spec = lease.get("spec") or {}
            holder = spec.get("holderIdentity")
            expires = _parse_time(spec.get("renewTime")) + int(spec.get("leaseDurationSeconds") or 0)
            if holder and holder != self.holder and expires > self.clock.now():
                self.current_holder = holder
                return False
            self.cluster.replace(self.rtype, self._body(lease["metadata"]["resourceVersion"], int(spec.get("leaseTransitions") or 0) + 1))
            return True
        except ClusterError as exc:
            if exc.details.get("status_code") in (409, 422):
                return False  # lost a race: someone else created or updated it first
            raise

    def release(self):
        lease = self.cluster.get(self.rtype, self.namespace, self.name)
        if lease is None or (lease.get("spec") or {}).get("holderIdentity") != self.holder:
            return
        try:
            self.cluster.delete(self.rtype, self.namespace, self.name, uid=lease["metadata"].get("uid"))
        except ClusterError:
            pass  # expires on its own

    @contextmanager
    def hold(self):
        deadline = self.clock.now() + self.timeout
        self.current_holder = None
        while not self.try_acquire():
            if self.mode == SKIP or self.clock.now() >= deadline:
                raise LockError("Lease %s/%s is held by %s" % (self.namespace, self.name, self.current_holder or "another reconcile"),
                                subject="Lease/%s/%s" % (self.namespace, self.name))
            self.clock.sleep(1.0)
        try:
            yield self
        finally:
            self.release()
