"""An Argo CD user's repositories, unchanged, through a real `ansible-pull` of local.yml.

The platform repository (fixtures/argocd_app_of_apps/platform) holds an app-of-apps Helm
chart whose templates are `argoproj.io/v1alpha1` Applications naming
`https://github.com/acme/gitops-workloads.git`, as argocd-example-apps writes them. That
URL is served from a smart-HTTP server on 127.0.0.1 through
`gitops_k8s_repo_url_rewrites`; nothing leaves the machine. Then:

- the Argo CD Applications become gitops.k8s Applications of the run's namespace (the
  converted-from annotation, our finalizer), their children reconcile and their objects
  exist; the status keeps the GitHub URL and names the URL fetched;
- a field not carried out (`kustomize.version`) is an UnsupportedFeatureWarning condition
  and an Ansible warning in the run's output, and the Application still syncs; its
  `kustomize.images` is carried out;
- the AppProject in the chart is not applied: a warning on the root, not a failed sync;
- an Application whose `destination.server` is another cluster, not registered by a
  cluster Secret, fails with an error naming the field, and nothing of its path is
  written to this cluster.
"""

from __future__ import annotations

import json
import os
import shutil

from tests.helpers import git_servers

from .gitops import GitRepo
from .playbook import ansible_pull
from .test_ansible_pull import recap

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "argocd_app_of_apps")
GITHUB_URL = "https://github.com/acme/gitops-workloads.git"


def repo_of(tmp_path, name):
    repo = GitRepo(tmp_path / name)
    shutil.copytree(os.path.join(FIXTURES, name), repo.path, dirs_exist_ok=True)
    repo.commit(name)
    return repo


def conditions(app):
    return dict((c["type"], c["message"]) for c in (app.get("status") or {}).get("conditions") or [])


def release_finalizers(kubectl, namespace):
    """No reconcile runs after the test: let the namespace go (our finalizer would hold it)."""
    listed = kubectl.run("get", "gapp", "-n", namespace, "-o", "name")
    for name in listed.stdout.split() if listed.returncode == 0 else []:
        kubectl.run("patch", name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')


def test_an_argo_cd_app_of_apps_chart_through_a_url_rewrite(tmp_path, kubeconfig, namespace, kubectl):
    platform = repo_of(tmp_path, "platform")
    workloads = repo_of(tmp_path, "workloads")
    (tmp_path / "srv").mkdir()
    try:
        with git_servers.GitHTTPServer(tmp_path / "srv") as server:
            served = server.add_repo("acme/gitops-workloads.git", workloads.path)
            extra = {
                "gitops_k8s_namespace": namespace,
                "gitops_k8s_git_timeout": 30,
                "gitops_k8s_repo_url_rewrites": {"https://github.com/acme/": server.url + "/acme/"},
            }
            run = ansible_pull(platform.url, str(tmp_path / "checkout"), kubeconfig, "-e", json.dumps(extra))
            again = ansible_pull(platform.url, str(tmp_path / "checkout"), kubeconfig, "-e", json.dumps(extra))
        assert not server.errors, server.errors
        assert server.requests, "the rewritten URL was not fetched"
        output = run.stdout + run.stderr
        apps = dict((a["metadata"]["name"], a) for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"])

        # The run fails (one Application failed), after every Application was reconciled.
        assert run.returncode != 0, output[-5000:]
        assert sorted(apps) == ["guestbook", "kustomize-guestbook", "prod-only", "root"], output[-5000:]

        guestbook = apps["guestbook"]
        assert guestbook["metadata"]["annotations"]["gitops-k8s.dev/converted-from"] == "argoproj.io/v1alpha1"
        assert guestbook["metadata"]["finalizers"] == ["gitops-k8s.dev/resources-finalizer"]
        assert guestbook["status"]["sync"]["status"] == "Synced", guestbook["status"]
        assert guestbook["status"]["sync"]["repoURL"] == GITHUB_URL
        assert guestbook["status"]["sync"]["fetchedURL"] == served
        assert guestbook["status"]["sync"]["revision"] == workloads.git("rev-parse", "HEAD")
        assert (
            kubectl("get", "deploy", "guestbook-ui", "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
            == "gcr.io/heptio-images/ks-guestbook-demo:0.2"
        )
        assert kubectl("get", "svc", "guestbook-ui", "-n", namespace, "-o", "name").strip() == "service/guestbook-ui"

        kustomized = apps["kustomize-guestbook"]
        assert kustomized["status"]["sync"]["status"] == "Synced", kustomized["status"]
        warning = conditions(kustomized)["UnsupportedFeatureWarning"]
        assert "spec.source.kustomize.version is not carried out" in warning
        assert kustomized["spec"]["source"]["kustomize"]["version"] == "v5.4.3"  # the CRD kept it
        # kustomize.images is carried out, as Argo CD's `kustomize edit set image`
        assert (
            kubectl("get", "deploy", "kustomize-guestbook-ui", "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
            == "gcr.io/heptio-images/ks-guestbook-demo:0.3"
        )
        assert "spec.source.kustomize.version is not carried out" in output  # the Ansible warning

        # the AppProject became our Project, beside the Applications (where the run reads Projects)
        assert "ComparisonError" not in conditions(apps["root"])
        project = json.loads(kubectl("get", "projects.gitops-k8s.dev", "platform", "-n", namespace, "-o", "json"))
        assert project["spec"]["sourceRepos"] == ["https://github.com/acme/*"]
        assert kubectl.run("get", "appprojects.argoproj.io", "-A").returncode != 0  # no such kind was created

        prod = apps["prod-only"]
        error = conditions(prod)["ComparisonError"]
        assert error.startswith("destination failed: spec.destination.server 'https://prod-eu.k8s.acme.example:6443' is not a registered cluster"), error
        assert "prod-only" in output and "spec.destination.server" in output
        assert kubectl.run("get", "cm", "prod-settings", "-n", namespace).returncode != 0
        assert "inventory" not in prod.get("status", {}) or not prod["status"]["inventory"]

        # The converted Applications are stable: a second run changes nothing (and fails the same way).
        assert recap(again.stdout)["changed"] == 0, again.stdout[-5000:]
        assert "spec.destination.server" in again.stdout + again.stderr
    finally:
        release_finalizers(kubectl, namespace)
