"""OpenShift kinds through a real `ansible-pull`: OpenShift's published Route CRD and CRDs
for DeploymentConfig and Build (served by OpenShift's own API server there, see
fixtures/crds/), with the test writing their status as OpenShift's router, deployer and
build controllers do:

1. a wave waits until the DeploymentConfig rolled out and a router admitted the Route; a
   Build PostSync hook passes when the build is Complete;
2. a router then refuses the Route (its host is claimed): the next run reports the
   Application Degraded, naming the Route and the router.
"""

from __future__ import annotations

import time

import pytest

from .controller_status import ensure_crds, get, resource, set_status, wait_for
from .gitops import app_status, pull_repository, release_finalizers
from .playbook import ansible_pull, start_ansible_pull

ROUTES = "route.openshift.io/v1"
APPS = "apps.openshift.io/v1"
BUILDS = "build.openshift.io/v1"
RUN_TIMEOUT = 900

OBJECTS = {
    "route.yaml": """
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
spec:
  host: web.apps.example.test
  to:
    kind: Service
    name: web
  port:
    targetPort: http
""",
    "deploymentconfig.yaml": """
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  replicas: 2
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: image-registry.openshift-image-registry.svc:5000/shop/web:latest
  triggers:
    - type: ConfigChange
""",
    "settings.yaml": """
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-settings
  annotations:
    argocd.argoproj.io/sync-wave: "1"
data:
  url: https://web.apps.example.test
""",
    "build.yaml": """
apiVersion: build.openshift.io/v1
kind: Build
metadata:
  generateName: web-build-
  annotations:
    argocd.argoproj.io/hook: PostSync
spec:
  source:
    type: Git
    git:
      uri: https://git.example.test/shop/web.git
  strategy:
    type: Docker
  output:
    to:
      kind: ImageStreamTag
      name: web:latest
""",
}


@pytest.fixture(scope="module")
def openshift_crds(kube_api):
    ensure_crds(kube_api.dynamic, "routes.route.openshift.io", "deploymentconfigs.apps.openshift.io", "builds.build.openshift.io")


def route_ingress(status, reason="", message=""):
    """status.ingress as the default router writes it."""
    condition = {"type": "Admitted", "status": status, "lastTransitionTime": "2026-01-10T10:00:00Z"}
    if reason:
        condition.update(reason=reason, message=message)
    return {"ingress": [{"host": "web.apps.example.test", "routerName": "default", "wildcardPolicy": "None", "conditions": [condition]}]}


def dc_status(generation, available, new_rc_available):
    """status as OpenShift's deployer writes it, rolled out or not."""
    return {
        "observedGeneration": generation,
        "latestVersion": 1,
        "replicas": 2,
        "updatedReplicas": 2,
        "availableReplicas": 2 if available else 0,
        "unavailableReplicas": 0 if available else 2,
        "conditions": [
            {
                "type": "Available",
                "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicationControllerAvailable" if new_rc_available else "ReplicationControllerUpdated",
                "message": 'replication controller "web-1" successfully rolled out' if new_rc_available else 'replication controller "web-1" is progressing',
            },
        ],
    }


def test_waves_and_hooks_wait_for_openshift_kinds_and_a_refused_route_degrades(tmp_path, kubeconfig, kube_api, kubectl, namespace, openshift_crds):
    dyn = kube_api.dynamic
    repo = pull_repository(tmp_path / "origin", "shop", namespace, OBJECTS)
    checkout = str(tmp_path / "checkout")
    extra = ("-e", "gitops_k8s_namespace=%s" % namespace, "-e", "gitops_k8s_root_name=openshift-root")
    extra += ("-e", "gitops_k8s_wave_timeout=600", "-e", "gitops_k8s_hook_timeout=600")

    def settings():
        return get(dyn, "v1", "ConfigMap", namespace, "shop-settings")

    def finish(proc):
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
        return proc.returncode, out, err

    try:
        proc = start_ansible_pull(repo.url, checkout, kubeconfig, *extra)
        live = wait_for("the DeploymentConfig applied", lambda: get(dyn, APPS, "DeploymentConfig", namespace, "web"))
        set_status(dyn, APPS, "DeploymentConfig", namespace, "web", dc_status(live["metadata"]["generation"], True, False))
        wait_for("the Route applied", lambda: get(dyn, ROUTES, "Route", namespace, "web"))
        set_status(dyn, ROUTES, "Route", namespace, "web", route_ingress("True"))
        time.sleep(8)  # the DeploymentConfig's new replication controller is not available yet: wave 1 waits
        assert proc.poll() is None, finish(proc)
        assert settings() is None
        set_status(dyn, APPS, "DeploymentConfig", namespace, "web", dc_status(live["metadata"]["generation"], True, True))
        wait_for("wave 1 applied once the DeploymentConfig rolled out", settings)
        builds = wait_for("the Build PostSync hook", lambda: resource(dyn, BUILDS, "Build").get(namespace=namespace).to_dict()["items"])
        build = builds[0]["metadata"]["name"]
        set_status(dyn, BUILDS, "Build", namespace, build, {"phase": "Running", "startTimestamp": "2026-01-10T10:00:00Z"})
        time.sleep(3)
        assert proc.poll() is None, finish(proc)  # the hook runs while the build runs
        set_status(dyn, BUILDS, "Build", namespace, build, {"phase": "Complete", "completionTimestamp": "2026-01-10T10:02:00Z"})
        rc, out, err = finish(proc)
        assert rc == 0, out[-5000:] + err[-2000:]
        status = app_status(kubectl, namespace, "shop")
        assert status["health"]["status"] == "Healthy", status["health"]
        hooks = status["operationState"]["syncResult"]["resources"]
        assert [(h["hookType"], h["kind"], h["name"], h["hookPhase"]) for h in hooks] == [("PostSync", "Build", build, "Succeeded")], hooks

        # 2. another router's claim on the host: the default router refuses the Route
        set_status(dyn, ROUTES, "Route", namespace, "web", route_ingress("False", "HostAlreadyClaimed", "route web already exposes web.apps.example.test"))
        again = ansible_pull(repo.url, checkout, kubeconfig, *extra)
        assert "%s/shop: in-sync (Synced, Degraded)" % namespace in again.stdout, again.stdout[-5000:]
        status = app_status(kubectl, namespace, "shop")
        assert status["health"]["status"] == "Degraded", status["health"]
        assert "Route/%s/web" % namespace in status["health"]["message"] and "router default: route web already exposes" in status["health"]["message"]
    finally:
        release_finalizers(kubectl, namespace, "openshift-root", "shop")
