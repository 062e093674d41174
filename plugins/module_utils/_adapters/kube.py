# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cluster port over the kubernetes Python client (dynamic client).

Responses are read as raw JSON (no ResourceInstance wrapping: it is slow on large
lists). Every request is counted by verb in ``stats`` so callers can report (and tests
can assert) how many reads and writes a reconcile made.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, UnknownKindError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError, ResourceNotFoundError, ResourceNotUniqueError
    from urllib3.exceptions import HTTPError as Urllib3Error

    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = exc

LIST_PAGE_SIZE = 500
WRITE_VERBS = ("apply", "create", "replace", "patch", "delete")


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

    def __init__(self, kubeconfig=None, context=None, host=None, api_key=None, validate_certs=None, ca_cert=None,
                 field_manager=FIELD_MANAGER):
        self.field_manager = field_manager
        self.stats = Counter()
        self._types = {}
        try:
            self.api_client = _api_client(kubeconfig, context, host, api_key, validate_certs, ca_cert)
            self.dynamic = DynamicClient(self.api_client)
        except (k8s_config.ConfigException, OSError, ValueError) as exc:
            raise ClusterError("cannot load Kubernetes credentials: %s" % exc, subject=kubeconfig or "kubeconfig") from exc
        except DynamicApiError as exc:
            raise ClusterError("API discovery failed: %s" % api_message(exc)) from exc
        except Urllib3Error as exc:
            raise ClusterError("cannot reach the API server: %s" % exc) from exc

    # -- discovery -------------------------------------------------------------------

    def resolve(self, api_version, kind):
        key = (api_version, kind)
        if key in self._types:
            return self._types[key]
        try:
            res = self.dynamic.resources.get(api_version=api_version, kind=kind)
        except ResourceNotFoundError:
            raise UnknownKindError(
                "kind %s of apiVersion %s is not served by the cluster (is its CRD installed?)" % (kind, api_version),
                subject=kind,
            ) from None
        except ResourceNotUniqueError:
            res = [r for r in self.dynamic.resources.search(api_version=api_version, kind=kind) if "/" not in r.name][0]
        except Urllib3Error as exc:
            raise ClusterError("cannot reach the API server: %s" % exc) from exc
        rtype = ResourceType(res.group or "", res.api_version, res.kind, res.name, bool(res.namespaced))
        self._types[key] = rtype
        return rtype

    def refresh_discovery(self):
        self._types.clear()
        self.dynamic.resources.invalidate_cache()

    # -- requests --------------------------------------------------------------------

    def _path(self, rtype, namespace=None, name=None, sub=None):
        base = "/api/%s" % rtype.version if not rtype.group else "/apis/%s/%s" % (rtype.group, rtype.version)
        if rtype.namespaced and namespace:
            base += "/namespaces/%s" % namespace
        base += "/" + rtype.plural
        if name:
            base += "/" + name
        if sub:
            base += "/" + sub
        return base

    def _request(self, verb, method, path, subject, **params):
        self.stats[verb] += 1
        try:
            resp = self.dynamic.request(method, path, serialize=False, **params)
        except NotFoundError:
            raise
        except DynamicApiError as exc:
            raise ClusterError("%s failed: %s" % (verb, api_message(exc)), subject=subject,
                               details={"status_code": getattr(exc, "status", None)}) from exc
        except Urllib3Error as exc:
            raise ClusterError("cannot reach the API server: %s" % exc, subject=subject) from exc
        return json.loads(resp.data.decode("utf-8")) if resp.data else {}

    def list(self, rtype, namespace=None):
        items = []
        token = None
        while True:
            try:
                page = self._request("list", "GET", self._path(rtype, namespace), subject=rtype.kind,
                                     limit=LIST_PAGE_SIZE, _continue=token)
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
        try:
            return self._request(
                "dry-run" if dry_run else "apply", "PATCH", self._path(rtype, meta.get("namespace"), meta.get("name")), subject,
                body=obj, content_type="application/apply-patch+yaml", field_manager=self.field_manager,
                force_conflicts=True if force else None, dry_run="All" if dry_run else None,
            )
        except NotFoundError as exc:
            raise ClusterError("apply failed: %s" % api_message(exc), subject=subject) from exc

    def create(self, rtype, obj):
        meta = obj.get("metadata") or {}
        return self._request("create", "POST", self._path(rtype, meta.get("namespace")),
                             format_id(rtype.kind, meta.get("namespace"), meta.get("name")), body=obj,
                             field_manager=self.field_manager)

    def replace(self, rtype, obj, sub=None):
        meta = obj.get("metadata") or {}
        return self._request("replace", "PUT", self._path(rtype, meta.get("namespace"), meta.get("name"), sub),
                             format_id(rtype.kind, meta.get("namespace"), meta.get("name")), body=obj,
                             field_manager=self.field_manager)

    def patch_merge(self, rtype, namespace, name, patch, sub=None):
        return self._request("patch", "PATCH", self._path(rtype, namespace, name, sub), format_id(rtype.kind, namespace, name),
                             body=patch, content_type="application/merge-patch+json", field_manager=self.field_manager)

    def delete(self, rtype, namespace, name, uid=None, propagation="Background"):
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation}
        if uid:
            body["preconditions"] = {"uid": uid}
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

    def kind_versions(self, kind):
        """apiVersions that serve ``kind`` (any group), from the client's discovery cache."""
        try:
            found = self.dynamic.resources.search(kind=kind)
        except Urllib3Error as exc:
            raise ClusterError("cannot reach the API server: %s" % exc) from exc
        return sorted(set(r.group_version for r in found if "/" not in (r.name or "")))

    @property
    def writes(self):
        return sum(self.stats[v] for v in WRITE_VERBS)


def _env_bool(name):
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def _api_client(kubeconfig, context, host, api_key, validate_certs, ca_cert):
    """An ApiClient from explicit settings, a kubeconfig, or the in-cluster service account.

    Unset settings fall back to the K8S_AUTH_* variables kubernetes.core uses (AWX's
    OpenShift/Kubernetes bearer token credential sets them)."""
    kubeconfig = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG")
    context = context or os.environ.get("K8S_AUTH_CONTEXT")
    host = host or os.environ.get("K8S_AUTH_HOST")
    api_key = api_key or os.environ.get("K8S_AUTH_API_KEY")
    ca_cert = ca_cert or os.environ.get("K8S_AUTH_SSL_CA_CERT")
    if validate_certs is None:
        validate_certs = _env_bool("K8S_AUTH_VERIFY_SSL")
    configuration = k8s_client.Configuration()
    if host and api_key:
        configuration.host = host
        configuration.api_key = {"authorization": "Bearer " + api_key}
    elif kubeconfig or not os.environ.get("KUBERNETES_SERVICE_HOST"):
        k8s_config.load_kube_config(config_file=kubeconfig, context=context, client_configuration=configuration)
    else:
        k8s_config.load_incluster_config(client_configuration=configuration)
    if host:
        configuration.host = host
    if ca_cert:
        configuration.ssl_ca_cert = ca_cert
    if validate_certs is not None:
        configuration.verify_ssl = validate_certs
    return k8s_client.ApiClient(configuration)
