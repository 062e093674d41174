# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendered manifests: where each object came from, and validation of the set.

Renderers (plain YAML, Kustomize, Helm) return a list of Manifest. validate()
rejects what cannot be applied safely, naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_STRATEGY_OBJECT
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.hooks import is_hook
from ansible_collections.gitops.k8s.plugins.module_utils._engine.object_names import problems
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import object_id

# Objects one render may produce. Large real Applications (a cluster's monitoring stack
# with its CRDs and dashboards) have some thousands; past this, each later step (plan,
# dry-runs, inventory in the status) would cost more than a reconcile should.
MAX_OBJECTS = 20000


@dataclass(frozen=True)
class Manifest:
    """One rendered object and its origin (``file:line``, or a renderer name)."""

    obj: dict = field(hash=False, compare=False)
    origin: str = ""


def expand_lists(manifests):
    """Flatten ``kind: List`` / ``*List`` documents into their items."""
    out = []
    for m in manifests:
        kind = (m.obj.get("kind") or "") if isinstance(m.obj, dict) else ""
        if isinstance(m.obj, dict) and kind.endswith("List") and isinstance(m.obj.get("items"), list):
            for idx, item in enumerate(m.obj["items"]):
                out.append(Manifest(item, "%s (item %d)" % (m.origin, idx)))
        else:
            out.append(m)
    return out


def validate(manifests, source=None):
    """Check there are at most MAX_OBJECTS manifests, every one an object with apiVersion,
    kind and name (a hook may have a generateName instead: it is created, and the server
    names it), that names and namespaces are safe in an API path (object_names), that no
    object carries the agent's own mark of a strategy object (such an object is pruned when
    its strategy ends, even with prune off), and that no id appears twice. Raises ManifestError naming the origin
    (or ``source``, the rendered path, for the count); returns the manifests."""
    if len(manifests) > MAX_OBJECTS:
        raise ManifestError("renders %d objects, more than the limit of %d" % (len(manifests), MAX_OBJECTS), subject=source)
    seen = {}
    for m in manifests:
        obj = m.obj
        if not isinstance(obj, dict):
            raise ManifestError("document is a %s, not a mapping" % type(obj).__name__, subject=m.origin)
        for key in ("apiVersion", "kind"):
            if not isinstance(obj.get(key), str) or not obj.get(key):
                raise ManifestError("missing or invalid '%s'" % key, subject=m.origin)
        bad_names = problems(obj)
        if bad_names:
            raise ManifestError("%s: %s" % (obj.get("kind"), "; ".join(bad_names)), subject=m.origin)
        meta = obj.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict) and ANN_STRATEGY_OBJECT in meta["annotations"]:
            raise ManifestError(
                "%s: annotation %s is the agent's own mark of a canary or preview object; a repository may not set it" % (obj.get("kind"), ANN_STRATEGY_OBJECT),
                subject=m.origin,
            )
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta.get("name"):
            if isinstance(meta, dict) and isinstance(meta.get("generateName"), str) and meta.get("generateName"):
                if is_hook(obj):
                    continue  # named by the server when created; never compared or tracked
                raise ManifestError(
                    "metadata.generateName works on hooks only (argocd.argoproj.io/hook or helm.sh/hook): other objects need a stable name", subject=m.origin
                )
            raise ManifestError("%s has no metadata.name" % obj.get("kind"), subject=m.origin)
        oid = object_id(obj)
        if oid in seen:
            raise ManifestError("duplicate object %s (also defined at %s)" % (oid, seen[oid]), subject=m.origin)
        seen[oid] = m.origin
    return manifests
