"""Reconciling Applications against the real API server: sync, no-op, drift, prune,
check mode, and failures that must leave the cluster untouched."""

from __future__ import annotations

import datetime
import json
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID

from .gitops import GitRepo, Runner, application

GUESTBOOK = {
    "deployment.yaml": """
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
                  image: nginx:1.25
                  ports:
                    - containerPort: 80
                  resources:
                    requests: {cpu: "0.1", memory: 64Mi}
        """,
    "service.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports:
            - port: 80
              targetPort: 80
        """,
    "config.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          theme: light
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        stringData:
          password: hunter2-very-secret
        """,
}


@pytest.fixture
def repo(tmp_path):
    r = GitRepo(tmp_path / "repo")
    for name, text in GUESTBOOK.items():
        r.write("app/" + name, text)
    r.commit("initial")
    return r


@pytest.fixture
def runner(kubeconfig, repo, tmp_path):
    return Runner(kubeconfig=kubeconfig, checkout_dir=repo.path, cache_dir=str(tmp_path / "cache"))


def declare(runner, namespace, **kwargs):
    runner.declare(application("guestbook", namespace, kwargs.pop("path", "app"), namespace, **kwargs))


def wait_observed(kubectl, namespace, name, timeout=30):
    """Wait until the controller manager has processed the Deployment's spec."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        obj = json.loads(kubectl("get", "deploy", name, "-n", namespace, "-o", "json"))
        if obj.get("status", {}).get("observedGeneration") == obj["metadata"]["generation"] and "replicas" in obj["status"]:
            return
        time.sleep(0.2)
    raise AssertionError("Deployment %s/%s not observed in %ss" % (namespace, name, timeout))


def objects(kubectl, namespace):
    return sorted(kubectl("get", "deploy,svc,cm,secret", "-n", namespace, "-o", "name").split())


def test_first_sync_then_noop_makes_zero_writes(runner, namespace, kubectl):
    declare(runner, namespace)
    first = runner.reconcile(namespace, "guestbook")
    assert first.error is None, first.error
    assert first.synced and first.sync_status == "Synced"
    assert sorted(first.changeset.by_action("created")) == [
        "ConfigMap/%s/settings" % namespace,
        "Deployment/%s/web" % namespace,
        "Secret/%s/creds" % namespace,
        "Service/%s/web" % namespace,
    ]
    app = runner.get(namespace, "guestbook")
    status = app["status"]
    assert status["sync"]["status"] == "Synced"
    assert len(status["inventory"]) == 4
    assert status["history"][0]["result"] == "Succeeded"
    assert status["history"][0]["created"] == 4
    live = json.loads(kubectl("get", "deploy", "web", "-n", namespace, "-o", "json"))
    assert live["metadata"]["annotations"][ANN_TRACKING_ID].startswith("%s/guestbook:apps/Deployment" % namespace)

    wait_observed(kubectl, namespace, "web")
    # the controller manager moves the Deployment's status on: the next reconcile may
    # record the new health, but writes no object and runs no dry-run
    second = runner.reconcile(namespace, "guestbook")
    assert second.error is None
    assert not second.synced
    object_writes = {k: v for k, v in second.requests.items() if k in ("apply", "delete", "create", "replace", "dry-run")}
    assert object_writes == {}, "server defaults were taken for drift: %s" % second.requests
    assert second.changeset.summary()["unchanged"] == 4
    # nothing changed since: zero writes of any kind, one LIST per (kind, namespace), and
    # one of the Projects of the control namespace (the Application's project, docs/projects.md)
    third = runner.reconcile(namespace, "guestbook")
    assert not third.status_written
    assert third.requests == {"get": 1, "list": 5}, third.requests


def test_self_heal_reverts_scale_and_edit(runner, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("scale", "deploy/web", "--replicas=5", "-n", namespace)
    kubectl("patch", "configmap", "settings", "-n", namespace, "--type", "merge", "-p", '{"data":{"theme":"dark"}}')
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.synced, outcome.reason
    assert sorted(outcome.changeset.by_action("configured")) == ["ConfigMap/%s/settings" % namespace, "Deployment/%s/web" % namespace]
    assert kubectl("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "2"
    assert kubectl("get", "cm", "settings", "-n", namespace, "-o", "jsonpath={.data.theme}") == "light"


def test_drift_without_self_heal_is_reported_not_reverted(runner, namespace, kubectl):
    declare(runner, namespace, self_heal=False)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("scale", "deploy/web", "--replicas=3", "-n", namespace)
    outcome = runner.reconcile(namespace, "guestbook")
    assert not outcome.synced
    assert outcome.sync_status == "OutOfSync"
    assert "selfHeal is off" in outcome.reason
    assert kubectl("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "3"
    assert runner.get(namespace, "guestbook")["status"]["sync"]["status"] == "OutOfSync"
    # a manual sync reverts it
    manual = runner.reconcile(namespace, "guestbook", sync=True)
    assert manual.synced and manual.changeset.by_action("configured") == ["Deployment/%s/web" % namespace]
    assert kubectl("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "2"


def test_new_commit_is_synced_without_self_heal(runner, repo, namespace, kubectl):
    declare(runner, namespace, self_heal=False)
    assert runner.reconcile(namespace, "guestbook").error is None
    repo.write(
        "app/extra.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: extra
        data: {a: b}
        """,
    )
    sha = repo.commit("add extra")
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.synced and outcome.revision == sha
    assert outcome.changeset.by_action("created") == ["ConfigMap/%s/extra" % namespace]


