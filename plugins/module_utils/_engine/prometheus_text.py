# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application metrics in the Prometheus text exposition format (node_exporter's
textfile collector), from the statuses the reconcile recorded.

The names and labels are those of the kube-state-metrics configuration the collection
ships (roles/agent/files/kube-state-metrics.yaml, docs/metrics.md), so a dashboard or
alert works with either; kube-state-metrics adds its own customresource_* labels, and
exports the counters as gauges (its configuration has no counter type). Pure.
"""

from __future__ import annotations

import datetime

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_metrics
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_OUT_OF_SYNC,
    APP_SYNCED,
    APP_UNKNOWN,
    DEGRADED,
    HEALTH_MISSING,
    HEALTHY,
    PROGRESSING,
    SUSPENDED,
    UNKNOWN,
)

PREFIX = "gitops_k8s_"
SYNC_STATUSES = (APP_SYNCED, APP_OUT_OF_SYNC, APP_UNKNOWN)
HEALTH_STATUSES = (HEALTHY, PROGRESSING, DEGRADED, SUSPENDED, HEALTH_MISSING, UNKNOWN)

# name (without PREFIX), type, help: every family, in the order written
FAMILIES = (
    ("app_info", "gauge", "Information about an Application (1), with its repository, sync and health status as labels."),
    ("app_sync_status", "gauge", "Sync status of an Application: 1 for its current status, 0 for the others."),
    ("app_health_status", "gauge", "Health status of an Application: 1 for its current status, 0 for the others."),
    ("app_sync_total", "counter", "Syncs of an Application by result (Succeeded, Failed, Error) since status.metrics.since."),
    ("app_drift_corrected_total", "counter", "Syncs of an Application that reverted drift, since status.metrics.since."),
    ("app_last_sync_duration_seconds", "gauge", "How long the last sync (or failed reconcile) of an Application took."),
    ("app_last_sync_timestamp_seconds", "gauge", "When the last sync (or failed reconcile) of an Application finished, Unix time."),
    ("app_last_sync_result", "gauge", "Result of the last sync of an Application: 1 for its result, 0 for the others."),
    ("app_resources_by_sync_status", "gauge", "Objects of an Application by sync status."),
    ("app_resources_by_health_status", "gauge", "Objects of an Application by health status."),
)


def escape(value):
    """A label value as the text format writes it (backslash, double quote, newline)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def epoch(timestamp):
    """Unix seconds of an RFC 3339 UTC timestamp as the agent writes them, or None."""
    try:
        moment = datetime.datetime.strptime(str(timestamp), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp())


def _number(value):
    return ("%d" % value) if isinstance(value, int) else repr(float(value))


def _samples(namespace, name, status):
    """(family, labels, value) of one Application."""
    ids = (("namespace", namespace), ("name", name))
    sync = (status.get("sync") or {}).get("status") or APP_UNKNOWN
    health = (status.get("health") or {}).get("status") or UNKNOWN
    repo = (status.get("sync") or {}).get("repoURL") or ""
    metrics = status.get(app_metrics.FIELD) or {}
    out = [("app_info", ids + (("repo", repo), ("sync_status", sync), ("health_status", health)), 1)]
    out += [("app_sync_status", ids + (("sync_status", s),), int(s == sync)) for s in SYNC_STATUSES]
    out += [("app_health_status", ids + (("health_status", h),), int(h == health)) for h in HEALTH_STATUSES]
    if not metrics:
        return out
    syncs = metrics.get("syncs") or {}
    out += [("app_sync_total", ids + (("phase", r),), app_metrics.counter(syncs.get(r))) for r in app_metrics.RESULTS]
    out.append(("app_drift_corrected_total", ids, app_metrics.counter(metrics.get("driftCorrected"))))
    last = metrics.get("lastSync") or {}
    if last:
        out.append(("app_last_sync_duration_seconds", ids, float(last.get("durationSeconds") or 0)))
        finished = epoch(last.get("finishedAt"))
        if finished is not None:
            out.append(("app_last_sync_timestamp_seconds", ids, finished))
        out += [("app_last_sync_result", ids + (("result", r),), int(r == last.get("result"))) for r in app_metrics.RESULTS]
    resources = metrics.get("resources") or {}
    out += [("app_resources_by_sync_status", ids + (("sync_status", k),), app_metrics.counter(v)) for k, v in sorted((resources.get("sync") or {}).items())]
    out += [
        ("app_resources_by_health_status", ids + (("health_status", k),), app_metrics.counter(v)) for k, v in sorted((resources.get("health") or {}).items())
    ]
    return out


def render(applications):
    """The text of a textfile: ``applications`` is (namespace, name, status) of each
    Application (the last one given wins); each family is written once (HELP, TYPE, then its samples), families
    without samples are left out."""
    latest = dict(((namespace, name), status) for namespace, name, status in applications)  # one series per Application
    by_family = dict((f[0], []) for f in FAMILIES)
    for (namespace, name), status in sorted(latest.items()):
        for family, labels, value in _samples(namespace, name, status or {}):
            by_family[family].append((labels, value))
    lines = []
    for family, kind, text in FAMILIES:
        if not by_family[family]:
            continue
        lines += ["# HELP %s%s %s" % (PREFIX, family, text), "# TYPE %s%s %s" % (PREFIX, family, kind)]
        for labels, value in by_family[family]:
            pairs = ",".join('%s="%s"' % (k, escape(v)) for k, v in labels)
            lines.append("%s%s{%s} %s" % (PREFIX, family, pairs, _number(value)))
    return "\n".join(lines) + "\n" if lines else ""
