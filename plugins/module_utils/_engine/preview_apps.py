# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Applications a preview compares, and at which revision (docs/previews.md).

A preview renders a revision of the repository (a pull request's branch or commit) and
compares it with the cluster, writing nothing. The Applications it compares are the
ones a sync of that revision would leave: the root as it is in the cluster with its
source at the revision, then, level by level, each Application the render of its parent
declares (its spec from the revision, its status, hence its inventory, from the cluster),
and each Application the revision removes (its finalizer would prune its objects).

These are decisions on plain dicts; _ansible/preview.py reads and reconciles.
"""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, API_GROUP, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.inventory import entry_of
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

# the live metadata a previewed Application keeps (its identity and its owner's marks)
KEPT_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "finalizers")


def same_repo(one, other):
    """True when two repository URLs name the same repository (normal forms compared:
    case of scheme and host, default port, trailing ``/`` or ``.git``)."""
    if not one or not other:
        return False
    try:
        return repo_urls.parse(one, allow_local=True) == repo_urls.parse(other, allow_local=True)
    except SourceError:
        return one == other


def _sources(spec):
    """The source mappings of an Application spec (``source`` and each of ``sources``)."""
    found = [spec["source"]] if isinstance(spec.get("source"), dict) else []
    return found + [s for s in spec.get("sources") or [] if isinstance(s, dict)]


def at_revision(app, repo_url, revision):
    """A copy of ``app`` whose sources naming ``repo_url`` are at ``revision``; sources
    of other repositories keep their targetRevision, a source without repoURL inherits
    its declaring Application's (declared_source.py). Unchanged when ``revision`` is ''."""
    out = copy.deepcopy(app)
    if not revision:
        return out
    for source in _sources(out.get("spec") or {}):
        if source.get("repoURL") and same_repo(source["repoURL"], repo_url):
            source["targetRevision"] = revision
    return out


def root_at(app, repo_url, revision):
    """The root Application of a preview: its single source fetched from ``repo_url``
    (when given) at ``revision`` (when given). A root with several sources keeps them,
    each naming ``repo_url`` moved to ``revision``."""
    out = copy.deepcopy(app)
    spec = out.setdefault("spec", {})
    if spec.get("sources"):
        return at_revision(out, repo_url, revision)
    source = spec.setdefault("source", {})
    if repo_url:
        source["repoURL"] = repo_url
    if revision and source.get("repoURL"):
        source["targetRevision"] = revision
    return out


def synced_at(app, revision):
    """``app`` as its children see it: synced at ``revision``, so a child without
    repoURL is rendered from the same commit (declared_source.revision)."""
    out = copy.deepcopy(app)
    status = out.setdefault("status", {})
    status["sync"] = dict(status.get("sync") or {}, revision=revision)
    return out


def is_application(obj):
    """True for our own Application kind (not Argo CD's, converted before)."""
    api_version = str(obj.get("apiVersion") or "")
    return obj.get("kind") == APP_KIND and api_version.split("/", 1)[0] == API_GROUP


def declared(manifests, default_namespace):
    """The Application objects of a render, each with its namespace (``default_namespace``,
    the parent's destination, when the manifest names none, as a sync places it)."""
    out = []
    for m in manifests:
        obj = m.obj
        if isinstance(obj, dict) and is_application(obj):
            obj = copy.deepcopy(obj)
            meta = obj["metadata"] = dict(obj.get("metadata") or {})
            meta["namespace"] = meta.get("namespace") or default_namespace
            out.append(obj)
    return out


def child(rendered, live, owner):
    """The Application a sync of ``owner`` (``namespace/name``) would leave: the rendered
    spec and metadata, the live one's identity and status (its inventory decides what
    would be pruned), and the tracking annotation the sync writes."""
    out = copy.deepcopy(rendered)
    out.pop("status", None)
    meta = out["metadata"]
    live_meta = (live or {}).get("metadata") or {}
    for key in KEPT_METADATA:
        if key in live_meta and key not in meta:
            meta[key] = copy.deepcopy(live_meta[key])
    meta["annotations"] = dict(meta.get("annotations") or {}, **{ANN_TRACKING_ID: tracking_id(owner, entry_of(out))})
    if live is not None and live.get("status"):
        out["status"] = copy.deepcopy(live["status"])
    return out


def removed(live, now):
    """A live Application the revision removes, as its parent's prune leaves it: being
    deleted, so a dry-run reconcile reports what its finalizer would prune."""
    out = copy.deepcopy(live)
    out["metadata"]["deletionTimestamp"] = now
    return out


def app_key(obj):
    """``namespace/name`` of an Application object."""
    meta = obj.get("metadata") or {}
    return "%s/%s" % (meta.get("namespace") or "", meta.get("name") or "")
