# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSet fixtures shared by the unit and the integration tests: a cluster Secret in
Argo CD's declarative format, and one of our sets with a list generator."""

from __future__ import annotations

import base64
import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine.appset_generators import CLUSTER_SECRET_LABEL, CLUSTER_SECRET_VALUE
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APPSET_KIND

# the config key of a cluster Secret (its credentials are never used by the tests)
TLS_CONFIG = {"tlsClientConfig": {"insecure": False}}


def cluster_secret(name, server, labels=None, annotations=None, project=None, secret_name=None, namespace="argocd", config=None):
    """A cluster Secret in Argo CD's declarative format (``data`` base64-encoded, as stored)."""
    data = {"name": name, "server": server, "config": json.dumps(config if config is not None else TLS_CONFIG)}
    if project is not None:
        data["project"] = project
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret_name or "cluster-" + name,
            "namespace": namespace,
            "labels": dict({CLUSTER_SECRET_LABEL: CLUSTER_SECRET_VALUE}, **(labels or {})),
            "annotations": dict(annotations or {}),
        },
        "type": "Opaque",
        "data": dict((k, base64.b64encode(v.encode()).decode()) for k, v in data.items()),
    }


def list_set(name, namespace, elements, prefix="web", labels=None):
    """Our ApplicationSet ``name`` with a list generator: one automated Application
    ``<prefix>-<env>`` per element (an env name, or a dict of parameters with ``env``),
    deploying the path ``<env>`` into ``namespace``; ``labels`` (templated) on each."""
    metadata = {"name": prefix + "-{{env}}"}
    if labels:
        metadata["labels"] = dict(labels)
    return {
        "apiVersion": APP_API_VERSION,
        "kind": APPSET_KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "generators": [{"list": {"elements": [e if isinstance(e, dict) else {"env": e} for e in elements]}}],
            "template": {
                "metadata": metadata,
                "spec": {"source": {"path": "{{env}}"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True}}},
            },
        },
    }