def test_prune_removes_only_what_left_git_and_is_ours(runner, repo, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("create", "configmap", "unrelated", "-n", namespace, "--from-literal=a=b")
    repo.remove("app/service.yaml")
    repo.commit("drop service")
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is None
    assert outcome.changeset.by_action("pruned") == ["Service/%s/web" % namespace]
    names = objects(kubectl, namespace)
    assert "service/web" not in names
    assert "configmap/unrelated" in names
    assert "Service" not in json.dumps(runner.get(namespace, "guestbook")["status"]["inventory"])


def test_prune_skips_objects_whose_tracking_annotation_changed(runner, repo, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("annotate", "cm", "settings", "-n", namespace, "--overwrite", "%s=someone/else:/ConfigMap:%s/settings" % (ANN_TRACKING_ID, namespace))
    repo.write(
        "app/config.yaml",
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        stringData:
          password: hunter2-very-secret
        """,
    )
    repo.commit("drop settings")
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is None
    assert outcome.changeset.by_action("pruned") == []
    assert "configmap/settings" in objects(kubectl, namespace)


def test_check_mode_writes_nothing(runner, namespace, kubectl):
    declare(runner, namespace)
    outcome = runner.reconcile(namespace, "guestbook", dry_run=True)
    assert outcome.error is None
    assert outcome.synced  # would sync
    assert len(outcome.changeset.by_action("created")) == 4
    assert not set(objects(kubectl, namespace)) & {"deployment.apps/web", "service/web", "configmap/settings", "secret/creds"}
    assert "status" not in runner.get(namespace, "guestbook")
    writes = {k: v for k, v in outcome.requests.items() if k in ("apply", "patch", "delete", "create", "replace")}
    assert writes == {}


def test_secret_values_never_in_results(runner, namespace, kubectl):
    declare(runner, namespace)
    runner.reconcile(namespace, "guestbook")
    kubectl("patch", "secret", "creds", "-n", namespace, "--type", "merge", "-p", '{"stringData":{"password":"changed-by-hand-42"}}')
    outcome = runner.reconcile(namespace, "guestbook", dry_run=True, sync=True)
    dumped = json.dumps([e.__dict__ for e in outcome.changeset.entries], default=str)
    for value in ("hunter2-very-secret", "changed-by-hand-42", "aHVudGVyMi12ZXJ5LXNlY3JldA==", "Y2hhbmdlZC1ieS1oYW5kLTQy"):
        assert value not in dumped
    assert "<redacted sha256:" in dumped


FAILURES = {
    "invalid-yaml": ("app/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [unclosed\n", "broken.yaml:"),
    "no-name": ("app/noname.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "no metadata.name"),
    "unknown-kind": ("app/gadget.yaml", "apiVersion: nope.example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n", "Gadget"),
    "duplicate": ("app/dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n", "duplicate"),
    "invalid-object": ("app/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [1, 2]\n", "ConfigMap/"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failures_change_nothing(case, runner, repo, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    before = objects(kubectl, namespace)
    kubectl("scale", "deploy/web", "--replicas=4", "-n", namespace)  # drift that must NOT be reverted
    path, text, expected = FAILURES[case]
    repo.remove("app/service.yaml")  # would be pruned by a successful sync
    repo.write(path, text)
    repo.commit(case)
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is not None
    assert expected in str(outcome.error)
    assert objects(kubectl, namespace) == before
    assert kubectl("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}") == "4"
    status = runner.get(namespace, "guestbook")["status"]
    assert len(status["inventory"]) == 4
    messages = " ".join(c["message"] for c in status.get("conditions", []))
    assert expected in messages


def test_missing_path_and_unreachable_repo_change_nothing(runner, namespace, kubectl, tmp_path):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    before = objects(kubectl, namespace)
    declare(runner, namespace, path="does/not/exist")
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is not None and "does/not/exist" in str(outcome.error)
    declare(runner, namespace, repo_url="file://%s/nowhere.git" % tmp_path)
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is not None and outcome.error.step == "fetch"
    assert objects(kubectl, namespace) == before
    assert runner.get(namespace, "guestbook")["status"]["sync"]["status"] == "Unknown"


def test_empty_render_never_prunes(runner, repo, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    before = objects(kubectl, namespace)
    for name in GUESTBOOK:
        repo.remove("app/" + name)
    repo.write("app/README.md", "nothing here\n")
    repo.commit("empty")
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is not None and outcome.error.step == "safety"
    assert objects(kubectl, namespace) == before
    declare(runner, namespace, allow_empty=True)
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is None
    assert len(outcome.changeset.by_action("pruned")) == 4


def test_lock_held_by_another_reconcile_blocks_writes(runner, namespace, kubectl):
    declare(runner, namespace)
    kubectl(
        "apply",
        "-f",
        "-",
        stdin=json.dumps(
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": "gapp-guestbook", "namespace": namespace},
                "spec": {
                    "holderIdentity": "other-host/1/abc",
                    "leaseDurationSeconds": 600,
                    "renewTime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                },
            }
        ),
    )
    skipped = runner.reconcile(namespace, "guestbook", lock_mode="skip")
    assert not skipped.synced and "other-host" in skipped.reason
    assert "deployment.apps/web" not in objects(kubectl, namespace)
    waited = runner.reconcile(namespace, "guestbook", lock_mode="wait", lock_timeout=2)
    assert not waited.synced
    kubectl("delete", "lease", "gapp-guestbook", "-n", namespace)
    done = runner.reconcile(namespace, "guestbook")
    assert done.synced and done.error is None
    assert kubectl("get", "lease", "-n", namespace, "-o", "name").strip() == ""


def test_deleted_application_with_finalizer_prunes_its_objects(runner, namespace, kubectl):
    app = application("guestbook", namespace, "app", namespace)
    app["metadata"]["finalizers"] = ["gitops-k8s.dev/resources-finalizer"]
    runner.declare(app)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("delete", "gapp", "guestbook", "-n", namespace, "--wait=false")
    assert "deployment.apps/web" in objects(kubectl, namespace)  # the finalizer holds it
    outcome = runner.reconcile(namespace, "guestbook")
    assert outcome.error is None, outcome.error
    assert len(outcome.changeset.by_action("pruned")) == 4
    assert not set(objects(kubectl, namespace)) & {"deployment.apps/web", "service/web", "configmap/settings", "secret/creds"}
    assert kubectl.run("get", "gapp", "guestbook", "-n", namespace).returncode != 0


def test_deleted_application_without_finalizer_leaves_its_objects(runner, namespace, kubectl):
    declare(runner, namespace)
    assert runner.reconcile(namespace, "guestbook").error is None
    kubectl("delete", "gapp", "guestbook", "-n", namespace)
    assert "deployment.apps/web" in objects(kubectl, namespace)


def test_a_status_key_removed_deep_inside_is_removed_on_the_api_server(runner, namespace):
    """The status subresource takes a JSON merge patch: a key gone from a map (the health
    message once Healthy) must be nulled, or the API server keeps it and every later run
    finds the status changed and writes it again."""
    declare(runner, namespace)
    store = AppStore(runner.cluster(), SystemClock())
    app = store.get(namespace, "guestbook")
    assert store.write_status(app, {"health": {"status": "Progressing", "message": "Waiting for rollout"}, "summary": {"resources": 4}})
    app = store.get(namespace, "guestbook")
    assert store.write_status(app, {"health": {"status": "Healthy"}})
    app = store.get(namespace, "guestbook")
    assert app["status"] == {"health": {"status": "Healthy"}}
    cluster = store.cluster
    before = dict(cluster.stats)
    assert store.write_status(app, {"health": {"status": "Healthy"}}) is False
    assert cluster.stats == before  # nothing sent
