"""Argo Rollouts and Flagger kinds through a real `ansible-pull`, on their published CRDs,
with the test writing their status as the Argo Rollouts and Flagger controllers do:

1. a wave waits on a Rollout until it is Healthy (Progressing while it scales), a Flagger
   Canary next to it is judged by its phase, and an AnalysisRun PostSync hook passes
   when its run is Successful;
2. a new commit whose update the Rollouts controller aborts: the wave after the Rollout is
   not applied, the run fails naming the Rollout, and the Application is Degraded.
"""

from __future__ import annotations

import time

import pytest

from .controller_status import ensure_crds, get, resource, set_status, wait_for
from .gitops import app_status, pull_repository, release_finalizers
from .playbook import start_ansible_pull

ROLLOUTS = "argoproj.io/v1alpha1"
FLAGGER = "flagger.app/v1beta1"
RUN_TIMEOUT = 900  # seconds one ansible-pull may take on a loaded machine

ROLLOUT = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: {image}
  strategy:
    canary:
      steps:
        - setWeight: 50
        - pause: {{}}
"""

CANARY = """
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: api
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  service:
    port: 80
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
"""

SETTINGS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  annotations:
    argocd.argoproj.io/sync-wave: "1"
data:
  image: {image}
"""

SMOKE = """
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  generateName: web-smoke-
  annotations:
    argocd.argoproj.io/hook: PostSync
spec:
  metrics:
    - name: error-rate
      provider:
        prometheus:
          address: http://127.0.0.1:9090
          query: sum(rate(http_requests_total{{code=~"5.."}}[1m]))
"""


@pytest.fixture(scope="module")
def rollout_crds(kube_api):
    ensure_crds(kube_api.dynamic, "rollouts.argoproj.io", "analysisruns.argoproj.io", "canaries.flagger.app")


def files(image):
    """The web folder with the Rollout's (and the ConfigMap's) image IMAGE."""
    return {"rollout.yaml": ROLLOUT.format(image=image), "canary.yaml": CANARY, "settings.yaml": SETTINGS.format(image=image), "smoke.yaml": SMOKE}


def rollout_status(generation, phase, message=None, updated=2, available=2, stable="6c9f8d", **extra):
    """status as Argo Rollouts v1 writes it (observedGeneration is a string there). No
    empty strings: the test API server (1.20) reads "" in a custom resource as null and
    refuses it for a string field; an absent field reads the same to the health check."""
    status = {
        "observedGeneration": str(generation),
        "phase": phase,
        "message": message,
        "currentPodHash": "6c9f8d",
        "stableRS": stable,
        "replicas": 2,
        "updatedReplicas": updated,
        "readyReplicas": available,
        "availableReplicas": available,
        "selector": "app=web",
    }
    status.update(extra)
    return status


def newer_generation(live, generation):
    """metadata.generation of ``live`` when above ``generation``, else None."""
    current = ((live or {}).get("metadata") or {}).get("generation") or 0
    return current if current > generation else None


def finish(proc):
    out, err = proc.communicate(timeout=RUN_TIMEOUT)
    return proc.returncode, out, err


