# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep a kustomization inside the checkout before kustomize runs.

Kustomize's load restrictor confines the *files* a kustomization loads to its own
directory, not its bases: ``resources: [../../../other-tenant/base]`` builds a
directory anywhere on the machine, and a ``file://`` URL clones any local
repository. So the kustomization graph is walked from the rendered path first:
each kustomization file is parsed with the collection's YAML loader, every local
path it names is resolved with symlinks followed and must stay inside the
checkout, and local kustomization directories are walked in turn.

Remote references (``https://``, ``http://``, ``ssh://``, ``git@host:``,
``github.com/...``) are left to kustomize, as Argo CD does; ``file:`` URLs and
absolute paths are refused. A reference kustomize would read as a URL is also
checked as a local path, which costs nothing when it stays inside.

Helm charts of a kustomization (``helmCharts``) need the operator's Helm option,
get the checks of the Helm renderer (release name, namespace, versions, a plain
chart name) and may set neither ``nameTemplate`` (Helm evaluates it with the sprig
``env`` function: the agent's environment would land in object names) nor
``helmGlobals.configHome`` (Helm would write there).
"""

from __future__ import annotations

import os
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import inside_repository
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import (
    API_VERSION,
    KUBE_VERSION,
    NAMESPACE,
    RELEASE_NAME,
    shown,
    value_problem,
)
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_documents, read_text

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Entries kustomize accumulates like resources: files or kustomization directories, local or remote.
BASE_FIELDS = ("resources", "bases", "components", "transformers", "generators", "validators")
# Entries that are files (an entry holding a newline is an inline document).
FILE_FIELDS = ("crds", "configurations", "patchesStrategicMerge")
# Entries that are mappings with an optional file ``path``.
PATH_ITEM_FIELDS = ("patches", "patchesJson6902", "replacements")
GENERATOR_FIELDS = ("configMapGenerator", "secretGenerator")
HELM_FIELDS = ("helmCharts", "helmChartInflationGenerator")
# helmChartInflationGenerator is the legacy spelling of helmCharts, with its own field names.
LEGACY_HELM_FIELDS = {"chartName": "name", "releaseNamespace": "namespace", "values": "valuesFile"}
# Fields that hand a repository Helm's configuration, binary, arguments or name template.
REFUSED_HELM_FIELDS = ("nameTemplate", "helmBin", "helmHome", "extraArgs")

_FORCED_GIT = re.compile(r"git::", re.IGNORECASE)
_FILE_URL = re.compile(r"file:", re.IGNORECASE)
_REMOTE_URL = re.compile(r"(?:https?|ssh)://", re.IGNORECASE)
_CHART_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,252}")


def kustomization_file(directory):
    """Path of the kustomization file of ``directory``, or None."""
    for name in KUSTOMIZATION_FILES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def check_kustomization_paths(root, target, source, helm_enabled):
    """Walk the kustomizations reachable from ``target`` (below the real path ``root``)
    and raise a RenderError, naming the kustomization file and the field, for the first
    reference that leaves ``root`` or is refused. Returns the local directories of the
    graph (with the load restrictor, all kustomize may read lies below them)."""
    pending, seen = [target], set()
    while pending:
        directory = pending.pop()
        path = kustomization_file(directory) if directory not in seen else None
        seen.add(directory)
        if path is not None:
            pending.extend(reversed(Kustomization(root, path, source).check(helm_enabled)))
    return sorted(seen)


class Kustomization:
    """One kustomization file: its references, checked field by field."""

    def __init__(self, root, path, source):
        self.root = root
        self.directory = os.path.dirname(path)
        self.path = path
        self.shown = os.path.relpath(path, root).replace(os.sep, "/")
        self.source = source

    def refuse(self, field, value, why):
        return RenderError("%s %s %s" % (field, shown(value), why), subject=self.shown)

    def load(self):
        """The kustomization as a mapping ({} when it is not one: kustomize says why)."""
        docs = load_documents(read_text(self.path, self.shown), self.shown)
        return docs[0][1] if docs and isinstance(docs[0][1], dict) else {}

    def check(self, helm_enabled):
        """Check every reference; returns the local directories to walk next."""
        doc = self.load()
        directories = []
        for field in BASE_FIELDS:
            for name, value in _entries(doc, field):
                real = self.local(name, value)
                if real is not None and os.path.isdir(real):
                    directories.append(real)
        for field in FILE_FIELDS:
            for name, value in _entries(doc, field):
                self.local(name, value)
        for field in PATH_ITEM_FIELDS:
            for name, item in _entries(doc, field):
                if isinstance(item, dict) and "path" in item:
                    self.local(name + ".path", item["path"])
        for field in GENERATOR_FIELDS:
            for name, generator in _entries(doc, field):
                self.generator(name, generator)
        if isinstance(doc.get("openapi"), dict) and "path" in doc["openapi"]:
            self.local("openapi.path", doc["openapi"]["path"])
        self.helm(doc, helm_enabled)
        return directories

    def local(self, field, value):
        """Real path of a local reference (None for a remote one or an inline document);
        a RenderError when it is a file URL, absolute, or resolves outside the root."""
        if not isinstance(value, str) or "\n" in value:
            return None
        bare = value[5:] if _FORCED_GIT.match(value) else value
        if _FILE_URL.match(bare):
            raise self.refuse(field, value, "is a local file URL; only remote repositories (https, ssh) may be named by URL")
        if _REMOTE_URL.match(bare):
            return None
        if os.path.isabs(value):
            raise self.refuse(field, value, "is an absolute path; paths are relative to the kustomization")
        real = os.path.realpath(os.path.join(self.directory, value))
        if not inside_repository(self.root, real):
            raise self.refuse(field, value, "resolves outside the repository (%s)" % self.source)
        return real

    def generator(self, field, generator):
        if not isinstance(generator, dict):
            return
        for name, entry in _entries(generator, "files", field):
            if isinstance(entry, str):
                self.local(name, entry.split("=", 1)[-1])
        for name, entry in _entries(generator, "envs", field):
            self.local(name, entry)
        if "env" in generator:
            self.local(field + ".env", generator["env"])

    def helm(self, doc, helm_enabled):
        used = [field for field in HELM_FIELDS if doc.get(field)]
        if used and not helm_enabled:
            raise RenderError(
                "%s needs the kustomize Helm option (enable_helm), which the operator has not turned on" % used[0],
                subject=self.shown,
            )
        globals_ = doc.get("helmGlobals") if isinstance(doc.get("helmGlobals"), dict) else {}
        if "configHome" in globals_:
            raise self.refuse("helmGlobals.configHome", globals_["configHome"], "is not allowed: Helm's configuration is the agent's")
        if "chartHome" in globals_:
            self.local("helmGlobals.chartHome", globals_["chartHome"])
        for field in HELM_FIELDS:
            spelling = LEGACY_HELM_FIELDS if field == "helmChartInflationGenerator" else {}
            for name, chart in _entries(doc, field):
                if isinstance(chart, dict):
                    self.helm_chart(name, chart, spelling)

    def helm_chart(self, field, chart, spelling):
        """Check one chart; ``spelling`` maps its own field names to helmCharts' ones."""
        chart = {spelling.get(key, key): value for key, value in chart.items()}
        names = {modern: "%s.%s" % (field, legacy) for legacy, modern in spelling.items()}

        def named(key):
            return names.get(key, "%s.%s" % (field, key))

        for key in REFUSED_HELM_FIELDS:
            if key in chart:
                raise self.refuse(named(key), chart[key], "is not allowed in a repository")
        name = chart.get("name")
        if not isinstance(name, str) or not _CHART_NAME.fullmatch(name) or ".." in name:
            raise self.refuse(named("name"), name, "is not a chart name (letters, digits, '-', '_' and '.')")
        for key, rule in (("releaseName", RELEASE_NAME), ("namespace", NAMESPACE), ("kubeVersion", KUBE_VERSION)):
            if chart.get(key) is not None:
                self.follows(named(key), chart[key], rule)
        for entry, value in _entries(chart, "apiVersions", field):
            self.follows(entry, value, API_VERSION)
        for key in ("chartHome", "valuesFile"):
            if key in chart:
                self.local(named(key), chart[key])
        for entry, value in _entries(chart, "additionalValuesFiles", field):
            self.local(entry, value)

    def follows(self, field, value, rule):
        problem = value_problem(value, rule)
        if problem:
            raise RenderError("%s %s" % (field, problem), subject=self.shown)


def _entries(mapping, key, prefix=None):
    """(``prefix.key[i]``, entry) for each entry of a list field (a lone value counts as one)."""
    value = mapping.get(key)
    if value is None:
        return []
    name = "%s.%s" % (prefix, key) if prefix else key
    items = value if isinstance(value, list) else [value]
    return [("%s[%d]" % (name, index), item) for index, item in enumerate(items)]
