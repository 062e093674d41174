# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""git_source: argument spec mirrors the docs; run() maps params to fetch() and back;
a real playbook run (module, check mode, diff) when ansible-playbook is available."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import runner
from ansible_collections.gitops.k8s.plugins.modules import git_source

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def make_repo(path):
    env = dict(os.environ, **GIT_ENV)
    os.makedirs(path)
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", path], check=True, env=env)
    with open(os.path.join(path, "cm.yaml"), "w", encoding="utf-8") as handle:
        handle.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\n")
    subprocess.run(["git", "-C", path, "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", path, "commit", "--quiet", "-m", "one"], check=True, env=env)
    return subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], check=True, env=env, capture_output=True, text=True).stdout.strip()


def test_argument_spec_matches_documentation():
    doc = yaml.safe_load(git_source.DOCUMENTATION)["options"]
    spec = git_source.argument_spec()
    assert sorted(doc) == sorted(spec)
    for name, option in spec.items():
        assert doc[name]["type"] == option["type"], name
        assert doc[name].get("default") == option.get("default"), name
        assert doc[name].get("required", False) == option.get("required", False), name
    assert {name for name, option in spec.items() if option.get("no_log")} == {"ssh_key", "password", "token"}


class FakeModule:
    def __init__(self, **params):
        self.params = dict((name, option.get("default")) for name, option in git_source.argument_spec().items())
        self.params.update(params)
        self._diff = True
        self.check_mode = False


@pytest.mark.skipif(shutil.which("git") is None, reason="git not found")
def test_run_returns_commit_path_and_diff(tmp_path):
    commit = make_repo(str(tmp_path / "src"))
    module = FakeModule(repo="file://%s" % (tmp_path / "src"), cache_dir=str(tmp_path / "cache"))
    result = runner.run_git_source(module)
    assert result["commit"] == commit and result["changed"] is True and result["previous_commit"] is None
    assert result["diff"]["after"] == "HEAD: %s\n" % commit
    assert os.path.isfile(os.path.join(result["path"], "cm.yaml"))
    again = runner.run_git_source(module)
    assert again["changed"] is False and "diff" not in again


def commit_file(path, name, message):
    env = dict(os.environ, **GIT_ENV)
    with open(os.path.join(path, name), "w", encoding="utf-8") as handle:
        handle.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n" % message)
    subprocess.run(["git", "-C", path, "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", path, "commit", "--quiet", "-m", message], check=True, env=env)
    return subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], check=True, env=env, capture_output=True, text=True).stdout.strip()


def cache_state(cache):
    """Every state file of the cache (path -> text): what a later run reads as its past."""
    found = {}
    for root, _dirs, files in os.walk(str(cache)):
        for name in files:
            if name.startswith("state.json"):
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    found[os.path.join(root, name)] = handle.read()
    return found


@pytest.mark.skipif(shutil.which("git") is None, reason="git not found")
def test_check_mode_records_nothing(tmp_path):
    """Check mode predicts the change (and exports the tree a check-mode plan reads) but
    records no state: the real run after it reports the same change."""
    src, cache = str(tmp_path / "src"), tmp_path / "cache"
    first = make_repo(src)
    checking = FakeModule(repo="file://%s" % src, cache_dir=str(cache))
    checking.check_mode = True
    predicted = runner.run_git_source(checking)
    assert predicted["commit"] == first and predicted["changed"] is True and predicted["previous_commit"] is None
    assert os.path.isfile(os.path.join(predicted["path"], "cm.yaml"))
    assert cache_state(cache) == {}
    real = FakeModule(repo="file://%s" % src, cache_dir=str(cache))
    done = runner.run_git_source(real)
    assert done["changed"] is True and done["previous_commit"] is None and done["commit"] == first
    recorded = cache_state(cache)
    second = commit_file(src, "two.yaml", "two")
    predicted = runner.run_git_source(checking)
    assert predicted["commit"] == second and predicted["previous_commit"] == first and predicted["changed"] is True
    assert cache_state(cache) == recorded
    again = runner.run_git_source(checking)
    assert again["changed"] is True and again["previous_commit"] == first
    done = runner.run_git_source(real)
    assert done["changed"] is True and done["previous_commit"] == first and done["commit"] == second


