# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health of live objects: one small check per kind, one registry, one ordering.

``assess(obj)`` returns the Health of a LIVE object (as the API server returns it).
Built-in kinds follow Argo CD (gitops-engine ``pkg/health`` and the Lua checks Argo CD
ships for Argo Rollouts, Flagger and OpenShift kinds) semantics; any other kind
falls back to a kstatus-like reading of ``status.conditions`` (Ready / Stalled /
Reconciling) and ``status.observedGeneration``. Objects without status are Healthy.

Statuses are the codes of constants.HEALTH_ORDER (most to least healthy); ``worst()``
and ``aggregate()`` fold many objects into one Health, as an Application does.
A check that cannot read its object (malformed fields) yields Unknown, never raises.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import HEALTH_MISSING, HEALTH_ORDER, HEALTHY, PROGRESSING, UNKNOWN
from ansible_collections.gitops.k8s.plugins.module_utils._engine import health_openshift, health_progressive
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import CHECKS as CORE_CHECKS
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health_checks import Health, HealthCheck, generic_health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import object_id

__all__ = ("CHECKS", "Health", "HealthCheck", "aggregate", "assess", "check_for", "is_worse", "worst")

# Every built-in check: Kubernetes kinds and ours, progressive delivery (Argo Rollouts,
# Flagger), OpenShift.
CHECKS: Dict[Tuple[str, str], HealthCheck] = dict(CORE_CHECKS)
CHECKS.update(health_progressive.CHECKS)
CHECKS.update(health_openshift.CHECKS)


def check_for(group: str, kind: str) -> Optional[HealthCheck]:
    """The built-in check of a (group, kind), or None when the generic check applies."""
    return CHECKS.get((group, kind))


def assess(obj: Optional[Mapping[str, Any]]) -> Health:
    """Health of one LIVE object; None (or an empty dict) means it does not exist (Missing)."""
    if not obj:
        return Health(HEALTH_MISSING, "object not found")
    if not isinstance(obj, Mapping):
        return Health(UNKNOWN, "not a Kubernetes object: %s" % type(obj).__name__)
    meta = obj.get("metadata")
    if isinstance(meta, Mapping) and meta.get("deletionTimestamp"):
        return Health(PROGRESSING, "pending deletion")
    oid = object_id(obj)
    check = check_for(oid.group, oid.kind) or generic_health
    try:
        return check(obj)
    except (TypeError, ValueError, AttributeError) as exc:
        return Health(UNKNOWN, "health check failed: %s" % exc)


# --- ordering and aggregation --------------------------------------------------------


def _rank(health: Union[Health, str]) -> int:
    """Position in HEALTH_ORDER; unknown codes rank as Unknown (the worst)."""
    status = health.status if isinstance(health, Health) else health
    if status in HEALTH_ORDER:
        return HEALTH_ORDER.index(status)
    return HEALTH_ORDER.index(UNKNOWN)


def is_worse(a: Union[Health, str], b: Union[Health, str]) -> bool:
    """True when ``a`` is strictly less healthy than ``b`` (Health or status code)."""
    return _rank(a) > _rank(b)


def worst(healths: Iterable[Health]) -> Health:
    """The least healthy of ``healths`` (the first one on ties); Healthy when empty."""
    result = Health(HEALTHY)
    for health in healths:
        if is_worse(health, result):
            result = health
    return result


def aggregate(pairs: Iterable[Tuple[str, Health]], limit: int = 3) -> Health:
    """One Health for a set of (subject, Health): the worst status, naming who has it.

    The message lists at most ``limit`` subjects with the worst status, in input order,
    as ``Kind/ns/name: message``, then ``+N more``. A Healthy set has no message.
    """
    items = [(str(subject), health) for subject, health in pairs]
    status = worst(health for _subject, health in items).status
    if status == HEALTHY:
        return Health(HEALTHY)
    culprits = [
        "%s: %s" % (subject, health.message) if health.message else subject
        for subject, health in items
        if health.status == status or (status == UNKNOWN and _rank(health) == _rank(UNKNOWN))
    ]
    message = "; ".join(culprits[:limit])
    if len(culprits) > limit:
        message += "; +%d more" % (len(culprits) - limit)
    return Health(status, message)
