# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSets in the cluster, and what their generators read.

``AppSetStore`` lists the sets of a namespace, writes the Applications a set's plan
chose (applicationset.py decides) and the set's status conditions. ``SetInputs`` is what
the generators read (appset_generators.py): the cluster Secrets of the namespace and
Git checkouts, fetched through Sources (one fetch per repository and revision per run,
the operator's commit signature rules applied). A checkout is read without following
a link out of it, and only JSON/YAML files the generator names are parsed.
"""

from __future__ import annotations

import json
import os
import posixpath

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.cluster_registry import list_secrets
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import GIT_DIRECTORY, inside_repository
from ansible_collections.gitops.k8s.plugins.module_utils._engine import appset_generators
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND, APPSET_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, SourceError, UnknownKindError


class AppSetStore:
    def __init__(self, cluster):
        self.cluster = cluster
        self._rtype = None

    @property
    def rtype(self):
        if self._rtype is None:
            self._rtype = self.cluster.resolve(APP_API_VERSION, APPSET_KIND)
        return self._rtype

    def list(self, namespace):
        """The ApplicationSets of ``namespace`` by name ([] when the CRD is not served)."""
        try:
            rtype = self.rtype
        except UnknownKindError:
            return []
        return sorted(self.cluster.list(rtype, namespace), key=lambda s: s["metadata"]["name"])

    def applications(self, namespace):
        return self.cluster.list(self.cluster.resolve(APP_API_VERSION, APP_KIND), namespace)

    def apply_application(self, app, dry_run=False):
        return self.cluster.apply(self.cluster.resolve(APP_API_VERSION, APP_KIND), app, dry_run=dry_run, force=True)

    def delete_application(self, namespace, name, uid=None):
        return self.cluster.delete(self.cluster.resolve(APP_API_VERSION, APP_KIND), namespace, name, uid=uid)

    def write_conditions(self, appset, conditions):
        """Replace the set's ``status.conditions`` when they changed."""
        meta = appset["metadata"]
        if (appset.get("status") or {}).get("conditions") == conditions:
            return
        self.cluster.patch_merge(self.rtype, meta["namespace"], meta["name"], {"status": {"conditions": conditions}}, sub="status")


class SetInputs:
    """What the generators of the sets of one namespace read (appset_generators.py)."""

    def __init__(self, cluster, sources, namespace):
        self.cluster = cluster
        self.sources = sources
        self.namespace = namespace
        self._secrets = None
        self._repos = {}

    def cluster_secrets(self):
        if self._secrets is None:
            secrets = list_secrets(self.cluster, self.namespace, "the clusters generator of an ApplicationSet")
            label = appset_generators.CLUSTER_SECRET_LABEL
            self._secrets = [s for s in secrets if ((s.get("metadata") or {}).get("labels") or {}).get(label) == appset_generators.CLUSTER_SECRET_VALUE]
        return self._secrets

    def repo(self, repo_url, revision):
        key = (repo_url, revision)
        if key not in self._repos:
            fetched = self.sources.tree(repo_url, revision)
            self._repos[key] = Checkout(fetched.root, "%s@%s" % (fetched.repo_url, fetched.revision[:12]))
        return self._repos[key]


class Checkout:
    """One fetched tree: its directories (hidden ones skipped, as Argo CD does), its
    files, and the parameters of one JSON/YAML file."""

    def __init__(self, root, label):
        self.root = os.path.realpath(root)
        self.label = label
        self._directories = None
        self._files = None

    def _walk(self):
        directories, files = [], []
        for current, dirs, names in os.walk(self.root):
            rel = os.path.relpath(current, self.root)
            rel = "" if rel == "." else rel.replace(os.sep, "/")
            dirs[:] = sorted(d for d in dirs if d != GIT_DIRECTORY)
            for d in dirs:
                if not d.startswith("."):
                    directories.append(posixpath.join(rel, d))
            files.extend(posixpath.join(rel, n) for n in names)
        # a hidden directory and everything below it is no directory of the generator
        self._directories = sorted(d for d in directories if not any(part.startswith(".") for part in d.split("/")))
        self._files = sorted(files)

    @property
    def directories(self):
        if self._directories is None:
            self._walk()
        return self._directories

    @property
    def files(self):
        if self._files is None:
            self._walk()
        return self._files

    def read(self, path):
        subject = "%s: %s" % (self.label, path)
        full = os.path.join(self.root, *path.split("/"))
        if not inside_repository(self.root, os.path.realpath(full)):
            raise SourceError("the file is a link out of the repository", subject=subject)
        text = yaml_io.read_text(full, subject)
        if path.endswith(".json"):
            try:
                return json.loads(text) if text.strip() else {}
            except ValueError as exc:
                raise ManifestError("not valid JSON: %s" % exc, subject=subject) from exc
        docs = yaml_io.load_documents(text, subject)
        if len(docs) > 1:
            raise ManifestError("holds %d YAML documents; a generator file holds one (a mapping or a list)" % len(docs), subject=subject)
        return docs[0][1] if docs else {}
