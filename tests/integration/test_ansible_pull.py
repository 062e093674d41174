"""End to end: the examples/ repository reconciled by a real `ansible-pull -U <repo> local.yml`, twice."""

from __future__ import annotations

import json
import os
import re
import shutil

from tests.helpers import fake_kubelet

from .gitops import GitRepo
from .playbook import REPO_ROOT, ansible_pull


def recap(stdout):
    match = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", stdout)
    assert match, stdout[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def test_ansible_pull_reconciles_the_examples_twice(tmp_path, kubeconfig, kube_api, kubectl):
    for ns in ("guestbook", "podinfo", "web"):
        # Pods bound by the fake kubelet need a forced delete: no kubelet confirms it
        kubectl.run("delete", "pods", "--all", "-n", ns, "--force", "--grace-period=0")
        kubectl.run("delete", "namespace", ns, "--wait=true", timeout=180)
    listed = kubectl.run("get", "gapp", "-n", "gitops-system", "-o", "name")  # fails before the CRD exists
    for name in listed.stdout.split() if listed.returncode == 0 else []:
        kubectl.run("patch", name, "-n", "gitops-system", "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
        kubectl.run("delete", name, "-n", "gitops-system")
    repo = GitRepo(tmp_path / "origin")
    shutil.copytree(os.path.join(REPO_ROOT, "examples"), repo.path, dirs_exist_ok=True)
    repo.commit("examples")
    checkout = str(tmp_path / "checkout")

    first = ansible_pull(repo.url, checkout, kubeconfig)
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
    apps = json.loads(kubectl("get", "gapp", "-n", "gitops-system", "-o", "json"))["items"]
    by_name = dict((a["metadata"]["name"], a) for a in apps)
    assert sorted(by_name) == ["guestbook", "podinfo", "root", "web"]
    for name, app in by_name.items():
        assert app["status"]["sync"]["status"] == "Synced", (name, app["status"])
        assert app["status"]["sync"]["revision"] == repo.git("rev-parse", "HEAD")
    assert kubectl("get", "deploy", "guestbook-ui", "-n", "guestbook", "-o", "jsonpath={.spec.replicas}") == "1"
    assert kubectl("get", "deploy", "podinfo", "-n", "podinfo", "-o", "jsonpath={.spec.replicas}") == "2"
    assert kubectl("get", "route", "web", "-n", "web", "-o", "jsonpath={.spec.host}") == "web.prod.example.test"
    assert kubectl("get", "deploy", "web", "-n", "web", "-o", "jsonpath={.spec.replicas}") == "2"

    with fake_kubelet.running(kube_api.dynamic, "guestbook"):
        kubectl("rollout", "status", "deploy/guestbook-ui", "-n", "guestbook", "--timeout=60s")
        second = ansible_pull(repo.url, checkout, kubeconfig)
    assert second.returncode == 0, second.stdout[-5000:]
    assert recap(second.stdout)["changed"] == 0, second.stdout[-5000:]
    guestbook = json.loads(kubectl("get", "gapp", "guestbook", "-n", "gitops-system", "-o", "json"))
    assert guestbook["status"]["health"]["status"] == "Healthy", guestbook["status"]["health"]
    assert len(guestbook["status"]["history"]) == 1
    printed = kubectl("get", "gapp", "-n", "gitops-system")
    assert printed.split("\n")[0].split() == ["NAME", "SYNC", "HEALTH", "REVISION", "AGE"]
