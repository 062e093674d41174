"""AWX's execution path, for real: ansible-runner runs the reconcile playbook inside the
execution environment built from this checkout (`make ee`), with process isolation through
podman, the way an AWX job template launches a job.

What AWX does, done here by hand: the project update clones the GitOps repository (served
over HTTP on 127.0.0.1) into the job's private data directory; the kubeconfig credential is
a file there whose container path is in K8S_AUTH_KUBECONFIG; the survey answers are extra
vars; the job runs as root in the container (AWX passes ``--user=root``) and here on the
host's network, where the API server and the Git server listen. Its artifacts (status, rc,
job events with the ``set_stats`` data) are what AWX stores for the job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import yaml

from tests.helpers.git_servers import GitHTTPServer

from .gitops import GIT_ENV, GitRepo
from .playbook import REPO_ROOT, VENV_BIN
from .test_ansible_pull import recap

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "awx_project")
NAMESPACE = "ee-awx-gitops"
ROOT = "ee-awx-root"
CHILDREN = ("ee-awx-config", "ee-awx-guestbook", "ee-awx-hello")
DESTINATIONS = ("ee-awx-config", "ee-awx-guestbook", "ee-awx-hello")
CONTAINERS_CONF = os.path.join(REPO_ROOT, "hack", "ee", "containers.conf")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def forget(kubectl):
    """Remove what an earlier run of this test left (Applications first: no pruning races)."""
    listed = kubectl.run("get", "gapp", "-n", NAMESPACE, "-o", "name")
    for name in listed.stdout.split() if listed.returncode == 0 else []:
        kubectl.run("patch", name, "-n", NAMESPACE, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
        kubectl.run("delete", name, "-n", NAMESPACE, "--wait=false")
    for ns in (NAMESPACE,) + DESTINATIONS:
        kubectl.run("delete", "pods", "--all", "-n", ns, "--force", "--grace-period=0")
        kubectl.run("delete", "namespace", ns, "--ignore-not-found", "--wait=true", timeout=180)


def gitops_repository(path, server_url):
    """A user's GitOps repository: local.yml, Applications under apps/, their content."""
    repo = GitRepo(path)
    shutil.copytree(FIXTURE, repo.path, dirs_exist_ok=True)
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), repo.path)
    shutil.copytree(os.path.join(REPO_ROOT, "examples", "guestbook"), os.path.join(repo.path, "guestbook"))
    hello = os.path.join(repo.path, "apps", "hello.yaml")
    with open(hello, encoding="utf-8") as handle:
        text = handle.read().replace("GIT_SERVER_URL", server_url)
    with open(hello, "w", encoding="utf-8") as handle:
        handle.write(text)
    repo.commit("gitops repository")
    return repo


