# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD cluster Secrets parsed into destination clusters (_engine/clusters.py)."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import clusters
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DestinationError

TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-value"
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN RSA PRIVATE KEY-----\nprivate-key-body\n-----END RSA PRIVATE KEY-----\n"


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def secret(name="east", server="https://east.example:6443", config=None, data=None, string_data=True, label=True, secret_name="east-cluster"):
    values = {"name": name, "server": server}
    if config is not None:
        values["config"] = config if isinstance(config, str) else json.dumps(config)
    values.update(data or {})
    obj = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": secret_name, "namespace": "gitops", "labels": {clusters.SECRET_TYPE_LABEL: "cluster"} if label else {}},
    }
    if string_data:
        obj["stringData"] = {k: v for k, v in values.items() if v is not None}
    else:
        obj["data"] = {k: b64(v) for k, v in values.items() if v is not None}
    return obj


BEARER = {"bearerToken": TOKEN, "tlsClientConfig": {"insecure": False, "caData": b64(CA), "serverName": "east.internal"}}


@pytest.mark.parametrize("string_data", [True, False])
def test_a_bearer_token_secret_as_argo_cd_writes_it(string_data):
    record = clusters.parse_secret(secret(config=BEARER, string_data=string_data))
    assert (record.name, record.server, record.secret) == ("east", "https://east.example:6443", "Secret/gitops/east-cluster")
    assert (record.bearer_token, record.ca_data, record.server_name, record.insecure) == (TOKEN, CA, "east.internal", False)
    assert not record.in_cluster and record.warnings == ()


def test_the_repr_and_label_show_no_credential():
    record = clusters.parse_secret(secret(config={"bearerToken": TOKEN, "password": "hunter22", "tlsClientConfig": {"certData": b64(CA), "keyData": b64(KEY)}}))
    for text in (repr(record), str(record), record.label):
        assert TOKEN not in text and "private-key-body" not in text and "hunter22" not in text
    assert record.label == "cluster east (https://east.example:6443)"
    assert set(record.secret_values()) == {TOKEN, "hunter22", KEY}


def test_a_client_certificate_secret():
    record = clusters.parse_secret(secret(config={"tlsClientConfig": {"caData": b64(CA), "certData": b64(CA), "keyData": b64(KEY)}}))
    assert (record.cert_data, record.key_data, record.bearer_token) == (CA, KEY, "")


def test_the_name_defaults_to_the_server():
    assert clusters.parse_secret(secret(name=None, config=BEARER)).name == "https://east.example:6443"


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"data": {"server": "!!not-base64!!", "config": b64("{}")}}, "data.server is not valid base64"),
        ({"stringData": {"name": "x", "config": json.dumps(BEARER)}}, "no server"),
        ({"stringData": {"server": "east.example:6443", "config": json.dumps(BEARER)}}, "is not an http"),
        ({"stringData": {"server": "https://e", "config": "{not json"}}, "config is not valid JSON"),
        ({"stringData": {"server": "https://e", "config": "[1]"}}, "config must be a JSON object"),
        (
            {"stringData": {"server": "https://e", "config": json.dumps({"bearerToken": TOKEN, "tlsClientConfig": {"caData": "%%%"}})}},
            "caData is not valid base64",
        ),
        (
            {"stringData": {"server": "https://e", "config": json.dumps({"bearerToken": TOKEN, "tlsClientConfig": {"caData": b64("plain")}})}},
            "not a base64-encoded PEM",
        ),
        ({"stringData": {"server": "https://e", "config": json.dumps({"tlsClientConfig": {"certData": b64(CA)}})}}, "both certData and keyData"),
        ({"stringData": {"server": "https://e", "config": json.dumps({"tlsClientConfig": {"insecure": True}})}}, "no credentials"),
        ({"stringData": {"server": "https://e", "config": json.dumps({"bearerToken": TOKEN, "tlsClientConfig": {"insecure": "yes"}})}}, "insecure must be"),
        ({"stringData": {"server": "https://e", "config": json.dumps({"bearerToken": 5})}}, "bearerToken must be a string"),
    ],
)
def test_a_bad_secret_is_an_error_naming_it_and_never_a_value(obj, message):
    obj = dict(obj, metadata={"name": "bad", "namespace": "gitops", "labels": {clusters.SECRET_TYPE_LABEL: "cluster"}})
    with pytest.raises(DestinationError, match=message) as info:
        clusters.parse_secret(obj)
    assert str(info.value).startswith("Secret/gitops/bad: ")
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "key, what",
    [
        ("execProviderConfig", {"command": "argocd-k8s-auth", "args": ["aws"], "apiVersion": "client.authentication.k8s.io/v1beta1"}),
        ("awsAuthConfig", {"clusterName": "prod", "roleARN": "arn:aws:iam::1:role/x"}),
    ],
)
def test_a_command_to_run_is_refused(key, what):
    with pytest.raises(DestinationError, match="config %s is not supported: it would run" % key):
        clusters.parse_secret(secret(config={key: what, "tlsClientConfig": {"caData": b64(CA)}}))


