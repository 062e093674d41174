# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the hooks of one step (a wave of a phase) through the Cluster port.

As Argo CD: every hook of the wave is created (POST, so a ``generateName`` is named by the
server; with BeforeHookCreation a previous object of the same name is deleted first), then
all are waited for: a Job until Complete or Failed, a Pod until Succeeded or Failed,
anything else until healthy (health.py reads all three), each for at most the hook
timeout. Then the delete policies: HookSucceeded / HookFailed delete the object after
that outcome. Each hook's outcome is a HookResult, recorded in Argo CD's
``syncResult.resources`` shape (``hookType``, ``hookPhase``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import health, messages
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    DEGRADED,
    HEALTHY,
    HOOK_FAILED,
    HOOK_POLL_INTERVAL,
    HOOK_RUNNING,
    HOOK_SUCCEEDED,
    POLICY_BEFORE_CREATION,
    POLICY_FAILED,
    POLICY_SUCCEEDED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, HookError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import owner_of


@dataclass
class HookResult:
    """One hook run: the object as the server named it, its phase, outcome and message."""

    item: object  # the hook's PlanItem
    phase: str
    name: str = ""
    status: str = HOOK_RUNNING
    message: str = ""
    live: Optional[dict] = None

    @property
    def namespace(self):
        return self.item.entry.namespace

    @property
    def subject(self):
        return format_id(self.item.entry.kind, self.namespace, self.name) if self.name else self.item.subject

    def finish(self, status, message):
        self.status, self.message = status, messages.bounded(message or "")

    def to_status(self):
        """Argo CD's ResourceResult of a hook (status.operationState.syncResult.resources)."""
        entry = self.item.entry
        return {
            "group": entry.group,
            "version": entry.version,
            "kind": entry.kind,
            "namespace": entry.namespace,
            "name": self.name or self.item.subject.rsplit("/", 1)[-1],
            "hookType": self.phase,
            "hookPhase": self.status,
            "syncPhase": self.phase,
            "status": "SyncFailed" if self.status == HOOK_FAILED else "Synced",
            "message": self.message,
        }


def _timeout(options, limit):
    """Seconds a wait may take: the hook timeout, within what is left of the sync's time
    (``limit()``: seconds left, None without a bound)."""
    left = limit() if limit is not None else None
    return options.hook_timeout if left is None else min(options.hook_timeout, left)


def _wait_gone(cluster, item, name, clock, seconds):
    ends = clock.now() + seconds
    while cluster.get(item.rtype, item.entry.namespace or None, name) is not None:
        if clock.now() >= ends:
            raise HookError("previous hook object still being deleted after %gs" % seconds, subject=format_id(item.entry.kind, item.entry.namespace, name))
        clock.sleep(HOOK_POLL_INTERVAL)


def _delete_previous(cluster, item, options, clock, limit):
    """BeforeHookCreation: delete the object a previous sync left under the hook's name
    (only when it is ours: another owner's object of that name is an error)."""
    name = item.entry.name
    if not name or not item.hook.deletes_on(POLICY_BEFORE_CREATION):
        return
    live = cluster.get(item.rtype, item.entry.namespace or None, name)
    if live is None:
        return
    if options.tracking and owner_of(live) != options.tracking:
        raise HookError("an object of this name exists and is not a hook of %s: not replaced" % options.tracking, subject=item.subject)
    cluster.delete(item.rtype, item.entry.namespace or None, name, uid=(live.get("metadata") or {}).get("uid"))
    _wait_gone(cluster, item, name, clock, _timeout(options, limit))


def start(cluster, item, phase, options, clock, limit=None):
    """Create one hook; a HookResult Running, or Failed when it could not be created."""
    result = HookResult(item=item, phase=phase, name=item.entry.name)
    try:
        _delete_previous(cluster, item, options, clock, limit)
        created = cluster.create(item.rtype, item.desired)
    except (ClusterError, HookError) as exc:
        result.finish(HOOK_FAILED, "not created: %s" % exc.message)
        return result
    result.name = (created.get("metadata") or {}).get("name") or item.entry.name
    result.live = created
    return result


def _outcome(obj):
    """(hookPhase, message) of a live hook object."""
    if obj is None:
        return HOOK_FAILED, "deleted while running"
    state = health.assess(obj)
    if state.status == HEALTHY:
        return HOOK_SUCCEEDED, state.message
    if state.status == DEGRADED:
        return HOOK_FAILED, state.message or "failed"
    return HOOK_RUNNING, state.message


def wait(cluster, results, options, clock, limit=None):
    """Poll the running hooks until each finished or the hook timeout passed."""
    seconds = _timeout(options, limit)
    ends = clock.now() + seconds
    while True:
        running = [r for r in results if r.status == HOOK_RUNNING]
        for result in running:
            status, message = _outcome(result.live)
            if status != HOOK_RUNNING:
                result.finish(status, message)
        running = [r for r in results if r.status == HOOK_RUNNING]
        if not running:
            return
        if clock.now() >= ends:
            for result in running:
                result.finish(HOOK_FAILED, "did not finish within %gs (hook_timeout)" % seconds)
            return
        clock.sleep(HOOK_POLL_INTERVAL)
        for result in running:
            result.live = cluster.get(result.item.rtype, result.namespace or None, result.name)


def clean_up(cluster, results):
    """Delete the hooks whose delete policy asks for it after their outcome; a failed
    delete is a message (the sync's outcome does not change), never an exception."""
    notes = []
    for result in results:
        policy = POLICY_SUCCEEDED if result.status == HOOK_SUCCEEDED else POLICY_FAILED
        if not result.name or result.live is None or not result.item.hook.deletes_on(policy):
            continue
        try:
            cluster.delete(result.item.rtype, result.namespace or None, result.name, uid=(result.live.get("metadata") or {}).get("uid"))
        except ClusterError as exc:
            notes.append("%s: %s hook not deleted: %s" % (result.subject, policy, exc.message))
    return notes


def run(cluster, items, phase, options, clock, limit=None):
    """Run the hooks ``items`` of one step: create all, wait for all, apply delete
    policies. Returns (results, error, notes): a HookError naming the first failed hook
    (or None), and what went wrong without failing it (a hook object not deleted)."""
    results = [start(cluster, item, phase, options, clock, limit) for item in items]
    wait(cluster, results, options, clock, limit)
    notes = clean_up(cluster, results)
    failed = [r for r in results if r.status == HOOK_FAILED]
    error = None
    if failed:
        error = HookError("%s hook failed: %s" % (phase, failed[0].message), subject=failed[0].subject)
    return results, error, notes
