# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write one object of a sync the way its sync options ask (Argo CD's Replace and Force).

- By default: server-side apply with our field manager (ServerSideApply=true is the only
  way gitops.k8s writes).
- Replace=true: create (POST) when missing, else replace (PUT with the live
  resourceVersion, so a concurrent change is a conflict, not overwritten): fields that
  left Git are removed whoever set them (kubectl create / replace).
- Force=true with Replace=true: delete, wait until gone, create (kubectl replace --force).
- Force=true alone: apply; when the server refuses the update (409 conflict, 422 invalid:
  an immutable field), delete and create again. That is Argo CD's default client-side
  ``kubectl apply --force``; Argo CD with ServerSideApply=true rejects the combination
  (``--force cannot be used with --server-side``), gitops.k8s keeps the client-side meaning.
- CreateNamespace on OpenShift: the missing destination Namespace is requested as a
  Project (project_request.py).
- Namespaces and CRDs are never deleted by Force (it would delete everything in the
  namespace, every custom resource of the CRD); with Replace they are PUT in place, as
  gitops-engine does.
- A kind not served when the plan was made (SkipDryRunOnMissingResource=true) is resolved
  when its object's turn comes, after the objects before it (``resolve_missing_kind``: a
  new PlanItem, the plan is not changed); still not served: an error naming the object.
"""

from __future__ import annotations

from dataclasses import replace

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, project_request
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import NEVER_RECREATED_KINDS, OPT_FORCE, OPT_REPLACE
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError, ClusterError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.plan import applied_form

# Answers of a refused update that Force=true turns into delete-and-create.
REFUSED_UPDATE = (409, 422)
POLL_INTERVAL = 0.5


def write_object(cluster, item, options, clock):
    """Write ``item`` (a PlanItem to create or configure, its kind resolved); returns the
    object the server stored. Raises ClusterError."""
    if item.create_with is not None and item.live is None:
        return project_request.create_namespace(cluster, item, options, clock)
    body = applied_form(item, options)
    force = syncopts.enabled(item.options, OPT_FORCE) and item.entry.kind not in NEVER_RECREATED_KINDS
    if syncopts.enabled(item.options, OPT_REPLACE):
        if item.live is None:
            return cluster.create(item.rtype, body)
        if force:
            return _recreate(cluster, item, lambda: cluster.create(item.rtype, body), options, clock)
        return cluster.replace(item.rtype, _at_version(body, item.live))
    try:
        return cluster.apply(item.rtype, body, force=options.force_conflicts)
    except ClusterError as exc:
        if not force or item.live is None or (exc.details or {}).get("status_code") not in REFUSED_UPDATE:
            raise
        return _recreate(cluster, item, lambda: cluster.apply(item.rtype, body, force=options.force_conflicts), options, clock)


def _at_version(body, live):
    """``body`` carrying the live resourceVersion (optimistic concurrency of a PUT)."""
    out = dict(body)
    out["metadata"] = dict(body.get("metadata") or {}, resourceVersion=(live.get("metadata") or {}).get("resourceVersion"))
    return out


def _recreate(cluster, item, create, options, clock):
    """Delete the live object (uid precondition), wait until it is gone, create it again."""
    meta = item.live.get("metadata") or {}
    namespace = item.entry.namespace or None
    cluster.delete(item.rtype, namespace, item.entry.name, uid=meta.get("uid"))
    deadline = clock.now() + options.recreate_timeout
    while True:
        current = cluster.get(item.rtype, namespace, item.entry.name)
        if current is None or (current.get("metadata") or {}).get("uid") != meta.get("uid"):
            break
        if clock.now() >= deadline:
            raise ApplyError(
                "Force=true: the object is still there %ss after its deletion (a finalizer?); not recreated" % options.recreate_timeout, subject=item.subject
            )
        clock.sleep(POLL_INTERVAL)
    return create()


def resolve_missing_kind(cluster, item):
    """SkipDryRunOnMissingResource=true: ``item`` with the type its kind is served as now
    (a cluster-scoped kind loses the namespace it was planned with, in its object and its
    inventory entry). Raises ApplyError when the kind is still not served."""
    cluster.refresh_discovery()
    try:
        rtype = cluster.resolve(item.desired["apiVersion"], item.desired["kind"])
    except UnknownKindError as exc:
        raise ApplyError(
            "%s; it was still not served when this object's turn came (SkipDryRunOnMissingResource=true skips "
            "the dry-run, not the need for its CRD)" % exc.message,
            subject=item.subject,
        ) from None
    if rtype.namespaced:
        return replace(item, rtype=rtype, kind_missing=False)
    meta = dict((key, value) for key, value in item.desired["metadata"].items() if key != "namespace")
    desired = dict(item.desired, metadata=meta)
    return replace(item, rtype=rtype, kind_missing=False, desired=desired, entry=inventory.entry_of(desired))
