# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The objects gitops.k8s.cluster writes (argocd cluster add), and the round trip of its
cluster Secret through the parser the reconcile uses."""

from __future__ import annotations

import base64

from ansible_collections.gitops.k8s.plugins.module_utils._engine import cluster_add, clusters

CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_the_target_objects():
    objects = cluster_add.target_objects("gitops-k8s-manager", "kube-system")
    assert [o["kind"] for o in objects] == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret"]
    binding = objects[2]
    assert binding["roleRef"]["name"] == objects[1]["metadata"]["name"] == "gitops-k8s-manager-role"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "gitops-k8s-manager", "namespace": "kube-system"}]
    token = objects[3]
    assert token["type"] == "kubernetes.io/service-account-token"
    assert token["metadata"]["annotations"] == {"kubernetes.io/service-account.name": "gitops-k8s-manager"}


def test_token_of():
    assert cluster_add.token_of(None) == ""
    assert cluster_add.token_of({"data": {}}) == ""
    assert cluster_add.token_of({"data": {"token": base64.b64encode(b"abc.def").decode()}}) == "abc.def"


def test_the_config_text_is_stable():
    first = cluster_add.config_json("tok", CA, False, "east.internal")
    assert first == cluster_add.config_json("tok", CA, False, "east.internal")  # same input, same text: a second run is unchanged


def test_the_cluster_secret_reads_back_as_the_record_it_describes():
    secret = cluster_add.cluster_secret(
        "east", "gitops-system", "cluster-east", "https://127.0.0.1:6443", cluster_add.config_json("tok", CA, True, "srv"), {"env": "prod"}
    )
    assert secret["metadata"]["labels"] == {"env": "prod", "app.kubernetes.io/managed-by": "gitops-k8s", clusters.SECRET_TYPE_LABEL: "cluster"}
    record = clusters.parse_secret(secret)
    assert (record.name, record.server, record.bearer_token, record.ca_data, record.insecure, record.server_name) == (
        "east",
        "https://127.0.0.1:6443",
        "tok",
        CA,
        True,
        "srv",
    )
    assert record.warnings == ()
