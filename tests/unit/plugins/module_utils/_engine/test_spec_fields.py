# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The table of Application spec fields: what is carried out, warned about or refused."""

from __future__ import annotations

import os

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, spec_fields
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

DOC = os.path.join(os.path.dirname(__file__), *[".."] * 5, "docs", "argocd-applications.md")


def app(spec):
    return {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": "a", "namespace": "ops"}, "spec": spec}


GUESTBOOK = {
    "project": "default",
    "source": {
        "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
        "targetRevision": "HEAD",
        "path": "guestbook",
        "directory": {"recurse": True, "include": "*.yaml"},
    },
    "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
    "syncPolicy": {
        "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
        "syncOptions": ["CreateNamespace=true"],
        "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}},
    },
    "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}],
    "revisionHistoryLimit": 3,
}


def test_a_plain_argo_cd_application_has_no_warning():
    assert application.parse(app(GUESTBOOK)).warnings == ()


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"source": {"path": "p", "kustomize": {"version": "v5.0.0"}}}, "spec.source.kustomize.version"),
        ({"sources": [{"path": "p", "kustomize": {"version": "v5.0.0"}}]}, "spec.sources[].kustomize.version"),
        ({"sources": [{"path": "p", "directory": {"recurse": True, "exclde": "x"}}]}, "spec.sources[].directory.exclde: unknown field"),
        ({"source": {"path": "p", "ref": "values"}}, "spec.source.ref"),
        ({"source": {"path": "p", "helm": {"fileParameters": [{"name": "c", "paht": "c.json"}]}}}, "spec.source.helm.fileParameters[].paht: unknown field"),
        ({"source": {"path": "p", "helm": {"version": "v2"}}}, "spec.source.helm.version"),
        ({"ignoreDifferences": [{"kind": "Deployment", "jqPathExpressions": [".spec.replicas"]}]}, "spec.ignoreDifferences[].jqPathExpressions"),
        ({"ignoreDifferences": [{"kind": "*", "managedFieldsManagers": ["kube-controller-manager"]}]}, "spec.ignoreDifferences[].managedFieldsManagers"),
        ({"info": [{"name": "url", "value": "https://example.com"}]}, "spec.info"),
        ({"syncPolicy": {"automated": {"prune": True, "selfHael": True}}}, "spec.syncPolicy.automated.selfHael: unknown field"),
        ({"sourceHydratr": {"drySource": {"path": "p"}}}, "spec.sourceHydratr: unknown field"),
        ({"source": {"path": "p", "helm": {"valuesFile": "x"}}}, "spec.source.helm.valuesFile: unknown field"),
    ],
)
def test_a_field_not_carried_out_is_a_warning_naming_it(spec, expected):
    spec = dict({"source": {"path": "p"}}, **spec)
    warnings = application.parse(app(spec)).warnings
    assert any(w.startswith(expected) for w in warnings), warnings


@pytest.mark.parametrize(
    "spec",
    [
        {"source": {"path": "p", "helm": {"passCredentials": False, "version": "v3", "valuesObject": {"any": {"thing": 1}}}}},
        # Helm charts from chart repositories and OCI registries, with every helm field Argo CD documents
        {
            "source": {
                "repoURL": "https://charts.bitnami.com/bitnami",
                "chart": "nginx",
                "targetRevision": "15.9.0",
                "helm": {
                    "releaseName": "web",
                    "namespace": "tpl",
                    "passCredentials": True,
                    "skipSchemaValidation": True,
                    "ignoreMissingValueFiles": True,
                    "skipCrds": True,
                    "kubeVersion": "1.29.0",
                    "apiVersions": ["v1"],
                    "parameters": [{"name": "a\\.b", "value": "1", "forceString": True}],
                    "fileParameters": [{"name": "motd", "path": "motd.txt"}],
                },
            }
        },
        {"source": {"repoURL": "oci://ghcr.io/acme/manifests", "targetRevision": "v1.4.0", "path": "deploy"}},
        {"source": {"path": "p", "kustomize": {}}},
        {
            "source": {
                "path": "p",
                "kustomize": {
                    "namePrefix": "prod-",
                    "images": ["nginx:1.25"],
                    "commonLabels": {"a": "b"},
                    "forceCommonLabels": True,
                    "patches": [{"path": "p.yaml"}],
                    "components": ["../c"],
                },
            }
        },
        {
            "source": {
                "path": "p",
                "directory": {
                    "jsonnet": {
                        "extVars": [{"name": "a", "value": "b", "code": False}],
                        "tlas": [{"name": "n", "value": "1", "code": True}],
                        "libs": ["vendor"],
                    }
                },
            }
        },
        {
            "sources": [
                {"repoURL": "https://github.com/org/charts", "path": "c", "helm": {"valueFiles": ["$values/v.yaml"]}},
                {"repoURL": "https://github.com/org/config", "ref": "values", "name": "config"},
            ]
        },
        {"project": ""},
        {"info": []},
        {"syncPolicy": {"managedNamespaceMetadata": {"labels": {"team": "web"}}, "syncOptions": ["CreateNamespace=true"]}},
    ],
)
def test_a_field_without_effect_is_no_warning(spec):
    spec = dict({} if "sources" in spec else {"source": {"path": "p"}}, **spec)
    assert application.parse(app(spec)).warnings == ()


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"sources": [{"repoURL": "https://github.com/org/repo", "path": "p", "plugin": {"name": "sops"}}]}, "spec.sources[].plugin"),
        ({"source": {"path": "p", "plugin": {"name": "sops"}}}, "spec.source.plugin"),
        ({"sourceHydrator": {"drySource": {"repoURL": "https://github.com/org/repo", "path": "p"}}}, "spec.sourceHydrator"),
    ],
)
def test_a_field_that_would_render_something_else_is_refused(spec, message):
    with pytest.raises(InvalidSpec, match=message.replace(".", r"\.").replace("[", r"\[")):
        application.parse(app(spec))


