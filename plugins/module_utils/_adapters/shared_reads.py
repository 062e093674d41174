# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster as the report plans of one run read it: LISTs of a kind across namespaces,
shared by every Application of the run (_engine/wide_lists.py decides when).

Only the plan made before the lock reads through this (Ports.reads): it decides whether a
sync is due and what a no-op reports. A sync is planned again under its lock from
``cluster`` itself, so nothing is written on the strength of a shared read. A wide LIST is
served from the API server's watch cache (``resourceVersion=0``) and kept for the run,
but for the namespaces (and cluster-scoped names) where the run wrote an object of that
kind: those are read on their own from then on. Only what the run may read is kept of it
(wide_lists.kept): the objects of the namespaces its Applications deploy to, told by
``expect_namespaces``, without the other field managers' managedFields. A kind whose LIST
across namespaces the API server forbids (RBAC granted per namespace) is read per namespace.
"""

from __future__ import annotations

import threading

from ansible_collections.gitops.k8s.plugins.module_utils._engine import wide_lists
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.json_copy import json_copy


_NOT_SHARED = object()  # the answer is not the run's shared read: read it alone


class SharedReads:
    """A Cluster whose ``list`` of a namespaced kind may come from one LIST across
    namespaces, and whose ``get`` of a Namespace from one LIST of them; every other
    method is ``cluster``'s."""

    def __init__(self, cluster):
        self.cluster = cluster
        self._asked = {}  # (group, kind) -> namespaces asked for
        self._wide = {}  # (group, version, kind) -> (namespaces kept or None: all, namespace -> objects)
        self._expected = None  # the namespaces the run's Applications deploy to (expect_namespaces); None: every one
        self._unbounded = False  # told of an Application whose namespaces are not known beforehand
        self._named = {}  # (group, kind) -> names asked for (get)
        self._listed = {}  # (group, version, kind) -> name -> object
        self._refused = set()  # (group, kind) whose LIST across namespaces the API server refused (403)
        self._guard = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.cluster, name)

    def expect_namespaces(self, namespaces):
        """The run's Applications deploy to ``namespaces`` (None: also to namespaces not
        known beforehand): a LIST across namespaces made from now on keeps only their
        objects, and the others are read on their own. Told again (another pass of the
        run), the namespaces add up."""
        with self._guard:
            if namespaces is None:
                self._unbounded = True
            self._expected = None if self._unbounded else set(self._expected or ()) | set(namespaces)

    def _shares(self):
        """Whether the cluster says where it wrote (KubeCluster.written_at) and can read the
        watch cache."""
        return getattr(self.cluster, "written_at", None) is not None and hasattr(self.cluster, "list_cached")

    def _written(self, rtype, namespace, name):
        """Whether the run wrote where this read looks (wide_lists.written_key)."""
        return wide_lists.written_key(rtype.group, rtype.kind, rtype.namespaced, namespace, name) in self.cluster.written_at

    def _list_cached(self, rtype, keep=None):
        """The kind's LIST across namespaces, or _NOT_SHARED when the API server refuses it
        (an agent whose RBAC is per namespace: its Roles allow the namespaces it deploys to,
        not the cluster scope). Then the kind is read per namespace for the rest of the run,
        each read under the agent's own rights, as without the shared reads."""
        try:
            return self.cluster.list_cached(rtype, keep=keep)
        except ClusterError as exc:
            if exc.details.get("status_code") != 403:
                raise
            self._refused.add((rtype.group, rtype.kind))
            return _NOT_SHARED

    def get(self, rtype, namespace, name):
        found = self._get_shared(rtype, name)
        return self.cluster.get(rtype, namespace, name) if found is _NOT_SHARED else found

    def _get_shared(self, rtype, name):
        """The object from the run's LIST of its kind, or _NOT_SHARED (then read it alone,
        outside the guard: the Applications of a wave read side by side)."""
        key = (rtype.group, rtype.kind)
        with self._guard:
            names = self._named.setdefault(key, set())
            names.add(name)
            if rtype.namespaced or not self._shares() or key in self._refused:
                return _NOT_SHARED
            written = self._written(rtype, None, name)
            full = (rtype.group, rtype.version, rtype.kind)
            if written:  # read on its own from now on
                self._listed.get(full, {}).pop(name, None)
            if not wide_lists.get_from_list(rtype.group, rtype.kind, len(names), written, len(self._expected or ())):
                return _NOT_SHARED
            if full not in self._listed:
                listed = self._list_cached(rtype)
                if listed is _NOT_SHARED:
                    return _NOT_SHARED
                self._listed[full] = dict(((o.get("metadata") or {}).get("name"), o) for o in listed)
            found = self._listed[full].get(name)
            return json_copy(found) if found is not None else None

    def list(self, rtype, namespace=None):
        found = self._list_shared(rtype, namespace)
        return self.cluster.list(rtype, namespace) if found is _NOT_SHARED else found

    def _list_shared(self, rtype, namespace):
        """The objects from the run's LIST of the kind across namespaces, or _NOT_SHARED."""
        key = (rtype.group, rtype.kind)
        with self._guard:
            asked = self._asked.setdefault(key, set())
            asked.add(namespace or "")
            if not self._shares() or key in self._refused:
                return _NOT_SHARED  # a cluster that does not say what it wrote: nothing shared
            written = self._written(rtype, namespace, None)
            if written:  # read on its own from now on
                for full in [k for k in self._wide if k[::2] == key]:
                    self._wide[full][1].pop(namespace or "", None)
            expected = self._expected
            wide = wide_lists.read_wide(rtype.namespaced, len(asked), written, len(expected or ()))
            if not (namespace and (expected is None or namespace in expected) and wide):
                return _NOT_SHARED
            full = (rtype.group, rtype.version, rtype.kind)
            if full not in self._wide:
                kept = None if expected is None else frozenset(expected)
                listed = self._list_cached(rtype, keep=lambda o: wide_lists.kept(o, kept))
                if listed is _NOT_SHARED:
                    return _NOT_SHARED
                by_namespace = {}
                for obj in listed:
                    by_namespace.setdefault((obj.get("metadata") or {}).get("namespace") or "", []).append(obj)
                self._wide[full] = (kept, by_namespace)
            kept, by_namespace = self._wide[full]
            if kept is not None and namespace not in kept:  # a namespace told of after the LIST
                return _NOT_SHARED
            # a copy: the plans of two Applications in one namespace never share a live object
            return json_copy(by_namespace.get(namespace, []))
