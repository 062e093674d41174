"""Fault suite, Git: a repository that is unreachable, rewritten, deleted or whose
cache is corrupt. The server is a real `git daemon` on 127.0.0.1 (faults.GitDaemon);
each case compares the namespace's objects by uid before and after. Slow and hostile
Git servers are in test_hostile_git.py.
"""

from __future__ import annotations

import os
import time

import pytest

from .faults import CONFIGMAP, GitDaemon, agent, cache_entries, ids, lost, module_params, module_reconcile, uids
from .gitops import GitRepo, application


def write_configmaps(repo, values):
    for name, value in values.items():
        repo.write("app/%s.yaml" % name, CONFIGMAP.format(name=name, value=value))


@pytest.fixture
def daemon(tmp_path):
    server = GitDaemon(tmp_path / "srv").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def repo(tmp_path):
    """A repository with ConfigMaps a, b, c under app/, served as <daemon>/gitops-repo."""
    r = GitRepo(tmp_path / "srv" / "gitops-repo")
    write_configmaps(r, {"a": "1", "b": "1", "c": "1"})
    r.commit("three ConfigMaps")
    return r


@pytest.fixture
def runner(kubeconfig, tmp_path):
    return agent(kubeconfig, tmp_path)


def faulty_app(namespace, url, revision="main"):
    """Application `faulty-git`: path app/ of URL at REVISION, automated with prune."""
    app = application("faulty-git", namespace, "app", namespace, repo_url=url)
    app["spec"]["source"]["targetRevision"] = revision
    return app


def declare(runner, namespace, url, revision="main"):
    runner.declare(faulty_app(namespace, url, revision))


def configmaps(namespace, *names):
    return ["ConfigMap/%s/%s" % (namespace, n) for n in names]


def first_sync(runner, kubectl, namespace):
    outcome = runner.reconcile(namespace, "faulty-git")
    assert outcome.error is None, outcome.error
    assert ids(outcome, "created") == configmaps(namespace, "a", "b", "c")
    return uids(kubectl, namespace)


def condition(runner, namespace):
    """(type, message) of the Application's single condition."""
    conditions = runner.get(namespace, "faulty-git")["status"]["conditions"]
    assert len(conditions) == 1, conditions
    return conditions[0]["type"], conditions[0]["message"]


def test_unreachable_repository_fails_clearly_and_prunes_nothing(runner, repo, daemon, kubectl, namespace):
    url = daemon.url("gitops-repo")
    declare(runner, namespace, url)
    before = first_sync(runner, kubectl, namespace)
    repo.remove("app/b.yaml")  # would be pruned by a sync that could read Git
    revision = repo.commit("remove b")

    daemon.stop()  # the server is gone: connections to its port are refused
    refused = runner.reconcile(namespace, "faulty-git")
    assert refused.error.step == "fetch"
    assert str(refused.error) == ("%s: cannot fetch ref main: fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused" % url)
    assert refused.sync_status == "Unknown"
    assert condition(runner, namespace) == ("ComparisonError", "fetch failed: %s" % refused.error)
    assert lost(before, uids(kubectl, namespace)) == []

    daemon.start()  # the server is back, but the Application names a repository it does not have
    declare(runner, namespace, daemon.url("no-such-repo"))
    missing = runner.reconcile(namespace, "faulty-git")
    assert str(missing.error) == "%s: cannot fetch ref main: fatal: remote error: no such repository: /no-such-repo" % daemon.url("no-such-repo")
    assert lost(before, uids(kubectl, namespace)) == []

    declare(runner, namespace, url)
    converged = runner.reconcile(namespace, "faulty-git")  # the next run converges
    assert converged.error is None and converged.revision == revision
    assert ids(converged, "pruned") == configmaps(namespace, "b")
    assert lost(before, uids(kubectl, namespace), pruned=configmaps(namespace, "b")) == []


def test_hung_repository_times_out_clearly_and_prunes_nothing(tmp_path, kubeconfig, runner, repo, daemon, kubectl, namespace):
    url = daemon.url("gitops-repo")
    declare(runner, namespace, url)
    before = first_sync(runner, kubectl, namespace)
    repo.remove("app/b.yaml")
    revision = repo.commit("remove b")

    daemon.pause()  # connections are accepted by the kernel and never answered
    params = module_params(kubeconfig, faulty_app(namespace, url), git_cache_dir=str(tmp_path / "module-git-cache"), git_timeout=3)
    started = time.monotonic()
    hung = module_reconcile(tmp_path, params)  # the gitops.k8s.app module, with git_timeout=3
    elapsed = time.monotonic() - started
    assert hung.get("error_step") == "fetch" and hung.get("sync_status") == "Unknown", hung
    assert hung["error"] == "%s: ref main timed out: git did not finish within 3 seconds" % url
    assert lost(before, uids(kubectl, namespace)) == []
    assert elapsed < 60, "a hung Git server held the run %.0f s" % elapsed

    daemon.resume()
    converged = runner.reconcile(namespace, "faulty-git")  # the next run converges
    assert converged.error is None and converged.revision == revision
    assert ids(converged, "pruned") == configmaps(namespace, "b")


