# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gitops.k8s.app all=true (run_all) over the in-memory cluster: one Application's failure
does not stop the others; the run deadline leaves the late ones out, and caps a wait."""

from __future__ import annotations

import gc
import weakref
from collections import Counter

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import request_tally
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, GitOpsError
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import module, runner

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster, World

NS = "demo"
TIMED_OUT = "the API server did not answer within 30 s (apply ConfigMap/demo/cm-b)"


class CountingCluster(FakeCluster):
    """The fake cluster with KubeCluster's request counter; list fails after ``list_ok`` calls."""

    def __init__(self):
        super().__init__()
        self.stats = Counter()
        self.list_ok = None

    def list(self, rtype, namespace=None):
        if rtype.kind == APP_KIND and self.list_ok is not None:
            if self.list_ok == 0:
                raise ClusterError("not sent (list Application in namespace demo): the API server stopped answering")
            self.list_ok -= 1
        return super().list(rtype, namespace)


class Module:
    def __init__(self, **params):
        self.params = dict(namespace=NS, exclude=[], fail_on_error=True, deadline=0, sync=None, prune=None, prune_protected=False, wait=False, wait_timeout=300)
        self.params.update(params)
        self._diff = False
        self.check_mode = False


def world_with(*names):
    """Applications NAMES in namespace demo, each rendering ConfigMap cm-<name> (path <name>)."""
    world = World()
    world.cluster = CountingCluster()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    for name in names:
        world.paths[name] = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-" + name}, "data": {"k": "v"}}]
        world.cluster.apply(
            world.app_type,
            {
                "apiVersion": APP_API_VERSION,
                "kind": APP_KIND,
                "metadata": {"name": name, "namespace": NS},
                "spec": {"source": {"path": name}, "destination": {"namespace": NS}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
            },
        )
    return world


def run_all(world, **params):
    """The task's result: what run_all returns, or, when it fails, what fail_json gets."""
    ports = world.ports()
    try:
        result = runner.run_all(Module(**params), world.cluster, AppStore(world.cluster, ports.clock), ports)
    except GitOpsError as exc:
        result = dict(module.failure(exc), failed=True)
    return result, ports.clock


def rows_by_name(result):
    return dict((r["application"].split("/")[1], r) for r in result["applications"])


@pytest.mark.parametrize("app_workers", [1, 3])
def test_an_application_whose_request_timed_out_does_not_stop_the_others(app_workers):
    world = world_with("a", "b", "c")
    world.cluster.fail_apply_on = {"cm-b"}
    world.cluster.failure_message = TIMED_OUT
    result, _clock = run_all(world, app_workers=app_workers)
    rows = rows_by_name(result)
    assert [r["application"] for r in result["applications"]] == ["demo/a", "demo/b", "demo/c"]
    assert rows["a"]["created"] == ["ConfigMap/demo/cm-a"] and rows["c"]["created"] == ["ConfigMap/demo/cm-c"]
    assert rows["b"]["error_step"] == "apply" and TIMED_OUT in rows["b"]["error"]
    assert result["failed"] is True and result["msg"].startswith("demo/b: apply failed: ") and "demo/a" not in result["msg"]


@pytest.mark.parametrize("app_workers", [1, 3])
def test_an_application_whose_status_cannot_be_recorded_does_not_stop_the_others(app_workers):
    """Recording the status is the last request of a reconcile; its failure used to end the run."""
    world = world_with("a", "b", "c")
    write_status = world.write_status

    def failing_for_b(app, status):
        if app["metadata"]["name"] == "b":
            raise ClusterError(
                "cannot record status: " + TIMED_OUT.replace("apply ConfigMap/demo/cm-b", "patch Application/demo/b"), subject="Application/demo/b"
            )
        write_status(app, status)

    world.write_status = failing_for_b
    result, _clock = run_all(world, app_workers=app_workers)
    rows = rows_by_name(result)
    assert [r["application"] for r in result["applications"]] == ["demo/a", "demo/b", "demo/c"]
    assert rows["c"]["created"] == ["ConfigMap/demo/cm-c"] and rows["c"].get("error") is None
    assert (
        rows["b"]["error"] == ("Application/demo/b: cannot record status: the API server did not answer within 30 s (patch Application/demo/b)")
        and rows["b"]["error_step"] == "cluster"
    )
    assert result["failed"] is True and result["msg"].startswith("demo/b: cluster failed: Application/demo/b: cannot record status")


def test_applications_not_started_by_the_deadline_are_not_reconciled():
    world = world_with("a-slow", "b", "c")
    # a Deployment nobody runs never becomes healthy: the wait of a-slow lasts until the deadline
    world.paths["a-slow"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "never-ready"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "x"}},
                "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
            },
        }
    ]
    result, clock = run_all(world, deadline=30, wait=True, wait_timeout=300)
    rows = rows_by_name(result)
    assert 30 <= clock.now() - 1000.0 < 32  # the wait ended with the run (not after wait_timeout=300)
    assert rows["a-slow"]["created"] == ["Deployment/demo/never-ready"] and "error" not in rows["a-slow"]
    for late in ("b", "c"):
        assert rows[late]["error"] == "not reconciled: the run deadline of 30 s passed"
        assert rows[late]["reason"] == rows[late]["error"] and rows[late]["sync_status"] == "Unknown"
        assert rows[late]["created"] == [] and rows[late]["synced"] is False
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), NS, "cm-b") is None  # b was not touched
    assert result["failed"] is True
    assert result["msg"] == ("demo/b: not reconciled: the run deadline of 30 s passed; demo/c: not reconciled: the run deadline of 30 s passed")


