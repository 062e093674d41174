"""Prune guards against the real API server: a commit that removes most of an
Application holds every prune with a condition listing what would have gone, until its
deletion budget is raised; protected kinds are kept until allowed."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from .gitops import GitRepo, Runner, application

CONFIG = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: shop
    app.kubernetes.io/component: {name}
data:
  LOG_LEVEL: info
"""

SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: storefront
  labels:
    app.kubernetes.io/name: shop
spec:
  selector:
    app.kubernetes.io/name: shop
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""

DATA_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: orders-data
  labels:
    app.kubernetes.io/name: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
"""

COMPONENTS = ("cart-config", "checkout-config", "catalog-config", "search-config")


def held(app):
    return [c["message"] for c in (app.get("status") or {}).get("conditions") or [] if c["type"] == "PruneHeldWarning"]


def exists(kubectl, kind, name, namespace):
    return bool(json.loads(kubectl("get", kind, "-n", namespace, "-o", "json", "--field-selector", "metadata.name=" + name))["items"])


def test_guards_a_commit_removing_most_of_an_app_holds_its_prunes_until_allowed(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/service.yaml", SERVICE)
    for name in COMPONENTS:
        repo.write("shop/%s.yaml" % name, CONFIG.format(name=name))
    repo.commit("shop")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("guards-shop", namespace, "shop", namespace))
    assert runner.reconcile(namespace, "guards-shop").error is None

    for name in COMPONENTS[1:]:  # 3 of 5 objects leave Git: more than half
        repo.remove("shop/%s.yaml" % name)
    repo.write("shop/cart-config.yaml", CONFIG.format(name="cart-config").replace("info", "debug"))
    repo.commit("a merge that lost most of the shop")
    outcome = runner.reconcile(namespace, "guards-shop")
    assert outcome.error is None, outcome.error
    assert outcome.changeset.by_action("configured") == ["ConfigMap/%s/cart-config" % namespace]  # the rest is applied
    assert outcome.changeset.by_action("pruned") == []
    assert all(exists(kubectl, "configmap", name, namespace) for name in COMPONENTS)
    [message] = held(runner.get(namespace, "guards-shop"))
    assert "3 of 5 objects (60%)" in message and "PruneLimitPercent" in message
    for name in COMPONENTS[1:]:
        assert "ConfigMap/%s/%s" % (namespace, name) in message
    assert any(w.startswith("PruneHeldWarning: ") and "ConfigMap/%s/search-config" % namespace in w for w in outcome.warnings)
    assert runner.get(namespace, "guards-shop")["status"]["sync"]["status"] == "OutOfSync"
    # the same again: still held, nothing lost from the inventory
    again = runner.reconcile(namespace, "guards-shop")
    assert again.changeset.by_action("pruned") == [] and held(runner.get(namespace, "guards-shop"))

    # the explicit allow: the Application's own budget
    runner.declare(
        application(
            "guards-shop", namespace, "shop", namespace, syncPolicy={"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["PruneLimitPercent=100"]}
        )
    )
    allowed = runner.reconcile(namespace, "guards-shop")
    assert allowed.error is None, allowed.error
    assert sorted(allowed.changeset.by_action("pruned")) == sorted("ConfigMap/%s/%s" % (namespace, n) for n in COMPONENTS[1:])
    assert not any(exists(kubectl, "configmap", name, namespace) for name in COMPONENTS[1:])
    app = runner.get(namespace, "guards-shop")
    assert held(app) == [] and app["status"]["sync"]["status"] == "Synced"


def test_guards_the_run_option_also_raises_the_budget(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    for name in COMPONENTS:
        repo.write("shop/%s.yaml" % name, CONFIG.format(name=name))
    repo.commit("shop")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("guards-budget", namespace, "shop", namespace))
    assert runner.reconcile(namespace, "guards-budget").error is None
    repo.remove("shop/search-config.yaml")
    repo.remove("shop/catalog-config.yaml")
    repo.commit("two of four")  # exactly half: within the default budget
    assert len(runner.reconcile(namespace, "guards-budget").changeset.by_action("pruned")) == 2
    repo.remove("shop/checkout-config.yaml")
    repo.commit("one more")
    outcome = runner.reconcile(namespace, "guards-budget", prune_limit_percent=0)
    assert outcome.changeset.by_action("pruned") == ["ConfigMap/%s/checkout-config" % namespace]  # a single prune is not held by share

    repo.write("shop/service.yaml", SERVICE)
    for name in COMPONENTS[1:]:
        repo.write("shop/%s.yaml" % name, CONFIG.format(name=name))
    repo.commit("all back, with a Service")
    assert runner.reconcile(namespace, "guards-budget").error is None
    for name in COMPONENTS[2:]:
        repo.remove("shop/%s.yaml" % name)
    repo.commit("two of five")  # within the default share, over a count budget of 1
    outcome = runner.reconcile(namespace, "guards-budget", prune_limit=1)
    assert outcome.changeset.by_action("pruned") == []
    assert "over the deletion budget of 1" in held(runner.get(namespace, "guards-budget"))[0]
    outcome = runner.reconcile(namespace, "guards-budget", prune_limit=2)
    assert len(outcome.changeset.by_action("pruned")) == 2


def test_guards_protected_kinds_are_kept_until_allowed(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/service.yaml", SERVICE)
    repo.write("shop/cart-config.yaml", CONFIG.format(name="cart-config"))
    repo.write("shop/orders-data.yaml", DATA_CLAIM)
    repo.commit("shop with its data")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("guards-data", namespace, "shop", namespace))
    assert runner.reconcile(namespace, "guards-data").error is None

    repo.remove("shop/orders-data.yaml")
    repo.commit("orders moved to a managed database")
    kept = runner.reconcile(namespace, "guards-data")
    assert kept.error is None and kept.changeset.by_action("pruned") == []
    assert exists(kubectl, "persistentvolumeclaim", "orders-data", namespace)
    [message] = held(runner.get(namespace, "guards-data"))
    assert "PersistentVolumeClaim/%s/orders-data" % namespace in message and "PruneProtected=true" in message
    assert any("PersistentVolumeClaim/%s/orders-data" % namespace in w for w in kept.warnings)

    allowed = runner.reconcile(namespace, "guards-data", prune_protected=True)
    assert allowed.changeset.by_action("pruned") == ["PersistentVolumeClaim/%s/orders-data" % namespace]
    assert held(runner.get(namespace, "guards-data")) == []


def test_guards_protected_kind_allowed_by_the_application_sync_option(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/cart-config.yaml", CONFIG.format(name="cart-config"))
    repo.write("shop/orders-data.yaml", DATA_CLAIM)
    repo.commit("shop with its data")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    policy = {"automated": {"prune": True}, "syncOptions": ["PruneProtected=true"]}
    runner.declare(application("guards-scratch", namespace, "shop", namespace, syncPolicy=policy))
    assert runner.reconcile(namespace, "guards-scratch").error is None
    repo.remove("shop/orders-data.yaml")
    repo.commit("scratch space no longer needed")
    outcome = runner.reconcile(namespace, "guards-scratch")
    assert outcome.changeset.by_action("pruned") == ["PersistentVolumeClaim/%s/orders-data" % namespace]


def _kustomization_missing_resource(repo, tmp_path):
    repo.write("shop/kustomization.yaml", "resources:\n  - cart-config.yaml\n  - payments-config.yaml\n")


def _path_linked_outside(repo, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "cart-config.yaml").write_text(CONFIG.format(name="cart-config"))
    shutil.rmtree(repo.path + "/shop")
    os.symlink(str(outside), repo.path + "/shop")


def _path_gone_from_the_revision(repo, tmp_path):
    shutil.rmtree(repo.path + "/shop")
    repo.write("storefront/cart-config.yaml", CONFIG.format(name="cart-config"))


BROKEN = {
    "failed-kustomize-render": _kustomization_missing_resource,
    "path-linked-outside-the-checkout": _path_linked_outside,
    "path-gone-from-the-revision": _path_gone_from_the_revision,
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_guards_a_failed_render_or_unreadable_path_prunes_nothing(case, tmp_path, kubeconfig, namespace, kubectl):
    """allowEmpty is on and the budget off: only the failure itself keeps the objects."""
    repo = GitRepo(tmp_path / "repo")
    for name in COMPONENTS:
        repo.write("shop/%s.yaml" % name, CONFIG.format(name=name))
    repo.commit("shop")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("guards-broken", namespace, "shop", namespace, syncPolicy={"automated": {"prune": True, "allowEmpty": True}}))
    assert runner.reconcile(namespace, "guards-broken", prune_limit_percent=100).error is None
    for name in COMPONENTS[1:]:
        repo.remove("shop/%s.yaml" % name)
    BROKEN[case](repo, tmp_path)
    repo.commit(case)
    outcome = runner.reconcile(namespace, "guards-broken", prune_limit_percent=100)  # no budget: only the failure stops it
    assert outcome.error is not None
    assert outcome.changeset is None or outcome.changeset.by_action("pruned") == []
    assert all(exists(kubectl, "configmap", name, namespace) for name in COMPONENTS)
    assert len(runner.get(namespace, "guards-broken")["status"]["inventory"]) == len(COMPONENTS)
