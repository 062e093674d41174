"""Hooks and waves that wait, on the real API server: the real Job controller completes or
fails hook Jobs whose Pods the fake kubelet terminates; Deployments become available
only while the fake kubelet runs."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.helpers import fake_kubelet

from .gitops import GitRepo, Runner, application
from .playbook import ansible_pull

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hooks")


@pytest.fixture
def repo(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(FIXTURES, repo.path, dirs_exist_ok=True)
    repo.commit("shop")
    return repo


@pytest.fixture
def runner(tmp_path, kubeconfig, repo):
    return Runner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))


def jobs(kubectl, namespace):
    return sorted(kubectl("get", "jobs", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split())


def deployments(kubectl, namespace):
    return sorted(kubectl("get", "deploy", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split())


def test_a_failing_presync_hook_leaves_the_live_objects_untouched_and_runs_syncfail(runner, namespace, kube_api, kubectl):
    runner.declare(application("hooks-shop", namespace, "shop", namespace))
    with fake_kubelet.running(kube_api.dynamic, namespace, interval=0.2, jobs=("shop-db-migrate-",)):
        outcome = runner.reconcile(namespace, "hooks-shop", hook_timeout=30, wave_timeout=30)
    assert outcome.error is not None and outcome.error.step == "hook", outcome.error
    assert "PreSync hook failed" in str(outcome.error) and str(outcome.error).startswith("Job/%s/shop-db-migrate-" % namespace)
    assert deployments(kubectl, namespace) == []  # nothing of the Sync phase applied
    assert kubectl.run("get", "configmap", "shop-config", "-n", namespace).returncode != 0
    status = runner.get(namespace, "hooks-shop")["status"]
    assert status["operationState"]["phase"] == "Failed"
    hooks = status["operationState"]["syncResult"]["resources"]
    assert [(h["hookType"], h["hookPhase"]) for h in hooks] == [("PreSync", "Failed"), ("SyncFail", "Succeeded")]
    assert hooks[0]["name"].startswith("shop-db-migrate-") and hooks[0]["name"] != "shop-db-migrate-"
    assert [c["type"] for c in status["conditions"]] == ["SyncError"]
    assert status.get("inventory") in (None, [])


def test_a_successful_sync_runs_phases_waits_for_waves_and_deletes_hook_succeeded(runner, namespace, kube_api, kubectl):
    runner.declare(application("hooks-shop", namespace, "shop", namespace))
    with fake_kubelet.running(kube_api.dynamic, namespace, interval=0.2, jobs=()):
        outcome = runner.reconcile(namespace, "hooks-shop", hook_timeout=30, wave_timeout=30)
    assert outcome.error is None, outcome.error
    assert [(h["hookType"], h["hookPhase"]) for h in outcome.hooks] == [("PreSync", "Succeeded"), ("PostSync", "Succeeded")]
    assert deployments(kubectl, namespace) == ["shop-db", "shop-web"]
    assert jobs(kubectl, namespace) == []  # both HookSucceeded: deleted after success
    status = runner.get(namespace, "hooks-shop")["status"]
    assert status["sync"]["status"] == "Synced"
    assert sorted(e["name"] for e in status["inventory"]) == ["shop-config", "shop-db", "shop-web"]  # hooks are not inventory
    # the next reconcile finds nothing to do: a missing hook Job is not drift, and no hook runs again
    again = runner.reconcile(namespace, "hooks-shop", hook_timeout=30, wave_timeout=30)
    assert again.error is None and again.sync_status == "Synced" and again.hooks == [] and not again.changeset.changed


def test_an_unhealthy_wave_stops_the_sync_after_wave_timeout(runner, namespace, kubectl):
    runner.declare(application("hooks-shop", namespace, "shop", namespace))
    # no kubelet: the PreSync Job never finishes, so drop the hooks from this Application's path
    for name in ("hook-migrate.yaml", "hook-smoke.yaml", "hook-notify.yaml"):
        os.remove(os.path.join(runner.checkout_dir, "shop", name))
    outcome = runner.reconcile(namespace, "hooks-shop", wave_timeout=3)
    assert outcome.error is not None and outcome.error.step == "health"
    assert "not healthy after 3s (wave_timeout) before wave 1: Deployment/%s/shop-db" % namespace in str(outcome.error)
    assert deployments(kubectl, namespace) == ["shop-db"]  # wave 1 never applied


def test_ansible_pull_runs_helm_hooks_as_argocd_does(tmp_path, kubeconfig, kube_api, kubectl, namespace):
    apps_ns = namespace
    dest = namespace + "-app"
    repo = GitRepo(tmp_path / "origin")
    shutil.copytree(os.path.join(FIXTURES, "chart"), os.path.join(repo.path, "chart"))
    shutil.copy(os.path.join(os.path.dirname(FIXTURES), "..", "..", "..", "examples", "local.yml"), os.path.join(repo.path, "local.yml"))
    repo.write(
        "apps/shop.yaml",
        """
        apiVersion: gitops-k8s.dev/v1alpha1
        kind: Application
        metadata:
          name: hooks-helm-shop
          namespace: %s
        spec:
          source:
            path: chart
            helm:
              releaseName: shop
          destination:
            namespace: %s
          syncPolicy:
            automated:
              prune: true
              selfHeal: true
            syncOptions:
              - CreateNamespace=true
        """
        % (apps_ns, dest),
    )
    repo.commit("shop chart")
    extra = (
        "-e",
        "gitops_k8s_namespace=%s" % apps_ns,
        "-e",
        "gitops_k8s_root_name=hooks-root",
        "-e",
        "gitops_k8s_hook_timeout=40",
        "-e",
        "gitops_k8s_wave_timeout=40",
    )
    try:
        kube_api.core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": dest}})
        with fake_kubelet.running(kube_api.dynamic, dest, interval=0.2, jobs=()):
            proc = ansible_pull(repo.url, str(tmp_path / "checkout"), kubeconfig, *extra)
        assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
        app = json.loads(kubectl("get", "gapp", "hooks-helm-shop", "-n", apps_ns, "-o", "json"))
        hooks = app["status"]["operationState"]["syncResult"]["resources"]
        assert [(h["hookType"], h["kind"], h["name"], h["hookPhase"]) for h in hooks] == [
            ("PreSync", "ConfigMap", "shop-migration-plan", "Succeeded"),  # weight -5 first
            ("PreSync", "Job", "shop-db-migrate", "Succeeded"),
            ("PostSync", "Job", "shop-cache-warmup", "Succeeded"),
        ]
        assert jobs(kubectl, dest) == []  # hook-succeeded
        assert kubectl("get", "configmap", "shop-migration-plan", "-n", dest, "-o", "name")  # before-hook-creation only: kept
        # helm test hooks never run (helm template --skip-tests leaves them out already)
        assert kubectl.run("get", "pod", "shop-test-connection", "-n", dest).returncode != 0
        assert "hooks [PreSync ConfigMap/%s/shop-migration-plan: Succeeded" % dest in proc.stdout
    finally:
        for name in ("hooks-root", "hooks-helm-shop"):  # no reconcile runs after the test to finalize them
            kubectl.run("patch", "gapp", name, "-n", apps_ns, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
        kube_api.core.delete_namespace(dest)


def test_sync_module_runs_hooks_and_warns_about_unknown_hook_types(tmp_path, kubeconfig, namespace, kubectl):
    from .playbook import run_tasks  # pylint: disable=import-outside-toplevel

    plan = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": {"steps": "1"},
        "metadata": {"generateName": "hooks-plan-", "namespace": namespace, "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
    }
    typo = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": {},
        "metadata": {"name": "hooks-typo", "namespace": namespace, "annotations": {"argocd.argoproj.io/hook": "PreSynk"}},
    }
    app = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hooks-app", "namespace": namespace}, "data": {"k": "v"}}
    task = {
        "name": "sync",
        "gitops.k8s.sync": {
            "kubeconfig": kubeconfig,
            "namespace": namespace,
            "definitions": [plan, typo, app],
            "inventory": {"name": "inv", "namespace": namespace},
            "hook_timeout": 20,
        },
    }
    _rc, res = run_tasks(tmp_path, [task])
    hooks = res["sync"]["hooks"]
    assert [(h["hookType"], h["hookPhase"]) for h in hooks] == [("PreSync", "Succeeded")] and hooks[0]["name"].startswith("hooks-plan-")
    assert any("unknown argocd.argoproj.io/hook type 'PreSynk' ignored" in w for w in res["sync"]["warnings"])
    assert kubectl.run("get", "cm", "hooks-typo", "-n", namespace).returncode != 0
    assert kubectl("get", "cm", "hooks-app", "-n", namespace, "-o", "name")
