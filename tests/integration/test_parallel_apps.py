"""Applications of one run side by side (gitops.k8s.app all=true, app_workers), against the
real API server through real module processes:

- an app-of-apps whose children come in waves -1/0/1: a wave 0 child needs the CRD and the
  Namespace a wave -1 child creates, a wave 1 child the custom resource of wave 0;
- one failing Application among several writing to one namespace: the others converge and
  each status records its own objects only;
- a run deadline that passes while Applications wait: the late ones are not started, no
  Lease is left;
- SIGTERM while several Applications sync: the module fails with "terminated by SIGTERM",
  every Lease is released, the sync does not run on.
"""

from __future__ import annotations

import json
import signal
import uuid

import pytest
import yaml

from tests.helpers.waiting import wait_for

from .gitops import GitRepo, Runner, application
from .playbook import reconcile_all, start_module


def child(name, namespace, path, wave):
    app = application(name, namespace, path, namespace)
    app["metadata"]["annotations"] = {"gitops-k8s.dev/sync-wave": str(wave)}
    return app


def leases(kubectl, namespace):
    return kubectl("get", "leases", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split()


def rows_by_name(result):
    return dict((r["application"].split("/", 1)[1], r) for r in result["applications"])


def inventory_names(kubectl, namespace, name):
    status = json.loads(kubectl("get", "applications.gitops-k8s.dev", name, "-n", namespace, "-o", "json"))["status"]
    return sorted(item["name"] for item in status.get("inventory") or [])


def test_children_in_waves_keep_their_order_side_by_side(tmp_path, kubeconfig, namespace, kubectl):
    suffix = uuid.uuid4().hex[:8]
    group, extra = "w%s.example.test" % suffix, "t-waves-%s" % suffix
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets." + group},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
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
    repo = GitRepo(tmp_path / "repo")
    repo.write("base/objects.yaml", yaml.safe_dump_all([crd, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": extra}}]))
    widget = {"apiVersion": group + "/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": extra}, "spec": {"size": 1}}
    repo.write("w0-widget/objects.yaml", yaml.safe_dump(widget))
    for name in ("w0-a", "w0-b", "w1-a", "w1-b"):
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": extra}, "data": {"k": name}}
        repo.write("%s/objects.yaml" % name, yaml.safe_dump(cm))
    # wave 1 needs what wave 0 created: a second Widget beside the first (the CRD and Namespace of wave -1)
    repo.write("w1-b/widget.yaml", yaml.safe_dump(dict(widget, metadata={"name": "w2", "namespace": extra})))
    children = [child("base", namespace, "base", -1)] + [child(n, namespace, n, int(n[1])) for n in ("w0-widget", "w0-a", "w0-b", "w1-a", "w1-b")]
    repo.write("root/apps.yaml", yaml.safe_dump_all(children))
    repo.commit("waves")
    Runner(kubeconfig=kubeconfig).declare(application("root", namespace, "root", namespace))
    try:
        result = reconcile_all(tmp_path, kubeconfig, namespace, repo.path, app_workers=3)
        rows = rows_by_name(result)
        order = ("root", "base", "w0-a", "w0-b", "w0-widget", "w1-a", "w1-b")
        assert [r["application"] for r in result["applications"]] == ["%s/%s" % (namespace, n) for n in order]
        assert all("error" not in r for r in result["applications"]), json.dumps(result, indent=1)[-4000:]
        assert rows["w0-widget"]["created"] == ["Widget/%s/w" % extra]
        assert sorted(rows["w1-b"]["created"]) == sorted(["ConfigMap/%s/w1-b" % extra, "Widget/%s/w2" % extra])
        assert kubectl("get", "widgets." + group, "-n", extra, "-o", "jsonpath={.items[*].metadata.name}").split() == ["w", "w2"]
        assert leases(kubectl, namespace) == []
        again = reconcile_all(tmp_path, kubeconfig, namespace, repo.path, app_workers=3)
        assert all("error" not in r and not r["changed"] for r in again["applications"]), json.dumps(again, indent=1)[-4000:]
    finally:
        kubectl("delete", "namespace", extra, "--wait=false", "--ignore-not-found")
        kubectl("delete", "crd", "widgets." + group, "--wait=false", "--ignore-not-found")


def test_one_failing_application_leaves_the_others_and_their_statuses_whole(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    names = ["a", "b", "bad", "c", "d", "e"]
    runner = Runner(kubeconfig=kubeconfig)
    for name in names:
        key = "not a valid key!" if name == "bad" else "k"
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "%s-%d" % (name, i)}, "data": {key: "v"}} for i in range(8)]
        repo.write("%s/objects.yaml" % name, yaml.safe_dump_all(docs))
    repo.commit("apps")
    for name in names:
        runner.declare(application(name, namespace, name, namespace))  # all of them write to the one namespace
    result = reconcile_all(tmp_path, kubeconfig, namespace, repo.path, app_workers=4)
    rows = rows_by_name(result)
    assert [r["application"] for r in result["applications"]] == ["%s/%s" % (namespace, n) for n in names]
    assert rows["bad"]["error_step"] == "apply" and "ConfigMap/%s/bad-" % namespace in rows["bad"]["error"]
    for name in names:
        if name == "bad":
            continue
        assert "error" not in rows[name] and len(rows[name]["created"]) == 8, rows[name]
        assert inventory_names(kubectl, namespace, name) == sorted("%s-%d" % (name, i) for i in range(8))
        assert rows[name]["requests"].get("apply") == 8, rows[name]["requests"]  # its own requests, not the others'
    assert leases(kubectl, namespace) == []


def test_a_deadline_that_passes_while_applications_wait_starts_no_other(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    names = ["a", "b", "c", "d", "e"]
    runner = Runner(kubeconfig=kubeconfig)
    for name in names:
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "never-" + name},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    # no node has this label: the Pod stays Pending, the Deployment Progressing
                    "spec": {"nodeSelector": {"gitops-k8s.test/none": "x"}, "containers": [{"name": "c", "image": "registry.invalid/none:1"}]},
                },
            },
        }
        repo.write("%s/objects.yaml" % name, yaml.safe_dump(deployment))
        runner.declare(application(name, namespace, name, namespace))
    repo.commit("apps")
    result = reconcile_all(tmp_path, kubeconfig, namespace, repo.path, app_workers=2, deadline=20, wait=True, wait_timeout=300)
    rows = rows_by_name(result)
    late = [n for n in names if rows[n].get("error") == "not reconciled: the run deadline of 20 s passed"]
    assert late and late == names[len(names) - len(late) :], rows  # the last ones by name
    deployments = kubectl("get", "deployments", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split()
    assert sorted(deployments) == sorted("never-" + n for n in names if n not in late)
    assert leases(kubectl, namespace) == []


@pytest.mark.serial  # stopped mid-sync: another test beside it would change when that is
def test_sigterm_while_applications_sync_side_by_side_releases_every_lease(tmp_path, kubeconfig, namespace, kubectl):
    objects, names = 300, ["a", "b", "c", "d"]
    repo = GitRepo(tmp_path / "repo")
    runner = Runner(kubeconfig=kubeconfig)
    for name in names:
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "%s-%03d" % (name, i)}, "data": {"k": "v"}} for i in range(objects)]
        repo.write("%s/objects.yaml" % name, yaml.safe_dump_all(docs))
        runner.declare(application(name, namespace, name, namespace))
    repo.commit("apps")
    args = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": repo.path, "all": True, "app_workers": 2, "workers": 2}
    module = start_module(tmp_path, args)

    def two_hold_leases():
        """two Applications hold their Lease"""
        if module.poll() is not None:
            raise AssertionError("the run ended before it could be stopped:\n%s" % module.communicate()[0][-3000:])
        return len(leases(kubectl, namespace)) >= 2

    wait_for(two_hold_leases, two_hold_leases.__doc__, 180, interval=0.05)
    module.send_signal(signal.SIGTERM)
    stdout, stderr = module.communicate(timeout=120)
    result = json.loads(stdout)
    assert result["failed"] is True and result["msg"] == "terminated by SIGTERM", (result, stderr[-2000:])
    assert leases(kubectl, namespace) == []
    written = len(kubectl("get", "configmaps", "-n", namespace, "-o", "name").split())
    assert written < objects * len(names)  # stopped: the syncs did not run on to the end