def test_waves_and_hooks_wait_for_rollouts_and_an_aborted_rollout_degrades(tmp_path, kubeconfig, kube_api, kubectl, namespace, rollout_crds):
    dyn = kube_api.dynamic
    repo = pull_repository(tmp_path / "origin", "web", namespace, files("nginx:1.27"))
    checkout = str(tmp_path / "checkout")
    extra = ("-e", "gitops_k8s_namespace=%s" % namespace, "-e", "gitops_k8s_root_name=rollouts-root")

    def settings():
        return get(dyn, "v1", "ConfigMap", namespace, "web-settings")

    try:
        # 1. the first sync: wave 0 (Rollout, Canary) must be Healthy before wave 1 (the ConfigMap)
        proc = start_ansible_pull(repo.url, checkout, kubeconfig, *extra, "-e", "gitops_k8s_wave_timeout=600", "-e", "gitops_k8s_hook_timeout=600")
        live = wait_for("the Rollout applied", lambda: get(dyn, ROLLOUTS, "Rollout", namespace, "web"))
        generation = live["metadata"]["generation"]
        set_status(dyn, ROLLOUTS, "Rollout", namespace, "web", rollout_status(generation, "Progressing", "more replicas need to be updated", 1, 0, None))
        wait_for("the Canary applied", lambda: get(dyn, FLAGGER, "Canary", namespace, "api"))
        set_status(
            dyn,
            FLAGGER,
            "Canary",
            namespace,
            "api",
            {
                "phase": "Initialized",
                "canaryWeight": 0,
                "conditions": [{"type": "Promoted", "status": "True", "reason": "Initialized", "message": "Installation successful."}],
            },
        )
        time.sleep(8)  # the run keeps waiting on the Progressing Rollout: wave 1 stays unapplied
        assert proc.poll() is None, finish(proc)
        assert settings() is None
        set_status(dyn, ROLLOUTS, "Rollout", namespace, "web", rollout_status(generation, "Healthy"))
        wait_for("wave 1 applied once the Rollout is Healthy", settings)
        smoke = wait_for("the AnalysisRun PostSync hook", lambda: resource(dyn, ROLLOUTS, "AnalysisRun").get(namespace=namespace).to_dict()["items"])
        run_name = smoke[0]["metadata"]["name"]
        set_status(dyn, ROLLOUTS, "AnalysisRun", namespace, run_name, {"phase": "Running"})
        time.sleep(3)
        assert proc.poll() is None, finish(proc)  # the hook is Progressing while its run runs
        set_status(dyn, ROLLOUTS, "AnalysisRun", namespace, run_name, {"phase": "Successful", "message": "all metrics passed"})
        rc, out, err = finish(proc)
        assert rc == 0, out[-5000:] + err[-2000:]
        status = app_status(kubectl, namespace, "web")
        assert status["health"]["status"] == "Healthy", status["health"]
        assert status["sync"]["status"] == "Synced", status["sync"]
        hooks = status["operationState"]["syncResult"]["resources"]
        assert [(h["hookType"], h["kind"], h["name"], h["hookPhase"]) for h in hooks] == [("PostSync", "AnalysisRun", run_name, "Succeeded")], hooks

        # 2. the next commit: the Rollouts controller aborts the update (an analysis failed)
        for name, text in files("nginx:1.28").items():
            repo.write("web/" + name, text)
        repo.commit("web nginx:1.28")
        proc = start_ansible_pull(repo.url, checkout, kubeconfig, *extra, "-e", "gitops_k8s_wave_timeout=30", "-e", "gitops_k8s_hook_timeout=30")
        updated = wait_for("the Rollout updated", lambda: newer_generation(get(dyn, ROLLOUTS, "Rollout", namespace, "web"), generation))
        aborted = 'RolloutAborted: Rollout aborted update to revision 2: Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)'
        cond = {
            "type": "Progressing",
            "status": "False",
            "reason": "RolloutAborted",
            "message": "Rollout aborted update to revision 2",
            "lastTransitionTime": "2026-01-10T10:00:00Z",
            "lastUpdateTime": "2026-01-10T10:00:00Z",
        }
        set_status(dyn, ROLLOUTS, "Rollout", namespace, "web", rollout_status(updated, "Degraded", aborted, 0, 2, abort=True, conditions=[cond]))
        rc, out, err = finish(proc)
        assert rc != 0, out[-5000:]
        assert "Rollout/%s/web" % namespace in out, out[-5000:]
        assert settings()["data"]["image"] == "nginx:1.27"  # wave 1 never applied
        status = app_status(kubectl, namespace, "web")
        assert status["health"]["status"] == "Degraded", status["health"]
        assert "Rollout/%s/web" % namespace in status["health"]["message"] and "RolloutAborted" in status["health"]["message"], status["health"]
        assert len(resource(dyn, ROLLOUTS, "AnalysisRun").get(namespace=namespace).to_dict()["items"]) == 1  # no PostSync hook ran
    finally:
        release_finalizers(kubectl, namespace, "rollouts-root", "web")
