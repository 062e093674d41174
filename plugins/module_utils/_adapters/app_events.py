# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write an Application's events (_engine/app_events.py) as core/v1 Events.

Repeated identical events are aggregated as Kubernetes' own recorder does: one Event
object per (Application uid, type, reason, message), named ``<app>.<hash>``, whose
``count`` and ``lastTimestamp`` grow on each repeat (created first, read only when it
exists: a sync of 1,000 new Applications sends one request per event, not two). A
reconcile has no memory of the last one, so the name is a hash instead of the
recorder's in-memory cache: the same story told twice is one Event with count 2. The
API server's event TTL (1 h by default) bounds how many stay. Writing an event never fails a reconcile: a refused write
(RBAC, a hung server) is returned as a warning.
"""

from __future__ import annotations

import hashlib
import socket

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND, FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

COMPONENT = FIELD_MANAGER  # source.component and reportingComponent: gitops-k8s
NAME_LIMIT = 253


def event_name(app, event):
    """The Event object's name: the Application's name and a hash of what is told."""
    meta = app["metadata"]
    key = "\0".join((meta.get("uid") or "", event.type, event.reason, event.message))
    suffix = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return "%s.%s" % (meta["name"][: NAME_LIMIT - len(suffix) - 1], suffix)


def event_object(app, event, name, now):
    meta = app["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": meta["namespace"]},
        "involvedObject": {
            "apiVersion": APP_API_VERSION,
            "kind": APP_KIND,
            "namespace": meta["namespace"],
            "name": meta["name"],
            "uid": meta.get("uid") or "",
        },
        "type": event.type,
        "reason": event.reason,
        "message": event.message,
        "source": {"component": COMPONENT, "host": socket.gethostname()},
        "reportingComponent": COMPONENT,
        "reportingInstance": socket.gethostname(),
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    }


def _create_or_read(cluster, rtype, event):
    """None when ``event`` was created, else the Event of its name that already exists."""
    try:
        cluster.create(rtype, event)
        return None
    except GitOpsError as exc:
        if exc.details.get("status_code") != 409:
            raise
    meta = event["metadata"]
    live = cluster.get(rtype, meta["namespace"], meta["name"])
    if live is None:  # expired between the two requests: tell it anew
        cluster.create(rtype, event)
    return live


def record(cluster, clock, app, events):
    """Create or count up each event on ``app``; returns the warnings of writes that failed."""
    if not events:
        return []
    warnings = []
    try:
        rtype = cluster.resolve("v1", "Event")
    except GitOpsError as exc:
        return ["events not recorded: %s" % exc]
    meta = app["metadata"]
    for event in events:
        name = event_name(app, event)
        now = clock.iso()
        try:
            # created without a read first (a new story is the common case: one request);
            # read and counted up only when the create finds one (409)
            live = _create_or_read(cluster, rtype, event_object(app, event, name, now))
            if live is not None:
                count = int(live.get("count") or 1) + 1
                patch = {"count": count, "lastTimestamp": now, "metadata": {"resourceVersion": live["metadata"].get("resourceVersion")}}
                cluster.patch_merge(rtype, meta["namespace"], name, patch)
        except GitOpsError as exc:  # a lost race (409) or a refused write: the story goes on without it
            warnings.append("event %s not recorded on %s: %s" % (event.reason, format_id(APP_KIND, meta["namespace"], meta["name"]), exc))
    return warnings
