# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified commits: which revisions need a trusted signature, and which signatures pass."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, commit_trust, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, SignatureError

KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n-----END PGP PUBLIC KEY BLOCK-----\n"
RULES = commit_trust.rules_of(
    [
        {"keys": [KEY]},  # global
        {"url": "https://git.example.test/platform", "keys_from": [{"kind": "ConfigMap", "namespace": "gitops-system", "name": "platform-keys"}]},
        {"url": "https://git.example.test/platform/sandbox", "key_files": ["/etc/gitops-k8s/sandbox.pub"], "required": False},
    ]
)


def url(text):
    return repo_urls.parse(text)


@pytest.mark.parametrize(
    "repo, key_ids, rule, required",
    [
        ("https://git.example.test/shop/storefront", (), "commit_signatures[0]", True),  # global rule
        ("https://git.example.test/platform/ingress", (), "commit_signatures[1]", True),  # per repository prefix
        ("https://git.example.test/platform/sandbox/demo", (), None, False),  # keys only: nothing required
        ("https://git.example.test/platform/sandbox/demo", ("ABCD",), "commit_signatures[2]", True),  # the Application asks
    ],
)
def test_requirement_by_scope(repo, key_ids, rule, required):
    found = commit_trust.requirement(RULES, url(repo), key_ids, "gitops-system/shop")
    assert (found is not None) is required
    if found is not None:
        assert found.rule.name == rule and found.key_ids == key_ids


def test_no_rule_no_requirement_unless_the_application_asks():
    assert commit_trust.requirement((), url("https://git.example.test/a"), (), "ns/a") is None
    with pytest.raises(SignatureError, match="no trusted keys cover"):
        commit_trust.requirement((), url("https://git.example.test/a"), ("ABCD",), "ns/a")


@pytest.mark.parametrize(
    "item, message",
    [
        ({"url": "https://git.example.test/x"}, "needs trusted keys"),
        ({"keys_from": [{"kind": "Pod", "namespace": "a", "name": "b"}]}, "ConfigMap or Secret"),
        ({"url": "ext::sh -c id", "keys": [KEY]}, "url"),
    ],
)
def test_wrong_rules_are_refused_naming_the_entry(item, message):
    with pytest.raises(SignatureError, match=message) as caught:
        commit_trust.rules_of([item])
    assert caught.value.subject == "commit_signatures[0]"


def test_two_global_rules_are_refused():
    with pytest.raises(SignatureError, match="same repositories"):
        commit_trust.rules_of([{"keys": [KEY]}, {"keys": [KEY]}])


REQUIRED = commit_trust.Requirement(RULES[0])
GPG_FPR = "0123456789ABCDEF0123456789ABCDEF01234567"


@pytest.mark.parametrize(
    "status, key_ids, passed, words",
    [
        ("G", (), True, ""),
        ("N", (), False, "not signed"),
        ("B", (), False, "bad"),
        ("U", (), False, "not by a trusted key"),  # an SSH key outside the allowed signers
        ("E", (), False, "not by a trusted key"),  # a GPG key not in the keyring
        ("R", (), False, "revoked"),
        ("G", ("89ABCDEF01234567",), True, ""),  # long key ID
        ("G", (GPG_FPR,), True, ""),
        ("G", ("FFFFFFFFFFFFFFFF",), False, "not one of spec.signatureKeys"),
    ],
)
def test_verdict(status, key_ids, passed, words):
    reason = commit_trust.verdict(commit_trust.Requirement(RULES[0], key_ids), status, GPG_FPR, GPG_FPR, "Release <release@example.test>")
    assert (reason == "") is passed and words in reason


def test_ssh_key_ids_are_exact_fingerprints():
    required = commit_trust.Requirement(RULES[0], ("SHA256:unLmUoFJIBhgTAKNH83W4lPqWpwdS8NVVPeQSR9KRCU",))
    assert commit_trust.verdict(required, "G", "SHA256:unLmUoFJIBhgTAKNH83W4lPqWpwdS8NVVPeQSR9KRCU", "", "alice") == ""
    assert commit_trust.verdict(required, "G", "SHA256:8NjgeTu5dL9hs4rF9z5Fup4XyRdPLDl+k51wuYyD43Q", "", "bob")


def _app(**spec):
    return {"metadata": {"name": "shop", "namespace": "gitops-system"}, "spec": dict({"destination": {"namespace": "shop"}}, **spec)}


def test_spec_signature_keys_are_parsed_and_supported():
    spec = application.parse(_app(signatureKeys=[{"keyID": "abcd 1234"}, {"keyID": "SHA256:xyz"}]))
    assert spec.signature_keys == ("ABCD1234", "SHA256:xyz")
    assert spec.warnings == ()


@pytest.mark.parametrize("value", [[{"id": "x"}], "ABCD", [{"keyID": ""}]])
def test_wrong_signature_keys_are_an_invalid_spec(value):
    with pytest.raises(InvalidSpec, match="signatureKeys"):
        application.parse(_app(signatureKeys=value))