def test_unknown_and_unenforced_keys_are_warnings():
    config = dict(BEARER, tlsClientConfig=dict(BEARER["tlsClientConfig"], nextProtos=["h2"]), impersonate={"user": "x"}, disableCompression=True)
    record = clusters.parse_secret(secret(config=config, data={"namespaces": "a,b", "project": "team-a"}))
    assert record.warnings == (
        "Secret/gitops/east-cluster: config keys impersonate, tlsClientConfig.nextProtos are not read by gitops.k8s (ignored)",
        "Secret/gitops/east-cluster: namespaces is not carried out: the cluster is not limited to these namespaces",
        "Secret/gitops/east-cluster: project is not carried out: project-scoped clusters are not carried out: every project may name it "
        "(its destinations still apply)",
    )


def test_the_registry_reads_only_cluster_secrets_and_keeps_broken_ones_apart():
    reg = clusters.registry(
        [
            secret(config=BEARER),
            secret(name="west", server="https://west.example", config=BEARER, secret_name="west-cluster"),
            secret(name="plain", config=BEARER, label=False, secret_name="other"),
            secret(name="bad", server="https://bad.example", config="{", secret_name="bad-cluster"),
        ]
    )
    assert [r.name for r in reg.records] == ["east", "west"]
    assert clusters.select(reg, name="west").server == "https://west.example"
    assert clusters.select(reg, server="https://east.example:6443/").name == "east"
    with pytest.raises(DestinationError, match="the Secret of the destination cluster bad is invalid: config is not valid JSON") as info:
        clusters.select(reg, name="bad")
    assert info.value.subject == "Secret/gitops/bad-cluster"
    assert clusters.select(reg, name="east").name == "east"  # a broken Secret fails only the Applications naming it


def test_the_cluster_of_the_run_and_unregistered_clusters():
    reg = clusters.registry([secret(config=BEARER)])
    assert clusters.select(reg) is clusters.RUN_CLUSTER
    assert clusters.select(reg, server="https://kubernetes.default.svc/").in_cluster
    assert clusters.select(reg, name="in-cluster").in_cluster
    with pytest.raises(DestinationError, match="spec.destination.name 'north' is not a registered cluster"):
        clusters.select(reg, name="north")
    with pytest.raises(DestinationError, match="both server and name"):
        clusters.select(reg, server="https://east.example:6443", name="east")


def test_a_secret_for_the_cluster_of_the_run_renames_it():
    reg = clusters.registry([secret(name="mgmt", server="https://kubernetes.default.svc", config={})])
    record = clusters.select(reg, name="mgmt")
    assert record.in_cluster and record.name == "mgmt" and record.bearer_token == ""


def test_two_secrets_with_one_name_are_an_error():
    reg = clusters.registry([secret(config=BEARER), secret(config=BEARER, server="https://other.example", secret_name="dup")])
    with pytest.raises(DestinationError, match="names 2 clusters"):
        clusters.select(reg, name="east")


@pytest.mark.parametrize(
    "server, name, expected",
    [
        ("", "", True),
        ("https://kubernetes.default.svc/", "", True),
        ("", "in-cluster", True),
        ("https://kubernetes.default.svc", "in-cluster", False),  # both set: select() refuses it
        ("", "mgmt", False),
        ("https://east.example", "", False),
    ],
)
def test_names_run_cluster_reads_no_secret(server, name, expected):
    assert clusters.names_run_cluster(server, name) is expected
