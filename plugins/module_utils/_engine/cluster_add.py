# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The objects ``argocd cluster add`` creates, as data (gitops.k8s.cluster writes them).

On the target cluster: a ServiceAccount, a ClusterRole granting everything (Argo CD's
``argocd-manager-role``; a Project's destinationServiceAccounts narrow what each
Application may do), its ClusterRoleBinding, and a Secret of type
``kubernetes.io/service-account-token`` the token controller fills (a token that does
not expire, as Argo CD's). On the manager cluster: the cluster Secret in Argo CD's
declarative format (clusters.py reads it back).
"""

from __future__ import annotations

import base64
import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine.clusters import SECRET_TYPE_CLUSTER, SECRET_TYPE_LABEL

MANAGED_BY = {"app.kubernetes.io/managed-by": "gitops-k8s"}
TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token"


def token_secret_name(service_account):
    return ("%s-token" % service_account)[:253]


def target_objects(service_account, namespace):
    """The ServiceAccount, ClusterRole, ClusterRoleBinding and token Secret on the target."""
    role = service_account + "-role"
    labels = dict(MANAGED_BY)
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": service_account, "namespace": namespace, "labels": labels}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role, "labels": labels},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": role + "binding", "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}],
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": TOKEN_SECRET_TYPE,
            "metadata": {
                "name": token_secret_name(service_account),
                "namespace": namespace,
                "labels": labels,
                "annotations": {"kubernetes.io/service-account.name": service_account},
            },
        },
    ]


def token_of(secret):
    """The token the token controller wrote into a service-account-token Secret, or ""."""
    raw = ((secret or {}).get("data") or {}).get("token") or ""
    return base64.b64decode(raw).decode("utf-8") if raw else ""


def config_json(token, ca_pem="", insecure=False, server_name=""):
    """The ``config`` value of a cluster Secret (keys sorted: the same input, the same text)."""
    tls = {"insecure": bool(insecure)}
    if ca_pem:
        tls["caData"] = base64.b64encode(ca_pem.encode("utf-8")).decode("ascii")
    if server_name:
        tls["serverName"] = server_name
    return json.dumps({"bearerToken": token, "tlsClientConfig": tls}, sort_keys=True)


def cluster_secret(name, namespace, secret_name, server, config, labels=None):
    """The manager's cluster Secret (stringData: the API server merges it into data)."""
    all_labels = dict(labels or {})
    all_labels.update(MANAGED_BY)
    all_labels[SECRET_TYPE_LABEL] = SECRET_TYPE_CLUSTER
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": secret_name, "namespace": namespace, "labels": all_labels},
        "stringData": {"name": name, "server": server, "config": config},
    }
