# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A progressive strategy touches only its own Application's objects. Pure.

The strategies (strategies.py) write objects nobody rendered: ``<name>-canary``,
``<name>-preview`` and the preview Service (``previewService``, by default
``<activeService>-preview``), each marked ANN_STRATEGY_OBJECT and pruned when the strategy
is done with it. Their names come from a repository, so they may collide with an object
of another Application or with an unmanaged one; applying over it would take it over
(server-side apply with force) and the prune after promote or abort would then delete it.
The strategies also steer two rendered objects: the stable Deployment (scaled down while a
canary runs, kept on its old template) and the active Service (its selector switched).

So, checked while planning, beside the Project's rules and before the first write:

1. an object a strategy makes is written only when it does not exist yet, or exists as
   this Application's strategy object (its tracking annotation names this Application and
   this object, and it carries ANN_STRATEGY_OBJECT): a strategy never adopts an object;
2. a Deployment or Service a strategy steers is refused when its tracking annotation
   names another Application (or another object): a strategy of this Application does not
   steer another's traffic or replicas. An unmanaged one is adopted, as any object
   rendered from Git is (it then carries this Application's tracking annotation).

Refusals are one AuthorityError naming every refused object, its owner and the rule.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import authority
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_STRATEGY_OBJECT, ANN_TRACKING_ID
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import describe_owner, owner_of, tracking_id

RULE = "a progressive strategy only writes and steers objects of its own Application"


def _owned_by(live):
    """Who a live object belongs to, as messages name it."""
    other = owner_of(live)
    if other:
        return describe_owner(other)
    return "nobody (it has no tracking annotation: created by hand or by another tool)"


def refusal(item, owner, steered):
    """Why a strategy of Application ``owner`` may not write this plan item, or ''.
    ``steered``: the ObjectIds of the rendered objects the strategies steer."""
    live = item.live
    if live is None:
        return ""
    ours = annotations(live).get(ANN_TRACKING_ID) == tracking_id(owner, item.entry)
    if ANN_STRATEGY_OBJECT in annotations(item.desired or {}):
        if ours and ANN_STRATEGY_OBJECT in annotations(live):
            return ""
        if ours:
            return "exists as an object of this Application that its strategy did not make: a strategy never writes over it (rename one of them)"
        return "exists and belongs to %s: a strategy never writes over it (rename the Deployment or the previewService)" % _owned_by(live)
    if item.entry.id in steered and not ours and annotations(live).get(ANN_TRACKING_ID):
        return "belongs to %s: a strategy of this Application does not steer it" % _owned_by(live)
    return ""


def check(items, owner, steered):
    """Raise AuthorityError naming every item (PlanItems with their live objects) a
    strategy of ``owner`` may not write; nothing when there is no owner (the sync module)."""
    if owner:
        authority.refuse(items, lambda item: refusal(item, owner, steered), "object(s)", RULE, owner)
