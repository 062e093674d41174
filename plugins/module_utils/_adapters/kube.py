# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cluster port over the kubernetes Python client (dynamic client).

Responses are read as raw JSON (no ResourceInstance wrapping: it is slow on large
lists). Every request is counted by verb in ``stats`` so callers can report (and tests
can assert) how many reads and writes a reconcile made.

The requests of one sync may come from several threads (its dry-runs and the writes of one
kind group go side by side, _engine/fanout.py): the connection pool is shared (urllib3's is
thread-safe), the request counts and the discovery cache are updated under locks.

Every request has a timeout (kube_transport). When one times out and the API server does
not answer /readyz either, the server is taken for hung: the rest of this run sends
nothing more and each later request fails at once, so a run against a frozen API server
ends in about one timeout instead of one per request. A request that times out while
/readyz answers (a webhook or an aggregated API that hangs) fails alone.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from urllib.parse import quote

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube_auth, kube_transport, list_body, request_tally
from ansible_collections.gitops.k8s.plugins.module_utils._engine import wide_lists
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CRD_KIND, FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.object_names import name_problem, namespace_problem
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

try:
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError, ResourceNotFoundError, ResourceNotUniqueError
    from kubernetes.dynamic.discovery import LazyDiscoverer
    from kubernetes.dynamic.resource import ResourceList

    class PrivateDiscoverer(LazyDiscoverer):
        """The client's discoverer, keeping what it found in memory only. By default the
        client reads and writes a cache file named after the server's address in the shared
        temporary directory: one any local user could write first (kinds mapped to other
        resources), shared by every process on the machine (one process read another's
        discovery of an earlier server on the same port, and rewrote the file on every
        refresh). A run discovers for itself."""

        def _write_cache(self):
            """Nothing is written."""

    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = exc

LIST_PAGE_SIZE = 500
# kinds whose write may serve new kinds: a kind found not served is looked up again after one
NEW_KINDS_FROM = frozenset((("apiextensions.k8s.io", CRD_KIND), ("apiregistration.k8s.io", "APIService")))
# seconds a kind found not served is taken as not served without asking discovery again
UNSERVED_TTL = 5.0


def api_message(exc):
    """The API server's message of a DynamicApiError (its Status.message)."""
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body).get("message") or str(body)
    except (TypeError, ValueError, AttributeError):
        return getattr(exc, "reason", None) or str(exc)


