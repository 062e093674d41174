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
    proc = kubectl.run("auth", "can-i", "list", "pods", "--namespace", "default", "--as", "system:serviceaccount:default:nobody")
    assert proc.stdout.strip() == "no", (proc.returncode, proc.stdout, proc.stderr)
    assert proc.returncode == 1


def test_rbac_denies_an_unbound_service_account_by_subject_access_review(kube_api):
    reviews = kube_api.dynamic.resources.get(api_version="authorization.k8s.io/v1", kind="SubjectAccessReview")
    review = reviews.create(
        body={
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": "system:serviceaccount:default:nobody",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
                "resourceAttributes": {"namespace": "default", "verb": "list", "resource": "pods"},
            },
        }
    )
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


def test_custom_resource_updates_keep_the_api_server_up(kube_api, kubectl, namespace):
    """Regression: a Go 1.19 build with reflect2 1.0.1 crashed kube-apiserver on CR patches."""
    group = "smoke.gitops-k8s.test"
    crds = kube_api.dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    suffix = uuid.uuid4().hex[:6]
    plural, kind = "widgets" + suffix, "Widget" + suffix.upper()
    crd_name = "%s.%s" % (plural, group)
    crds.create(
        body={
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": crd_name},
            "spec": {
                "group": group,
                "scope": "Namespaced",
                "names": {"plural": plural, "singular": "widget" + suffix, "kind": kind},
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "subresources": {"status": {}},
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                ],
            },
        }
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            conditions = {c.type: c.status for c in (crds.get(name=crd_name).status.conditions or [])}
            if conditions.get("Established") == "True":
                break
            assert time.monotonic() < deadline, "CRD %s not established" % crd_name
            time.sleep(0.2)
        kube_api.dynamic.resources.invalidate_cache()
        widgets = kube_api.dynamic.resources.get(api_version=group + "/v1", kind=kind)
        widgets.create(
            namespace=namespace,
            body={
                "apiVersion": group + "/v1",
                "kind": kind,
                "metadata": {"name": "w", "labels": {"a": "1", "b": "2"}, "annotations": {"x": "y", "z": "w"}},
                "spec": {"size": {"small": 1, "large": 2}},
            },
        )
        for i in range(5):
            widgets.patch(
                name="w",
                namespace=namespace,
                content_type="application/merge-patch+json",
                body={"metadata": {"labels": {"round": str(i)}}, "spec": {"size": {"n%d" % i: i}}},
            )
            widgets.status.patch(
                name="w",
                namespace=namespace,
                content_type="application/merge-patch+json",
                body={"status": {"round": i, "conditions": [{"type": "Ready", "status": "True"}]}},
            )
        assert widgets.get(name="w", namespace=namespace).metadata.labels["round"] == "4"
        assert kubectl("get", "--raw", "/readyz").strip() == "ok"
    finally:
        crds.delete(name=crd_name)
