# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hooks: which rendered objects run in a sync phase instead of being applied.

Argo CD's ``argocd.argoproj.io/hook`` (PreSync, Sync, PostSync, SyncFail, Skip,
PreDelete, PostDelete; a comma list) and ``argocd.argoproj.io/hook-delete-policy``
(HookSucceeded, HookFailed, BeforeHookCreation) are read as Argo CD reads them, and Helm's
``helm.sh/hook`` / ``helm.sh/hook-delete-policy`` are mapped the way Argo CD maps them
(gitops-engine pkg/sync/hook/helm): pre-install/pre-upgrade run in PreSync,
post-install/post-upgrade in PostSync; test, delete and rollback hooks never run. An Argo
CD hook annotation wins over a Helm one. A hook without a delete policy gets
BeforeHookCreation, Argo CD's default.

Pure: ``classify(obj)`` returns the Hook (or None for an ordinary object) and the
warnings for what is not carried out (an unknown hook type, a Helm hook that never
runs), so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_ARGOCD_HOOK,
    ANN_ARGOCD_HOOK_DELETE_POLICY,
    ANN_HELM_HOOK,
    ANN_HELM_HOOK_DELETE_POLICY,
    DELETE_POLICIES,
    HOOK_SKIP,
    PHASE_POST_DELETE,
    PHASE_POST_SYNC,
    PHASE_PRE_DELETE,
    PHASE_PRE_SYNC,
    PHASE_SYNC,
    PHASE_SYNC_FAIL,
    POLICY_BEFORE_CREATION,
    POLICY_FAILED,
    POLICY_SUCCEEDED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations, format_id

# Argo CD hook types, as written in the annotation.
ARGOCD_TYPES = (PHASE_PRE_SYNC, PHASE_SYNC, PHASE_POST_SYNC, PHASE_SYNC_FAIL, HOOK_SKIP, PHASE_PRE_DELETE, PHASE_POST_DELETE)
# Phases a sync runs hooks in; deletion hooks run when the Application is deleted (its
# finalizer: PreDelete before its objects are pruned, PostDelete after).
RUN_PHASES = (PHASE_PRE_SYNC, PHASE_SYNC, PHASE_POST_SYNC, PHASE_SYNC_FAIL)
DELETION_PHASES = (PHASE_PRE_DELETE, PHASE_POST_DELETE)
# Helm hook -> Argo CD phase (as Argo CD maps them).
HELM_PHASES = {
    "pre-install": PHASE_PRE_SYNC,
    "pre-upgrade": PHASE_PRE_SYNC,
    "post-install": PHASE_POST_SYNC,
    "post-upgrade": PHASE_POST_SYNC,
}
# Helm hooks Argo CD never runs during a sync.
HELM_NOT_RUN = ("test", "test-success", "test-failure", "pre-delete", "post-delete", "pre-rollback", "post-rollback", "crd-install")
HELM_POLICIES = {
    "before-hook-creation": POLICY_BEFORE_CREATION,
    "hook-succeeded": POLICY_SUCCEEDED,
    "hook-failed": POLICY_FAILED,
}


@dataclass(frozen=True)
class Hook:
    """How a hook object takes part in a sync.

    phases: the phases it runs in (RUN_PHASES, then DELETION_PHASES: run when the
        Application is deleted); empty: it never runs.
    delete_policies: when its object is deleted (BeforeHookCreation when none is set).
    skip: ``hook: Skip``, an object never applied.
    source: the annotation it was read from (for messages).
    """

    phases: tuple = ()
    delete_policies: tuple = (POLICY_BEFORE_CREATION,)
    skip: bool = False
    source: str = ANN_ARGOCD_HOOK

    def deletes_on(self, policy):
        return policy in self.delete_policies


def _split(value):
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def subject_of(obj):
    """``Kind/namespace/name`` of a rendered object; a hook that only has a generateName is
    printed with it (the server names it when it is created)."""
    meta = obj.get("metadata") or {}
    return format_id(obj.get("kind") or "", meta.get("namespace") or "", meta.get("name") or meta.get("generateName") or "")


def is_hook(obj):
    """True when either hook annotation is set (the object is not applied as a resource)."""
    ann = annotations(obj)
    return ANN_ARGOCD_HOOK in ann or ANN_HELM_HOOK in ann


def _policies(ann, subject, warnings):
    out = []
    for raw in _split(ann.get(ANN_ARGOCD_HOOK_DELETE_POLICY)):
        if raw in DELETE_POLICIES:
            out.append(raw)
        else:
            warnings.append("%s: unknown %s %r ignored" % (subject, ANN_ARGOCD_HOOK_DELETE_POLICY, raw))
    for raw in _split(ann.get(ANN_HELM_HOOK_DELETE_POLICY)):
        if raw in HELM_POLICIES:
            out.append(HELM_POLICIES[raw])
        else:
            warnings.append("%s: unknown %s %r ignored" % (subject, ANN_HELM_HOOK_DELETE_POLICY, raw))
    unique = tuple(p for p in DELETE_POLICIES if p in out)
    return unique or (POLICY_BEFORE_CREATION,)


def _argocd_phases(value, subject, warnings):
    found = []
    for raw in _split(value):
        if raw not in ARGOCD_TYPES:
            warnings.append("%s: unknown %s type %r ignored" % (subject, ANN_ARGOCD_HOOK, raw))
        found.append(raw)
    return found


def _helm_phases(value, subject, warnings):
    found = []
    for raw in _split(value):
        if raw in HELM_PHASES:
            found.append(HELM_PHASES[raw])
        elif raw in HELM_NOT_RUN:
            warnings.append("%s: %s %s is not run (as in Argo CD)" % (subject, ANN_HELM_HOOK, raw))
        else:
            warnings.append("%s: unknown %s %r ignored" % (subject, ANN_HELM_HOOK, raw))
    return found


def classify(obj):
    """(Hook or None, warnings) of one rendered object. An Argo CD hook annotation wins
    over a Helm one; a hook whose types are all unknown or unsupported never runs and is
    not applied either (Argo CD: the annotation makes it a hook), with a warning."""
    ann = annotations(obj)
    subject = subject_of(obj)
    warnings = []
    if ANN_ARGOCD_HOOK in ann:
        found, source = _argocd_phases(ann.get(ANN_ARGOCD_HOOK), subject, warnings), ANN_ARGOCD_HOOK
    elif ANN_HELM_HOOK in ann:
        found, source = _helm_phases(ann.get(ANN_HELM_HOOK), subject, warnings), ANN_HELM_HOOK
    else:
        return None, ()
    if HOOK_SKIP in found:
        return Hook(phases=(), delete_policies=(), skip=True, source=source), tuple(warnings)
    phases = tuple(p for p in RUN_PHASES + DELETION_PHASES if p in found)
    if not phases and not warnings:
        warnings.append("%s: no hook phase a sync runs: the object is not applied" % subject)
    return Hook(phases=phases, delete_policies=_policies(ann, subject, warnings), source=source), tuple(warnings)


def split(manifests):
    """(ordinary manifests, [(Manifest, Hook)] of the hooks, warnings) of a render."""
    ordinary, hooked, warnings = [], [], []
    for m in manifests:
        hook, notes = classify(m.obj)
        warnings.extend(notes)
        if hook is None:
            ordinary.append(m)
        else:
            hooked.append((m, hook))
    return ordinary, hooked, tuple(warnings)
