# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Destinations port: the clusters registered by Argo CD cluster Secrets.

The Secrets of an Application's namespace are read once per run (one LIST on the
cluster of the run, the manager) and parsed by _engine/clusters.py. Each destination
cluster gets one KubeCluster per run, built from an inline kubeconfig (kube_auth: the
same loader, timeouts and plain-words errors as the run's own cluster), whose errors
name it (``cluster east (https://...)``); a cluster that cannot be reached fails the
first Application that names it, and the others that name it at once with the same
error, without another try in this run. Credentials never reach a message.
"""

from __future__ import annotations

import base64
import threading
from collections import Counter

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube
from ansible_collections.gitops.k8s.plugins.module_utils._engine import clusters
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, DestinationError

CONTEXT = "destination"
FORBIDDEN = 403


def list_secrets(cluster, namespace, needed_for, error=ClusterError):
    """The Secrets of ``namespace`` (where the cluster Secrets are); an agent that may not
    list them gets an ``error`` naming the permission and the role variables that grant it
    (clusters.secrets_forbidden), not the API server's bare 403."""
    try:
        return cluster.list(cluster.resolve("v1", "Secret"), namespace)
    except ClusterError as exc:
        if exc.details.get("status_code") != FORBIDDEN:
            raise
        raise error(clusters.secrets_forbidden(namespace, needed_for, exc.message), subject=exc.subject, details=exc.details) from exc


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def kubeconfig_of(record):
    """An inline kubeconfig (a dict) reaching ``record`` with its credentials."""
    cluster = {"server": record.server}
    if record.ca_data:
        cluster["certificate-authority-data"] = _b64(record.ca_data)
    if record.insecure:
        cluster["insecure-skip-tls-verify"] = True
    if record.server_name:
        cluster["tls-server-name"] = record.server_name
    user = {}
    if record.bearer_token:
        user["token"] = record.bearer_token
    elif record.username:
        user.update(username=record.username, password=record.password)
    if record.cert_data:
        user.update({"client-certificate-data": _b64(record.cert_data), "client-key-data": _b64(record.key_data)})
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": user}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
        "current-context": CONTEXT,
    }


class ClusterRegistry:
    """Implements the engine's Destinations port over the cluster of the run (``manager``)."""

    def __init__(self, manager):
        self.manager = manager
        self._registries = {}  # namespace -> clusters.Registry
        self._clusters = {}  # (server, Secret) -> KubeCluster, or the DestinationError it failed with
        # Applications side by side (runner app_workers) ask at once: one registry read, one client per cluster
        self._guard = threading.RLock()

    def select(self, spec):
        if clusters.names_run_cluster(spec.destination_server, spec.destination_name):
            return clusters.RUN_CLUSTER  # no Secret read: an agent without access to Secrets keeps working
        with self._guard:
            return clusters.select(self._registry(spec.namespace), spec.destination_server, spec.destination_name)

    def _registry(self, namespace):
        if namespace not in self._registries:
            try:
                secrets = list_secrets(self.manager, namespace, "an Application's destination names another cluster", DestinationError)
            except DestinationError as exc:  # forbidden: every Application naming a cluster fails alike, with one request
                self._registries[namespace] = exc
                raise
            # a Secret's warnings reach the Applications that name it (their UnsupportedFeatureWarning)
            self._registries[namespace] = clusters.registry(secrets)
        found = self._registries[namespace]
        if isinstance(found, DestinationError):
            raise found
        return found

    def connect(self, record):
        if record.in_cluster:
            return self.manager
        key = (record.server, record.secret)
        with self._guard:
            return self._connected(key, record)

    def _connected(self, key, record):
        if key not in self._clusters:
            try:
                self._clusters[key] = kube.KubeCluster(
                    field_manager=self.manager.field_manager,
                    request_timeout=self.manager.request_timeout,
                    where=record.label,
                    environ={},  # the K8S_AUTH_* variables are the run's own cluster's credentials
                    kubeconfig=kubeconfig_of(record),
                    proxy=record.proxy_url or None,
                )
            except ClusterError as exc:
                # the message names the cluster, never its kubeconfig
                message = exc.message if exc.message.startswith(record.label) else "%s: %s" % (record.label, exc.message)
                self._clusters[key] = DestinationError(message, subject=record.secret)
        found = self._clusters[key]
        if isinstance(found, DestinationError):
            raise found
        return found

    @property
    def stats(self):
        """Requests by verb over the cluster of the run and every destination reached."""
        total = Counter(self.manager.stats)
        with self._guard:
            reached = list(self._clusters.values())
        for found in reached:
            if not isinstance(found, DestinationError):
                total.update(found.stats)
        return total
