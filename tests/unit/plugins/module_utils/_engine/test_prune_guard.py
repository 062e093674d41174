# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deletion budget and protected kinds: when a sync holds its prunes (pure decisions,
then through the plan and sync against the in-memory cluster)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan, prune_guard, sync
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_OUT_OF_SYNC, APP_SYNCED, CREATED, PRUNED, SKIPPED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SafetyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

from .fake_cluster import FakeClock, FakeCluster, World

OWNER = "gitops-system/shop"
ARGO = "argocd.argoproj.io/sync-options"


@pytest.mark.parametrize(
    "count, percent, pruning, total, held",
    [
        (0, 50, 5, 10, False),  # exactly half: allowed
        (0, 50, 6, 10, True),  # more than half: held
        (0, 50, 1, 1, False),  # one object is not a mass prune (a rename in a one-object app)
        (0, 50, 2, 2, True),
        (0, 50, 1, 3, False),
        (0, 100, 10, 10, False),  # percentage off
        (0, 0, 2, 10, True),  # 0%: no mass prune without an explicit allow
        (1, 100, 2, 10, True),  # PruneLimit=1: one object per sync
        (3, 100, 3, 100, False),
        (3, 100, 4, 100, True),  # count budget
        (3, 50, 2, 3, True),  # within the count, over the percentage
        (0, 50, 0, 0, False),  # nothing to prune
    ],
)
def test_over_budget(count, percent, pruning, total, held):
    reason = prune_guard.over_budget(prune_guard.Budget(count, percent), pruning, total)
    assert bool(reason) is held
    if held:
        assert "%d of %d" % (pruning, total) in reason


def test_reason_names_the_limits_and_how_to_allow():
    by_share = prune_guard.over_budget(prune_guard.Budget(0, 50), 8, 10)
    assert "80%" in by_share and "PruneLimitPercent" in by_share and "prune_limit_percent" in by_share
    by_count = prune_guard.over_budget(prune_guard.Budget(2, 100), 8, 10)
    assert "budget of 2" in by_count and "PruneLimit " in by_count and "prune_limit" in by_count


@pytest.mark.parametrize(
    "tokens, settings, expected",
    [
        ((), (None, None), prune_guard.Budget(0, 50)),  # defaults: more than half is held
        ((), (5, 20), prune_guard.Budget(5, 20)),  # module option / playbook var
        (("PruneLimit=7", "PruneLimitPercent=100"), (5, 20), prune_guard.Budget(7, 100)),  # the Application's own
        (("PruneLimitPercent=80",), (5, None), prune_guard.Budget(5, 80)),
    ],
)
def test_budget_precedence(tokens, settings, expected):
    values, warnings = syncopts.app_options(tokens)
    assert warnings == []
    assert prune_guard.budget_of(values, *settings) == expected


@pytest.mark.parametrize("token", ["PruneLimit=-1", "PruneLimit=lots", "PruneLimitPercent=101", "PruneLimitPercent=50%"])
def test_invalid_budget_values_are_warnings(token):
    values, warnings = syncopts.app_options([token])
    assert values == {} and len(warnings) == 1 and "unknown value" in warnings[0]


# -- through the plan and sync ------------------------------------------------------------


def cm(name, notes=None):
    meta = {"name": name}
    if notes:
        meta["annotations"] = dict(notes)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}


def pvc(name, notes=None):
    obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "annotations": dict(notes or {})},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    return obj


