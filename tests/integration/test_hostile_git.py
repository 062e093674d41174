"""Hostile Git input, end to end through the gitops.k8s.app module on the test cluster.

- A nested Application whose repoURL git would run as a command (``ext::``) or read as
  an option (``--upload-pack=``, an ssh host starting with ``-``) is refused: nothing
  runs, the Application reports why; a ``file://`` repository needs allow_local_repos.
- A credential for every host (``url: "*"``) fails the module before anything is fetched.
- A credential scoped to one smart-HTTP server on 127.0.0.1 reaches the repositories
  below its URL on that server, and never another server (another port) or a sibling path.
The platform repository is a local checkout (checkout_dir), as ansible-pull leaves it.
"""

from __future__ import annotations

import base64
import json

from tests.helpers import git_servers

from .gitops import GitRepo, application, comparison_error
from .playbook import run_tasks

TOKEN = "glpat-scopedToOneServer-5c1e"
BASIC = "Basic " + base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  from: %s\n"


def platform_with(tmp_path, namespace, children):
    """The platform checkout: one Application manifest per (name, repoURL) under apps/."""
    platform = GitRepo(tmp_path / "platform")
    for name, repo_url in children.items():
        platform.write("apps/%s.json" % name, json.dumps(application(name, namespace, ".", namespace, repo_url=repo_url)))
    platform.commit("platform")
    return platform


def reconcile(tmp_path, kubeconfig, namespace, platform, **params):
    """The root (the platform checkout), then every other Application, as the reconcile
    playbook does; returns (registered results, rows of the children by name)."""
    common = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": platform.path,
        "git_cache_dir": str(tmp_path / "git-cache"),
        "run_id": "hostile-git",
        "fail_on_error": False,
    }
    common.update(params)
    tasks = [
        {"name": "root", "gitops.k8s.app": dict(common, definition=application("root", namespace, "apps", namespace))},
        {"name": "children", "gitops.k8s.app": dict(common, all=True, exclude=["root"])},
    ]
    _rc, results = run_tasks(tmp_path, tasks, check=False)
    assert results["root"].get("error") is None and not results["root"].get("failed"), results["root"]
    return results, {row["application"].split("/", 1)[1]: row for row in results["children"].get("applications", [])}


def served_repo(tmp_path, name, configmap):
    repo = GitRepo(tmp_path / "src" / name)
    repo.write("cm.yaml", CONFIGMAP % (configmap, name))
    repo.commit(name)
    return repo


def test_option_and_transport_repo_urls_are_refused_and_run_nothing(tmp_path, kubeconfig, namespace, kubectl):
    marker = tmp_path / "marker"
    local = served_repo(tmp_path, "local", "from-local")
    hostile = {
        "via-ext": "ext::sh -c touch% " + str(marker),
        "via-upload-pack": "--upload-pack=touch " + str(marker),
        "via-ssh-option": "ssh://-oProxyCommand=touch%20" + str(marker) + "/x.git",
        "via-fd": "fd::0",
    }
    platform = platform_with(tmp_path, namespace, dict(hostile, **{"local": local.url}))

    results, rows = reconcile(tmp_path, kubeconfig, namespace, platform)
    assert sorted(rows) == sorted(list(hostile) + ["local"])
    for name in hostile:
        assert rows[name]["error_step"] == "fetch", rows[name]
        assert "repository URL not allowed" in rows[name]["error"]
        sync, message = comparison_error(kubectl, namespace, name)
        assert sync == "Unknown" and "repository URL not allowed" in message
    assert "local repositories" in rows["local"]["error"]
    assert not marker.exists()
    assert kubectl.run("get", "cm", "from-local", "-n", namespace).returncode != 0

    _results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, allow_local_repos=True)
    assert rows["local"].get("error") is None and rows["local"]["created"] == ["ConfigMap/%s/from-local" % namespace]
    assert all("repository URL not allowed" in rows[name]["error"] for name in hostile)
    assert not marker.exists()


def test_a_credential_for_every_host_is_refused_before_any_fetch(tmp_path, kubeconfig, namespace):
    (tmp_path / "srv").mkdir()
    with git_servers.GitHTTPServer(tmp_path / "srv") as server:
        url = server.add_repo("team/app.git", served_repo(tmp_path, "app", "from-app").path)
        root = application("root", namespace, ".", namespace, repo_url=url)
        task = {
            "kubeconfig": kubeconfig,
            "namespace": namespace,
            "definition": root,
            "git_cache_dir": str(tmp_path / "git-cache"),
            "repo_credentials": [{"url": url, "token": TOKEN}, {"url": "*", "token": TOKEN}],
        }
        rc, results = run_tasks(tmp_path, [{"name": "wildcard", "gitops.k8s.app": task}], check=False)
    assert rc != 0 and results["wildcard"]["failed"] is True
    assert results["wildcard"]["msg"].startswith("repo_credentials[1]: url *: wildcards are not allowed")
    assert TOKEN not in json.dumps(results) and BASIC.split()[1] not in json.dumps(results)
    assert server.requests == []


def test_a_credential_reaches_only_the_server_and_path_prefix_it_names(tmp_path, kubeconfig, namespace, kubectl):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with git_servers.GitHTTPServer(tmp_path / "a") as first, git_servers.GitHTTPServer(tmp_path / "b") as second:
        children = {
            "team-app": first.add_repo("team/app.git", served_repo(tmp_path, "team-app", "team-app").path),
            "teammate-app": first.add_repo("teammate/app.git", served_repo(tmp_path, "teammate-app", "teammate-app").path),
            "other-server": second.add_repo("team/app.git", served_repo(tmp_path, "other-server", "other-server").path),
        }
        platform = platform_with(tmp_path, namespace, children)
        credentials = [{"url": first.url + "/team", "token": TOKEN}]
        results, rows = reconcile(tmp_path, kubeconfig, namespace, platform, repo_credentials=credentials)
    for name in children:
        assert rows[name].get("error") is None, rows[name]
        assert rows[name]["created"] == ["ConfigMap/%s/%s" % (namespace, name)]
    by_repo = {}
    for _method, path, auth in first.requests:
        by_repo.setdefault(path.split(".git")[0], set()).add(auth)
    assert by_repo == {"/team/app": {BASIC}, "/teammate/app": {None}}
    assert second.requests and set(second.auth_headers) == {None}
    assert TOKEN not in json.dumps(results)
