"""Pull-request previews, end to end: a repository on file:// with a root and two
Applications synced to the test cluster by gitops.k8s.reconcile; a branch that adds an
object, changes two (one a Secret value) and removes two (one no longer this Application's);
gitops.k8s.preview run for the branch with a ServiceAccount that may only read and dry-run
(the RBAC of docs/previews.md). The comment names exactly those objects, never the Secret
value, and nothing in the cluster changed (resourceVersions, Events, Leases). A branch whose
render fails gives an error section naming the Application, file and line, and a failed run."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time

import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_FINALIZER
from tests.helpers.waiting import wait_for

from .gitops import GitRepo, application, release_finalizers
from .playbook import VENV_BIN, ansible_env
from .test_status_page_events import config_map

SECRET_ON_MAIN = "mainvalue-Hs72Lq-do-not-show"
SECRET_ON_BRANCH = "branchvalue-Vb28Qe-do-not-show"
PREVIEWER = "previewer"
# what a preview needs (docs/previews.md): read everything it compares, and dry-run apply
# (RBAC cannot tell a dry-run from a write: patch, plus create for objects not there yet)
PREVIEW_RULES = [
    {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]},
    {"apiGroups": ["*"], "resources": ["*"], "verbs": ["patch", "create"]},
]


def app_manifest(name, path, namespace, finalizer=False):
    app = application(name, namespace, path, namespace)
    if finalizer:
        app["metadata"]["finalizers"] = [APP_FINALIZER]
    return yaml.safe_dump(app)


def secret(value):
    return (
        """
    apiVersion: v1
    kind: Secret
    metadata:
      name: creds
    stringData:
      password: %s
      user: app
    """
        % value
    )


def playbook(name, *extra, ok=True):
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "gitops.k8s." + name, *extra],
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if ok:
        assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc


def versions(kubectl, namespace):
    """kind/name -> resourceVersion of every object a preview could have written in the
    namespace (the objects, the Applications and their status, Leases, Events)."""
    out = {}
    for kind in ("configmaps", "secrets", "applications.gitops-k8s.dev", "leases.coordination.k8s.io", "events"):
        for item in json.loads(kubectl("get", kind, "-n", namespace, "-o", "json"))["items"]:
            out["%s/%s" % (kind, item["metadata"]["name"])] = item["metadata"]["resourceVersion"]
    return out


def assert_no_secret_value(*texts):
    for value in (SECRET_ON_MAIN, SECRET_ON_BRANCH):
        for form in (value, base64.b64encode(value.encode()).decode()):
            assert all(form not in text for text in texts), "a Secret value is in the preview"


def listed(markdown):
    """verb -> set of object ids the comment lists under it (its ``Added:`` ... lists)."""
    out, verb = {}, None
    for line in markdown.splitlines():
        heading = re.fullmatch(r"(Added|Changed|Removed|Left in place \(not pruned\)):", line)
        if heading:
            verb = heading.group(1).split()[0].lower()
            continue
        item = re.match(r"- `([^`]+)`", line)
        if item and verb:
            out.setdefault(verb, set()).add(item.group(1))
        elif not line.strip() or line.startswith("#"):
            verb = None
    return out


def previewer_kubeconfig(tmp_path, kubeconfig, kubectl, kube_api, namespace):
    """A kubeconfig of a ServiceAccount bound to PREVIEW_RULES in ``namespace`` only."""
    kubectl("create", "serviceaccount", PREVIEWER, "-n", namespace)
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": PREVIEWER, "namespace": namespace}, "rules": PREVIEW_RULES}
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": PREVIEWER, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": PREVIEWER},
        "subjects": [{"kind": "ServiceAccount", "name": PREVIEWER, "namespace": namespace}],
    }
    for obj in (role, binding):
        path = tmp_path / ("%s.json" % obj["kind"])
        path.write_text(json.dumps(obj), encoding="utf-8")
        kubectl("apply", "-f", str(path))

    def token():
        account = kube_api.core.read_namespaced_service_account(PREVIEWER, namespace)
        if not account.secrets:
            return None
        data = kube_api.core.read_namespaced_secret(account.secrets[0].name, namespace).data or {}
        return base64.b64decode(data["token"]).decode() if data.get("token") else None

    value = wait_for(token, what="the previewer ServiceAccount's token", timeout=180)
    with open(kubeconfig, encoding="utf-8") as handle:
        admin = yaml.safe_load(handle)
    context = next(c for c in admin["contexts"] if c["name"] == admin["current-context"])["context"]
    cluster = dict(next(c for c in admin["clusters"] if c["name"] == context["cluster"])["cluster"])
    if cluster.get("certificate-authority"):
        ca_path = os.path.join(os.path.dirname(kubeconfig), cluster.pop("certificate-authority"))
        with open(ca_path, "rb") as handle:
            cluster["certificate-authority-data"] = base64.b64encode(handle.read()).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "test", "cluster": cluster}],
        "users": [{"name": PREVIEWER, "user": {"token": value}}],
        "contexts": [{"name": PREVIEWER, "context": {"cluster": "test", "user": PREVIEWER, "namespace": namespace}}],
        "current-context": PREVIEWER,
    }
    path = tmp_path / "previewer.kubeconfig"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_preview_of_a_branch(tmp_path, kubeconfig, kubectl, kube_api, namespace):
    ns = namespace
    repo = GitRepo(tmp_path / "repo")
    repo.write("apps/web.yaml", app_manifest("web", "web", ns))
    repo.write("apps/cfg.yaml", app_manifest("cfg", "cfg", ns, finalizer=True))  # removing it prunes its objects
    repo.write("web/settings.yaml", config_map("web-settings", "one"))
    repo.write("web/old.yaml", config_map("web-old", "old"))
    repo.write("cfg/settings.yaml", config_map("cfg-settings", "same"))
    repo.write("cfg/shared.yaml", config_map("cfg-shared", "shared"))
    repo.write("cfg/secret.yaml", secret(SECRET_ON_MAIN))
    first = repo.commit("first")
    try:
        scenario(tmp_path, kubeconfig, kubectl, kube_api, ns, repo, first)
    finally:
        release_finalizers(kubectl, ns, "cfg")


def scenario(tmp_path, kubeconfig, kubectl, kube_api, ns, repo, first):
    common = ("-e", "gitops_k8s_namespace=%s" % ns, "-e", "gitops_k8s_allow_local_repos=true")
    playbook(
        "reconcile",
        "-e",
        "gitops_k8s_kubeconfig=%s" % kubeconfig,
        "-e",
        "gitops_k8s_root_repo_url=%s" % repo.url,
        "-e",
        "gitops_k8s_root_revision=main",
        *common,
    )
    assert kubectl("get", "configmap", "web-old", "-n", ns, "-o", "name").strip() == "configmap/web-old"
    # cfg-shared now belongs to someone else (its tracking annotation says so): cfg must not prune it
    kubectl("annotate", "--overwrite", "configmap", "cfg-shared", "-n", ns, "gitops-k8s.dev/tracking-id=%s/other:/ConfigMap:%s/cfg-shared" % (ns, ns))

    repo.git("checkout", "-q", "-b", "feature")
    repo.write("web/new.yaml", config_map("web-new", "new"))
    repo.write("web/settings.yaml", config_map("web-settings", "two"))
    repo.remove("web/old.yaml")
    repo.remove("cfg/shared.yaml")
    repo.write("cfg/secret.yaml", secret(SECRET_ON_BRANCH))
    feature = repo.commit("feature")
    repo.git("checkout", "-q", "main")

    access = previewer_kubeconfig(tmp_path, kubeconfig, kubectl, kube_api, ns)
    before = versions(kubectl, ns)
    comment = tmp_path / "preview.md"
    started = time.monotonic()

    def preview(revision, ok):
        return playbook(
            "preview",
            "-e",
            "gitops_k8s_kubeconfig=%s" % access,
            "-e",
            "gitops_k8s_preview_revision=%s" % revision,
            "-e",
            "gitops_k8s_preview_repo_url=%s" % repo.url,
            "-e",
            "gitops_k8s_preview_file=%s" % comment,
            *common,
            ok=ok,
        )

    proc = preview("feature", ok=True)
    print("preview of 3 Applications: %.1f s" % (time.monotonic() - started))
    text = comment.read_text(encoding="utf-8")
    print(text)

    assert listed(text) == {
        "added": {"ConfigMap/%s/web-new" % ns},
        "changed": {"ConfigMap/%s/web-settings" % ns, "Secret/%s/creds" % ns},
        "removed": {"ConfigMap/%s/web-old" % ns},
        "left": {"ConfigMap/%s/cfg-shared" % ns},
    }
    assert "#### `%s/web` at `%s`" % (ns, feature[:12]) in text and "#### `%s/cfg` at `%s`" % (ns, feature[:12]) in text
    assert "2 of 3 Applications change: 1 object added, 2 changed, 1 removed." in text
    assert "`%s/root`" % ns not in text  # the Applications themselves do not change
    assert "+  setting: two" in text and "-  setting: one" in text
    assert "redacted sha256:" in text and "Errors" not in text
    assert_no_secret_value(text, proc.stdout)
    assert len(text) < 65536

    # nothing was written: no object, status, Lease or Event changed or appeared
    assert versions(kubectl, ns) == before
    assert kubectl("get", "configmap", "web-new", "-n", ns, "--ignore-not-found", "-o", "name").strip() == ""
    assert kubectl("get", "configmap", "web-settings", "-n", ns, "-o", "jsonpath={.data.setting}") == "one"

    # a branch that adds an Application and removes one: the removed one's objects are those
    # its finalizer would prune (cfg-shared is not cfg's: left in place)
    repo.git("checkout", "-q", "-b", "apps", "main")
    repo.write("apps/api.yaml", app_manifest("api", "api", ns))
    repo.write("api/settings.yaml", config_map("api-settings", "new"))
    repo.remove("apps/cfg.yaml")
    apps = repo.commit("apps")
    proc = preview(apps, ok=True)  # a commit, not a branch
    text = comment.read_text(encoding="utf-8")
    print(text)
    assert_no_secret_value(text, proc.stdout)
    assert listed(text) == {
        "added": {"Application/%s/api" % ns, "ConfigMap/%s/api-settings" % ns},
        "removed": {"Application/%s/cfg" % ns, "ConfigMap/%s/cfg-settings" % ns, "Secret/%s/creds" % ns},
        "left": {"ConfigMap/%s/cfg-shared" % ns},
    }
    assert "#### `%s/cfg` at `%s`: removed by this revision (Application deleted: pruning its objects)" % (ns, first[:12]) in text
    assert "### GitOps preview of `%s`\n" % apps[:12] in text
    assert versions(kubectl, ns) == before

    # a branch whose render fails: an error section naming the Application, the file and
    # the line, and a failed run (after the comment is written)
    repo.git("checkout", "-q", "-b", "broken", "feature")
    repo.write("web/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata: [unclosed\n")
    repo.commit("broken")
    proc = preview("broken", ok=False)
    assert proc.returncode == 2
    text = comment.read_text(encoding="utf-8")
    print(text)
    assert_no_secret_value(text, proc.stdout)
    errors = text.split("#### Errors", 1)[1]
    assert "`%s/web`: render failed" % ns in errors
    assert re.search(r"web/bad\.yaml:\d+", errors), errors
    assert "| `%s/web` | failed (render) |" % ns in text
    assert "%s/web" % ns in proc.stdout  # the failure names the Application
    assert "ConfigMap/%s/cfg-shared" % ns in text  # cfg is still compared
    assert versions(kubectl, ns) == before
