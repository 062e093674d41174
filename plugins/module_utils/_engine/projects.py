# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Projects: who may deploy what, where (Argo CD's AppProject, same field names and meaning).

A repository is untrusted input; a Project is the operator's bound on what the
Applications that name it may do: which repositories they render (``sourceRepos``),
where their objects go (``destinations``), which kinds they may write
(``cluster/namespaceResourceWhitelist/Blacklist``) and from which namespaces an
Application may name the project at all (``sourceNamespaces``). project_check.py
applies these rules to a sync before its first write.

Projects are read from the control namespace (the namespace of the run, where the root
Application lives), one LIST per reconcile. ``default`` is built in and permissive, as
in Argo CD, until a Project named ``default`` exists, which then replaces it (to tighten
it). Any other project that does not exist is an error, never "allow all".

A field a Project sets that is not carried out is named in a warning of every
Application of the project. ``signatureKeys`` is carried out: every revision of the
project's Applications must be signed by one of those keys (commit_trust.py; the keys
themselves come only from the operator's commit_signatures rules). ``destinationServiceAccounts`` (Argo CD 2.13) is carried out: the sync of
an Application runs as the ServiceAccount its destination matches (project_check.py,
Kubernetes impersonation), so the API server's RBAC is the final word.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_ANALYSIS_PROVIDERS,
    API_GROUP,
    API_VERSION,
    DEFAULT_PROJECT,
    PROJECT_KIND,
    PROJECT_PLURAL,
    PROJECT_SHORT_NAME,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis_providers, commit_trust, crds
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, ProjectError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

PROJECT_API_VERSION = API_GROUP + "/" + API_VERSION
ANY = "*"

# spec fields carried out; the others are warned about or refused (module docstring)
CARRIED_OUT = (
    "sourceRepos",
    "destinations",
    "clusterResourceWhitelist",
    "clusterResourceBlacklist",
    "namespaceResourceWhitelist",
    "namespaceResourceBlacklist",
    "sourceNamespaces",
    "syncWindows",
    "description",
    "destinationServiceAccounts",
    "signatureKeys",
)
WARNED = {
    "roles": "project roles grant Argo CD API and UI users rights; nothing here reads them (the cluster's RBAC decides who edits Applications)",
    "orphanedResources": "orphaned resources are not reported",
    "permitOnlyProjectScopedClusters": "there is one cluster, the cluster of the run",
    "analysisProviders": "not a field: list the addresses in the annotation %s (Argo CD's AppProject CRD prunes unknown spec fields)" % ANN_ANALYSIS_PROVIDERS,
}
REFUSED: dict = {}


@dataclass(frozen=True)
class Destination:
    server: str = ""
    name: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class Project:
    """One parsed Project. The resource lists hold (group, kind) patterns; a None
    ``namespace_whitelist`` allows every namespaced kind (Argo CD: an absent list), an
    empty cluster whitelist allows no cluster-scoped kind."""

    name: str
    source_repos: tuple = ()
    destinations: tuple = ()
    cluster_whitelist: tuple = ()
    cluster_blacklist: tuple = ()
    namespace_whitelist: object = None
    namespace_blacklist: tuple = ()
    source_namespaces: tuple = ()
    service_accounts: tuple = ()  # destinationServiceAccounts: (server, namespace, defaultServiceAccount)
    sync_windows: tuple = ()
    signature_keys: tuple = ()  # signatureKeys: key IDs one of which must have signed each revision
    # ANN_ANALYSIS_PROVIDERS: analysis_providers.Provider that narrow the operator's list; None: not narrowed
    analysis_providers: object = None
    warnings: tuple = ()
    builtin: bool = False

    @property
    def subject(self):
        return format_id(PROJECT_KIND, "", self.name)


