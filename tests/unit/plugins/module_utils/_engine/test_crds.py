# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one wait for a CRD to become Established (Application CRD and CRDs of a sync)."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import crds
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import CRD_API_VERSION, CRD_KIND, CRD_POLL_INTERVAL

from .fake_cluster import FakeClock, FakeCluster

NAME = "widgets.example.test"


def crd(established):
    return {
        "apiVersion": CRD_API_VERSION,
        "kind": CRD_KIND,
        "metadata": {"name": NAME},
        "status": {"conditions": [{"type": "Established", "status": "True" if established else "False"}]},
    }


def store(cluster, obj):
    rtype = cluster.resolve(CRD_API_VERSION, CRD_KIND)
    cluster.objects[cluster.key(rtype, None, NAME)] = obj


class EstablishedAfter(FakeClock):
    """A clock whose sleeps let the API server establish the CRD after ``polls`` looks."""

    def __init__(self, cluster, polls):
        super().__init__()
        self.cluster, self.polls = cluster, polls

    def sleep(self, seconds):
        super().sleep(seconds)
        self.polls -= 1
        if self.polls == 0:
            store(self.cluster, crd(True))


def test_established_crd_refreshes_discovery_at_once():
    cluster, clock = FakeCluster(), FakeClock()
    store(cluster, crd(True))
    assert crds.wait_established(cluster, clock, NAME, 10) is True
    assert clock.t == 1000.0 and cluster.calls[-1] == ("refresh",)


def test_waits_until_established():
    cluster = FakeCluster()
    store(cluster, crd(False))
    clock = EstablishedAfter(cluster, 3)
    assert crds.wait_established(cluster, clock, NAME, 10) is True
    assert clock.t == 1000.0 + 3 * CRD_POLL_INTERVAL
    assert cluster.calls[-1] == ("refresh",)


def test_missing_or_unestablished_crd_times_out_without_refresh():
    for obj in (None, crd(False)):
        cluster, clock = FakeCluster(), FakeClock()
        if obj is not None:
            store(cluster, obj)
        assert crds.wait_established(cluster, clock, NAME, 2) is False
        assert 1002.0 <= clock.t <= 1002.0 + CRD_POLL_INTERVAL
        assert ("refresh",) not in cluster.calls
