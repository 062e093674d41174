# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ownership: the tracking annotation written on every object an Application applies.

Its value is ``<owner>:<group>/<Kind>:<namespace>/<name>``: the owner (an Application
``namespace/name``) plus the object's own id, so copying the annotation onto another
object does not make that object ours (Argo CD's tracking-id idea).
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations


def tracking_id(owner, entry):
    """Annotation value for an inventory entry owned by ``owner``."""
    return "%s:%s/%s:%s/%s" % (owner, entry.group, entry.kind, entry.namespace, entry.name)


def owner_of(obj):
    """Owner named by an object's tracking annotation, or None (owners may contain ':')."""
    value = annotations(obj).get(ANN_TRACKING_ID)
    if not value or value.count(":") < 2:
        return None
    return value.rsplit(":", 2)[0]


def describe_owner(owner):
    """An owner as messages name it: ``Application <ns>/<name>``, or the owner string as
    it is (the sync module's ``inventory:<ns>/<name>``)."""
    return "Application %s" % owner if owner and ":" not in owner else owner