def private_data_dir(path, project_url, kubeconfig, extravars=None):
    """What AWX writes for a job: the synced project, the inventory, the credential file,
    its environment variable and the survey answers (EXTRAVARS, else this module's)."""
    os.makedirs(os.path.join(path, "inventory"))
    os.makedirs(os.path.join(path, "env"))
    subprocess.run(["git", "clone", "-q", project_url, os.path.join(path, "project")], check=True, capture_output=True, env=GIT_ENV)
    with open(os.path.join(path, "inventory", "hosts"), "w", encoding="utf-8") as handle:
        handle.write("localhost ansible_connection=local\n")
    shutil.copy(kubeconfig, os.path.join(path, "env", "kubeconfig"))
    os.chmod(os.path.join(path, "env", "kubeconfig"), 0o600)
    with open(os.path.join(path, "env", "envvars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"K8S_AUTH_KUBECONFIG": "/runner/env/kubeconfig"}, handle)
    with open(os.path.join(path, "env", "extravars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(extravars or {"gitops_k8s_namespace": NAMESPACE, "gitops_k8s_root_name": ROOT}, handle)
    return path


def run_job(pdd, image, ident):
    """`ansible-runner run` as AWX launches a job template in an execution environment."""
    started = time.monotonic()
    proc = subprocess.run(
        [
            os.path.join(VENV_BIN, "ansible-runner"),
            "run",
            pdd,
            "--playbook",
            "local.yml",
            "--ident",
            ident,
            "--process-isolation",
            "--process-isolation-executable",
            "podman",
            "--container-image",
            image,
            "--container-option=--user=root",
            "--container-option=--network=host",
        ],
        env=dict(os.environ, CONTAINERS_CONF=CONTAINERS_CONF),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    artifacts = os.path.join(pdd, "artifacts", ident)
    with open(os.path.join(artifacts, "stdout"), encoding="utf-8") as handle:
        stdout = handle.read()
    print("ansible-runner job %s: %.1fs" % (ident, elapsed))
    return proc, artifacts, stdout


def read_artifact(artifacts, name):
    with open(os.path.join(artifacts, name), encoding="utf-8") as handle:
        return handle.read().strip()


def stats_event(artifacts):
    """The job's playbook_on_stats event: where AWX reads the set_stats artifacts from."""
    events_dir = os.path.join(artifacts, "job_events")
    for name in sorted(os.listdir(events_dir)):
        with open(os.path.join(events_dir, name), encoding="utf-8") as handle:
            event = json.load(handle)
        if event.get("event") == "playbook_on_stats":
            return event
    raise AssertionError("no playbook_on_stats event among %s" % sorted(os.listdir(events_dir)))


def test_ansible_runner_reconciles_in_the_execution_environment_twice(tmp_path, kubeconfig, kubectl, ee_image):
    forget(kubectl)
    try:
        run_twice(tmp_path, kubeconfig, kubectl, ee_image)
    finally:
        forget(kubectl)


def run_twice(tmp_path, kubeconfig, kubectl, ee_image):
    with GitHTTPServer(tmp_path / "served") as server:
        repo = gitops_repository(tmp_path / "origin", server.url)
        url = server.add_repo("gitops.git", repo.path)
        head = repo.git("rev-parse", "HEAD")
        pdd = private_data_dir(str(tmp_path / "job"), url, kubeconfig)

        first, artifacts, stdout = run_job(pdd, ee_image, "first")
        assert first.returncode == 0, stdout[-6000:] + first.stderr[-2000:]
        assert read_artifact(artifacts, "status") == "successful"
        assert read_artifact(artifacts, "rc") == "0"
        summary = stats_event(artifacts)["event_data"]["artifact_data"]["gitops_k8s_summary"]
        by_app = {row["application"]: row for row in summary}  # namespace/name
        assert sorted(by_app) == sorted("%s/%s" % (NAMESPACE, name) for name in (ROOT,) + CHILDREN), summary
        for name in CHILDREN:
            row = by_app["%s/%s" % (NAMESPACE, name)]
            assert row["result"] == "synced", row
            assert row["created"] > 0, row
        # the Helm chart came over HTTP from the Git server, fetched by the image's git
        assert by_app[NAMESPACE + "/ee-awx-hello"]["revision"] == head
        assert any(path.startswith("/gitops.git/") for _method, path, _auth in server.requests)

        apps = json.loads(kubectl("get", "gapp", "-n", NAMESPACE, "-o", "json"))["items"]
        for app in apps:
            assert app["status"]["sync"]["status"] == "Synced", (app["metadata"]["name"], app["status"])
            assert app["status"]["sync"]["revision"] == head
        greeting = kubectl("get", "configmap", "hello-greeting", "-n", "ee-awx-hello", "-o", "jsonpath={.data.greeting}")
        assert greeting == "hello from the execution environment"
        settings = json.loads(kubectl("get", "configmap", "-n", "ee-awx-config", "-l", "app.kubernetes.io/part-of=ee-awx", "-o", "json"))["items"]
        assert [cm["data"]["LOG_LEVEL"] for cm in settings] == ["info"]  # Kustomize's generator, hashed name
        assert kubectl("get", "deploy", "guestbook-ui", "-n", "ee-awx-guestbook", "-o", "jsonpath={.spec.replicas}") == "1"

        second, artifacts, stdout = run_job(pdd, ee_image, "second")
        assert second.returncode == 0, stdout[-6000:]
        assert recap(ANSI.sub("", stdout))["changed"] == 0, stdout[-6000:]  # AWX keeps Ansible's colours
        stats = stats_event(artifacts)["event_data"]
        assert stats.get("changed", {}).get("localhost", 0) == 0, stats
        summary = stats["artifact_data"]["gitops_k8s_summary"]
        for row in summary:
            assert row["result"] == "in-sync", row
            assert (row["created"], row["configured"], row["pruned"]) == (0, 0, 0), row
