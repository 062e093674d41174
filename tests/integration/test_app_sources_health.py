"""Custom resources with their CRD in one sync, health with a (fake) kubelet, and
Applications that inherit their repository from the Application that declared them."""

from __future__ import annotations

import json

from tests.helpers import fake_kubelet

from .gitops import GitRepo, Runner, application

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{kind: Gizmo, plural: {plural}, singular: gizmo}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {{type: integer}}
                color: {{type: string, default: blue}}
                tags: {{type: array, items: {{type: string}}, default: [a]}}
"""

GIZMO = """
apiVersion: {group}/v1
kind: Gizmo
metadata:
  name: g1
spec:
  size: 3
"""


def test_crd_and_custom_resource_in_one_sync_without_false_drift(tmp_path, kubeconfig, namespace, kubectl):
    group = "%s.example.test" % namespace
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/crd.yaml", CRD.format(group=group, plural="gizmos"))
    repo.write("app/gizmo.yaml", GIZMO.format(group=group))
    repo.commit("crd and cr")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("gizmos", namespace, "app", namespace))
    try:
        first = runner.reconcile(namespace, "gizmos")
        assert first.error is None, first.error
        assert first.changeset.by_action("created") == ["CustomResourceDefinition/gizmos.%s" % group, "Gizmo/%s/g1" % namespace]
        live = json.loads(kubectl("get", "gizmos.%s" % group, "g1", "-n", namespace, "-o", "json"))
        assert live["spec"] == {"size": 3, "color": "blue", "tags": ["a"]}  # defaulted by the CRD schema
        second = runner.reconcile(namespace, "gizmos")
        assert second.sync_status == "Synced" and not second.synced
        assert second.requests.get("dry-run", 0) == 0, second.requests
        assert second.changeset.summary()["unchanged"] == 2
    finally:
        kubectl.run("delete", "crd", "gizmos.%s" % group, "--wait=false")


def test_health_follows_the_pods(tmp_path, kubeconfig, kube_api, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "app/deploy.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          replicas: 1
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              containers:
                - name: api
                  image: example.test/api:1
        """,
    )
    repo.commit("api")
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=repo.path)
    runner.declare(application("api", namespace, "app", namespace))
    first = runner.reconcile(namespace, "api")
    assert first.health.status == "Progressing"
    with fake_kubelet.running(kube_api.dynamic, namespace):
        healthy = runner.reconcile(namespace, "api", sync=True, wait_timeout=60)
    assert healthy.health.status == "Healthy", healthy.health
    assert runner.get(namespace, "api")["status"]["health"]["status"] == "Healthy"
    fake_kubelet.fail_pods(kube_api.dynamic, namespace)
    kubectl("set", "image", "deploy/api", "api=example.test/api:2", "-n", namespace)  # a drifted, failing rollout
    degraded = runner.reconcile(namespace, "api", sync=False)
    assert degraded.sync_status == "OutOfSync"
    assert degraded.health.status in ("Progressing", "Degraded")


def test_child_application_inherits_the_repository_of_its_parent(tmp_path, kubeconfig, namespace, kubectl):
    origin = GitRepo(tmp_path / "origin")
    origin.write("apps/child.yaml", json.dumps(application("child", namespace, "child", namespace)))
    origin.write("child/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-child\ndata:\n  v: '1'\n")
    sha = origin.commit("root and child")
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"))  # no local checkout at all
    runner.declare(application("root", namespace, "apps", namespace, repo_url=origin.url))
    root = runner.reconcile(namespace, "root")
    assert root.error is None and root.revision == sha
    child = runner.reconcile(namespace, "child")
    assert child.error is None, child.error
    assert child.revision == sha
    assert kubectl("get", "cm", "from-child", "-n", namespace, "-o", "jsonpath={.data.v}") == "1"
    # a new commit: the child follows the revision its parent synced, not the branch tip
    origin.write("child/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-child\ndata:\n  v: '2'\n")
    new_sha = origin.commit("bump")
    assert runner.reconcile(namespace, "child").revision == sha
    assert runner.reconcile(namespace, "root").revision == new_sha
    assert runner.reconcile(namespace, "child").revision == new_sha
    assert kubectl("get", "cm", "from-child", "-n", namespace, "-o", "jsonpath={.data.v}") == "2"
