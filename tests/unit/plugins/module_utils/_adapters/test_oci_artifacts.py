# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OCI artifacts holding plain manifests (Flux OCIRepository / Argo CD 3.1 style), pulled
from Debian's docker-registry on 127.0.0.1, pinned by tag or digest, cached by digest."""

from __future__ import annotations

import os

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.oci_artifacts import fetch_artifact
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

from tests.helpers import chart_servers
from tests.helpers.pki import CertificateAuthority

DEPLOY = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: %s\n"


@pytest.fixture
def registry(tmp_path):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as running:
        yield running


def read(tree, path):
    with open(os.path.join(tree, path), encoding="utf-8") as handle:
        return handle.read()


def test_tag_then_digest_then_offline_from_the_cache(tmp_path, registry):
    v1 = chart_servers.push_artifact(registry, "team/manifests", "v1", {"app/cm.yaml": DEPLOY % "one"})
    v2 = chart_servers.push_artifact(registry, "team/manifests", "v2", {"app/cm.yaml": DEPLOY % "two"})
    cache = str(tmp_path / "cache")
    url = "oci://%s/team/manifests" % registry.host
    by_tag = fetch_artifact(url, "v1", cache)
    assert by_tag.digest == v1 and "level: one" in read(by_tag.tree, "app/cm.yaml")
    by_digest = fetch_artifact(url, v2, cache)
    assert by_digest.digest == v2 and "level: two" in read(by_digest.tree, "app/cm.yaml")
    registry.__exit__()
    offline = fetch_artifact(url, v2, cache)  # a digest already cached needs no registry
    assert "level: two" in read(offline.tree, "app/cm.yaml")
    with pytest.raises(SourceError, match="not reachable"):
        fetch_artifact(url, "v1", cache)  # a tag may move: always asked


def test_a_corrupted_blob_is_fetched_again(tmp_path, registry):
    digest = chart_servers.push_artifact(registry, "manifests", "latest", {"cm.yaml": DEPLOY % "one"})
    cache = str(tmp_path / "cache")
    url = "oci://%s/manifests" % registry.host
    fetch_artifact(url, "", cache)
    blobs = [os.path.join(d, f) for d, _s, fs in os.walk(cache) for f in fs if os.path.basename(d) == "blobs"]
    assert len(blobs) == 1
    with open(blobs[0], "wb") as handle:
        handle.write(b"garbage")
    again = fetch_artifact(url, digest, cache)
    assert "level: one" in read(again.tree, "cm.yaml")


def test_an_artifact_needs_exactly_one_content_layer(tmp_path, registry):
    chart_servers.push_artifact(registry, "manifests", "two", {"cm.yaml": "x"}, extra_layers=[("application/vnd.oci.image.layer.v1.tar+gzip", b"\x1f\x8b")])
    with pytest.raises(SourceError, match="one content layer"):
        fetch_artifact("oci://%s/manifests" % registry.host, "two", str(tmp_path / "cache"))


@pytest.mark.parametrize("ref", ["--output=/etc", "sha256:abc", "v1/../x", "a b"])
def test_bad_references_are_refused(tmp_path, ref):
    with pytest.raises(SourceError, match="not an OCI tag or sha256 digest"):
        fetch_artifact("oci://127.0.0.1:1/x", ref, str(tmp_path / "cache"))


def test_a_missing_tag_names_the_registry(tmp_path, registry):
    with pytest.raises(SourceError, match="404"):
        fetch_artifact("oci://%s/nothing" % registry.host, "v9", str(tmp_path / "cache"))


def test_tls_registry_with_a_private_ca_client_certificate_and_insecure(tmp_path):
    """An artifact registry over HTTPS (Flux's certSecretRef: ca.crt, tls.crt, tls.key)
    takes the credential's ca_cert, client certificate and insecure, as a chart's does."""
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    ca, other = CertificateAuthority(), CertificateAuthority("another CA")
    client = ca.issue("gitops-agent")
    with chart_servers.OCIRegistry(str(tmp_path / "registry"), tls=(ca.issue("127.0.0.1", server=True), ca.pem)) as registry:
        digest = chart_servers.push_artifact(registry, "secure/manifests", "v1", {"cm.yaml": DEPLOY % "tls"})
        url = "oci://%s/secure/manifests" % registry.host

        def fetch(cache, **credential):
            return fetch_artifact(url, "v1", str(tmp_path / cache), credentials=repo_urls.Credentials.from_entries([(url, credential)]))

        with pytest.raises(SourceError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch("wrong", ca_cert=other.pem)
        got = fetch("good", ca_cert=ca.pem, tls_client_cert_data=client.cert, tls_client_cert_key=client.key)
        assert got.digest == digest and "level: tls" in read(got.tree, "cm.yaml")
        assert fetch("insecure", insecure=True).digest == digest
