# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether an Application and every object of its sync stay inside its Project.

The rules are Argo CD's (pkg/apis/application/v1alpha1 AppProject), so a project written
for Argo CD bounds the same things here:

- source: every repository URL, normalised (case, ``.git``, scp form), must match a
  ``sourceRepos`` glob (``/`` separates: ``*`` stays in one path segment, ``**`` does
  not) and no ``!`` pattern may match it;
- destination: a ``destinations`` entry must match the server or name and the namespace,
  and no ``!`` entry may deny them;
- each object: a namespaced object's own namespace is a destination like the
  Application's (an object rendered into another namespace needs that namespace in the
  destinations too); its group/kind must be in ``namespaceResourceWhitelist`` (absent:
  every kind) and not in ``namespaceResourceBlacklist``. A cluster-scoped object's
  group/kind must be in ``clusterResourceWhitelist`` (absent: none) and not in
  ``clusterResourceBlacklist``;
- an Application in the render names a project that exists and whose ``sourceNamespaces``
  allows the Application's namespace (the control namespace always may); unless the
  declaring Application is of project ``default``, it must be its own project;
- the objects a sync would prune follow the same rules: a tenant does not delete outside
  its bounds either;
- ``destinationServiceAccounts``: the sync runs as the ServiceAccount the destination
  matches (``service_account``), through Kubernetes impersonation.

Everything is checked before the first write (plan.py calls ``check_items`` before the
live state is read, ``check_prunes`` after the extra objects are classified), and every
refused object is named with its rule in one ProjectError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import globs, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import IN_CLUSTER_NAME, IN_CLUSTER_SERVER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, APP_KIND, DEFAULT_PROJECT, PRUNED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ProjectError


@dataclass(frozen=True)
class Bounds:
    """What a sync is checked against: the Application's Project, the Catalog of every
    Project (for the Applications in the render), the control namespace, and the server
    and name of the destination cluster (clusters.py: the cluster of the run by default)."""

    project: object
    catalog: object
    control_namespace: str
    server: str = IN_CLUSTER_SERVER
    cluster_name: str = IN_CLUSTER_NAME


def normalize_repo(url):
    """Argo CD's NormalizeGitURL, enough to compare: trimmed, lower case, no trailing
    ``/`` or ``.git``, ``git@host:path`` as ``ssh://git@host/path``."""
    url = str(url or "").strip().lower()
    if "://" not in url and ":" in url and "@" in url.split(":", 1)[0]:
        user_host, path = url.split(":", 1)
        url = "ssh://%s/%s" % (user_host, path.lstrip("/"))
    url = url.rstrip("/")
    return url[: -len(".git")] if url.endswith(".git") else url


def source_permitted(project, repo_url):
    """Argo CD's rule as its documentation states it: a repository is a source when an
    allow pattern matches it and no ``!`` pattern does. A ``!`` pattern only denies: a
    project of deny patterns alone allows nothing (never an accidental "allow all")."""
    value = normalize_repo(repo_url)
    allowed = False
    for pattern in project.source_repos:
        if globs.is_deny(pattern):
            if globs.match(normalize_repo(pattern[1:]), value, "/"):
                return False
        elif globs.match_allowing_negation(normalize_repo(pattern), value, "/"):
            allowed = True
    return allowed


def destination_permitted(project, namespace, server=IN_CLUSTER_SERVER, name=IN_CLUSTER_NAME):
    """Argo CD's isDestinationMatched: an entry matching server-or-name and namespace
    allows; a ``!`` server/name entry whose namespace matches, or a ``!`` namespace entry
    whose server matches, denies, whatever else allows. As for sourceRepos, an entry with
    a ``!`` pattern only denies (Argo CD's documentation: allowed by an allow entry and
    denied by no deny entry)."""
    any_matched, denied = False, False
    for item in project.destinations:
        server_ok = bool(server) and globs.match_allowing_negation(item.server, server)
        name_ok = bool(name) and globs.match_allowing_negation(item.name, name)
        namespace_ok = globs.match_allowing_negation(item.namespace, namespace)
        deny_entry = any(globs.is_deny(p) for p in (item.server, item.name, item.namespace))
        if (server_ok or name_ok) and namespace_ok:
            any_matched = any_matched or not deny_entry
        elif ((not name_ok and globs.is_deny(item.name)) or (not server_ok and globs.is_deny(item.server))) and namespace_ok:
            denied = True
        elif not namespace_ok and globs.is_deny(item.namespace) and server_ok:
            denied = True
    return any_matched and not denied


def _in_list(group, kind, patterns):
    """Argo CD's isResourceInList (filepath.Match on kind, then group)."""
    return any(globs.match(k, kind, "/") and globs.match(g, group, "/") for g, k in patterns)


def kind_permitted(project, group, kind, namespaced):
    """Argo CD's IsGroupKindPermitted: the whitelist allows (an absent namespaced
    whitelist allows all, an absent cluster whitelist none), the blacklist then denies."""
    if namespaced:
        listed = project.namespace_whitelist is None or _in_list(group, kind, project.namespace_whitelist)
        return listed and not _in_list(group, kind, project.namespace_blacklist)
    return _in_list(group, kind, project.cluster_whitelist) and not _in_list(group, kind, project.cluster_blacklist)


def namespace_may_use(project, namespace, control_namespace):
    """Argo CD's IsAppNamespacePermitted: the control namespace always, others when a
    ``sourceNamespaces`` glob matches."""
    return namespace == control_namespace or any(globs.match(p, namespace) for p in project.source_namespaces)


def _on_cluster(bounds):
    """`` on cluster NAME (SERVER)`` for another cluster than the run's, else ""."""
    if bounds.server == IN_CLUSTER_SERVER:
        return ""
    return " on cluster %s (%s)" % (bounds.cluster_name, bounds.server)


