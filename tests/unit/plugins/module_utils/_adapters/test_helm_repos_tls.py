# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS options of a chart repository or registry credential as they reach helm: 0600 files
named in repositories.yaml or in flags, never the PEM in argv; checked before use; refused
(not ignored) where they do not apply."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import git_env, helm_repos
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIGHkey-s3cret\n-----END PRIVATE KEY-----\n"


def repos(tmp_path, url, **credential):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    return helm_repos.HelmRepos(str(home), repo_urls.Credentials.from_entries([(url, credential)]))


def test_chart_repository_gets_ca_and_client_certificate_files(tmp_path):
    chart_repos = repos(tmp_path, "https://charts.example.test/team", ca_cert=CA, tls_client_cert_data=CERT, tls_client_cert_key=KEY)
    chart_repos.add("https://charts.example.test/team/stable")
    chart_repos.write()
    config = tmp_path / "home" / "config" / "repositories.yaml"
    entry = json.loads(config.read_text())["repositories"][0]
    for field, text in (("caFile", CA), ("certFile", CERT), ("keyFile", KEY)):
        assert open(entry[field], encoding="utf-8").read() == text
        assert stat.S_IMODE(os.stat(entry[field]).st_mode) == 0o600
        assert entry[field].startswith(str(tmp_path / "home" / "tls"))
    assert stat.S_IMODE(os.stat(os.path.dirname(entry["keyFile"])).st_mode) == 0o700
    assert "insecure_skip_tls_verify" not in entry
    assert KEY not in config.read_text()
    assert KEY not in chart_repos.scrub("oops " + KEY)


def test_registry_gets_flags_naming_files_and_https_on_loopback(tmp_path):
    registries = repos(tmp_path, "oci://127.0.0.1:5000/charts", ca_cert=CA, insecure=True)
    parsed = registries.add("oci://127.0.0.1:5000/charts/team")
    flags = registries.registry_flags["127.0.0.1:5000"]
    assert flags[0].startswith("--ca-file=") and flags[1:] == ["--insecure-skip-tls-verify"]
    assert CA not in " ".join(flags)
    # a loopback registry is plain HTTP unless its credential sets TLS options
    assert not helm_repos.uses_plain_http(parsed, registries.credentials.for_url(parsed))
    assert helm_repos.uses_plain_http(parsed, None)


def test_one_credential_one_set_of_files(tmp_path):
    registries = repos(tmp_path, "oci://registry.example.test", ca_cert=CA)
    registries.add("oci://registry.example.test/a")
    registries.add("oci://registry.example.test/b")
    assert os.listdir(tmp_path / "home" / "tls") == ["1"]


@pytest.mark.parametrize(
    "credential, message",
    [
        ({"tls_client_cert_data": CERT}, "both tls_client_cert_data and tls_client_cert_key"),
        ({"tls_client_cert_key": KEY}, "both tls_client_cert_data and tls_client_cert_key"),
        ({"ca_cert": "not a certificate"}, "ca_cert must be PEM"),
    ],
)
def test_incomplete_or_malformed_tls_options_are_refused(tmp_path, credential, message):
    with pytest.raises(SourceError) as info:
        repos(tmp_path, "https://charts.example.test", **credential).add("https://charts.example.test")
    assert message in str(info.value) and KEY not in str(info.value)


def test_tls_options_on_plain_http_are_refused(tmp_path):
    with pytest.raises(SourceError, match="URL is http://"):
        repos(tmp_path, "http://charts.example.test", ca_cert=CA).add("http://charts.example.test")


def test_git_refuses_tls_options_instead_of_ignoring_them():
    with pytest.raises(SourceError, match="apply to Helm chart repositories and OCI registries only"):
        git_env.Auth("https://git.example.test/team/app", {"ca_cert": CA, "insecure": True}, None, None)
