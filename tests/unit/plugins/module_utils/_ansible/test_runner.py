# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner does a module's whole job over the in-memory cluster: gitops.k8s.app
declares the Application, renders the local checkout and syncs it (check mode writes
nothing), app_info reads what it recorded, drift_info reports without writing, a failed
Application fails the task through GitOpsModule.execute."""

from __future__ import annotations

from collections import Counter

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import runner
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster

NS = "gitops-system"
DEFINITION = {
    "metadata": {"name": "root"},
    "spec": {"source": {"path": "."}, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
}


class CountingCluster(FakeCluster):
    """The fake cluster with KubeCluster's request counter (the runner reports it)."""

    def __init__(self):
        super().__init__()
        self.stats = Counter()
        for name in (NS, "demo"):
            self.apply(self.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


class Failed(Exception):
    pass


class Module(GitOpsModule):
    """A GitOpsModule without argument parsing, over the fake cluster; fail_json raises Failed."""

    def __init__(self, cluster, check_mode=False, **params):  # pylint: disable=super-init-not-called  # no argv to parse
        self._cluster = cluster
        self.check_mode = check_mode
        self._diff = False
        self.params = dict(
            name=None,
            namespace=NS,
            definition=None,
            install_crd=True,
            sync=None,
            prune=None,
            prune_protected=False,
            wait=False,
            wait_timeout=300,
            lock="wait",
            lock_timeout=runner.LOCK_TIMEOUT,
            fail_on_error=True,
            all=False,
            exclude=[],
            deadline=0,
            checkout_dir=None,
            git_cache_dir=None,
            run_id=None,
            allow_local_repos=False,
            git_timeout=runner.GIT_TIMEOUT,
            repo_credentials=[],
            renderer=None,
            kustomize_binary=None,
            helm_binary=None,
            include_inventory=False,
            application=None,
            application_namespace=NS,
            definitions=None,
            src=None,
            inventory=None,
            ignore_differences=[],
            revision=None,
            repo_url=None,
            children=False,
        )
        self.params.update(params)

    def cluster(self):
        return self._cluster

    def require(self, name, import_error):
        assert import_error is None, name

    def fail_json(self, **kwargs):
        raise Failed(kwargs)


def checkout(tmp_path):
    path = tmp_path / "checkout"
    path.mkdir()
    (path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-checkout\ndata:\n  k: v\n", encoding="utf-8")
    return str(path)


def configmap(cluster):
    return cluster.get(cluster.resolve("v1", "ConfigMap"), "demo", "from-checkout")


def test_app_in_check_mode_writes_nothing_and_plans_the_create(tmp_path):
    cluster = CountingCluster()
    cluster.reset_calls()
    result = runner.run_app(Module(cluster, check_mode=True, definition=DEFINITION, checkout_dir=checkout(tmp_path)))
    assert result["changed"] is True and result["created"] == ["ConfigMap/demo/from-checkout"]
    assert cluster.writes() == [] and configmap(cluster) is None


def test_app_declares_syncs_and_app_info_reads_the_status(tmp_path):
    cluster = CountingCluster()
    path = checkout(tmp_path)
    result = runner.run_app(Module(cluster, definition=DEFINITION, checkout_dir=path))
    assert result["application"] == "%s/root" % NS and result["created"] == ["ConfigMap/demo/from-checkout"]
    assert result["revision"] == "local" and "error" not in result and configmap(cluster)["data"] == {"k": "v"}
    again = runner.run_app(Module(cluster, name="root", checkout_dir=path))
    assert again["changed"] is False and again["created"] == [] and again["requests"].get("apply", 0) == 0
    info = runner.run_app_info(Module(cluster, name="root", namespace=None))
    (row,) = info["applications"]
    assert (row["name"], row["namespace"], row["sync_status"], row["resources"]) == ("root", NS, "Synced", 1)
    # drift_info's own ``namespace`` is the objects' default namespace, not where Projects live
    drift = runner.run_drift_info(Module(cluster, application="root", namespace="default", checkout_dir=path))
    assert drift["in_sync"] is True and drift["counts"]["Synced"] == 1


def test_a_failing_application_fails_the_task_with_its_step(tmp_path):
    cluster = CountingCluster()
    cluster.fail_dry_run_on = {"from-checkout"}
    module = Module(cluster, definition=DEFINITION, checkout_dir=checkout(tmp_path))
    with pytest.raises(Failed) as caught:
        module.execute(runner.run_app)  # the task fails the way the module's main() ends it
    (failure,) = caught.value.args
    assert failure["msg"].startswith("%s/root: apply failed: " % NS) and "admission webhook denied the request" in failure["msg"]
    assert configmap(cluster) is None
    assert cluster.get(cluster.resolve("gitops-k8s.dev/v1alpha1", APP_KIND), NS, "root")["status"]["sync"]["status"] == "Unknown"


def test_sync_module_warns_about_sync_options_it_does_not_carry_out(monkeypatch):
    from ansible_collections.gitops.k8s.plugins.module_utils._ansible import results  # pylint: disable=import-outside-toplevel

    warned = []
    monkeypatch.setattr(results, "warn", warned.append)
    cluster = CountingCluster()
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": {"k": "v"},
        "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-options": "Prune=false,ServerSideApply=false"}},
    }
    runner.run_sync(Module(cluster, namespace="demo", definitions=[obj], prune=False, allow_empty=False, force_conflicts=True))
    assert len(warned) == 1 and "UnsupportedFeatureWarning" in warned[0] and "ConfigMap/demo/c" in warned[0] and "server-side" in warned[0]


def test_sync_windows_option_holds_the_sync_and_app_info_shows_why(tmp_path):
    cluster = CountingCluster()
    always = [
        {
            "kind": "deny",
            "schedule": "* * * * *",
            "duration": "1h",
            "timeZone": "UTC",
            "applications": ["root"],
            "namespaces": None,
            "clusters": None,
            "manualSync": False,
            "andOperator": False,
            "description": "freeze",
            "syncOverrun": False,
        }
    ]
    result = runner.run_app(Module(cluster, definition=DEFINITION, checkout_dir=checkout(tmp_path), sync_windows=always))
    assert result["synced"] is False and configmap(cluster) is None and "no window opens" in result["reason"]
    (row,) = runner.run_app_info(Module(cluster, name="root"))["applications"]
    assert row["sync_window"]["opensAt"] == "" and "freeze" in row["sync_window"]["message"] and row["rolled_back"] == {}


def test_a_push_that_does_not_change_the_application_skips_it_before_it_is_declared(tmp_path):
    cluster = CountingCluster()
    definition = {"metadata": {"name": "root"}, "spec": dict(DEFINITION["spec"], source={"path": ".", "repoURL": "https://git.example/org/root.git"})}
    push = {"repo_urls": ["https://git.example/org/other.git"], "branch": "main", "default_branch": "main"}
    result = runner.run_app(Module(cluster, definition=definition, checkout_dir=checkout(tmp_path), push=push))
    assert result == {"changed": False, "skipped": True, "msg": "the push does not change Application/gitops-system/root"}
    assert cluster.list(cluster.resolve(APP_API_VERSION, APP_KIND), NS) == []  # not even declared
