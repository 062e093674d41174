"""A hostile tenant repository, end to end through the gitops.k8s.app module: it cannot
run a program through Helm, nor read outside its checkout through a symlinked chart
template or a Kustomize base reached with ``../../..``.

The tenant's repository is served by ``git daemon`` on 127.0.0.1 and reached through a
nested Application (root -> tenant -> web, api), as an app-of-apps does. Each test
syncs the tenant's honest commit first, then pushes the hostile one and checks that
nothing ran, nothing from outside reached the cluster, the Application reports the
refusal, and nothing was applied or pruned.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time

from .gitops import GitRepo, application, comparison_error
from .playbook import run_tasks

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hostile_renderers")
SECRET = "agent-only-secret-7f3a"
WATCHED_KINDS = "configmaps,services,deployments"


@contextlib.contextmanager
def git_daemon(base):
    """Serve the repositories below ``base`` read-only at git://127.0.0.1:PORT/<name>."""
    os.makedirs(base, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        ["git", "daemon", "--listen=127.0.0.1", "--port=%d" % port, "--base-path=%s" % base, "--export-all", "--reuseaddr", str(base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("git daemon did not listen on port %d" % port)
            time.sleep(0.05)
        yield "git://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def tenant_repo(path):
    """The tenant's repository: the chart and the kustomize layout of the fixtures."""
    repo = GitRepo(path)
    shutil.copytree(os.path.join(FIXTURES, "tenant"), repo.path, dirs_exist_ok=True)
    return repo


def outside_dir(tmp_path):
    """Files beside the checkouts that the agent can read and a repository must not."""
    outside = str(tmp_path / "outside")
    shutil.copytree(os.path.join(FIXTURES, "outside"), outside)
    return outside


def web_app(namespace, release_name):
    app = application("web", namespace, "charts/web", namespace)
    app["spec"]["source"]["helm"] = {"releaseName": release_name, "valuesObject": {"replicaCount": 2}}
    return app


def reconcile(tmp_path, kubeconfig, namespace, platform, parents, children):
    """root (the platform checkout), then each of ``parents`` by name, then every other
    Application (``children``), as a run of the reconcile playbook does; returns the
    registered results by task name and the rows of the children by name."""
    common = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": platform.path,
        "git_cache_dir": str(tmp_path / "git-cache"),
        "fail_on_error": False,
    }
    tasks = [{"name": "root", "gitops.k8s.app": dict(common, definition=application("root", namespace, "apps", namespace))}]
    tasks += [{"name": name, "gitops.k8s.app": dict(common, name=name)} for name in parents]
    tasks.append({"name": "children", "gitops.k8s.app": dict(common, all=True, exclude=["root"] + parents)})
    _rc, results = run_tasks(tmp_path, tasks, check=False)
    assert results["root"].get("error") is None, results["root"]
    rows = {row["application"].split("/", 1)[1]: row for row in results["children"]["applications"]}
    assert sorted(rows) == sorted(children), rows
    return results, rows


def live_objects(kubectl, namespace):
    """{Kind/name: version} of the watched kinds; a Deployment's version is its generation
    (its status is written by the controller manager), the others' their resourceVersion."""
    items = json.loads(kubectl("get", WATCHED_KINDS, "-n", namespace, "-o", "json"))["items"]
    objects = {}
    for item in items:
        meta = item["metadata"]
        if meta["name"] == "kube-root-ca.crt":
            continue
        version = meta["generation"] if item["kind"] == "Deployment" else meta["resourceVersion"]
        objects["%s/%s" % (item["kind"], meta["name"])] = version
    return objects


def assert_nothing_leaked(kubectl, namespace):
    text = kubectl("get", WATCHED_KINDS + ",secrets", "-n", namespace, "-o", "json")
    assert SECRET not in text
    assert "leaked" not in [item["metadata"]["name"] for item in json.loads(text)["items"]]


def test_tenant_cannot_run_a_post_renderer_or_build_a_base_outside_its_repository(tmp_path, kubeconfig, namespace, kubectl):
    outside = outside_dir(tmp_path)
    marker = tmp_path / "post-renderer-ran"
    script = tmp_path / "agent-tools" / "post-render.sh"  # any program on the agent's machine
    script.parent.mkdir()
    script.write_text("#!/bin/sh\ntouch %s\ncat\n" % marker)
    script.chmod(0o755)
    with git_daemon(tmp_path / "served") as served:
        tenant = tenant_repo(tmp_path / "served" / "tenant")
        tenant.write("apps/web.yaml", json.dumps(web_app(namespace, "web")))
        tenant.write("apps/api.yaml", json.dumps(application("api", namespace, "deploy/overlays/prod", namespace)))
        tenant.commit("storefront: web chart and api overlay")
        platform = GitRepo(tmp_path / "platform")
        platform.write("apps/tenant.yaml", json.dumps(application("tenant", namespace, "apps", namespace, repo_url=served + "/tenant")))
        platform.commit("onboard the storefront team")

        _results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, ["tenant"], ["web", "api"])
        assert all(row.get("error") is None for row in rows.values()), rows
        synced = live_objects(kubectl, namespace)
        assert {"Deployment/web", "ConfigMap/web", "Deployment/prod-api", "Service/prod-api"} <= set(synced), synced

        # The hostile commit: the tenant's own Application manifest and overlay.
        tenant.write("apps/web.yaml", json.dumps(web_app(namespace, "--post-renderer=%s" % script)))
        overlay = os.path.join(tenant.path, "deploy", "overlays", "prod", "kustomization.yaml")
        with open(overlay, encoding="utf-8") as handle:
            text = handle.read()
        with open(overlay, "w", encoding="utf-8") as handle:
            handle.write(text.replace("  - ../../base\n", "  - ../../base\n  - %s%s/base\n" % ("../" * 40, outside.lstrip("/"))))
        tenant.commit("storefront: faster rendering")

        results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, ["tenant"], ["web", "api"])

    assert not marker.exists(), "helm ran the repository's post-renderer"
    assert_nothing_leaked(kubectl, namespace)
    assert live_objects(kubectl, namespace) == synced  # nothing applied, nothing pruned
    assert results["tenant"].get("error") is None  # the tenant's app-of-apps itself is fine
    assert rows["web"]["error_step"] == "render" and rows["api"]["error_step"] == "render"

    sync, message = comparison_error(kubectl, namespace, "web")
    assert sync == "Unknown"
    assert "spec.source.helm.releaseName: not a valid Helm release name" in message
    assert str(script) not in message  # the hostile value is cut short
    sync, message = comparison_error(kubectl, namespace, "api")
    assert sync == "Unknown"
    assert "deploy/overlays/prod/kustomization.yaml: resources[1]" in message
    assert "resolves outside the repository" in message