def test_without_fail_on_error_late_applications_are_reported_in_their_rows():
    world = world_with("a-slow", "b")
    world.paths["a-slow"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "never-ready"},
            "spec": {
                "selector": {"matchLabels": {"app": "x"}},
                "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
            },
        }
    ]
    result, _clock = run_all(world, deadline=5, wait=True, fail_on_error=False)
    assert "failed" not in result
    assert [r.get("error") for r in result["applications"]] == [None, "not reconciled: the run deadline of 5 s passed"]


def wave(world, name, number):
    app_type = world.app_type
    live = world.cluster.get(app_type, NS, name)
    live["metadata"]["annotations"] = {"gitops-k8s.dev/sync-wave": str(number)}
    world.cluster.apply(app_type, live)


def test_side_by_side_applications_keep_the_waves_in_order_and_rows_by_name():
    names = ["w1-b", "w1-a", "w0-c", "w0-b", "w0-a", "crd-wave"]
    world = world_with(*names)
    for name in names:
        wave(world, name, -1 if name == "crd-wave" else int(name[1]))
    order = []
    write_status = world.write_status

    def recording(app, status):
        order.append(app["metadata"]["name"])
        write_status(app, status)

    world.write_status = recording
    result, _clock = run_all(world, app_workers=3)
    assert [r["application"] for r in result["applications"]] == ["demo/" + n for n in ("crd-wave", "w0-a", "w0-b", "w0-c", "w1-a", "w1-b")]
    assert order[0] == "crd-wave" and sorted(order[1:4]) == ["w0-a", "w0-b", "w0-c"] and sorted(order[4:]) == ["w1-a", "w1-b"]
    assert all(r["created"] == ["ConfigMap/demo/cm-" + r["application"][5:]] for r in result["applications"])


def test_each_row_counts_its_own_requests_beside_the_others():
    class Tallied(CountingCluster):
        def apply(self, rtype, obj, dry_run=False, force=False):
            request_tally.add("apply")
            return super().apply(rtype, obj, dry_run=dry_run, force=force)

    world = world_with()
    world.cluster = Tallied()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    for name in ("a", "b", "c", "d"):
        world.paths[name] = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-%s-%d" % (name, i)}} for i in range("abcd".index(name) + 1)]
        world.cluster.apply(
            world.app_type,
            {
                "apiVersion": APP_API_VERSION,
                "kind": APP_KIND,
                "metadata": {"name": name, "namespace": NS},
                "spec": {"source": {"path": name}, "destination": {"namespace": NS}, "syncPolicy": {"automated": {}}},
            },
        )
    result, _clock = run_all(world, app_workers=4)
    applies = [r["requests"].get("apply") for r in result["applications"]]
    assert [len(r["created"]) for r in result["applications"]] == [1, 2, 3, 4]
    assert applies[1] - applies[0] == applies[2] - applies[1] == applies[3] - applies[2] > 0  # one object more each, not the others'


