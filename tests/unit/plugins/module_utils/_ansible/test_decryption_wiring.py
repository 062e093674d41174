# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which keys an Application decrypts with (the operator's files and Secret, its own
spec.decryption Secret), and how decrypted values are kept out of results and status."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, RenderError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster

NS = "gitops-system"
AGE_IDENTITY = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"


class Module:
    def __init__(self, **params):
        self.params = dict({"decryption_key_files": [], "decryption_secret": None, "vault_password_file": None, "sops_binary": None}, **params)
        self.no_log_values = set()
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def secret(namespace, name, data):
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()},
    }


def app(decryption=None):
    spec = {"source": {"path": "apps"}, "destination": {"namespace": "shop"}}
    if decryption is not None:
        spec["decryption"] = decryption
    return {"apiVersion": "gitops.k8s.io/v1alpha1", "kind": "Application", "metadata": {"name": "shop", "namespace": NS}, "spec": spec}


@pytest.fixture
def cluster():
    cluster = FakeCluster()
    for namespace in (NS, "vault"):
        cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    stype = cluster.resolve("v1", "Secret")
    cluster.apply(stype, secret(NS, "sops-age", {"identity.agekey": AGE_IDENTITY}))
    cluster.apply(stype, secret("vault", "passwords", {"vault-password": "pw-one\n"}))
    return cluster


def test_spec_decryption_names_a_secret_of_the_application_namespace(cluster):
    spec = application.parse(app({"provider": "sops", "secretRef": {"name": "sops-age"}}))
    assert spec.decryption_secret == "sops-age"
    assert "decryption" not in " ".join(spec.warnings)
    keys = app_wiring.decryption_keys(Module(), cluster)(spec)
    assert keys.age == (AGE_IDENTITY,)


def test_key_service_entries_of_a_flux_secret_are_named_in_a_warning(cluster):
    cluster.apply(
        cluster.resolve("v1", "Secret"),
        secret(NS, "flux-sops", {"identity.agekey": AGE_IDENTITY, "sops.aws-kms": "arn:aws:kms:x", "sops.vault-token": "s.t0ken"}),
    )
    module = Module()
    keys = app_wiring.decryption_keys(module, cluster)(application.parse(app({"provider": "sops", "secretRef": {"name": "flux-sops"}})))
    assert keys.age == (AGE_IDENTITY,)
    (warning,) = module.warnings
    assert warning.startswith("Secret/%s/flux-sops: keys sops.aws-kms, sops.vault-token are not read" % NS)
    assert "s.t0ken" not in warning and "arn:aws" not in warning  # names only, never values
    quiet = Module()
    app_wiring.decryption_keys(quiet, cluster)(application.parse(app({"secretRef": {"name": "sops-age"}})))
    assert quiet.warnings == []


def test_operator_secret_applies_to_every_application(cluster):
    keys = app_wiring.decryption_keys(Module(decryption_secret="vault/passwords"), cluster)(application.parse(app()))
    assert keys.vault == ("pw-one",) and keys.age == ()


def test_a_missing_secret_is_an_error_naming_it(cluster):
    spec = application.parse(app({"secretRef": {"name": "nope"}}))
    with pytest.raises(RenderError, match="decryption Secret not found") as caught:
        app_wiring.decryption_keys(Module(), cluster)(spec)
    assert caught.value.subject == "Secret/%s/nope" % NS


@pytest.mark.parametrize(
    "decryption, message",
    [({"provider": "vault", "secretRef": {"name": "x"}}, "provider must be sops"), ({"provider": "sops"}, "secretRef.name must name")],
)
def test_a_bad_decryption_field_is_refused(decryption, message):
    with pytest.raises(InvalidSpec, match=message):
        application.parse(app(decryption))


def test_revealed_values_become_no_log_values_and_leave_the_status():
    module = Module()
    on_revealed, scrub = app_wiring.hide_revealed(module)
    assert scrub({"message": "x"}) == {"message": "x"}
    on_revealed(("hunter2-password", "abc"))  # a 3-character value would hide everything
    assert module.no_log_values == {"hunter2-password"}
    status = {"conditions": [{"message": "apply failed: value hunter2-password refused"}], "sync": {"status": "Unknown"}}
    assert scrub(status) == {"conditions": [{"message": "apply failed: value <redacted> refused"}], "sync": {"status": "Unknown"}}
