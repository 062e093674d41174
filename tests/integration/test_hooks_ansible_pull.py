"""End to end through a real `ansible-pull`: a failing Argo CD PreSync hook stops the sync
(live objects untouched, SyncFail hook run, run fails naming the hook); the next commit
fixes the hook, the sync applies and HookSucceeded hooks are deleted."""

from __future__ import annotations

import json
import os
import shutil

from tests.helpers import fake_kubelet

from .gitops import GitRepo
from .playbook import REPO_ROOT, ansible_pull
from .test_ansible_pull import recap

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hooks", "shop")
# the fake kubelet fails the Pods of Jobs named with this prefix; the other hook Jobs succeed
FAILING = "shop-db-migrate-broken-"


def live(kubectl, namespace):
    """uid -> (kind, name) of the ConfigMaps and Deployments in NAMESPACE."""
    items = json.loads(kubectl("get", "configmaps,deployments", "-n", namespace, "-o", "json"))["items"]
    return dict((i["metadata"]["uid"], (i["kind"], i["metadata"]["name"])) for i in items)


def set_migration(repo, prefix, database_host, image):
    """The shop with the PreSync Job's generateName PREFIX, the ConfigMap's DATABASE_HOST
    and the shop-web image changed together, in one commit."""
    for name in sorted(os.listdir(FIXTURES)):
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
            text = handle.read()
        text = text.replace("generateName: shop-db-migrate-", "generateName: %s" % prefix)
        text = text.replace("DATABASE_HOST: shop-db", "DATABASE_HOST: %s" % database_host)
        text = text.replace("image: nginx:1.27", "image: %s" % image)
        with open(os.path.join(repo.path, "shop", name), "w", encoding="utf-8") as handle:
            handle.write(text)
    repo.commit("migration %s, %s, %s" % (prefix, database_host, image))


def test_ansible_pull_a_failing_presync_hook_then_its_fix(tmp_path, kubeconfig, kube_api, kubectl, namespace):
    repo = GitRepo(tmp_path / "origin")
    os.makedirs(os.path.join(repo.path, "shop"))
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), os.path.join(repo.path, "local.yml"))
    repo.write(
        "apps/shop.yaml",
        """
        apiVersion: gitops-k8s.dev/v1alpha1
        kind: Application
        metadata:
          name: hooks-pull-shop
          namespace: %s
        spec:
          source:
            path: shop
          destination:
            namespace: %s
          syncPolicy:
            automated:
              prune: true
              selfHeal: true
        """
        % (namespace, namespace),
    )
    set_migration(repo, "shop-db-migrate-", "shop-db", "nginx:1.27")
    checkout = str(tmp_path / "checkout")
    extra = ("-e", "gitops_k8s_namespace=%s" % namespace, "-e", "gitops_k8s_root_name=hooks-pull-root")
    extra += ("-e", "gitops_k8s_hook_timeout=20", "-e", "gitops_k8s_wave_timeout=20")

    def app():
        return json.loads(kubectl("get", "gapp", "hooks-pull-shop", "-n", namespace, "-o", "json"))

    def jobs():
        return sorted(kubectl("get", "jobs", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split())

    try:
        with fake_kubelet.running(kube_api.dynamic, namespace, interval=0.2, jobs=(FAILING,)):
            first = ansible_pull(repo.url, checkout, kubeconfig, *extra)
            assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-2000:]
            before = live(kubectl, namespace)
            assert sorted(before.values()) == [
                ("ConfigMap", "kube-root-ca.crt"),
                ("ConfigMap", "shop-config"),
                ("Deployment", "shop-db"),
                ("Deployment", "shop-web"),
            ]
            assert jobs() == []  # both HookSucceeded

            # 1. one commit changes the ConfigMap and the Deployment, and breaks the PreSync hook
            set_migration(repo, FAILING, "shop-db-v2", "nginx:1.28")
            failed = ansible_pull(repo.url, checkout, kubeconfig, *extra)
            assert failed.returncode != 0, failed.stdout[-5000:]
            assert "PreSync hook failed" in failed.stdout and "Job/%s/%s" % (namespace, FAILING) in failed.stdout, failed.stdout[-5000:]
            assert live(kubectl, namespace) == before  # same objects, none created or replaced
            assert kubectl("get", "cm", "shop-config", "-n", namespace, "-o", "jsonpath={.data.DATABASE_HOST}") == "shop-db"
            web_image = "jsonpath={.spec.template.spec.containers[0].image}"
            assert kubectl("get", "deploy", "shop-web", "-n", namespace, "-o", web_image) == "nginx:1.27"
            status = app()["status"]
            state = status["operationState"]
            assert state["phase"] == "Failed", state
            assert status["sync"]["status"] == "OutOfSync" and status["summary"] == {"outOfSync": 2, "resources": 3}, status
            # the objects the sync stopped before are still there: their health, not "Missing"
            assert status["health"]["status"] == "Healthy", status["health"]
            hooks = state["syncResult"]["resources"]
            assert [(h["hookType"], h["kind"], h["hookPhase"]) for h in hooks] == [("PreSync", "Job", "Failed"), ("SyncFail", "Job", "Succeeded")], hooks
            assert hooks[0]["name"].startswith(FAILING) and hooks[1]["name"].startswith("shop-notify-failure-")
            # the failed PreSync Job is kept (HookSucceeded only), the SyncFail Job ran (no policy: BeforeHookCreation)
            assert jobs() == sorted([hooks[0]["name"], hooks[1]["name"]])

            # 2. the next commit fixes the hook: the sync applies, HookSucceeded hooks are deleted
            set_migration(repo, "shop-db-migrate-fixed-", "shop-db-v2", "nginx:1.28")
            fixed = ansible_pull(repo.url, checkout, kubeconfig, *extra)
            assert fixed.returncode == 0, fixed.stdout[-5000:] + fixed.stderr[-2000:]
            assert kubectl("get", "cm", "shop-config", "-n", namespace, "-o", "jsonpath={.data.DATABASE_HOST}") == "shop-db-v2"
            assert kubectl("get", "deploy", "shop-web", "-n", namespace, "-o", web_image) == "nginx:1.28"
            status = app()["status"]
            assert status["sync"]["status"] == "Synced" and status["sync"]["revision"] == repo.git("rev-parse", "HEAD")
            hooks = status["operationState"]["syncResult"]["resources"]
            assert [(h["hookType"], h["hookPhase"]) for h in hooks] == [("PreSync", "Succeeded"), ("PostSync", "Succeeded")], hooks
            assert hooks[0]["name"].startswith("shop-db-migrate-fixed-")
            remaining = jobs()
            assert not any(name.startswith(("shop-db-migrate-fixed-", "shop-smoke-test-")) for name in remaining), remaining

            again = ansible_pull(repo.url, checkout, kubeconfig, *extra)
        assert again.returncode == 0, again.stdout[-5000:]
        assert recap(again.stdout)["changed"] == 0, again.stdout[-5000:]
        assert jobs() == remaining  # no hook ran again
    finally:
        for name in ("hooks-pull-root", "hooks-pull-shop"):  # no reconcile runs after the test to finalize them
            kubectl.run("patch", "gapp", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
