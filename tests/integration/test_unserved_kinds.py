"""A kind the API server does not serve, asked for again and again (KubeCluster.resolve).

Every plan of a CreateNamespace=true Application asks whether OpenShift's ProjectRequest is
served; each miss made the kubernetes client discover every API group again and rewrite its
cache file, under the discovery lock the other Applications' threads wait on. A miss is now
kept for a moment, and forgotten as soon as this client writes a CRD: a kind the run itself
makes served resolves at once. Real API server, real client; discovery is counted by
wrapping the client's own lookup (it still talks to the server).
"""

from __future__ import annotations

import time
import uuid

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import UnknownKindError

DEADLINE = 120  # seconds: generous, the machine may be loaded


def counted_lookups(cluster):
    """The number of discovery lookups ``cluster`` sends from now on (a list of one count)."""
    count = [0]
    lookup = cluster.dynamic.resources.get

    def get(**kwargs):
        count[0] += 1
        return lookup(**kwargs)

    cluster.dynamic.resources.get = get
    return count


def test_an_unserved_kind_is_not_discovered_again_by_every_ask(kubeconfig):
    cluster = KubeCluster(kubeconfig=kubeconfig)
    lookups = counted_lookups(cluster)
    kind = "Nothing%s" % uuid.uuid4().hex[:8]
    for _ask in range(5):
        with pytest.raises(UnknownKindError, match="kind %s of apiVersion none.example.test/v1 is not served" % kind):
            cluster.resolve("none.example.test/v1", kind)
    assert lookups[0] == 1
    cluster.refresh_discovery()  # what a wait for a CRD does: the next ask looks again
    with pytest.raises(UnknownKindError):
        cluster.resolve("none.example.test/v1", kind)
    assert lookups[0] == 2


def crd(group):
    schema = {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets." + group},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }


def test_a_crd_written_by_the_client_makes_its_kind_resolve_at_once(kubeconfig, crd_group):
    """Not served, then its CRD applied by this client (another Application of the run):
    once Established the kind resolves, without waiting for the miss to expire and without
    a refresh_discovery."""
    cluster = KubeCluster(kubeconfig=kubeconfig)
    with pytest.raises(UnknownKindError):
        cluster.resolve(crd_group + "/v1", "Gadget")
    crd_type = cluster.resolve("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    cluster.apply(crd_type, crd(crd_group), force=True)
    ends = time.monotonic() + DEADLINE
    while True:
        live = cluster.get(crd_type, None, "gadgets." + crd_group) or {}
        conditions = (live.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            break
        assert time.monotonic() < ends, "CRD gadgets.%s not Established" % crd_group
        time.sleep(0.2)
    rtype = cluster.resolve(crd_group + "/v1", "Gadget")  # the client's discovery lazily finds the new group
    assert (rtype.group, rtype.kind, rtype.plural, rtype.namespaced) == (crd_group, "Gadget", "gadgets", True)