@pytest.mark.parametrize(
    "destination",
    [
        {},
        {"namespace": "x"},
        {"server": "https://kubernetes.default.svc"},
        {"server": "https://kubernetes.default.svc/"},
        {"name": "in-cluster", "namespace": "x"},
    ],
)
def test_the_cluster_of_the_run(destination):
    assert application.parse(app({"source": {"path": "p"}, "destination": destination})).destination_namespace == destination.get("namespace", "")


@pytest.mark.parametrize(
    "destination, server, name",
    [
        ({"server": "https://prod.example.com:6443/"}, "https://prod.example.com:6443", ""),
        ({"name": "prod-eu"}, "", "prod-eu"),
    ],
)
def test_another_cluster_is_kept_for_the_destination_lookup(destination, server, name):
    spec = application.parse(app({"source": {"path": "p"}, "destination": destination}))
    assert (spec.destination_server, spec.destination_name) == (server, name)


@pytest.mark.parametrize(
    "destination",
    [{"server": "https://kubernetes.default.svc", "name": "in-cluster"}, {"server": 6443}, {"name": ["a"]}],
)
def test_a_destination_with_server_and_name_or_not_strings_is_refused(destination):
    with pytest.raises(InvalidSpec, match=r"spec\.destination"):
        application.parse(app({"source": {"path": "p"}, "destination": destination}))


@pytest.mark.parametrize(
    "automated, expected",
    [
        ({}, True),
        ({"enabled": True}, True),
        ({"enabled": None, "prune": True}, True),
        ({"enabled": False, "prune": True, "selfHeal": True}, False),
    ],
)
def test_automated_enabled_false_turns_automated_sync_off(automated, expected):
    spec = application.parse(app({"source": {"path": "p"}, "syncPolicy": {"automated": automated}}))
    assert spec.automated is expected
    assert spec.warnings == ()


def test_every_row_names_a_verdict_and_a_reason():
    for row in spec_fields.FIELDS:
        assert row.verdict in spec_fields.VERDICTS and row.why, row


def test_the_docs_table_is_the_engine_table():
    with open(DOC) as handle:
        text = handle.read()
    expected = "<!-- spec-fields: generated by hack/render_spec_fields.py -->\n" + spec_fields.markdown_table() + "<!-- spec-fields: end -->\n"
    assert expected in text, "regenerate it: .venv/bin/python hack/render_spec_fields.py"


def _objects(schema, path="spec"):
    yield path, schema
    for key, sub in (schema.get("properties") or {}).items():
        if sub.get("type") == "object":
            yield from _objects(sub, path + "." + key)


def test_the_crd_keeps_unknown_spec_fields_so_they_can_be_warned_about():
    spec = application.crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    paths = []
    for path, schema in _objects(spec):
        paths.append(path)
        assert schema.get("x-kubernetes-preserve-unknown-fields") is True, path
    assert {"spec", "spec.source", "spec.destination", "spec.syncPolicy", "spec.syncPolicy.automated"} <= set(paths)
