"""Helpers for integration tests: throwaway Git repositories and a reconcile runner
wired with the real adapters (kubernetes client, git CLI, renderers) against the
test cluster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.commit_signatures import CommitVerifier
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.lease import LeaseLock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine import commit_trust, redact
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Ports
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

from .playbook import REPO_ROOT

GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.test", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.test")


class GitRepo:
    """A work tree with commits, usable as a checkout_dir or as a file:// remote."""

    def __init__(self, path):
        self.path = str(path)
        os.makedirs(self.path, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args):
        return subprocess.run(["git", "-C", self.path, *args], check=True, capture_output=True, text=True, env=GIT_ENV).stdout.strip()

    def write(self, rel, text):
        full = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))
        return self

    def remove(self, rel):
        self.git("rm", "-q", "-r", rel)
        return self

    def commit(self, message="change"):
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    @property
    def url(self):
        return "file://" + self.path


def application(name, namespace, path, dest, automated=True, prune=True, self_heal=True, allow_empty=False, repo_url=None, **spec):
    source = {"path": path}
    if repo_url:
        source["repoURL"] = repo_url
    policy = {}
    if automated:
        policy["automated"] = {"prune": prune, "selfHeal": self_heal, "allowEmpty": allow_empty}
    body = {"source": source, "destination": {"namespace": dest}, "syncPolicy": policy}
    body.update(spec)
    return {"apiVersion": APP_API_VERSION, "kind": APP_KIND, "metadata": {"name": name, "namespace": namespace}, "spec": body}


@dataclass
class Runner:
    """Declares Applications and reconciles them like gitops.k8s.app does."""

    kubeconfig: str
    checkout_dir: str = None
    cache_dir: str = None
    credentials: object = None
    commit_signatures: object = None  # the module option (verified commits)
    last_cluster: object = field(default=None)

    def cluster(self):
        return KubeCluster(kubeconfig=self.kubeconfig)

    def declare(self, app):
        cluster = self.cluster()
        store = AppStore(cluster, SystemClock())
        store.ensure_crd()
        obj, _changed = store.declare(app)
        return obj

    def get(self, namespace, name):
        return AppStore(self.cluster(), SystemClock()).get(namespace, name)

    def reconcile(self, namespace, name, lock_mode="wait", lock_timeout=30, **settings):
        cluster = self.cluster()
        clock = SystemClock()
        store = AppStore(cluster, clock)
        app = store.get(namespace, name)
        # the test repositories are served over file:// (an operator's opt-in in gitops.k8s.app)
        sources = Sources(
            store,
            checkout_dir=self.checkout_dir,
            cache_dir=self.cache_dir,
            allow_local_repos=True,
            credentials=self.credentials,
            discovery=lambda spec: cluster.capabilities(),
            verifier=CommitVerifier(commit_trust.rules_of(self.commit_signatures), cluster),
        )
        ports = Ports(
            cluster=cluster,
            source=sources.source,
            render=sources.render,
            lock=lambda spec: LeaseLock(cluster, clock, spec.namespace, "gapp-" + spec.name, mode=lock_mode, timeout=lock_timeout).hold(),
            write_status=store.write_status,
            clock=clock,
            remove_finalizer=store.remove_finalizer,
        )
        settings.setdefault("salt", redact.new_salt())
        outcome = reconcile(app, ports, Settings(**settings))
        outcome.requests = dict(cluster.stats)
        self.last_cluster = cluster
        return outcome


def comparison_error(kubectl, namespace, name):
    """(sync status, first ComparisonError message or "") of an Application, read with kubectl."""
    status = json.loads(kubectl("get", "applications." + API_GROUP, name, "-n", namespace, "-o", "json")).get("status") or {}
    errors = [c["message"] for c in status.get("conditions") or [] if c.get("type") == "ComparisonError"]
    return status.get("sync", {}).get("status"), errors[0] if errors else ""


def pull_repository(path, name, namespace, files):
    """A GitOps repository as ansible-pull reads it, committed: the example local.yml, an
    automated Application ``name`` in ``namespace`` (apps/<name>.yaml) deploying the folder
    ``name/`` into ``namespace``, and ``files`` ({file name: text}) in that folder."""
    repo = GitRepo(path)
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), os.path.join(repo.path, "local.yml"))
    repo.write("apps/%s.yaml" % name, json.dumps(application(name, namespace, name, namespace)))
    for file_name, text in files.items():
        repo.write("%s/%s" % (name, file_name), text)
    repo.commit(name)
    return repo


def app_status(kubectl, namespace, name):
    """status of the Application NAME, read with kubectl."""
    return json.loads(kubectl("get", "applications." + API_GROUP, name, "-n", namespace, "-o", "json")).get("status") or {}


def release_finalizers(kubectl, namespace, *names):
    """Drop the finalizers of the Applications NAMES (no reconcile runs after a test to finalize them)."""
    for name in names:
        kubectl.run("patch", "applications." + API_GROUP, name, "-n", namespace, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