@pytest.fixture
def cluster():
    c = FakeCluster()
    c.types[("v1", "PersistentVolumeClaim")] = ResourceType("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True)
    c.apply(c.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    c.reset_calls()
    return c


def run(cluster, objs, previous=(), **opts):
    options = SyncOptions(namespace="shop", tracking=OWNER, prune=True, **opts)
    p = plan.build_plan(cluster, [Manifest(copy.deepcopy(o), "app.yaml:%d" % i) for i, o in enumerate(objs)], previous, options)
    return p, sync.execute(cluster, p, options, FakeClock())


def live(cluster, kind, name):
    return cluster.get(cluster.resolve("v1", kind), "shop", name)


def test_a_commit_removing_most_of_an_app_applies_the_rest_and_holds_every_prune(cluster):
    _p, first = run(cluster, [cm("a"), cm("b"), cm("c"), cm("d")])
    p, second = run(cluster, [cm("a"), cm("new")], previous=first.inventory)
    assert second.changeset.by_action(CREATED) == ["ConfigMap/shop/new"]  # the rest is applied
    assert second.changeset.by_action(PRUNED) == []
    assert all(live(cluster, "ConfigMap", n) is not None for n in "bcd")
    assert p.held_prunes == ("ConfigMap/shop/b", "ConfigMap/shop/c", "ConfigMap/shop/d")
    assert "3 of 4" in p.prune_hold and "ConfigMap/shop/b" in prune_guard.message(p)
    assert second.sync_status == APP_OUT_OF_SYNC
    # nothing held is lost from the inventory: raising the budget prunes it later
    _p, third = run(cluster, [cm("a"), cm("new")], previous=second.inventory, prune_limit_percent=100)
    assert sorted(third.changeset.by_action(PRUNED)) == ["ConfigMap/shop/b", "ConfigMap/shop/c", "ConfigMap/shop/d"]
    assert third.sync_status == APP_SYNCED


def test_within_the_budget_prunes_as_before(cluster):
    _p, first = run(cluster, [cm("a"), cm("b"), cm("c")])
    p, second = run(cluster, [cm("a"), cm("b")], previous=first.inventory)
    assert second.changeset.by_action(PRUNED) == ["ConfigMap/shop/c"] and p.held_prunes == () and prune_guard.message(p) == ""


def test_count_budget(cluster):
    _p, first = run(cluster, [cm(n) for n in "abcdef"])
    p, _second = run(cluster, [cm(n) for n in "abcd"], previous=first.inventory, prune_limit=1)
    assert len(p.held_prunes) == 2 and "PruneLimit" in p.prune_hold


def test_deleting_the_application_is_not_budgeted(cluster):
    _p, first = run(cluster, [cm("a"), cm("b")])
    p, result = run(cluster, [], previous=first.inventory, allow_empty=True, deleting=True)
    assert sorted(result.changeset.by_action(PRUNED)) == ["ConfigMap/shop/a", "ConfigMap/shop/b"] and p.held_prunes == ()


def test_protected_kind_is_held_and_listed_until_allowed(cluster):
    _p, first = run(cluster, [cm("a"), cm("b"), pvc("data")])
    p, second = run(cluster, [cm("a"), cm("b")], previous=first.inventory)
    assert second.changeset.by_action(SKIPPED) == ["PersistentVolumeClaim/shop/data"]
    assert live(cluster, "PersistentVolumeClaim", "data") is not None
    assert "PersistentVolumeClaim/shop/data" in prune_guard.message(p) and "PruneProtected=true" in prune_guard.message(p)
    _p, third = run(cluster, [cm("a"), cm("b")], previous=second.inventory, object_defaults=(("PruneProtected", "true"),))
    assert third.changeset.by_action(PRUNED) == ["PersistentVolumeClaim/shop/data"]


def test_protected_kind_allowed_by_its_own_annotation(cluster):
    _p, first = run(cluster, [cm("a"), cm("b"), pvc("scratch", {ARGO: "PruneProtected=true"}), pvc("data")])
    p, second = run(cluster, [cm("a"), cm("b")], previous=first.inventory)
    assert second.changeset.by_action(PRUNED) == ["PersistentVolumeClaim/shop/scratch"]
    assert "PersistentVolumeClaim/shop/data" in prune_guard.message(p)
    assert "scratch" not in prune_guard.message(p)


def test_empty_render_is_refused_by_its_own_guard_not_held(cluster):
    """An empty render is a SafetyError (nothing written), as before the budget; with
    allowEmpty it prunes everything (the explicit allow)."""
    _p, first = run(cluster, [cm("a"), cm("b"), cm("c")])
    with pytest.raises(SafetyError, match="no objects"):
        run(cluster, [], previous=first.inventory)
    p, allowed = run(cluster, [], previous=first.inventory, allow_empty=True)
    assert len(allowed.changeset.by_action(PRUNED)) == 3 and p.held_prunes == ()


# -- through a reconcile: the condition, the warning, the Application's own budget ----------


def _app(*sync_options):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "shop", "namespace": "gitops-system"},
        "spec": {
            "source": {"path": "shop"},
            "destination": {"namespace": "demo"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": list(sync_options)},
        },
    }


def _conditions(outcome, ctype):
    return [c["message"] for c in outcome.status.get("conditions") or [] if c["type"] == ctype]


def test_reconcile_records_the_held_prunes_and_the_application_budget_wins_over_the_run():
    world, obj = World(), _app()
    world.objects = [cm(n) for n in ("a", "b", "c")]
    assert world.run(obj).error is None
    world.objects, world.revision = [cm("a")], "r2"
    held = world.run(obj, prune_limit_percent=50)
    assert held.error is None and held.changeset.by_action(PRUNED) == []
    [message] = _conditions(held, prune_guard.CONDITION)
    assert "2 of 3 objects (66%)" in message and "ConfigMap/demo/b, ConfigMap/demo/c" in message
    assert [w for w in held.warnings if w.startswith(prune_guard.CONDITION + ": ")] == [prune_guard.CONDITION + ": " + message]
    assert held.status["sync"]["status"] == APP_OUT_OF_SYNC
    obj["spec"]["syncPolicy"]["syncOptions"] = ["PruneLimitPercent=100"]
    allowed = world.run(obj, prune_limit_percent=10)  # the Application's own option wins over the run's
    assert sorted(allowed.changeset.by_action(PRUNED)) == ["ConfigMap/demo/b", "ConfigMap/demo/c"]
    assert _conditions(allowed, prune_guard.CONDITION) == [] and allowed.status["sync"]["status"] == APP_SYNCED


def test_an_invalid_budget_option_is_a_warning_and_the_default_holds():
    world, obj = World(), _app("PruneLimitPercent=all")
    world.objects = [cm(n) for n in ("a", "b", "c")]
    world.run(obj)
    world.objects, world.revision = [cm("a")], "r2"
    outcome = world.run(obj)
    assert outcome.changeset.by_action(PRUNED) == [] and _conditions(outcome, prune_guard.CONDITION)
    assert any("PruneLimitPercent" in m for m in _conditions(outcome, "UnsupportedFeatureWarning"))
