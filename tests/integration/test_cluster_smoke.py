"""The test cluster answers, enforces RBAC and manages namespaces."""

from __future__ import annotations

import time
import uuid


def test_api_server_version(kube_api, is_local_cluster):
    info = kube_api.dynamic.version["kubernetes"]
    major = int(info["major"])
    minor = int("".join(ch for ch in info["minor"] if ch.isdigit()))
    if is_local_cluster:
        assert (major, minor) == (1, 20), info
    else:
        assert major >= 1 and info["gitVersion"], info


def test_rbac_denies_an_unbound_service_account(kubectl):
    proc = kubectl.run("auth", "can-i", "list", "pods", "--namespace", "default",
                       "--as", "system:serviceaccount:default:nobody")
    assert proc.stdout.strip() == "no", (proc.returncode, proc.stdout, proc.stderr)
    assert proc.returncode == 1


def test_rbac_denies_an_unbound_service_account_by_subject_access_review(kube_api):
    reviews = kube_api.dynamic.resources.get(api_version="authorization.k8s.io/v1", kind="SubjectAccessReview")
    review = reviews.create(body={
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": "system:serviceaccount:default:nobody",
            "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
            "resourceAttributes": {"namespace": "default", "verb": "list", "resource": "pods"},
        },
    })
    assert review.status.allowed is False


def test_admin_is_allowed_everything(kubectl):
    assert kubectl("auth", "can-i", "*", "*", "--all-namespaces").strip() == "yes"


def test_namespace_create_and_delete(kube_api):
    namespaces = kube_api.dynamic.resources.get(api_version="v1", kind="Namespace")
    name = "t-smoke-%s" % uuid.uuid4().hex[:6]
    namespaces.create(body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert namespaces.get(name=name).status.phase == "Active"
    namespaces.delete(name=name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [ns for ns in namespaces.get().items if ns.metadata.name == name]
        if not found:
            break
        assert found[0].status.phase == "Terminating"
        time.sleep(0.5)
    else:
        raise AssertionError("namespace %s was not deleted within 60s" % name)


def test_namespace_fixture(namespace, kubectl):
    assert namespace.startswith("t-namespace-fixture-")
    kubectl("create", "configmap", "probe", "--namespace", namespace, "--from-literal=a=b")
    assert kubectl("get", "configmap", "probe", "--namespace", namespace, "-o", "name").strip() == "configmap/probe"