class KubeCluster:
    """Implements the engine's Cluster port."""

    def __init__(self, field_manager=FIELD_MANAGER, request_timeout=None, where="", environ=None, **auth):
        """``auth``: the kube_auth options by name (kube_auth.OPTIONS), unset ones None or absent,
        then from the K8S_AUTH_* variables of ``environ`` (default: the process environment);
        ``where`` names another cluster than the run's in every error (``cluster east (https://...)``)."""
        unknown = set(auth) - set(kube_auth.OPTIONS)
        if unknown:
            raise TypeError("unknown Kubernetes auth options: %s" % ", ".join(sorted(unknown)))
        self.field_manager = field_manager
        self.where = where
        self.impersonate = ""  # a user every request impersonates (impersonating()); "": the credentials' own
        self.stats = Counter()
        self._counting = threading.Lock()  # a sync sends requests from several threads (_engine/fanout.py)
        self.written = set()  # (group, kind) of every kind this run wrote
        # (group, kind, namespace, "") of a namespaced kind, (group, kind, "", name) of a cluster-scoped
        # one: where this run wrote (shared_reads.py reads those alone from then on)
        self.written_at = set()
        self._types = {}
        # (apiVersion, kind) -> (message, when) of a kind found not served: asked again within
        # UNSERVED_TTL seconds, the answer is the same unless discovery was refreshed since (a CRD
        # waited for, refresh_discovery) or this client wrote a CRD or an APIService. A kind the
        # cluster does not serve is asked for by every plan (OpenShift's ProjectRequest for
        # CreateNamespace=true): each miss made the client discover every API group again and
        # rewrite its cache file, holding the discovery lock the other threads wait on.
        self._unserved = {}
        self._kinds_written = [0]  # CRD and APIService writes so far (shared by impersonating views): a miss found before one is not kept
        self._discovering = threading.Lock()  # the client's discovery cache is not safe to fill from two threads
        self._hung = None  # the request that found the API server hung: nothing more is sent
        self._probing = threading.Lock()  # held while a timeout is being probed (the Lease renewer is another thread)
        self.request_timeout = _request_timeout(request_timeout)
        self.api_client = kube_auth.api_client(auth, self.request_timeout, environ)
        with self._sending("discovery"):
            try:
                with tempfile.TemporaryDirectory() as private:  # a cache file that does not exist: nothing is read
                    self.dynamic = DynamicClient(self.api_client, cache_file=os.path.join(private, "discovery.json"), discoverer=PrivateDiscoverer)
            except DynamicApiError as exc:
                raise ClusterError(self._at("API discovery failed: %s" % api_message(exc))) from exc

    # -- transport -------------------------------------------------------------------

    @contextmanager
    def _sending(self, request):
        """Run one request (``request`` names it in errors): no answer becomes a ClusterError."""
        with self._probing:  # a request made while a timeout is probed waits for the verdict
            pass
        if self._hung is not None:
            raise ClusterError(self._at("not sent (%s): the API server stopped answering earlier in this run: %s" % (request, self._hung)))
        try:
            yield
        except kube_transport.FAILURES as exc:
            failure = kube_transport.transport_failure(exc)
            if failure is None:
                raise
            text, timed_out = kube_transport.describe(failure, self.request_timeout, self.api_client.configuration.host)
            message = "%s (%s)" % (text, request)
            if timed_out:
                with self._probing:
                    if self._hung is None and not self._answers_probe():  # another thread may have probed
                        self._hung = message
            raise ClusterError(self._at(message)) from exc

    def _at(self, message):
        """``message`` naming the cluster when it is not the run's own."""
        return "%s: %s" % (self.where, message) if self.where else message

    def _answers_probe(self):
        """Whether the API server still answers /readyz."""
        return self.api_client.answers(kube_transport.PROBE_PATH, min(self.request_timeout, kube_transport.PROBE_TIMEOUT))

    # -- discovery -------------------------------------------------------------------

    def resolve(self, api_version, kind):
        key = (api_version, kind)
        if key in self._types:
            return self._types[key]
        unserved = self._unserved.get(key)
        if unserved is not None and time.monotonic() - unserved[1] < UNSERVED_TTL:
            raise UnknownKindError(unserved[0], subject=kind)
        with self._discovering:
            written = self._kinds_written[0]
            asked = time.monotonic()
            try:
                return self._resolve(key, api_version, kind)
            except UnknownKindError as exc:
                if written == self._kinds_written[0]:
                    self._unserved[key] = (exc.message, asked)
                raise

    def _resolve(self, key, api_version, kind):
        if key in self._types:  # another thread found it meanwhile
            return self._types[key]
        with self._sending("discovery of %s %s" % (api_version, kind)):
            try:
                res = self.dynamic.resources.get(api_version=api_version, kind=kind)
            except ResourceNotFoundError:
                raise UnknownKindError(
                    "kind %s of apiVersion %s is not served by the cluster (is its CRD installed?)" % (kind, api_version),
                    subject=kind,
                ) from None
            except ResourceNotUniqueError:
                res = [r for r in self.dynamic.resources.search(api_version=api_version, kind=kind) if "/" not in r.name][0]
        rtype = ResourceType(res.group or "", res.api_version, res.kind, res.name, bool(res.namespaced))
        self._types[key] = rtype
        return rtype

    def refresh_discovery(self):
        with self._discovering:
            self._types.clear()
            self._unserved.clear()
            with self._sending("discovery"):
                self.dynamic.resources.invalidate_cache()

    # -- requests --------------------------------------------------------------------

    def _path(self, rtype, namespace=None, name=None, sub=None):
        # names reach here from repositories and live objects: never let one name another path
        if rtype.namespaced and namespace and namespace_problem(namespace):
            raise ClusterError("%s namespace %r %s" % (rtype.kind, str(namespace)[:80], namespace_problem(namespace)))
        if name and name_problem(name):
            raise ClusterError("%s name %r %s" % (rtype.kind, str(name)[:80], name_problem(name)))
        base = "/api/%s" % rtype.version if not rtype.group else "/apis/%s/%s" % (rtype.group, rtype.version)
        if rtype.namespaced and namespace:
            base += "/namespaces/%s" % namespace
        base += "/" + rtype.plural
        if name:
            base += "/" + quote(name, safe=":@")  # a path segment: RBAC names may hold ':' or a space
        if sub:
            base += "/" + sub
        return base

    def impersonating(self, user):
        """A view of this cluster (same connection, discovery cache and request counts)
        whose requests carry ``Impersonate-User``."""
        view = copy.copy(self)
        view.impersonate = user
        return view

    def _wrote(self, rtype, namespace, name):
        """Records a write before it is sent (a read beside it must not trust a shared LIST)."""
        self.written_at.add(wide_lists.written_key(rtype.group, rtype.kind, rtype.namespaced, namespace, name))
        self.written.add((rtype.group, rtype.kind))
        if (rtype.group, rtype.kind) in NEW_KINDS_FROM:
            self._kinds_written[0] += 1
            self._unserved.clear()

    def _request(self, verb, method, path, subject, decode=json.loads, **params):
        """The answer to one request, decoded by ``decode`` (the body as str)."""
        if self.impersonate:
            params["header_params"] = {"Impersonate-User": self.impersonate}
        with self._counting:
            self.stats[verb] += 1
        request_tally.add(verb)
        with self._sending("%s %s" % (verb, subject)):
            try:
                resp = self.dynamic.request(method, path, serialize=False, **params)
            except NotFoundError:
                raise
            except DynamicApiError as exc:
                message = api_message(exc)
                if self.impersonate and getattr(exc, "status", None) == 403 and self.impersonate not in message:
                    message += " (the request impersonated %s)" % self.impersonate  # an API server may leave out who was refused
                raise ClusterError(self._at("%s failed: %s" % (verb, message)), subject=subject, details={"status_code": getattr(exc, "status", None)}) from exc
            data = resp.data  # the body is read here: a server that stops mid-answer times out here too
            del resp
        if not data:
            return {}
        text = data.decode("utf-8")
        del data  # a large LIST: its bytes are not held while it is decoded
        return decode(text)

    def list(self, rtype, namespace=None):
        return self._list(rtype, namespace)

    def list_cached(self, rtype, keep=None):
        """Every object of a kind in every namespace, as the API server's watch cache holds
        them (``resourceVersion=0``: not read from etcd, a moment stale, one answer): for
        reads that decide no write alone (shared_reads.py). ``keep(item)``: the item to
        keep (it may change it) or None to drop it, called as each item is decoded."""
        return self._list(rtype, None, cached=True, keep=keep)

    def _list(self, rtype, namespace, cached=False, keep=None):
        items = []
        token = None
        while True:
            try:
                page = self._request(
                    "list",
                    "GET",
                    self._path(rtype, namespace),
                    subject=_list_subject(rtype, namespace),
                    limit=LIST_PAGE_SIZE,
                    _continue=token,
                    resource_version="0" if cached and not token else None,
                    decode=json.loads if keep is None else lambda text: list_body.decode(text, keep),
                )
            except NotFoundError:
                return []
            for item in page.get("items") or []:
                item.setdefault("apiVersion", rtype.api_version)
                item.setdefault("kind", rtype.kind)
                items.append(item)
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def get(self, rtype, namespace, name):
        try:
            return self._request("get", "GET", self._path(rtype, namespace, name), subject=format_id(rtype.kind, namespace, name))
        except NotFoundError:
            return None

    def apply(self, rtype, obj, dry_run=False, force=False):
        meta = obj.get("metadata") or {}
        subject = format_id(rtype.kind, meta.get("namespace"), meta.get("name"))
        if not dry_run:
            self._wrote(rtype, meta.get("namespace"), meta.get("name"))
        try:
            return self._request(
                "dry-run" if dry_run else "apply",
                "PATCH",
                self._path(rtype, meta.get("namespace"), meta.get("name")),
                subject,
                body=obj,
                content_type="application/apply-patch+yaml",
                field_manager=self.field_manager,
                force_conflicts=True if force else None,
                dry_run="All" if dry_run else None,
            )
        except NotFoundError as exc:
            raise ClusterError(self._at("apply failed: %s" % api_message(exc)), subject=subject) from exc

    def create(self, rtype, obj):
        meta = obj.get("metadata") or {}
        self._wrote(rtype, meta.get("namespace"), meta.get("name"))
        return self._request(
            "create",
            "POST",
            self._path(rtype, meta.get("namespace")),
            format_id(rtype.kind, meta.get("namespace"), meta.get("name")),
            body=obj,
            field_manager=self.field_manager,
        )

    def replace(self, rtype, obj, sub=None):
        meta = obj.get("metadata") or {}
        self._wrote(rtype, meta.get("namespace"), meta.get("name"))
        return self._request(
            "replace",
            "PUT",
            self._path(rtype, meta.get("namespace"), meta.get("name"), sub),
            format_id(rtype.kind, meta.get("namespace"), meta.get("name")),
            body=obj,
            field_manager=self.field_manager,
        )

    def patch_merge(self, rtype, namespace, name, patch, sub=None):
        self._wrote(rtype, namespace, name)
        return self._request(
            "patch",
            "PATCH",
            self._path(rtype, namespace, name, sub),
            format_id(rtype.kind, namespace, name),
            body=patch,
            content_type="application/merge-patch+json",
            field_manager=self.field_manager,
        )

    def delete(self, rtype, namespace, name, uid=None, propagation="Background", resource_version=None):
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation}
        preconditions = dict((key, value) for key, value in (("uid", uid), ("resourceVersion", resource_version)) if value)
        if preconditions:
            body["preconditions"] = preconditions
        self._wrote(rtype, namespace, name)
        try:
            self._request("delete", "DELETE", self._path(rtype, namespace, name), format_id(rtype.kind, namespace, name), body=body)
        except NotFoundError:
            return False
        return True

    def server_version(self):
        return self._request("get", "GET", "/version", "version")

    def served_versions(self):
        """Every group version the API server serves (``v1``, ``batch/v1beta1``...), from discovery."""
        core = self._request("get", "GET", "/api", "discovery")
        groups = self._request("get", "GET", "/apis", "discovery")
        served = list(core.get("versions") or [])
        for group in groups.get("groups") or []:
            served.extend(v["groupVersion"] for v in group.get("versions") or [])
        return sorted(set(served))

    def served_kinds(self):
        """``group/version/Kind`` of every kind the API server serves (the form Helm's
        ``--api-versions`` and Argo CD also use), from the client's discovery cache."""
        with self._discovering, self._sending("discovery"):  # another thread may refresh the cache meanwhile
            found = _served(self.dynamic.resources.search())
        return sorted(set("%s/%s" % (group_version, kind) for group_version, kind in found if kind))

    def capabilities(self):
        """(server gitVersion, served group versions and group/version/Kinds): what Argo CD
        passes to helm template as --kube-version and --api-versions."""
        return self.server_version().get("gitVersion") or "", self.served_versions() + self.served_kinds()

    def kind_versions(self, kind):
        """apiVersions that serve ``kind`` (any group), from the client's discovery cache."""
        with self._discovering, self._sending("discovery of %s" % kind):
            found = _served(self.dynamic.resources.search(kind=kind))
        return sorted(set(group_version for group_version, _kind in found))


def _served(found):
    """(group/version, kind) of the resources of a discovery search, read while the caller holds
    the discovery lock. The client adds a <Kind>List entry per resource: not a kind the server
    serves, and any attribute read on one searches the discovery cache again (ResourceList
    delegates to its base resource), so it is skipped before its attributes are touched."""
    return [(r.group_version, r.kind) for r in found if not isinstance(r, ResourceList) and "/" not in (r.name or "")]


def _list_subject(rtype, namespace):
    if rtype.namespaced and namespace:
        return "%s in namespace %s" % (rtype.kind, namespace)
    return rtype.kind


def _request_timeout(value):
    """Seconds each request may take: the argument, else K8S_AUTH_REQUEST_TIMEOUT, else
    the default. Never unbounded: a request with no timeout can hang the agent for ever."""
    if value is None:
        value = os.environ.get("K8S_AUTH_REQUEST_TIMEOUT") or kube_transport.DEFAULT_REQUEST_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0
    if not seconds > 0:
        raise ClusterError("request_timeout must be a positive number of seconds, not %r" % (value,))
    return seconds
