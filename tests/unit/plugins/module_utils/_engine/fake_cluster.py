# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory Cluster port for pure engine tests (the real API is tested in tests/integration).

It implements every method of the ports (_engine/ports.py: Cluster, Clock, and the
reconcile Ports through World). Apply merges the applied object over the stored one (maps
merged, lists replaced), which is enough to exercise planning and ordering; create,
replace and patch_merge keep the API server's optimistic concurrency (409 on a stale
resourceVersion); every request is recorded.
"""

from __future__ import annotations

import contextlib
import copy
import itertools

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, API_VERSION, APP_KIND, APP_PLURAL, PROJECT_KIND, PROJECT_PLURAL
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, RenderError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched, Ports, ResourceType
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

BUILTIN = [
    ResourceType("", "v1", "Namespace", "namespaces", False),
    ResourceType("", "v1", "ConfigMap", "configmaps", True),
    ResourceType("", "v1", "Secret", "secrets", True),
    ResourceType("", "v1", "Service", "services", True),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", True),
    ResourceType("apps", "v1", "Deployment", "deployments", True),
    ResourceType("batch", "v1", "Job", "jobs", True),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False),
    ResourceType(API_GROUP, API_VERSION, APP_KIND, APP_PLURAL, True),
    ResourceType(API_GROUP, API_VERSION, PROJECT_KIND, PROJECT_PLURAL, True),
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases", True),
    ResourceType("", "v1", "Event", "events", True),
]


def merge(base, patch):
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: maps merged, None removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.t += seconds

    def iso(self):
        return "2026-11-22T00:00:%02dZ" % (int(self.t) % 60)


class FakeCluster:
    def __init__(self):
        self.types = dict(((t.api_version, t.kind), t) for t in BUILTIN)
        self.objects = {}
        self.calls = []
        self.fail_apply_on = set()  # names whose real apply fails (dry-run passes)
        self.fail_dry_run_on = set()  # names whose dry-run (and apply) fails
        self.failure_message = "admission webhook denied the request"
        self.immutable = {}  # name -> field of spec the server refuses to change once set (422, as for Job selectors)
        self.deletions = []  # (Kind/namespace/name, propagationPolicy) of every delete
        self.user = ""  # the impersonated user of this view (impersonating()); "": the agent
        self.grants = {}  # user -> kinds that user may read and write (RBAC); a user not listed may do nothing
        self.requests_as = []  # (user, verb, kind) of every request of an impersonating view
        self._uid = itertools.count(1)

    def resolve(self, api_version, kind):
        try:
            return self.types[(api_version, kind)]
        except KeyError:
            raise UnknownKindError("kind %s of apiVersion %s is not served" % (kind, api_version), subject=kind) from None

    def refresh_discovery(self):
        self.calls.append(("refresh",))

    def capabilities(self):
        self.calls.append(("capabilities",))
        versions = sorted({t.api_version for t in self.types.values()})
        return "v1.20.2", versions + sorted("%s/%s" % (t.api_version, t.kind) for t in self.types.values())

    @staticmethod
    def key(rtype, namespace, name):
        return (rtype.group, rtype.kind, namespace or "", name)

    def impersonating(self, user):
        view = copy.copy(self)
        view.user = user
        return view

    def _authorize(self, verb, rtype, namespace):
        """As the API server's RBAC: an impersonated user may only touch its granted kinds."""
        if not self.user:
            return
        self.requests_as.append((self.user, verb, rtype.kind))
        if rtype.kind not in self.grants.get(self.user, ()):
            raise ClusterError(
                '%s "%s" is forbidden: User "%s" cannot %s resource in namespace "%s"' % (rtype.plural, rtype.kind, self.user, verb, namespace),
                details={"status_code": 403},
            )

    def list(self, rtype, namespace=None):
        self._authorize("list", rtype, namespace)
        self.calls.append(("list", rtype.kind, namespace))
        return [copy.deepcopy(o) for k, o in sorted(self.objects.items()) if k[:2] == (rtype.group, rtype.kind) and (namespace is None or k[2] == namespace)]

    def get(self, rtype, namespace, name):
        self._authorize("get", rtype, namespace)
        self.calls.append(("get", rtype.kind, namespace, name))
        obj = self.objects.get(self.key(rtype, namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def apply(self, rtype, obj, dry_run=False, force=False):
        meta = obj["metadata"]
        self._authorize("patch", rtype, meta.get("namespace"))
        self.calls.append(("dry-run" if dry_run else "apply", rtype.kind, meta.get("namespace"), meta["name"]))
        if meta["name"] in self.fail_dry_run_on or (meta["name"] in self.fail_apply_on and not dry_run):
            raise ClusterError(self.failure_message, subject=meta["name"])
        if rtype.namespaced and not dry_run:
            if self.key(self.types[("v1", "Namespace")], None, meta["namespace"]) not in self.objects:
                raise ClusterError('namespaces "%s" not found' % meta["namespace"])
        key = self.key(rtype, meta.get("namespace"), meta["name"])
        self._check_immutable(self.objects.get(key), obj)
        current = self.objects.get(key) or {"metadata": {"uid": "uid-%d" % next(self._uid)}}
        result = merge(current, obj)
        result["metadata"]["resourceVersion"] = str(len(self.calls))
        if obj["kind"] == "CustomResourceDefinition":
            result["status"] = {"conditions": [{"type": "Established", "status": "True"}]}
        if not dry_run:
            self.objects[key] = result
            if obj["kind"] == "CustomResourceDefinition":
                spec = obj["spec"]
                for ver in spec["versions"]:
                    rt = ResourceType(spec["group"], ver["name"], spec["names"]["kind"], spec["names"]["plural"], spec["scope"] == "Namespaced")
                    self.types[(rt.api_version, rt.kind)] = rt
        return copy.deepcopy(result)

    def _check_immutable(self, current, obj):
        """422 when an existing object's immutable field (``immutable[name]``) would change."""
        field = self.immutable.get(obj["metadata"]["name"])
        if current is None or field is None:
            return
        before, after = (current.get("spec") or {}).get(field), (obj.get("spec") or {}).get(field)
        if after is not None and before != after:
            raise ClusterError("spec.%s: Invalid value: field is immutable" % field, details={"status_code": 422})

    def create(self, rtype, obj):
        """POST: 409 when the object exists (as the API server answers); a generateName
        gets a numbered suffix, as the server adds a random one."""
        stored = copy.deepcopy(obj)
        meta = stored["metadata"]
        self._authorize("create", rtype, meta.get("namespace"))
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = "%s%05d" % (meta["generateName"], next(self._uid))
        self.calls.append(("create", rtype.kind, meta.get("namespace"), meta["name"]))
        if meta["name"] in self.fail_apply_on:
            raise ClusterError(self.failure_message, subject=meta["name"])
        key = self.key(rtype, meta.get("namespace"), meta["name"])
        if key in self.objects:
            raise ClusterError("create failed: already exists", details={"status_code": 409})
        stored["metadata"].update(uid="uid-%d" % next(self._uid), resourceVersion=str(len(self.calls)))
        self.objects[key] = stored
        return copy.deepcopy(stored)

    def replace(self, rtype, obj, sub=None):
        """PUT with optimistic concurrency: 409 when metadata.resourceVersion is stale."""
        meta = obj["metadata"]
        self.calls.append(("replace", rtype.kind, meta.get("namespace"), meta["name"]))
        key = self.key(rtype, meta.get("namespace"), meta["name"])
        current = self.objects.get(key)
        if current is None:
            raise ClusterError("replace failed: not found", details={"status_code": 404})
        if meta.get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise ClusterError("replace failed: the object has been modified", details={"status_code": 409})
        self._check_immutable(current, obj)
        stored = copy.deepcopy(obj)
        stored["metadata"].update(uid=current["metadata"]["uid"], resourceVersion=str(len(self.calls)))
        self.objects[key] = stored
        return copy.deepcopy(stored)

    def patch_merge(self, rtype, namespace, name, patch, sub=None):
        """JSON merge patch (RFC 7386: None removes a key); a resourceVersion in the patch
        is a precondition (409 when stale), as the API server treats it."""
        self.calls.append(("patch", rtype.kind, namespace, name) + ((sub,) if sub else ()))
        key = self.key(rtype, namespace, name)
        current = self.objects.get(key)
        if current is None:
            raise ClusterError("patch failed: not found", details={"status_code": 404})
        wanted = (patch.get("metadata") or {}).get("resourceVersion")
        if wanted is not None and wanted != current["metadata"]["resourceVersion"]:
            raise ClusterError("patch failed: the object has been modified", details={"status_code": 409})
        if sub is not None:
            patch = {sub: patch.get(sub)}  # a subresource patch changes that part only
        stored = merge_patch(current, patch)
        stored["metadata"].update(uid=current["metadata"]["uid"], resourceVersion=str(len(self.calls)))
        self.objects[key] = stored
        return copy.deepcopy(stored)

    def delete(self, rtype, namespace, name, uid=None, propagation="Background", resource_version=None):
        self._authorize("delete", rtype, namespace)
        self.calls.append(("delete", rtype.kind, namespace, name))
        self.deletions.append(("%s/%s" % (rtype.kind, "%s/%s" % (namespace, name) if namespace else name), propagation))
        key = self.key(rtype, namespace, name)
        if key not in self.objects:
            return False
        if uid and self.objects[key]["metadata"].get("uid") != uid:
            raise ClusterError("uid precondition failed")
        if resource_version and self.objects[key]["metadata"].get("resourceVersion") != resource_version:
            raise ClusterError("resourceVersion precondition failed", details={"status_code": 409})
        del self.objects[key]
        return True

    def writes(self):
        return [c for c in self.calls if c[0] in ("apply", "delete", "create", "replace", "patch")]

    def reset_calls(self):
        self.calls = []


class World:
    """Reconcile ports over the fake cluster. The render port returns the objects of
    ``paths[spec.path]`` (default: ``objects``); Applications reconciled with
    ``run_app`` live in the cluster and get their status written back to it.
    ``analysis_providers``: the Prometheus addresses an analysis may query (none)."""

    analysis_providers = ()

    def __init__(self):
        self.cluster = FakeCluster()
        self.cluster.apply(self.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
        self.objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}]
        self.paths = {}
        self.revision = "r1"
        self.fail_render = False
        self.render_error = "kustomize build failed"
        self.statuses = []
        self.finalized = []
        self.clock = None  # a FakeClock shared by every run (tests of time: retry backoff, sync windows); None: a new one per run

    def render(self, _root, spec):
        if self.fail_render:
            raise RenderError(self.render_error, subject="p")
        return [Manifest(copy.deepcopy(o), "%s/x.yaml:%d" % (spec.path, i + 1)) for i, o in enumerate(self.paths.get(spec.path, self.objects))]

    def write_status(self, app, status):
        self.statuses.append(status)
        meta = app["metadata"]
        key = self.cluster.key(self.app_type, meta.get("namespace"), meta.get("name"))
        if key in self.cluster.objects:
            self.cluster.objects[key]["status"] = copy.deepcopy(status)

    @property
    def app_type(self):
        return self.cluster.resolve("%s/%s" % (API_GROUP, API_VERSION), APP_KIND)

    def ports(self):
        return Ports(
            cluster=self.cluster,
            source=lambda a, s: Fetched("/src", self.revision, "repo"),
            render=self.render,
            lock=lambda spec: contextlib.nullcontext(),
            write_status=self.write_status,
            clock=self.clock or FakeClock(),
            remove_finalizer=lambda a: self.finalized.append(a["metadata"]["name"]),
        )

    def run(self, obj, **settings):
        settings.setdefault("analysis_providers", self.analysis_providers)
        outcome = reconcile(obj, self.ports(), Settings(**settings))
        if outcome.status_written:
            obj["status"] = outcome.status
        return outcome

    def declare(self, app):
        """Create an Application in the cluster (as a playbook would: no tracking annotation)."""
        return self.cluster.apply(self.app_type, copy.deepcopy(app))

    def app(self, namespace, name):
        return self.cluster.get(self.app_type, namespace, name)

    def run_app(self, namespace, name, **settings):
        """Reconcile the Application as it is in the cluster now."""
        return self.run(self.app(namespace, name), **settings)
