"""CreateNamespace=true against an API that serves project.openshift.io: the agent finds
ProjectRequest through discovery and requests the destination as a Project.

OpenShift's project API is emulated: a CRD serves project.openshift.io/v1 ProjectRequest
and a thread of this test plays OpenShift's part, making the Namespace (the requester
recorded on it) for each ProjectRequest. OpenShift does that within the request; the
emulation a moment later, which the agent's wait for the Namespace covers. Serving
project.openshift.io would turn every other test's CreateNamespace into a ProjectRequest,
so this module runs on its own control plane (`private_cluster`).
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from .controller_status import wait_for
from .faults import agent
from .gitops import GitRepo, application

REQUESTER = "openshift.io/requester"
PROJECT_REQUEST_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "projectrequests.project.openshift.io"},
    "spec": {
        "group": "project.openshift.io",
        "names": {"kind": "ProjectRequest", "listKind": "ProjectRequestList", "plural": "projectrequests", "singular": "projectrequest"},
        "scope": "Cluster",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}


class ProjectApi:
    """OpenShift's part: a Namespace for every ProjectRequest, annotated with its requester."""

    def __init__(self, kubectl):
        self.kubectl = kubectl
        self.stop = threading.Event()
        self.made = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            proc = self.kubectl.run("get", "projectrequests.project.openshift.io", "-o", "json")
            if proc.returncode == 0:
                for request in json.loads(proc.stdout)["items"]:
                    name = request["metadata"]["name"]
                    if name not in self.made:
                        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "annotations": {REQUESTER: "gitops-agent"}}}
                        if self.kubectl.run("create", "-f", "-", stdin=json.dumps(namespace)).returncode == 0:
                            self.made.append(name)
            time.sleep(0.3)


@pytest.fixture(scope="module")
def project_api(private_cluster):
    kubectl = private_cluster.kubectl
    kubectl("apply", "-f", "-", stdin=json.dumps(PROJECT_REQUEST_CRD))
    kubectl("wait", "--for=condition=Established", "crd/projectrequests.project.openshift.io", "--timeout=180s")
    api = ProjectApi(kubectl)
    api.thread.start()
    try:
        yield api
    finally:
        api.stop.set()
        api.thread.join(timeout=30)


def test_create_namespace_requests_a_project(private_cluster, project_api, tmp_path):
    kubectl = private_cluster.kubectl
    repo = GitRepo(tmp_path / "checkout")
    repo.write("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  k: v\n")
    repo.commit("settings")
    control = private_cluster.namespace("apps")
    destination = "project-%s" % uuid.uuid4().hex[:6]
    runner = agent(private_cluster.kubeconfig, tmp_path, checkout_dir=repo.path)
    app = application("shop", control, "app", destination)
    app["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace=true"]
    runner.declare(app)

    # check mode: planned as a request, nothing sent
    preview = runner.reconcile(control, "shop", dry_run=True)
    assert preview.error is None, preview.error
    planned = [e for e in preview.changeset.entries if e.subject == "Namespace/%s" % destination]
    assert planned and "ProjectRequest" in planned[0].reason, preview.changeset.entries
    assert json.loads(kubectl("get", "projectrequests.project.openshift.io", "-o", "json"))["items"] == []

    outcome = runner.reconcile(control, "shop")
    assert outcome.error is None, outcome.error
    requests = json.loads(kubectl("get", "projectrequests.project.openshift.io", "-o", "json"))["items"]
    assert [r["metadata"]["name"] for r in requests] == [destination]
    assert set(requests[0]) <= {"apiVersion", "kind", "metadata"}  # only the name goes out
    live = json.loads(kubectl("get", "namespace", destination, "-o", "json", "--show-managed-fields"))
    assert live["metadata"]["annotations"][REQUESTER] == "gitops-agent"  # made by the project API, not applied by the agent
    assert "gitops-k8s" not in json.dumps(live["metadata"].get("managedFields") or [])
    assert kubectl("get", "configmap", "settings", "-n", destination, "-o", "jsonpath={.data.k}") == "v"

    again = runner.reconcile(control, "shop")
    assert again.error is None, again.error
    assert len(json.loads(kubectl("get", "projectrequests.project.openshift.io", "-o", "json"))["items"]) == 1  # requested once
    wait_for("nothing else requested", lambda: project_api.made == [destination], deadline=5)
