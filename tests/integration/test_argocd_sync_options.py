"""Argo CD's per-object sync and compare options, written as Argo CD projects write them
(``argocd.argoproj.io/sync-options``, ``argocd.argoproj.io/compare-options``), and the
Application's ``syncOptions``, against the real API server."""

from __future__ import annotations

import json
import time

from tests.helpers import fake_kubelet
from tests.helpers.waiting import wait_for

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory

from .gitops import GitRepo, Runner, application

MIGRATION_JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  annotations:
{annotations}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.test/shop/migrate:{tag}
          args: ["--to", "latest"]
"""

FORCE_REPLACE = "    argocd.argoproj.io/sync-options: Force=true,Replace=true"
NO_ANNOTATION = "    example.test/owner: shop"

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: constraints.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{kind: Constraint, plural: constraints, singular: constraint}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
"""

CONSTRAINT = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: policy-settings
data:
  mode: enforce
---
apiVersion: {group}/v1
kind: Constraint
metadata:
  name: require-team-label
  annotations:
    argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true
spec:
  match: {{kinds: [Deployment]}}
"""

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.test/shop/web:1.0
"""

SETTINGS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  theme: light
"""


def _runner(kubeconfig, repo):
    return Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)


def _json(kubectl, *args):
    return json.loads(kubectl("get", *args, "-o", "json"))


def test_force_replace_recreates_a_job_whose_template_changed(tmp_path, kubeconfig, namespace, kubectl):
    """A Job's pod template is immutable: apply cannot change it (the plan fails, nothing
    written); with Argo CD's Force=true,Replace=true it is deleted and created again."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/job.yaml", MIGRATION_JOB.format(annotations=NO_ANNOTATION, tag="1.0"))
    repo.commit("migration 1.0")
    runner = _runner(kubeconfig, repo)
    runner.declare(application("annot-migrate", namespace, "app", namespace))
    assert runner.reconcile(namespace, "annot-migrate").error is None
    first_uid = _json(kubectl, "job", "db-migrate", "-n", namespace)["metadata"]["uid"]

    repo.write("app/job.yaml", MIGRATION_JOB.format(annotations=NO_ANNOTATION, tag="1.1"))
    repo.commit("migration 1.1")
    refused = runner.reconcile(namespace, "annot-migrate")
    assert refused.error is not None and refused.error.subject == "Job/%s/db-migrate" % namespace
    assert "immutable" in str(refused.error)
    assert _json(kubectl, "job", "db-migrate", "-n", namespace)["metadata"]["uid"] == first_uid

    repo.write("app/job.yaml", MIGRATION_JOB.format(annotations=FORCE_REPLACE, tag="1.1"))
    repo.commit("migration 1.1, recreated")
    outcome = runner.reconcile(namespace, "annot-migrate")
    assert outcome.error is None, outcome.error
    assert outcome.changeset.by_action("configured") == ["Job/%s/db-migrate" % namespace]
    job = _json(kubectl, "job", "db-migrate", "-n", namespace)
    assert job["metadata"]["uid"] != first_uid
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith("migrate:1.1")
    again = runner.reconcile(namespace, "annot-migrate")
    assert again.error is None and again.sync_status == "Synced" and not again.synced


