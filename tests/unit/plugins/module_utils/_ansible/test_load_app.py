# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""load_app against the in-memory cluster: the CRD installed and the Application declared
for real, check mode writing nothing (and still saying what would change), an unknown
Application or a missing CRD failing with the error the task prints."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, GitOpsError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

NS = "gitops-system"
DEFINITION = {"spec": {"source": {"path": "apps"}, "destination": {"namespace": "demo"}}}


class Module:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode


def cluster_of(crd=True, namespace=True):
    cluster = FakeCluster()
    if not crd:
        del cluster.types[(APP_API_VERSION, APP_KIND)]
    if namespace:
        cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    cluster.reset_calls()
    return cluster


def load(cluster, check_mode=False, **kwargs):
    store = AppStore(cluster, FakeClock())
    return app_wiring.load_app(Module(check_mode), store, kwargs.pop("name", "root"), kwargs.pop("namespace", NS), **kwargs)


def test_install_crd_installs_it_and_declares_the_definition_once():
    cluster = cluster_of(crd=False, namespace=False)
    app, changed = load(cluster, definition=DEFINITION, install_crd=True)
    assert changed is True and app["metadata"]["uid"] and app["metadata"]["name"] == "root"
    assert cluster.get(cluster.resolve("v1", "Namespace"), None, NS) is not None
    cluster.reset_calls()
    again, changed = load(cluster, definition=DEFINITION, install_crd=True)
    assert changed is False and again["metadata"]["uid"] == app["metadata"]["uid"] and cluster.writes() == []


@pytest.mark.parametrize("crd, namespace", [(False, False), (True, False), (True, True)])
def test_check_mode_writes_nothing_and_reports_the_declaration(crd, namespace):
    cluster = cluster_of(crd=crd, namespace=namespace)
    app, changed = load(cluster, check_mode=True, definition=DEFINITION, install_crd=True)
    assert changed is True and (app["metadata"]["name"], app["metadata"]["namespace"]) == ("root", NS)
    assert [c for c in cluster.calls if c[0] in ("apply", "create", "replace", "patch", "delete")] == []
    assert app["spec"]["source"]["path"] == "apps"


def test_check_mode_with_the_application_unchanged_reports_no_change():
    cluster = cluster_of()
    load(cluster, definition=DEFINITION)
    cluster.reset_calls()
    _app, changed = load(cluster, check_mode=True, definition=DEFINITION, install_crd=True)
    assert changed is False and cluster.writes() == []


@pytest.mark.parametrize("check_mode, definition", [(False, DEFINITION), (False, None), (True, None)])
def test_without_the_crd_it_says_how_to_install_it(check_mode, definition):
    with pytest.raises(ClusterError, match="the Application CRD is not installed"):
        load(cluster_of(crd=False), check_mode=check_mode, definition=definition)


def test_an_unknown_application_is_named():
    with pytest.raises(GitOpsError, match="Application not found") as caught:
        load(cluster_of(), name="nope")
    assert caught.value.subject == "%s/%s/nope" % (APP_KIND, NS)


def test_an_existing_application_is_read_by_name():
    cluster = cluster_of()
    declared, _changed = load(cluster, definition=DEFINITION)
    app, changed = load(cluster)
    assert changed is False and app["metadata"]["uid"] == declared["metadata"]["uid"]
