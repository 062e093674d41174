# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application objects in the cluster: the CRD, reading, declaring and status writes."""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, applicationset, compare, crds, merge_patch, projects
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_API_VERSION,
    APP_FINALIZER,
    APP_KIND,
    CRD_API_VERSION,
    CRD_KIND,
    CRD_TIMEOUT,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, GitOpsError, UnknownKindError


class AppStore:
    def __init__(self, cluster, clock):
        self.cluster = cluster
        self.clock = clock
        self._rtype = None
        # What this store last wrote, per Application as it was read (namespace, name,
        # resourceVersion): a second write from the same read diffs against the first.
        self._written = {}

    @property
    def rtype(self):
        if self._rtype is None:
            self._rtype = self.cluster.resolve(APP_API_VERSION, APP_KIND)
        return self._rtype

    def ensure_crd(self, timeout=CRD_TIMEOUT):
        """Install or update the Application, Project and ApplicationSet CRDs when missing
        or different; True when one was written."""
        written = False
        for desired in (application.crd(), projects.crd(), applicationset.crd()):
            written = self._ensure_one_crd(desired, timeout) or written
        return written

    def _ensure_one_crd(self, desired, timeout):
        name = desired["metadata"]["name"]
        crd_type = self.cluster.resolve(CRD_API_VERSION, CRD_KIND)
        live = self.cluster.get(crd_type, None, name)
        if live is not None and compare.suspect_drift(desired, live) is None:
            return False
        self.cluster.apply(crd_type, desired, force=True)
        if not crds.wait_established(self.cluster, self.clock, name, timeout):
            raise ClusterError("the %s CRD did not become Established in %ss" % (desired["spec"]["names"]["kind"], timeout), subject=name)
        self._rtype = None
        return True

    def ensure_namespace(self, name, dry_run=False):
        """Create the namespace Applications live in when missing; True when created."""
        ns_type = self.cluster.resolve("v1", "Namespace")
        if self.cluster.get(ns_type, None, name) is not None:
            return False
        self.cluster.apply(ns_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, dry_run=dry_run)
        return True

    def crd_installed(self):
        try:
            return self.rtype is not None
        except UnknownKindError:
            return False

    def get(self, namespace, name):
        return self.cluster.get(self.rtype, namespace, name)

    def list(self, namespace=None):
        """The Applications of ``namespace`` (None: every one) by namespace and name, without
        their managedFields (nothing reads an Application's: its status is written by merge
        patch, its definition applied from the manifest), which a run of many would hold."""
        apps = self.cluster.list(self.rtype, namespace)
        for app in apps:
            app["metadata"].pop("managedFields", None)
        return sorted(apps, key=lambda a: (a["metadata"].get("namespace"), a["metadata"]["name"]))

    def declare(self, definition, dry_run=False):
        """Apply an Application manifest (used for the root Application); returns
        (object, changed). Unchanged definitions are not written."""
        meta = definition.get("metadata") or {}
        live = self.get(meta.get("namespace"), meta.get("name"))
        if live is not None and compare.suspect_drift(definition, live) is None:
            return live, False
        result = self.cluster.apply(self.rtype, definition, dry_run=dry_run, force=True)
        if live is not None and compare.same_object(result, live):
            return live, False
        return (live if dry_run and live is not None else result), True

    def remove_finalizer(self, app):
        """Drop our finalizer (optimistic: fails if the object changed since it was read)."""
        meta = app["metadata"]
        kept = [f for f in meta.get("finalizers") or [] if f != APP_FINALIZER]
        self.cluster.patch_merge(
            self.rtype, meta["namespace"], meta["name"], {"metadata": {"finalizers": kept or None, "resourceVersion": meta["resourceVersion"]}}
        )

    def write_status(self, app, status):
        """Replace the status with a JSON merge patch of what differs (keys removed at any
        depth are nulled: a merge patch would keep them); nothing is sent when nothing differs.
        The patch is taken against what the server holds: the status read with ``app``, or
        the one this store wrote since from the same read (a run records a sync, then its
        analysis). True when written."""
        meta = app["metadata"]
        read = (meta["namespace"], meta["name"], meta.get("resourceVersion"))
        base = self._written.get(read)
        patch = merge_patch.between(app.get("status") or {} if base is None else base, status)
        if not patch:
            return False
        try:
            self.cluster.patch_merge(self.rtype, meta["namespace"], meta["name"], {"status": patch}, sub="status")
        except GitOpsError as exc:
            raise ClusterError("cannot record status: %s" % exc.message, subject="%s/%s/%s" % (APP_KIND, meta["namespace"], meta["name"])) from exc
        self._written[read] = copy.deepcopy(status)
        return True

    def reconciled(self, app):
        """The run is done with ``app`` as it was read: what was written from that read is let
        go (a run of many Applications would hold every status it wrote until its end)."""
        meta = app.get("metadata") or {}
        self._written.pop((meta.get("namespace"), meta.get("name"), meta.get("resourceVersion")), None)
