# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When one LIST of a kind across all namespaces is cheaper than one LIST per namespace.

A run that reconciles many Applications (``all: true``) reads the same kinds in many
namespaces: ConfigMaps of ten Applications are ten LISTs, or one. The plan that only
reports (before the lock is taken, _engine/reconcile.py) may read what the API server's
watch cache holds (a moment stale: a drift that happened in that moment is found by the
next run); the plan a sync carries out is always made again under the lock from fresh
per-namespace reads. The adapter (_adapters/shared_reads.py) asks this module:

- a kind is read across namespaces once the run has asked for it in more than WIDE_AFTER
  distinct namespaces (the first ones were read per namespace: a run of one Application
  never lists the whole cluster), or from the first ask when the run's Applications deploy
  to more than WIDE_AFTER namespaces (``expected``: it would come to that; a no-op of 10
  Applications saved two LISTs per kind);
- never where this run has written (its wide read would be stale by the run's own
  writes): a namespace in which the run wrote an object of the kind is read on its own,
  fresh, from then on; the other namespaces still come from the LIST across namespaces
  (``written_key``: a first sync of 1,000 Applications, each writing ConfigMaps in its
  own namespace, still plans from one LIST of them);
- never cluster-scoped kinds (one LIST already) nor an impersonated view (RBAC may allow
  one namespace only).

What a LIST across namespaces keeps for the run (``kept``): only the objects of the
namespaces the run's Applications deploy to (``deploy_namespaces``; a LIST across namespaces
returns every namespace's objects, most of them no Application's), and of each object's
managedFields only our field manager's Apply entries (compare.owned_fields reads nothing
else; the other managers' entries are often most of a small object). A namespace the run
learns of after the LIST (an Application created meanwhile) is read on its own.

The same holds for GETs of a Namespace by name (CreateNamespace asks whether each
Application's destination exists): once more than WIDE_AFTER distinct names were asked
(or more destination namespaces are expected), one LIST of the Namespaces answers the rest
of the run, but for the names the run wrote.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import FIELD_MANAGER

# distinct namespaces of one kind asked for before the kind is read across namespaces
WIDE_AFTER = 2
# (group, kind) of the cluster-scoped kinds whose GETs by name one LIST may answer: small
# objects, one per Application at most (not CRDs: large, and read for their schema)
LISTED_GETS = (("", "Namespace"),)


def written_key(group, kind, namespaced, namespace, name):
    """Where a write lands, as the shared reads ask of it: (group, kind, namespace, "")
    of a namespaced kind, (group, kind, "", name) of a cluster-scoped one."""
    return (group, kind, namespace or "", "") if namespaced else (group, kind, "", name or "")


def read_wide(namespaced, namespaces_asked, written, expected=0):
    """Whether the next LIST of a kind is served from one LIST across namespaces:
    ``namespaces_asked`` distinct namespaces so far (this one included), ``written``:
    the run wrote an object of this kind in this namespace, ``expected``: the number of
    namespaces the run's Applications deploy to (0: not known)."""
    return namespaced and not written and max(namespaces_asked, expected) > WIDE_AFTER


def get_from_list(group, kind, names_asked, written, expected=0):
    """Whether the next GET of a cluster-scoped object is answered from one LIST of its
    kind: ``names_asked`` distinct names so far (this one included), ``written``: the run
    wrote the object of this name, ``expected``: as for read_wide (the destination
    Namespaces are what is asked for by name)."""
    return (group, kind) in LISTED_GETS and not written and max(names_asked, expected) > WIDE_AFTER


def deploy_namespaces(apps):
    """The destination namespaces of Applications (as listed: dicts), or None when one has
    none (its objects go to namespaces only its render names: nothing can be left out)."""
    out = set()
    for app in apps:
        namespace = ((app.get("spec") or {}).get("destination") or {}).get("namespace")
        if not namespace or not isinstance(namespace, str):
            return None
        out.add(namespace)
    return out


def kept(obj, namespaces):
    """``obj`` (a live object of a LIST across namespaces, changed in place) as the run keeps
    it, or None when it is in none of ``namespaces`` (None: every namespace is kept)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return obj
    if namespaces is not None and (meta.get("namespace") or "") not in namespaces:
        return None
    fields = meta.get("managedFields")
    if isinstance(fields, list):
        meta["managedFields"] = [f for f in fields if isinstance(f, dict) and f.get("manager") == FIELD_MANAGER and f.get("operation") == "Apply"]
    return obj