def test_delete_false_keeps_an_object_when_its_application_is_deleted(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/settings.yaml", SETTINGS)
    repo.write(
        "app/data.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: customer-data
          annotations:
            argocd.argoproj.io/sync-options: Delete=false
        data:
          retained: "yes"
        """,
    )
    repo.commit("app")
    runner = _runner(kubeconfig, repo)
    app = application("annot-retain", namespace, "app", namespace)
    app["metadata"]["finalizers"] = ["gitops-k8s.dev/resources-finalizer"]
    runner.declare(app)
    assert runner.reconcile(namespace, "annot-retain").error is None
    kubectl("delete", "gapp", "annot-retain", "-n", namespace, "--wait=false")
    outcome = runner.reconcile(namespace, "annot-retain")
    assert outcome.error is None, outcome.error
    assert outcome.changeset.by_action("pruned") == ["ConfigMap/%s/settings" % namespace]
    assert kubectl.run("get", "cm", "settings", "-n", namespace).returncode != 0
    assert _json(kubectl, "cm", "customer-data", "-n", namespace)["data"] == {"retained": "yes"}
    assert kubectl.run("get", "gapp", "annot-retain", "-n", namespace).returncode != 0


def test_skip_dry_run_on_missing_resource(tmp_path, kubeconfig, namespace, kubectl):
    """The CRD comes from elsewhere (an operator, another Application): the plan does not
    fail on the unknown kind, the objects before it are applied, the custom resource fails
    clearly while its kind is not served, and is applied once it is."""
    group = "%s.example.test" % namespace
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/policy.yaml", CONSTRAINT.format(group=group))
    repo.commit("policy")
    runner = _runner(kubeconfig, repo)
    runner.declare(application("annot-policy", namespace, "app", namespace))
    try:
        missing = runner.reconcile(namespace, "annot-policy")
        assert missing.error is not None and missing.error.step == "apply"
        assert missing.error.subject == "Constraint/%s/require-team-label" % namespace
        assert "not served" in str(missing.error) and "SkipDryRunOnMissingResource" in str(missing.error)
        assert _json(kubectl, "cm", "policy-settings", "-n", namespace)["data"] == {"mode": "enforce"}

        kubectl("apply", "-f", "-", stdin=CRD.format(group=group))
        kubectl("wait", "--for=condition=Established", "crd/constraints.%s" % group, "--timeout=30s")
        outcome = runner.reconcile(namespace, "annot-policy")
        assert outcome.error is None, outcome.error
        live = _json(kubectl, "constraints.%s" % group, "require-team-label", "-n", namespace)
        assert live["spec"] == {"match": {"kinds": ["Deployment"]}}
        recorded = inventory.from_status(runner.get(namespace, "annot-policy")["status"]["inventory"])
        assert "Constraint/%s/require-team-label" % namespace in [str(e) for e in recorded]
    finally:
        kubectl.run("delete", "crd", "constraints.%s" % group, "--wait=false")


def test_prune_propagation_orphan_keeps_the_replicasets_and_pods(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/web.yaml", WEB)
    repo.write("app/settings.yaml", SETTINGS)
    repo.commit("web")
    runner = _runner(kubeconfig, repo)
    runner.declare(
        application("annot-orphan", namespace, "app", namespace, syncPolicy={"automated": {"prune": True}, "syncOptions": ["PrunePropagationPolicy=orphan"]})
    )
    assert runner.reconcile(namespace, "annot-orphan").error is None
    wait_for(
        lambda: (
            kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "name").split()
            and len(kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "name").split()) == 2
        ),
        "the web Pods",
    )
    replica_set = kubectl("get", "rs", "-n", namespace, "-l", "app=web", "-o", "name").strip()

    repo.remove("app/web.yaml")
    repo.commit("web moves elsewhere")
    outcome = runner.reconcile(namespace, "annot-orphan")
    assert outcome.error is None, outcome.error
    assert outcome.changeset.by_action("pruned") == ["Deployment/%s/web" % namespace]
    wait_for(lambda: kubectl.run("get", "deploy", "web", "-n", namespace).returncode != 0, "the Deployment to be deleted")
    # orphaned: the garbage collector removes the owner reference instead of the ReplicaSet
    wait_for(lambda: not _json(kubectl, replica_set, "-n", namespace)["metadata"].get("ownerReferences"), "the orphaned ReplicaSet")
    time.sleep(1)
    assert kubectl("get", "rs", "-n", namespace, "-l", "app=web", "-o", "name").strip() == replica_set
    assert len(kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "name").split()) == 2


def test_ignore_extraneous_keeps_the_application_synced(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/settings.yaml", SETTINGS)
    repo.write(
        "app/generated.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: generated-4f7h2
          annotations:
            argocd.argoproj.io/compare-options: IgnoreExtraneous
            argocd.argoproj.io/sync-options: SyncEverything=please
        data:
          k: v
        """,
    )
    repo.commit("with generated config")
    runner = _runner(kubeconfig, repo)
    runner.declare(application("annot-extraneous", namespace, "app", namespace, prune=False))
    first = runner.reconcile(namespace, "annot-extraneous")
    assert first.error is None, first.error
    warning = [c["message"] for c in first.status["conditions"] if c["type"] == "UnsupportedFeatureWarning"]
    assert warning and "ConfigMap/%s/generated-4f7h2" % namespace in warning[0] and "SyncEverything=please" in warning[0]

    repo.remove("app/generated.yaml")
    repo.commit("generator renamed")
    outcome = runner.reconcile(namespace, "annot-extraneous")
    assert outcome.error is None, outcome.error
    assert outcome.sync_status == "Synced"
    status = runner.get(namespace, "annot-extraneous")["status"]
    assert status["sync"]["status"] == "Synced"
    assert kubectl.run("get", "cm", "generated-4f7h2", "-n", namespace).returncode == 0


def test_create_namespace_with_managed_namespace_metadata(tmp_path, kubeconfig, namespace, kubectl):
    """The Application CRD keeps syncPolicy.managedNamespaceMetadata and the namespace
    CreateNamespace makes carries its labels and annotations."""
    target = "annot-" + namespace[:40].rstrip("-")
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/settings.yaml", SETTINGS)
    repo.commit("app")
    runner = _runner(kubeconfig, repo)
    runner.declare(
        application(
            "annot-ns",
            namespace,
            "app",
            target,
            syncPolicy={
                "automated": {"prune": True},
                "syncOptions": ["CreateNamespace=true"],
                "managedNamespaceMetadata": {"labels": {"team": "shop"}, "annotations": {"example.test/owner": "shop-team"}},
            },
        )
    )
    try:
        outcome = runner.reconcile(namespace, "annot-ns")
        assert outcome.error is None, outcome.error
        meta = _json(kubectl, "namespace", target)["metadata"]
        assert meta["labels"]["team"] == "shop" and meta["annotations"]["example.test/owner"] == "shop-team"
        assert _json(kubectl, "cm", "settings", "-n", target)["data"] == {"theme": "light"}
        again = runner.reconcile(namespace, "annot-ns")
        assert again.error is None and not again.synced and again.sync_status == "Synced"
    finally:
        kubectl.run("delete", "namespace", target, "--wait=false")


def test_prune_last_waits_until_the_new_deployment_is_healthy(tmp_path, kubeconfig, kube_api, namespace, kubectl):
    """The old config is pruned only once the Deployment that replaces it is healthy."""
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "app/legacy.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: legacy-config
          annotations:
            argocd.argoproj.io/sync-options: PruneLast=true
        data:
          mode: legacy
        """,
    )
    repo.commit("legacy")
    runner = _runner(kubeconfig, repo)
    runner.declare(application("annot-prunelast", namespace, "app", namespace))
    assert runner.reconcile(namespace, "annot-prunelast").error is None

    repo.remove("app/legacy.yaml")
    repo.write("app/web.yaml", WEB)
    repo.commit("web replaces legacy")
    waiting = runner.reconcile(namespace, "annot-prunelast", wait_timeout=2)
    assert waiting.error is not None and waiting.error.step == "health"
    assert "legacy-config" in str(waiting.error) and "Deployment/%s/web" % namespace in str(waiting.error)
    assert kubectl.run("get", "cm", "legacy-config", "-n", namespace).returncode == 0

    fake_kubelet.ensure_node(kube_api)
    wait_for(lambda: len(kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "name").split()) == 2, "the web Pods")
    fake_kubelet.make_pods_ready(kube_api, namespace, label_selector="app=web")
    done = runner.reconcile(namespace, "annot-prunelast", wait_timeout=30)
    assert done.error is None, done.error
    assert done.changeset.by_action("pruned") == ["ConfigMap/%s/legacy-config" % namespace]
    assert kubectl.run("get", "cm", "legacy-config", "-n", namespace).returncode != 0


def test_replace_puts_the_whole_object(tmp_path, kubeconfig, namespace, kubectl):
    """Replace=true: created with POST, then replaced with PUT, which drops what another
    writer added (server-side apply would keep it)."""
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "app/big.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: dashboards
          annotations:
            argocd.argoproj.io/sync-options: Replace=true
        data:
          cpu.json: '{"panels": 1}'
        """,
    )
    repo.commit("dashboards")
    runner = _runner(kubeconfig, repo)
    runner.declare(application("annot-replace", namespace, "app", namespace))
    assert runner.reconcile(namespace, "annot-replace").error is None
    kubectl("patch", "cm", "dashboards", "-n", namespace, "--type=merge", "-p", '{"data": {"added-by-hand": "x"}}')
    repo.write("app/big.yaml", (tmp_path / "repo" / "app" / "big.yaml").read_text().replace('{"panels": 1}', '{"panels": 2}'))
    repo.commit("more panels")
    outcome = runner.reconcile(namespace, "annot-replace")
    assert outcome.error is None, outcome.error
    assert outcome.changeset.by_action("configured") == ["ConfigMap/%s/dashboards" % namespace]
    live = _json(kubectl, "cm", "dashboards", "-n", namespace)
    assert live["data"] == {"cpu.json": '{"panels": 2}'}
    assert "gitops-k8s.dev/tracking-id" in live["metadata"]["annotations"]
    again = runner.reconcile(namespace, "annot-replace")
    assert again.error is None and again.sync_status == "Synced" and not again.synced