def test_force_pushed_history_reaches_the_new_state_and_prunes_only_what_left_git(runner, repo, daemon, kubectl, namespace):
    declare(runner, namespace, daemon.url("gitops-repo"))
    before = first_sync(runner, kubectl, namespace)
    # main rewritten to an unrelated commit (what a git push --force of a new history leaves)
    repo.git("checkout", "-q", "--orphan", "rewritten")
    repo.git("rm", "-q", "-r", "--cached", "app")
    for name in ("a", "b", "c"):
        os.unlink(os.path.join(repo.path, "app", name + ".yaml"))
    write_configmaps(repo, {"a": "2", "c": "1", "d": "1"})
    revision = repo.commit("unrelated history")
    repo.git("branch", "-M", "rewritten", "main")
    assert repo.git("rev-list", "--count", "main") == "1"

    outcome = runner.reconcile(namespace, "faulty-git")
    assert outcome.error is None, outcome.error
    assert outcome.revision == revision
    assert ids(outcome, "created") == configmaps(namespace, "d")
    assert ids(outcome, "configured") == configmaps(namespace, "a")
    assert ids(outcome, "pruned") == configmaps(namespace, "b")
    assert lost(before, uids(kubectl, namespace), pruned=configmaps(namespace, "b")) == []
    assert kubectl("get", "cm", "a", "-n", namespace, "-o", "jsonpath={.data.value}") == "2"
    assert not runner.reconcile(namespace, "faulty-git").changeset.changed  # converged: nothing left to do


def test_deleted_branch_fails_clearly_and_prunes_nothing(runner, repo, daemon, kubectl, namespace):
    url = daemon.url("gitops-repo")
    repo.git("branch", "release")
    declare(runner, namespace, url, revision="release")
    before = first_sync(runner, kubectl, namespace)
    repo.git("branch", "-D", "release")

    outcome = runner.reconcile(namespace, "faulty-git")
    assert outcome.error.step == "fetch"
    assert str(outcome.error) == "%s: cannot fetch ref release: fatal: couldn't find remote ref release" % url
    assert condition(runner, namespace) == ("ComparisonError", "fetch failed: %s" % outcome.error)
    assert lost(before, uids(kubectl, namespace)) == []

    repo.git("branch", "release")  # the branch is back: the next run converges
    converged = runner.reconcile(namespace, "faulty-git")
    assert converged.error is None and converged.sync_status == "Synced"
    assert lost(before, uids(kubectl, namespace)) == []


def garble(entry, rel):
    """Overwrite every file under ENTRY/REL (or the file itself) with garbage bytes."""
    target = os.path.join(entry, rel)
    paths = [target] if os.path.isfile(target) else [os.path.join(d, f) for d, _s, fs in os.walk(target) for f in fs]
    assert paths, "nothing to corrupt under %s" % target
    for path in paths:
        os.chmod(path, 0o644)
        with open(path, "wb") as handle:
            handle.write(b"\x00garbage\xff" * 16)


CORRUPTIONS = {
    # every file of the bare repository: the cache notices and starts it again
    "git-dir": ("repo.git", None),
    "state-file": ("state.json", None),
    # the object store or refs only (config and HEAD intact): git fsck finds it, the repository is fetched again
    "objects": ("repo.git/objects", None),
    "refs": ("repo.git/refs", None),
    # the exported tree of the synced commit: it no longer matches its index, it is exported again
    "exported-tree": ("trees", None),
}


@pytest.mark.parametrize(
    "corruption", [pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else []) for name, (_rel, reason) in CORRUPTIONS.items()]
)
def test_corrupt_cache_recovers_or_fails_clearly_and_prunes_nothing(corruption, runner, repo, daemon, kubectl, namespace):
    url = daemon.url("gitops-repo")
    declare(runner, namespace, url)
    before = first_sync(runner, kubectl, namespace)
    entries = cache_entries(runner.cache_dir)
    assert len(entries) == 1
    garble(entries[0], CORRUPTIONS[corruption][0])

    first = runner.reconcile(namespace, "faulty-git")  # recovers, or fails clearly: never prunes
    assert lost(before, uids(kubectl, namespace)) == []
    if first.error is not None:
        assert (first.error.step, first.sync_status) in (("fetch", "Unknown"), ("render", "Unknown")), first.error
        assert str(first.error).startswith(url + ": ") or ".yaml:" in str(first.error), first.error
    # converged at the latest on the next run: the commit's objects, Synced, no error
    second = runner.reconcile(namespace, "faulty-git")
    assert second.error is None, second.error
    assert second.sync_status == "Synced" and second.changeset.summary()["unchanged"] == 3
    assert lost(before, uids(kubectl, namespace)) == []