def test_a_listing_that_fails_after_some_applications_ran_keeps_their_results():
    world = world_with("a", "b")
    world.cluster.list_ok = 1  # the first pass lists; the second (nested Applications) fails
    result, _clock = run_all(world)
    assert [r["application"] for r in result["applications"]] == ["demo/a", "demo/b"]
    assert result["failed"] is True
    assert result["msg"].startswith("cannot list the Applications created meanwhile: not sent (list Application")


def _app(name, path):
    return {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": {"path": path}, "destination": {"namespace": NS}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
    }


def app_of_apps():
    """root -> mid -> leaf (a ConfigMap): only the root exists before the run."""
    world = world_with("root")
    world.paths["root"] = [_app("mid", "mid")]
    world.paths["mid"] = [_app("leaf", "leaf")]
    world.paths["leaf"] = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-leaf"}, "data": {"k": "v"}}]
    return world


def statuses(world):
    return dict((n, AppStore(world.cluster, None).get(NS, n)["status"]) for n in ("root", "mid", "leaf"))


def test_parents_reconciled_before_their_children_are_evaluated_again():
    world = app_of_apps()
    first, _clock = run_all(world)
    rows = rows_by_name(first)
    assert [r["application"] for r in first["applications"]] == ["demo/root", "demo/mid", "demo/leaf"]
    # the rows keep what each reconcile wrote, with the health of the evaluation at the end
    assert rows["root"]["created"] == ["Application/demo/mid"] and rows["mid"]["created"] == ["Application/demo/leaf"]
    assert [rows[n]["health_status"] for n in ("root", "mid", "leaf")] == ["Healthy"] * 3, first
    assert "refreshed" not in first
    written = statuses(world)
    assert [s["health"]["status"] for s in written.values()] == ["Healthy"] * 3
    again, _clock = run_all(world)
    assert not any(r["status_updated"] for r in again["applications"]) and statuses(world) == written, again


def test_an_excluded_root_reconciled_before_is_evaluated_again_and_reported_apart():
    """The reconcile playbook: the root in a task of its own, then all=true without it."""
    world = app_of_apps()
    ports = world.ports()
    store = AppStore(world.cluster, ports.clock)
    runner.reconcile_one(Module(), world.cluster, ports, store.get(NS, "root"))
    assert store.get(NS, "root")["status"]["health"]["status"] == "Progressing"  # mid has no health yet
    first, _clock = run_all(world, exclude=["root"])
    assert [r["application"] for r in first["applications"]] == ["demo/mid", "demo/leaf"]
    assert first["refreshed"]["root"]["health_status"] == "Healthy" and first["refreshed"]["root"]["status_updated"] is True
    written = statuses(world)
    assert [s["health"]["status"] for s in written.values()] == ["Healthy"] * 3
    again, _clock = run_all(world, exclude=["root"])
    assert "refreshed" not in again and not any(r["status_updated"] for r in again["applications"]), again
    assert statuses(world) == written


def test_check_mode_evaluates_nothing_again():
    world = app_of_apps()
    ports = world.ports()
    module_ = Module()
    module_.check_mode = True
    result = runner.run_all(module_, world.cluster, AppStore(world.cluster, ports.clock), ports)
    assert [r["application"] for r in result["applications"]] == ["demo/root"] and "refreshed" not in result


def test_a_push_reconciles_only_the_applications_it_changed():
    world = world_with("a", "b", "c")
    for name, url, revision in (
        ("a", "https://git.example/org/shop.git", "main"),
        ("b", "https://git.example/org/shop", "dev"),
        ("c", "https://git.example/org/other", "main"),
    ):
        app = world.cluster.get(world.app_type, NS, name)
        app["spec"]["source"].update(repoURL=url, targetRevision=revision)
        world.cluster.apply(world.app_type, app)
    result, _clock = run_all(world, push={"repo_urls": ["git@git.example:org/shop.git"], "branch": "main", "default_branch": "main"})
    assert sorted(rows_by_name(result)) == ["a"]
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), NS, "cm-a") is not None
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), NS, "cm-b") is None


