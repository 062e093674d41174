# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authority flows down: an Application is only written by its parent.

A repository is untrusted input, and an Application object in a render is a request to
write another Application, which holds a source, a destination and a sync policy of
its own. Without a rule, a file under ``apps/`` naming the root rewrites the root, and
team B's repository can take over team A's Application. So an Application in the
render of Application ``owner`` is refused when:

1. it names ``owner`` itself or one of its ancestors (the declaring chain read from the
   live Applications' tracking annotations, walked at most APP_MAX_DEPTH levels);
2. it exists and its tracking annotation names another owner (another parent declared it);
3. it exists without this owner's tracking annotation for it (created by a playbook or
   by hand, or the annotation was copied from another object): a child may not adopt it.

Refusals are checked while planning, before the first write of a sync, so a refused
render writes nothing at all (the plan's validate-before-write rule).
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import parent_of
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_TRACKING_ID,
    API_GROUP,
    APP_API_VERSION,
    APP_KIND,
    APP_MAX_DEPTH,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import AuthorityError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import ObjectId, annotations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import owner_of, tracking_id

RULE = "an Application is only written by the Application that declared it"


def is_application(entry):
    """True for our own Application kind (another group's ``Application`` is not ours)."""
    return entry.group == API_GROUP and entry.kind == APP_KIND


def _app_key(owner):
    """(namespace, name) of an owner that is an Application (``ns/name``), else None
    (the sync module's inventories use other owner strings)."""
    if not owner or ":" in owner or owner.count("/") != 1:
        return None
    namespace, name = owner.split("/")
    return (namespace, name) if namespace and name else None


def walk(owner, lookup, first=None):
    """``(key, object)`` of ``owner`` and of each Application that declared it, nearest
    first, from their tracking annotations; ``lookup(namespace, name)`` returns a live
    Application or None, ``first`` is owner's object when the caller holds it.

    The one walk up the declaring chain (authority here, the source of an Application
    without repoURL in declared_source.py). It ends after an owner that is not an
    Application (yielded with None), a missing Application (None), a root, or a loop; a
    chain deeper than APP_MAX_DEPTH raises AuthorityError (a parent that cannot be
    established must not be guessed)."""
    seen, current = [], owner
    while current is not None and current not in seen:
        if len(seen) > APP_MAX_DEPTH:
            raise AuthorityError(
                "the chain of Applications declaring %s is deeper than %d: refusing to write Applications" % (owner, APP_MAX_DEPTH), subject=owner
            )
        seen.append(current)
        key = _app_key(current)
        if key is None:
            yield current, None
            return
        obj = first if first is not None and len(seen) == 1 else lookup(*key)
        yield current, obj
        current = parent_of(obj) if obj is not None else None


def ancestors(cluster, owner, live):
    """``owner`` and the Applications above it, nearest first (see walk): ``live`` first,
    else one GET each."""
    rtype = []

    def lookup(namespace, name):
        obj = live.get(ObjectId(API_GROUP, APP_KIND, namespace, name))
        if obj is None:
            if not rtype:
                rtype.append(cluster.resolve(APP_API_VERSION, APP_KIND))
            obj = cluster.get(rtype[0], namespace, name)
        return obj

    return [key for key, _obj in walk(owner, lookup)]


def refusal(item, owner, chain):
    """Why ``owner`` may not write the Application of this plan item, or ''."""
    key = "%s/%s" % (item.entry.namespace, item.entry.name)
    if key == owner:
        return "names this Application itself"
    if key in chain:
        return "names %s, an ancestor of this Application" % key
    if item.live is None:
        return ""
    value = annotations(item.live).get(ANN_TRACKING_ID)
    if value == tracking_id(owner, item.entry):
        return ""
    other = owner_of(item.live)
    if other and other != owner:
        return "owned by %s (only the Application that declared it may write it)" % other
    return (
        "has no tracking annotation of this Application (created by a playbook or by hand?): "
        "not adoptable by a child; delete it so that this Application creates it, or declare it from its real parent"
    )


def check(cluster, items, owner, live):
    """Raise AuthorityError naming every Application of ``items`` that ``owner`` may not
    write (``live``: ObjectId -> live object, as read for the plan). No Application in
    the render: nothing is read."""
    apps = [i for i in items if is_application(i.entry)]
    if not owner or not apps:
        return
    chain = ancestors(cluster, owner, live)
    refuse(apps, lambda item: refusal(item, owner, chain), "Application(s)", RULE, owner)


def refuse(items, reason_of, what, rule, owner):
    """Raise one AuthorityError naming every item ``reason_of(item)`` refuses (a non-empty
    reason), ``what`` they are and the ``rule``; nothing when it refuses none."""
    refused = ["%s: %s" % (item.subject, reason) for item, reason in ((i, reason_of(i)) for i in items) if reason]
    if refused:
        raise AuthorityError("refused to write %d %s (%s): %s" % (len(refused), what, rule, "; ".join(refused)), subject=owner)