# Argo CD's default project: any repository, any destination, every kind.
BUILTIN_DEFAULT = Project(
    name=DEFAULT_PROJECT,
    source_repos=(ANY,),
    destinations=(Destination(server=ANY, name=ANY, namespace=ANY),),
    cluster_whitelist=((ANY, ANY),),
    builtin=True,
)


def _strings(spec, key, subject):
    value = spec.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError("spec.%s must be a list of strings" % key, subject=subject)
    return tuple(value)


def _kinds(spec, key, subject):
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, dict) and isinstance(v.get("kind"), str) for v in value):
        raise ProjectError("spec.%s must be a list of {group, kind}" % key, subject=subject)
    return tuple((str(v.get("group") or ""), v["kind"]) for v in value)


def _destinations(spec, subject):
    value = spec.get("destinations") or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ProjectError("spec.destinations must be a list of {server or name, namespace}", subject=subject)
    out = []
    for item in value:
        fields = dict((k, item.get(k)) for k in ("server", "name", "namespace"))
        if not all(v is None or isinstance(v, str) for v in fields.values()):
            raise ProjectError("spec.destinations: server, name and namespace are strings", subject=subject)
        out.append(Destination(**dict((k, v or "") for k, v in fields.items())))
    return tuple(out)


def _service_accounts(spec, subject):
    value = spec.get("destinationServiceAccounts") or []
    entries = value if isinstance(value, list) else [None]
    if not all(isinstance(v, dict) and isinstance(v.get("defaultServiceAccount"), str) for v in entries):
        raise ProjectError("spec.destinationServiceAccounts must be a list of {server, namespace, defaultServiceAccount}", subject=subject)
    return tuple((str(v.get("server") or ""), str(v.get("namespace") or ""), v["defaultServiceAccount"]) for v in entries)


