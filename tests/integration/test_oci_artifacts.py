# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Application whose source is an OCI artifact of plain manifests (Flux / Argo CD 3.1
style) in Debian's docker-registry on 127.0.0.1: pinned by tag, then by digest."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers import chart_servers

from .gitops import Runner, application

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: oci-settings\ndata:\n  level: %s\n"
EXTRA = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: oci-extra\ndata:\n  x: y\n"


def test_oci_artifact_by_tag_then_digest_prunes_what_left(tmp_path, kubeconfig, namespace, kubectl):
    if not os.path.exists(chart_servers.REGISTRY):
        pytest.skip("docker-registry not installed (Debian package docker-registry)")
    with chart_servers.OCIRegistry(str(tmp_path / "registry")) as registry:
        chart_servers.push_artifact(registry, "oci-e2e/manifests", "v1", {"deploy/cm.yaml": CM % "one", "deploy/extra.yaml": EXTRA})
        v2 = chart_servers.push_artifact(registry, "oci-e2e/manifests", "v2", {"deploy/cm.yaml": CM % "two"})
        url = "oci://%s/oci-e2e/manifests" % registry.host
        runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"))
        app = application("oci-artifact", namespace, "deploy", namespace, repo_url=url)
        app["spec"]["source"]["targetRevision"] = "v1"
        runner.declare(app)
        first = runner.reconcile(namespace, "oci-artifact")
        assert first.error is None, first.error
        assert first.revision.startswith("sha256:")
        assert sorted(first.changeset.by_action("created")) == ["ConfigMap/%s/oci-extra" % namespace, "ConfigMap/%s/oci-settings" % namespace]
        app["spec"]["source"]["targetRevision"] = v2
        runner.declare(app)
        second = runner.reconcile(namespace, "oci-artifact")
    assert second.error is None, second.error
    assert second.revision == v2
    assert second.changeset.by_action("pruned") == ["ConfigMap/%s/oci-extra" % namespace]
    assert json.loads(kubectl("get", "configmap", "oci-settings", "-n", namespace, "-o", "json"))["data"] == {"level": "two"}
