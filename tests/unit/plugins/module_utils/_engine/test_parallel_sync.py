# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dry-runs and writes side by side (workers > 1): the order between kind groups, waves and
phases is kept, every object is validated before the first write, every failure is named."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import phases, plan, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_SYNC_WAVE, CREATED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions

from .fake_cluster import FakeClock, FakeCluster
from .test_plan_sync import CRD, OWNER, WIDGET, cm, manifests, ns

WORKERS = 4


class TimedCluster(FakeCluster):
    """A FakeCluster that records, for every write, when it started and ended (a counter,
    not a clock: robust under load), and how many writes were in flight at most. Writes
    are held briefly so that writes sent side by side really overlap."""

    def __init__(self):
        super().__init__()
        self._guard = threading.Lock()
        self._tick = 0
        self.spans = []  # (kind, name, start tick, end tick)
        self.in_flight = self.peak = 0

    def _next(self):
        self._tick += 1
        return self._tick

    def apply(self, rtype, obj, dry_run=False, force=False):
        if dry_run:
            with self._guard:
                return super().apply(rtype, obj, dry_run=True, force=force)
        with self._guard:
            start = self._next()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        threading.Event().wait(0.01)  # let the other workers start theirs
        with self._guard:
            try:
                return super().apply(rtype, obj, dry_run=False, force=force)
            finally:
                self.in_flight -= 1
                self.spans.append((rtype.kind, obj["metadata"]["name"], start, self._next()))


@pytest.fixture
def cluster():
    c = TimedCluster()
    c.apply(c.resolve("v1", "Namespace"), ns("demo"))
    c.reset_calls()
    c.spans = []
    c.peak = 0
    return c


def execute(cluster, objs, workers=WORKERS, **opts):
    options = SyncOptions(namespace="demo", tracking=OWNER, workers=workers, **opts)
    p = plan.build_plan(cluster, manifests(*objs), (), options)
    return sync.execute(cluster, p, options, FakeClock())


def waved(obj, wave):
    obj = dict(obj, metadata=dict(obj["metadata"], annotations={ANN_SYNC_WAVE: str(wave)}))
    return obj


def test_kind_groups_cut_a_step_at_each_kind_and_wave():
    options = SyncOptions(namespace="demo", tracking=OWNER)
    items = plan.prepare(FakeCluster(), manifests(cm("b"), ns("x"), cm("a"), waved(cm("z"), 1), {**cm("s"), "kind": "Secret"}), options)
    groups = [[str(i.entry) for i in group] for group in phases.kind_groups(items)]
    assert groups == [["Namespace/x"], ["Secret/demo/s"], ["ConfigMap/demo/a", "ConfigMap/demo/b"], ["ConfigMap/demo/z"]]


def test_objects_of_one_kind_are_written_side_by_side(cluster):
    result = execute(cluster, [cm("c%02d" % i) for i in range(12)])
    assert result.error is None
    assert result.changeset.summary()[CREATED] == 12
    assert cluster.peak > 1
    assert cluster.peak <= WORKERS


def test_one_worker_writes_one_at_a_time(cluster):
    result = execute(cluster, [cm("c%02d" % i) for i in range(6)], workers=1)
    assert result.error is None and cluster.peak == 1
    assert [s[1] for s in cluster.spans] == ["c%02d" % i for i in range(6)]


def test_a_kind_group_is_done_before_the_next_starts(cluster):
    """Namespaces, then CRDs, then each kind, then the next wave: no write of a later group
    starts before every write of the earlier one has ended."""
    objs = [ns("n%d" % i) for i in range(3)] + [CRD] + [cm("c%d" % i) for i in range(5)]
    objs += [{**cm("s%d" % i), "kind": "Secret"} for i in range(5)] + [WIDGET] + [waved(cm("late%d" % i), 1) for i in range(4)]
    result = execute(cluster, objs)
    assert result.error is None, result.error
    order = ["Namespace", "CustomResourceDefinition", "Secret", "ConfigMap", "Widget", "late"]

    def group(span):
        return "late" if span[1].startswith("late") else span[0]

    for earlier, later in zip(order, order[1:]):
        ends = max(s[3] for s in cluster.spans if group(s) == earlier)
        starts = min(s[2] for s in cluster.spans if group(s) == later)
        assert ends < starts, (earlier, later)
    # the change set keeps the plan's order, whatever order the workers finished in
    assert [e.subject for e in result.changeset.entries][:3] == ["Namespace/n0", "Namespace/n1", "Namespace/n2"]
    assert [e.subject for e in result.changeset.entries if e.subject.startswith("ConfigMap/demo/c")] == ["ConfigMap/demo/c%d" % i for i in range(5)]


def test_every_invalid_object_is_named_and_nothing_is_written(cluster):
    cluster.fail_dry_run_on.update({"c03", "c07"})
    with pytest.raises(ApplyError) as info:
        execute(cluster, [ns("other")] + [cm("c%02d" % i) for i in range(10)])
    assert cluster.writes() == []
    assert "ConfigMap/demo/c03: dry-run apply failed" in str(info.value)
    assert "ConfigMap/demo/c07: dry-run apply failed" in str(info.value)
    assert "(2 objects failed)" in str(info.value)


def test_failed_writes_are_all_reported_and_stop_the_sync(cluster):
    cluster.fail_apply_on.update({"c01", "c02"})
    objs = [cm("c%02d" % i) for i in range(4)] + [waved(cm("late"), 1)]
    result = execute(cluster, objs, prune=True)
    assert isinstance(result.error, ApplyError)
    failed = [name for name in ("c01", "c02") if "ConfigMap/demo/%s" % name in str(result.error)]
    assert failed  # each failed write that was sent is named
    assert ("apply", "ConfigMap", "demo", "late") not in cluster.calls  # the next wave never starts
    written = set(e.name for e in result.inventory)
    # every write that went through is in the inventory (the object exists now)
    assert written == set(s[1] for s in cluster.spans if s[1] not in ("c01", "c02"))
