# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Object names and namespaces that are safe to put in an API path.

Names come from repositories (untrusted) and go into request paths
(``/api/v1/namespaces/NS/configmaps/NAME``). The API server refuses a name that is not a
valid path segment (apimachinery's ``IsValidPathSegmentName``: not ``.`` or ``..``, no ``/``
or ``%``), but only when it is the object's own name on create: a GET or DELETE with such
a name is a request for another path. So the same rule is checked here before any
request, with Kubernetes' rule for namespaces (an RFC 1123 label) and its length limit.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_MAX_NAME = 253  # the longest name any built-in kind accepts (a DNS subdomain)
_MAX_NAMESPACE = 63


def name_problem(name):
    """Why ``name`` cannot be an object's name in an API path ('' when it can)."""
    if not isinstance(name, str) or not name:
        return "is empty or not a string"
    if name in (".", ".."):
        return "may not be %r" % name
    for bad in ("/", "%"):
        if bad in name:
            return "may not contain %r" % bad
    if len(name) > _MAX_NAME:
        return "is longer than %d characters" % _MAX_NAME
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "may not contain control characters"
    return ""


def namespace_problem(namespace):
    """Why ``namespace`` cannot be a namespace ('' when it can): an RFC 1123 label."""
    if not isinstance(namespace, str) or len(namespace) > _MAX_NAMESPACE or not _LABEL.match(namespace):
        return "must be a lowercase RFC 1123 label of at most %d characters (a-z, 0-9, '-')" % _MAX_NAMESPACE
    return ""


def problems(obj):
    """What is wrong with ``obj``'s metadata.name / metadata.namespace, as messages."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return []
    out = []
    if meta.get("name") not in (None, ""):
        why = name_problem(meta.get("name"))
        if why:
            out.append("metadata.name %r %s" % (str(meta.get("name"))[:80], why))
    if meta.get("namespace") not in (None, ""):
        why = namespace_problem(meta.get("namespace"))
        if why:
            out.append("metadata.namespace %r %s" % (str(meta.get("namespace"))[:80], why))
    return out