def parse(obj):
    """The Project of a Project (or Argo CD AppProject) object; raises ProjectError naming
    the bad or refused field."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    subject = format_id(PROJECT_KIND, meta.get("namespace") or "", name)
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        raise ProjectError("spec must be a mapping", subject=subject)
    for key in sorted(REFUSED):
        if spec.get(key):
            raise ProjectError("spec.%s is not supported: %s" % (key, REFUSED[key]), subject=subject)
    warnings = []
    for key in sorted(spec, key=str):
        if key in CARRIED_OUT or key in REFUSED or spec[key] in (None, False, "", [], {}):
            continue
        why = WARNED.get(key, "unknown field, ignored")
        warnings.append("project %s: spec.%s is not carried out: %s" % (name, key, why))
    windows = spec.get("syncWindows") or []
    if not isinstance(windows, list):
        raise ProjectError("spec.syncWindows must be a list", subject=subject)
    source_namespaces = _strings(spec, "sourceNamespaces", subject)
    for pattern in source_namespaces:
        if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
            warnings.append("project %s: spec.sourceNamespaces %s: regular expressions are not evaluated, only globs (it matches nothing)" % (name, pattern))
    return Project(
        name=name,
        source_repos=_strings(spec, "sourceRepos", subject),
        destinations=_destinations(spec, subject),
        cluster_whitelist=_kinds(spec, "clusterResourceWhitelist", subject) or (),
        cluster_blacklist=_kinds(spec, "clusterResourceBlacklist", subject) or (),
        namespace_whitelist=_kinds(spec, "namespaceResourceWhitelist", subject),
        namespace_blacklist=_kinds(spec, "namespaceResourceBlacklist", subject) or (),
        source_namespaces=source_namespaces,
        service_accounts=_service_accounts(spec, subject),
        sync_windows=tuple(windows),
        signature_keys=_signature_keys(spec, subject),
        analysis_providers=_analysis_providers(meta, subject),
        warnings=tuple(warnings),
    )


def _analysis_providers(meta, subject):
    """The Providers of the ANN_ANALYSIS_PROVIDERS annotation, or None without one."""
    text = (meta.get("annotations") or {}).get(ANN_ANALYSIS_PROVIDERS)
    if text is None:
        return None
    try:
        return analysis_providers.parse_annotation(text, subject)
    except InvalidSpec as exc:
        raise ProjectError(exc.message, subject=subject) from exc


def _signature_keys(spec, subject):
    try:
        return commit_trust.normalize_key_ids(spec.get("signatureKeys"))
    except InvalidSpec as exc:
        raise ProjectError(exc.message, subject=subject) from exc


def signature_keys(project, app_keys, subject):
    """The key IDs a revision of an Application of ``project`` must be signed by: the
    project's when the Application names none, the Application's own when the project
    names none; when both do, the Application's keys that the project also lists (the
    same ID, or one the end of the other: a long and a short GPG ID). ProjectError when
    they have none in common (no revision could ever sync)."""
    if not project.signature_keys:
        return tuple(app_keys)
    if not app_keys:
        return project.signature_keys
    common = tuple(k for k in app_keys if any(_same_key(k, p) for p in project.signature_keys))
    if not common:
        raise ProjectError(
            "spec.signatureKeys of the Application (%s) has no key in common with project %s's signatureKeys (%s)"
            % (", ".join(app_keys), project.name, ", ".join(project.signature_keys)),
            subject=subject,
        )
    return common


def _same_key(one, other):
    if one.startswith("SHA256:") or other.startswith("SHA256:"):
        return one == other
    return one.endswith(other) or other.endswith(one)


class Catalog:
    """The Projects of the control namespace, read once (one LIST), parsed on demand."""

    def __init__(self, objects, namespace):
        self.namespace = namespace
        self._objects = dict(((o.get("metadata") or {}).get("name"), o) for o in objects)

    def get(self, name):
        """The Project ``name`` (empty: default); raises ProjectError when it does not exist."""
        name = name or DEFAULT_PROJECT
        obj = self._objects.get(name)
        if obj is not None:
            return parse(obj)
        if name == DEFAULT_PROJECT:
            return BUILTIN_DEFAULT
        raise ProjectError(
            "project %s not found in namespace %s (a missing project allows nothing)" % (name, self.namespace),
            subject=format_id(PROJECT_KIND, self.namespace, name),
        )


def load(cluster, namespace):
    """The Catalog of ``namespace``; without the Project CRD only the built-in default exists."""
    try:
        rtype = cluster.resolve(PROJECT_API_VERSION, PROJECT_KIND)
    except UnknownKindError:
        return Catalog((), namespace)
    return Catalog(cluster.list(rtype, namespace), namespace)


def crd():
    """The Project CustomResourceDefinition (apiextensions.k8s.io/v1). The spec keeps
    fields it does not list: an AppProject field reaches parse(), which warns or refuses."""
    any_object = crds.ANY_OBJECT
    strings = {"type": "array", "items": {"type": "string"}}
    kinds = {"type": "array", "items": {"type": "object", "properties": {"group": {"type": "string"}, "kind": {"type": "string"}}}}
    spec = dict(
        any_object,
        properties={
            "description": {"type": "string"},
            "sourceRepos": strings,
            "sourceNamespaces": strings,
            "destinations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"server": {"type": "string"}, "name": {"type": "string"}, "namespace": {"type": "string"}},
                },
            },
            "clusterResourceWhitelist": kinds,
            "clusterResourceBlacklist": kinds,
            "namespaceResourceWhitelist": kinds,
            "namespaceResourceBlacklist": kinds,
            "syncWindows": {"type": "array", "items": any_object},
            "orphanedResources": any_object,
        },
    )
    columns = [
        {"name": "Description", "type": "string", "jsonPath": ".spec.description"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    description = "Who may deploy what, where: the bounds of the Applications that name this project (Argo CD's AppProject)."
    return crds.definition(PROJECT_KIND, PROJECT_PLURAL, PROJECT_SHORT_NAME, description, spec, columns, status_subresource=False)