def test_a_chart_template_linked_outside_the_checkout_is_refused(tmp_path, kubeconfig, namespace, kubectl):
    outside = outside_dir(tmp_path)
    with git_daemon(tmp_path / "served") as served:
        tenant = tenant_repo(tmp_path / "served" / "tenant")
        tenant.commit("storefront: web chart")
        platform = GitRepo(tmp_path / "platform")
        web = web_app(namespace, "web")
        web["spec"]["source"]["repoURL"] = served + "/tenant"
        platform.write("apps/web.yaml", json.dumps(web))
        platform.commit("deploy the storefront chart")

        _results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, [], ["web"])
        assert rows["web"].get("error") is None, rows
        synced = live_objects(kubectl, namespace)
        assert "ConfigMap/web" in synced

        # A template that is a link to a file of the agent's machine.
        os.symlink(os.path.join(outside, "leaked-template.yaml"), os.path.join(tenant.path, "charts/web/templates/leaked.yaml"))
        tenant.commit("storefront: shared settings")

        _results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, [], ["web"])

    assert_nothing_leaked(kubectl, namespace)
    assert live_objects(kubectl, namespace) == synced  # nothing applied, nothing pruned
    assert rows["web"]["error_step"] == "render"
    sync, message = comparison_error(kubectl, namespace, "web")
    assert sync == "Unknown"
    assert "charts/web/templates/leaked.yaml: symbolic link points outside the repository" in message