def root_params(**params):
    """The reconcile playbook's one task: the root (declared from a definition) and every other Application."""
    definition = {"metadata": {"name": "root"}, "spec": {"source": {"path": "root"}, "destination": {"namespace": NS}}}
    return dict(dict(name="root", definition=definition, install_crd=True), **params)


def test_the_root_of_an_all_run_is_declared_and_reconciled_first_and_reported_apart():
    world = app_of_apps()
    first, _clock = run_all(world, **root_params())
    # the root first (its Application created mid), then the others in the same run, the root not twice
    assert first["root"]["application"] == "demo/root" and first["root"]["created"] == ["Application/demo/mid"]
    assert [r["application"] for r in first["applications"]] == ["demo/mid", "demo/leaf"]
    # evaluated again at the end: its row says Healthy, its status was written, its requests add up
    assert first["root"]["health_status"] == "Healthy" and first["root"]["status_updated"] is True, first["root"]
    assert first["refreshed"]["root"]["health_status"] == "Healthy" and first["changed"] is True
    assert first["requests"] == dict(world.cluster.stats)
    written = statuses(world)
    assert [s["health"]["status"] for s in written.values()] == ["Healthy"] * 3
    again, _clock = run_all(world, **root_params())
    assert again["changed"] is False and again["root"]["status_updated"] is False and "refreshed" not in again, again
    assert statuses(world) == written


def test_a_failed_root_fails_the_task_after_the_others_ran():
    world = world_with("a")
    world.paths["broken"] = [{"apiVersion": "example.test/v1", "kind": "Nope", "metadata": {"name": "x"}}]  # an unknown kind
    params = root_params()
    params["definition"]["spec"]["source"]["path"] = "broken"
    result, _clock = run_all(world, **params)
    assert result["failed"] is True and result["root"]["error_step"], result
    assert "demo/root" in result["msg"] and [r["application"] for r in result["applications"]] == ["demo/a"]
    assert world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), NS, "cm-a") is not None
    kept, _clock = run_all(world, **dict(params, fail_on_error=False))
    assert "failed" not in kept and kept["root"]["error"], kept


def test_a_push_that_does_not_change_the_root_skips_it_and_runs_the_others_it_changed():
    world = world_with("a")
    app = world.cluster.get(world.app_type, NS, "a")
    app["spec"]["source"].update(repoURL="https://git.example/org/shop.git", targetRevision="main")
    world.cluster.apply(world.app_type, app)
    push = {"repo_urls": ["https://git.example/org/shop"], "branch": "main", "default_branch": "main"}
    result, _clock = run_all(world, **root_params(push=push))
    assert result["root"]["skipped"] is True and "Application/demo/root" in result["root"]["msg"], result
    assert world.cluster.get(world.app_type, NS, "root") is None  # not declared either
    assert sorted(rows_by_name(result)) == ["a"]


def status_writes(world):
    return [c for c in world.cluster.calls if c[0] == "apply" and c[1:] == ("ConfigMap", NS, "status")]


def test_the_status_page_is_drawn_and_kept_in_its_configmap_only_when_it_changed():
    world = app_of_apps()
    first, _clock = run_all(world, status_page=True, status_configmap="status", **root_params())
    page = first["status_page"]
    assert all('id="app-demo/%s"' % name in page for name in ("root", "mid", "leaf")), page[:2000]
    kept = world.cluster.get(world.cluster.resolve("v1", "ConfigMap"), NS, "status")
    assert kept["data"]["index.html"] == page and kept["metadata"]["labels"]["app.kubernetes.io/component"] == "status-page"
    assert len(status_writes(world)) == 1 and "status_page_error" not in first
    again, _clock = run_all(world, status_page=False, status_configmap="status", **root_params())
    assert "status_page" not in again and len(status_writes(world)) == 1  # the same page: nothing written