def _kind_label(group, kind):
    return "%s/%s" % (group, kind) if group else kind


def object_refusals(bounds, entry, namespaced):
    """The rules of ``bounds.project`` one object (an inventory Entry) breaks, as phrases."""
    project = bounds.project
    refused = []
    scope = "namespaced" if namespaced else "cluster-scoped"
    if not kind_permitted(project, entry.group, entry.kind, namespaced):
        refused.append("%s kind %s is not permitted in project %s" % (scope, _kind_label(entry.group, entry.kind), project.name))
    if namespaced and not destination_permitted(project, entry.namespace, bounds.server, bounds.cluster_name):
        refused.append("namespace %s%s is not a destination of project %s" % (entry.namespace, _on_cluster(bounds), project.name))
    return refused


def application_refusals(bounds, item):
    """Why an Application in the render may not name its project, or [].

    Safer than Argo CD: an Application of a project other than ``default`` may only
    declare Applications of its own project. Otherwise a tenant allowed to write
    Applications would hand its children a wider project (``default``, another team's)
    and leave its bounds one level down."""
    spec = (item.desired or {}).get("spec") or {}
    wanted = (spec.get("project") if isinstance(spec, dict) else None) or DEFAULT_PROJECT
    if bounds.project.name != DEFAULT_PROJECT and wanted != bounds.project.name:
        return ["names project %s: an Application of project %s may only declare Applications of its own project" % (wanted, bounds.project.name)]
    try:
        project = bounds.catalog.get(wanted)
    except ProjectError as exc:
        return [exc.message]
    if not namespace_may_use(project, item.entry.namespace, bounds.control_namespace):
        return ["its namespace %s may not use project %s (not in its sourceNamespaces)" % (item.entry.namespace, project.name)]
    return []


def _raise(bounds, refused, what):
    if refused:
        raise ProjectError(
            "%d object(s) %s outside project %s, nothing of this sync is written: %s" % (len(refused), what, bounds.project.name, "; ".join(refused)),
            subject=bounds.project.subject,
        )


def _namespaced(item):
    """Whether the object is namespaced; an object of a kind not served yet is checked as both."""
    return (True, False) if item.kind_missing else (item.rtype.namespaced,)


def check_items(bounds, items):
    """Raise ProjectError naming every object (hooks included) of ``items`` (PlanItems)
    that ``bounds.project`` does not permit, with its rules."""
    if bounds is None:
        return
    refused = []
    for item in items:
        rules = []
        for namespaced in _namespaced(item):
            rules.extend(r for r in object_refusals(bounds, item.entry, namespaced) if r not in rules)
        if item.entry.group == API_GROUP and item.entry.kind == APP_KIND:
            rules.extend(application_refusals(bounds, item))
        if rules:
            refused.append("%s: %s" % (item.subject, ", ".join(rules)))
    _raise(bounds, refused, "refused")


def check_prunes(bounds, extra):
    """Raise ProjectError naming every object a sync would prune that the project does
    not permit (the objects of another project, or of a project since tightened)."""
    if bounds is None:
        return
    refused = []
    for item in extra:
        if item.action != PRUNED or item.rtype is None:
            continue
        rules = object_refusals(bounds, item.entry, item.rtype.namespaced)
        if rules:
            refused.append("%s: %s (not pruned)" % (item.subject, ", ".join(rules)))
    _raise(bounds, refused, "to prune are")


# a ServiceAccount's namespace and name (DNS subdomain): nothing else reaches the impersonation header
_ACCOUNT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def service_account(project, destination_namespace, server=IN_CLUSTER_SERVER):
    """The user the sync runs as (``system:serviceaccount:<ns>:<name>``) from the first
    ``destinationServiceAccounts`` entry whose server and namespace globs match the
    destination (Argo CD 2.13): ``ns:name``, or a name in the destination namespace.
    None when the project names no account (the agent's own rights); ProjectError when it
    names some and none matches (never a fallback to the agent's rights)."""
    if not project.service_accounts:
        return None
    for entry_server, entry_namespace, account in project.service_accounts:
        if globs.match(entry_server, server) and globs.match(entry_namespace, destination_namespace):
            namespace, _sep, name = account.strip().rpartition(":")
            namespace = namespace or destination_namespace
            if not (_ACCOUNT_NAME.match(namespace) and _ACCOUNT_NAME.match(name)):
                raise ProjectError("destinationServiceAccounts: %r is not a ServiceAccount name (namespace:name or name)" % account, subject=project.subject)
            return "system:serviceaccount:%s:%s" % (namespace, name)
    raise ProjectError(
        "no destinationServiceAccounts entry of project %s matches destination namespace %s: refusing to sync with the agent's own rights"
        % (project.name, destination_namespace),
        subject=project.subject,
    )


def check_application(bounds, namespace, destination_namespace, urls):
    """Raise ProjectError when the Application itself leaves its project: its namespace
    may not use the project, a repository is not a source of it, or its destination
    namespace is not a destination of it."""
    project = bounds.project
    refused = []
    if not namespace_may_use(project, namespace, bounds.control_namespace):
        refused.append("namespace %s of the Application may not use project %s (not in its sourceNamespaces)" % (namespace, project.name))
    for url in urls:
        if url and not source_permitted(project, url):
            refused.append("repository %s is not a source of project %s (sourceRepos)" % (repo_urls.display(url), project.name))
    if not destination_permitted(project, destination_namespace, bounds.server, bounds.cluster_name):
        refused.append("destination namespace %s%s is not a destination of project %s" % (destination_namespace, _on_cluster(bounds), project.name))
    if refused:
        raise ProjectError("the Application leaves project %s: %s" % (project.name, "; ".join(refused)), subject=project.subject)
