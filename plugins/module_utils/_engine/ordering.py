# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deterministic apply order, as data: wave -> stage -> kind rank -> namespace/name.

Stages: Namespaces, then CRDs, then other cluster-scoped objects, then namespaced
objects. Waves come from the ``gitops-k8s.dev/sync-wave`` annotation, else Argo CD's
``argocd.argoproj.io/sync-wave``, else Helm's ``helm.sh/hook-weight`` (as gitops-engine
reads a hook's wave), default 0. Pruning runs in the reverse order.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_ARGOCD_SYNC_WAVE,
    ANN_HELM_HOOK_WEIGHT,
    ANN_SYNC_WAVE,
    CRD_KIND,
    KIND_ORDER,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations

_RANK = dict((kind, idx) for idx, kind in enumerate(KIND_ORDER))

STAGE_NAMESPACE = 0
STAGE_CRD = 1
STAGE_CLUSTER = 2
STAGE_NAMESPACED = 3


WAVE_ANNOTATIONS = (ANN_SYNC_WAVE, ANN_ARGOCD_SYNC_WAVE, ANN_HELM_HOOK_WEIGHT)


def wave_of(obj):
    """Sync wave of an object (int annotation, default 0; invalid values count as 0): the
    first of WAVE_ANNOTATIONS that is set (ours win over Argo CD's, Argo CD's over Helm's)."""
    ann = annotations(obj)
    raw = next((ann[key] for key in WAVE_ANNOTATIONS if ann.get(key) is not None), None)
    try:
        return int(str(raw).strip()) if raw is not None else 0
    except ValueError:
        return 0


def stage_of(kind, namespaced):
    if kind == "Namespace":
        return STAGE_NAMESPACE
    if kind == CRD_KIND:
        return STAGE_CRD
    return STAGE_NAMESPACED if namespaced else STAGE_CLUSTER


def kind_rank(kind):
    """Position of kind in KIND_ORDER; unknown kinds (custom resources) come after."""
    return _RANK.get(kind, len(KIND_ORDER))


def sort_key(obj, namespaced):
    meta = obj.get("metadata") or {}
    kind = obj.get("kind") or ""
    return (wave_of(obj), stage_of(kind, namespaced), kind_rank(kind), kind, meta.get("namespace") or "", meta.get("name") or "")


def app_steps(apps):
    """The Applications of one pass of a run (``all: true``) in the steps it reconciles
    them: one list per sync wave of the Application objects, lowest wave first, each by
    name. The Applications of one step are independent and may run side by side; a step
    ends before the next starts (an app-of-apps' wave -1 children before its wave 0 ones)."""
    steps = {}
    for app in apps:
        steps.setdefault(wave_of(app), []).append(app)
    return [sorted(steps[wave], key=lambda a: (a.get("metadata") or {}).get("name") or "") for wave in sorted(steps)]