def test_a_status_page_that_cannot_be_kept_is_a_warning_and_the_results_stay(monkeypatch):
    world = world_with("a")
    warned = []
    monkeypatch.setattr(Module, "warn", lambda self, text: warned.append(text), raising=False)

    def refused(*_args, **_kwargs):
        raise ClusterError('configmaps "status" is forbidden')

    monkeypatch.setattr(world.cluster, "get", refused)
    result, _clock = run_all(world, status_configmap="status")
    assert "forbidden" in result["status_page_error"] and warned == [result["status_page_error"]]
    assert "failed" not in result and [r["application"] for r in result["applications"]] == ["demo/a"]


@pytest.mark.parametrize("app_workers", [1, 2])
def test_an_applications_outcome_is_let_go_once_its_row_is_made(app_workers, monkeypatch):
    """A run of many Applications keeps their rows, not their outcomes (rendered and live
    objects, plans, diffs) until the last Application of the wave ended."""
    outcomes, alive = [], []
    reconcile = runner.reconcile

    def kept(app, ports, settings):
        gc.collect()
        alive.append(sum(1 for ref in list(outcomes) if ref() is not None))  # of the Applications before it
        outcome = reconcile(app, ports, settings)
        outcomes.append(weakref.ref(outcome.changeset))
        return outcome

    monkeypatch.setattr(runner, "reconcile", kept)
    world = world_with("a", "b", "c", "d", "e")
    result, _clock = run_all(world, app_workers=app_workers)
    assert [r["created"] for r in result["applications"]] == [["ConfigMap/demo/cm-%s" % n] for n in "abcde"]
    assert len(alive) == 5 and max(alive) <= app_workers - 1, alive  # at most those still running beside it


class SaysWhatItWrote(CountingCluster):
    """The fake cluster with KubeCluster's ``written``: (group, kind) of every kind written."""

    def __init__(self):
        super().__init__()
        self.written = set()

    def apply(self, rtype, obj, dry_run=False, force=False):
        if not dry_run:
            self.written.add((rtype.group, rtype.kind))
        return super().apply(rtype, obj, dry_run=dry_run, force=force)

    def create(self, rtype, obj):
        self.written.add((rtype.group, rtype.kind))
        return super().create(rtype, obj)

    def replace(self, rtype, obj, sub=None):
        self.written.add((rtype.group, rtype.kind))
        return super().replace(rtype, obj, sub=sub)

    def patch_merge(self, rtype, namespace, name, patch, sub=None):
        self.written.add((rtype.group, rtype.kind))
        return super().patch_merge(rtype, namespace, name, patch, sub=sub)


def application_lists(world):
    return [c for c in world.cluster.calls if c[:2] == ("list", APP_KIND)]


def test_a_run_that_wrote_no_application_lists_them_once():
    world = world_with()
    world.cluster = SaysWhatItWrote()
    world.cluster.apply(world.cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    for name in ("a", "b"):
        world.paths[name] = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-" + name}, "data": {"k": "v"}}]
        world.cluster.apply(world.app_type, _app(name, name))
    first, _clock = run_all(world, app_workers=2)
    assert [r["created"] for r in first["applications"]] == [["ConfigMap/demo/cm-a"], ["ConfigMap/demo/cm-b"]]
    world.cluster.written.clear()  # a new run, a new client
    world.cluster.reset_calls()
    noop, _clock = run_all(world, app_workers=2)
    assert world.cluster.writes() == [] and not any(r["changed"] for r in noop["applications"])
    assert len(application_lists(world)) == 1  # no second pass: nothing of the run wrote an Application


def test_applications_written_in_a_pass_are_looked_for_in_another():
    world = app_of_apps()
    cluster = SaysWhatItWrote()
    cluster.objects, cluster.calls = world.cluster.objects, []
    world.cluster = cluster
    result, _clock = run_all(world)
    assert [r["application"] for r in result["applications"]] == ["demo/root", "demo/mid", "demo/leaf"]
    assert len(application_lists(world)) >= 3  # root's pass wrote mid, mid's pass wrote leaf, then one finds none
