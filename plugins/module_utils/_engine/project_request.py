# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CreateNamespace=true on OpenShift: request a Project instead of creating a Namespace.

On an API server that serves ``project.openshift.io/v1`` ``ProjectRequest`` (OpenShift,
OKD, MicroShift with the project API), the destination namespace of CreateNamespace=true
is created the way ``oc new-project`` does it: a POST of a ProjectRequest, which OpenShift
turns into a Namespace (its project template, the requester as admin). That works for an
agent that may only self-provision projects, where creating a Namespace is forbidden.

A ProjectRequest can only be created (no get, patch nor apply), so the plan keeps a
Namespace item for the destination (its health, its managedNamespaceMetadata) and only
the write changes: create the ProjectRequest, wait until its Namespace is there, then
apply managedNamespaceMetadata to the Namespace when there is any.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError, ClusterError, UnknownKindError

PROJECT_REQUEST_API_VERSION = "project.openshift.io/v1"
PROJECT_REQUEST_KIND = "ProjectRequest"
# seconds the Namespace of an accepted ProjectRequest may take to appear (OpenShift
# creates it within the request; a slow or emulated project API gets this long)
NAMESPACE_WAIT = 60
POLL_INTERVAL = 0.5
ALREADY_EXISTS = 409


def project_request_type(cluster):
    """The ResourceType of ProjectRequest when the API server serves it, else None."""
    try:
        return cluster.resolve(PROJECT_REQUEST_API_VERSION, PROJECT_REQUEST_KIND)
    except UnknownKindError:
        return None


def request_body(name):
    """The ProjectRequest for namespace ``name`` (nothing else from the repository)."""
    return {"apiVersion": PROJECT_REQUEST_API_VERSION, "kind": PROJECT_REQUEST_KIND, "metadata": {"name": name}}


def create_namespace(cluster, item, options, clock):
    """Create the Namespace of ``item`` (a CreateNamespace PlanItem whose ``create_with`` is
    the ProjectRequest type) through a ProjectRequest; returns the live Namespace. Raises
    ClusterError (the request refused) or ApplyError (no Namespace came of it)."""
    name = item.entry.name
    try:
        cluster.create(item.create_with, request_body(name))
    except ClusterError as exc:
        if (exc.details or {}).get("status_code") != ALREADY_EXISTS:
            raise
    deadline = clock.now() + NAMESPACE_WAIT
    live = cluster.get(item.rtype, None, name)
    while live is None:
        if clock.now() >= deadline:
            raise ApplyError(
                "CreateNamespace: the ProjectRequest %s was accepted but no Namespace %s appeared within %ss" % (name, name, NAMESPACE_WAIT),
                subject=item.subject,
            )
        clock.sleep(POLL_INTERVAL)
        live = cluster.get(item.rtype, None, name)
    meta = item.desired.get("metadata") or {}
    if meta.get("labels") or meta.get("annotations"):  # managedNamespaceMetadata
        return cluster.apply(item.rtype, item.desired, force=options.force_conflicts)
    return live
