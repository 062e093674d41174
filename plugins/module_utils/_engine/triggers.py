# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which notification triggers one reconcile fired, from the status before and after it.

Named as Argo CD Notifications' triggers (on-sync-failed, on-sync-succeeded, on-deployed,
on-health-degraded), plus on-drift-corrected, on-analysis-failed and on-rolled-back. Each fires on a change, not on a state:
a sync that fails fires once (not again while retries fail at the same revision), an
Application fires when it becomes Degraded, a revision is announced as deployed once. The callback plugin gitops.k8s.notify turns them
into one message per Application per run (docs/notifications.md). Pure.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_metrics
from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import SUCCEEDED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEGRADED

SYNC_FAILED = "on-sync-failed"
SYNC_SUCCEEDED = "on-sync-succeeded"  # a sync that succeeded and wrote objects (changes > 0)
DRIFT_CORRECTED = "on-drift-corrected"
HEALTH_DEGRADED = "on-health-degraded"
DEPLOYED = "on-deployed"  # a new revision synced and Healthy, once per revision
ANALYSIS_FAILED = "on-analysis-failed"  # spec.analysis of a sync failed (app_analysis.py)
ROLLED_BACK = "on-rolled-back"  # a rollback began: automatic (a failed analysis) or the user's
TRIGGERS = (SYNC_FAILED, SYNC_SUCCEEDED, DRIFT_CORRECTED, HEALTH_DEGRADED, DEPLOYED, ANALYSIS_FAILED, ROLLED_BACK)


def _metrics(status):
    return (status or {}).get(app_metrics.FIELD) or {}


def _syncs(metrics):
    """Syncs counted so far (a sync ran when this grows)."""
    counts = metrics.get("syncs") if isinstance(metrics.get("syncs"), dict) else {}
    return sum(app_metrics.counter(v) for v in counts.values())


def _failing_already(before, last):
    """The sync before failed too, at the same revision: a retry, or an error that stays
    (told once, as Argo CD tells a condition once while it holds)."""
    return before.get("result") not in (None, SUCCEEDED) and before.get("revision") == last.get("revision")


def fired(previous, status):
    """The triggers (in TRIGGERS order) that the change from ``previous`` to ``status``
    fires; [] when nothing worth telling happened."""
    old, new = _metrics(previous), _metrics(status)
    out = []
    last, before = new.get("lastSync") or {}, old.get("lastSync") or {}
    ran = bool(last) and (last != before or _syncs(new) != _syncs(old))
    if ran and last.get("result") != SUCCEEDED and not _failing_already(before, last):
        out.append(SYNC_FAILED)
    if ran and last.get("result") == SUCCEEDED and last.get("changes"):
        out.append(SYNC_SUCCEEDED)
    if ran and app_metrics.counter(new.get("driftCorrected")) > app_metrics.counter(old.get("driftCorrected")):
        out.append(DRIFT_CORRECTED)
    health = ((status or {}).get("health") or {}).get("status")
    if health == DEGRADED and ((previous or {}).get("health") or {}).get("status") != DEGRADED:
        out.append(HEALTH_DEGRADED)
    if new.get("deployedRevision") and new.get("deployedRevision") != old.get("deployedRevision"):
        out.append(DEPLOYED)
    analysed = (status or {}).get("analysis") or {}
    if analysed.get("phase") == "Failed" and analysed != ((previous or {}).get("analysis") or {}):
        out.append(ANALYSIS_FAILED)
    rolled = (status or {}).get("rolledBack") or {}
    if rolled.get("at") and rolled != ((previous or {}).get("rolledBack") or {}):
        out.append(ROLLED_BACK)
    return out