@pytest.mark.parametrize("url", ["ext::sh -c touch% {marker}", "--upload-pack=touch {marker}", "fd::3", "ssh://-oProxyCommand=touch%20{marker}/x"])
def test_run_refuses_options_and_transports_but_keeps_local_urls(tmp_path, url):
    marker = tmp_path / "marker"
    module = FakeModule(repo=url.format(marker=marker), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(SourceError) as err:
        runner.run_git_source(module)
    assert "repository URL not allowed" in str(err.value)
    assert not marker.exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git not found")
def test_run_accepts_a_local_path(tmp_path):
    commit = make_repo(str(tmp_path / "src"))
    module = FakeModule(repo=str(tmp_path / "src"), cache_dir=str(tmp_path / "cache"))
    assert runner.run_git_source(module)["commit"] == commit


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git not found")
def test_playbook_check_mode_and_lookup_of_the_fetched_tree(tmp_path):
    playbook_bin = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "ansible-playbook")
    if not os.path.exists(playbook_bin):
        pytest.skip("ansible-playbook not beside the Python running the tests")
    commit = make_repo(str(tmp_path / "src"))
    play = tmp_path / "play.yml"
    play.write_text(
        """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Fetch in check mode
      gitops.k8s.git_source:
        repo: "file://{src}"
        cache_dir: "{cache}"
        token: not-for-file-urls
      check_mode: true
      register: refused
      ignore_errors: true
    - name: Fetch
      gitops.k8s.git_source:
        repo: "file://{src}"
        cache_dir: "{cache}"
      check_mode: true
      register: source
    - name: Render
      ansible.builtin.set_fact:
        objects: "{{{{ lookup('gitops.k8s.manifests', '.', root=source.path) }}}}"
    - name: Save
      ansible.builtin.copy:
        dest: "{out}"
        content: "{{{{ {{'refused': refused, 'source': source, 'objects': objects}} | to_json }}}}"
""".format(src=tmp_path / "src", cache=tmp_path / "cache", out=tmp_path / "out.json")
    )
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(REPO_ROOT, ".collections")
    env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    proc = subprocess.run([playbook_bin, "-i", "localhost,", str(play)], env=env, capture_output=True, text=True, check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(str(tmp_path / "out.json"), encoding="utf-8") as handle:
        out = json.load(handle)
    assert out["refused"]["failed"] is True
    assert out["refused"]["msg"].endswith("username, password and token only apply to http(s) repository URLs")
    assert "not-for-file-urls" not in json.dumps(out["refused"])
    assert out["source"]["commit"] == commit
    assert "owner" not in out["source"] and "mode" not in out["source"]
    assert [obj["metadata"]["name"] for obj in out["objects"]] == ["from-git"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not found")
def test_a_rewrite_fetches_the_named_repository_from_its_mirror(tmp_path):
    commit = make_repo(str(tmp_path / "mirror" / "acme" / "platform"))
    module = FakeModule(
        repo="https://github.com/acme/platform",
        cache_dir=str(tmp_path / "cache"),
        repo_url_rewrites={"https://github.com/": "file://%s/" % (tmp_path / "mirror")},
    )
    result = runner.run_git_source(module)
    assert result["commit"] == commit and result["repo"] == "https://github.com/acme/platform"
    assert result["fetched_url"] == "file://%s/acme/platform" % (tmp_path / "mirror")
    plain = runner.run_git_source(FakeModule(repo="file://%s/acme/platform" % (tmp_path / "mirror"), cache_dir=str(tmp_path / "cache")))
    assert plain["fetched_url"] == ""
