# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan is a value: executing it never changes it. What a sync learns on the way (the
type of a kind whose CRD it just created, a kind served only by the time its object's
turn came) is in the executed plan of its SyncResult, and that is what the inventory
records."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory, plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CREATED, HEALTHY, PRUNED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

from .fake_cluster import FakeClock, FakeCluster, World

OWNER = "gitops-system/shop"
SKIP_DRY_RUN = {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"}
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "certificates.cert-manager.io"},
    "spec": {
        "group": "cert-manager.io",
        "scope": "Namespaced",
        "names": {"kind": "Certificate", "plural": "certificates", "singular": "certificate"},
        "versions": [{"name": "v1", "served": True, "storage": True}],
    },
}
CERTIFICATE = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "Certificate",
    "metadata": {"name": "shop-tls"},
    "spec": {"secretName": "shop-tls", "dnsNames": ["shop.example.com"], "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
}
# installed by an operator (not this Application) before the issuer's turn comes
CLUSTER_ISSUER = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "ClusterIssuer",
    "metadata": {"name": "letsencrypt", "annotations": dict(SKIP_DRY_RUN)},
    "spec": {"acme": {"server": "https://acme.example.com/directory", "privateKeySecretRef": {"name": "letsencrypt"}}},
}
ISSUER_TYPE = ResourceType("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", False)


def config_map(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"LOG_LEVEL": "info"}}


def options(**opts):
    return SyncOptions(namespace="shop", tracking=OWNER, prune=True, **opts)


def build(cluster, objs, previous=()):
    return plan.build_plan(cluster, [Manifest(copy.deepcopy(o), "shop/%d.yaml" % i) for i, o in enumerate(objs)], previous, options())


@pytest.fixture
def cluster():
    c = FakeCluster()
    c.apply(c.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    return c


def test_plan_items_and_the_plan_are_frozen(cluster):
    p = build(cluster, [config_map("shop-config")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.items[0].action = PRUNED
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.items = ()
    with pytest.raises((TypeError, AttributeError)):
        p.items.append(p.items[0])  # a tuple, not a list


def test_a_plan_is_unchanged_after_execute(cluster):
    first = sync.execute(cluster, build(cluster, [config_map("old-config")]), options(), FakeClock())
    p = build(cluster, [CRD, CERTIFICATE, config_map("shop-config")], previous=first.inventory)
    assert [i.pending_crd for i in p.items if i.entry.kind == "Certificate"] == [True]
    assert [i.action for i in p.extra] == [PRUNED]
    before = copy.deepcopy(p)
    result = sync.execute(cluster, p, options(), FakeClock())
    assert result.error is None
    assert p == before
    executed = [i for i in result.plan.items if i.entry.kind == "Certificate"][0]
    assert not executed.pending_crd and executed.rtype == cluster.resolve("cert-manager.io/v1", "Certificate")


def test_a_kind_resolved_cluster_scoped_when_its_turn_comes_is_what_the_inventory_records(cluster):
    p = build(cluster, [config_map("shop-config"), CLUSTER_ISSUER])
    planned = [i for i in p.items if i.entry.kind == "ClusterIssuer"][0]
    assert planned.kind_missing and str(planned.entry) == "ClusterIssuer/shop/letsencrypt"  # taken for namespaced
    before = copy.deepcopy(p)
    cluster.types[("cert-manager.io/v1", "ClusterIssuer")] = ISSUER_TYPE  # the operator installed its CRD meanwhile
    result = sync.execute(cluster, p, options(), FakeClock())
    assert result.error is None
    assert p == before  # the plan still says what was planned
    assert "namespace" in planned.desired["metadata"]
    assert "ClusterIssuer/letsencrypt" in [str(e) for e in result.inventory]
    assert "ClusterIssuer/shop/letsencrypt" not in [str(e) for e in result.inventory]
    assert cluster.get(ISSUER_TYPE, None, "letsencrypt")["metadata"].get("namespace") is None
    resolved = [i for i in result.plan.items if i.entry.kind == "ClusterIssuer"][0]
    assert str(resolved.entry) == "ClusterIssuer/letsencrypt" and resolved.rtype == ISSUER_TYPE and not resolved.kind_missing
    assert [e.subject for e in result.changeset.entries if e.action == CREATED] == ["ConfigMap/shop/shop-config", "ClusterIssuer/letsencrypt"]
    # health is read from the executed plan, under the id the object really has
    assert dict((str(s), h.status) for s, h in sync.assess(result.plan, result.live))["ClusterIssuer/letsencrypt"] == HEALTHY
    assert inventory.entry_of(cluster.get(ISSUER_TYPE, None, "letsencrypt")) in result.inventory


def test_a_report_only_execute_returns_the_plan_it_was_given(cluster):
    p = build(cluster, [config_map("shop-config")])
    result = sync.execute(cluster, p, options(dry_run=True), FakeClock())
    assert result.plan is p


def test_the_application_status_records_the_kind_as_resolved_when_its_turn_came():
    """reconcile() end to end: the cert-manager operator's CRD is served only once discovery
    is refreshed at the issuer's turn; the status inventory names the ClusterIssuer without
    the namespace it was planned with, and its health is read under that id."""
    world = World()
    world.objects = [config_map("shop-config"), CLUSTER_ISSUER]
    served = world.cluster.refresh_discovery

    def refresh_discovery():
        world.cluster.types[("cert-manager.io/v1", "ClusterIssuer")] = ISSUER_TYPE
        return served()

    world.cluster.refresh_discovery = refresh_discovery
    app = {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "shop", "namespace": "gitops-system"},
        "spec": {"source": {"path": "shop"}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": True}}},
    }
    outcome = world.run(app)
    assert outcome.error is None and outcome.synced
    recorded = [str(e) for e in inventory.from_status(outcome.status["inventory"])]
    assert "ClusterIssuer/letsencrypt" in recorded and "ClusterIssuer/demo/letsencrypt" not in recorded
    assert outcome.health.status == HEALTHY
