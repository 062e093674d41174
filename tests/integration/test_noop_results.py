"""What a no-op of gitops.k8s.app all=true returns and sends, through a real module process
against the real API server (docs/performance.md, "A no-op is LISTs only"):

- a no-op writes nothing: the task's and every row's requests are GETs and LISTs only, no
  status is written;
- its rows are in the size of what happened: objects unchanged and in sync are counted in
  ``summary.unchanged``, not listed, and the status leaves out its per-object lists
  (``inventory``, ``resources``); an object that drifted is listed, the others still not;
- diff mode and ``-vv`` return the full rows.
"""

from __future__ import annotations

import json

import yaml

from .gitops import GitRepo, Runner, application
from .playbook import run_tasks

READS = {"get", "list"}


def config_map(name, namespace, value="v"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": {"k": value}}


def run(tmp_path, kubeconfig, namespace, repo, *args):
    params = dict(kubeconfig=kubeconfig, namespace=namespace, checkout_dir=repo.path, all=True, install_crd=False, fail_on_error=False)
    _rc, results = run_tasks(tmp_path, [{"name": "all", "gitops.k8s.app": params}], *args, check=False)
    result = results["all"]
    assert all("error" not in r for r in result["applications"]), json.dumps(result, indent=1)[-4000:]
    return result, dict((r["application"].split("/", 1)[1], r) for r in result["applications"])


def test_a_noop_writes_nothing_and_returns_rows_in_the_size_of_what_happened(tmp_path, kubeconfig, namespace, kubectl):
    repo = GitRepo(tmp_path / "repo")
    counts = {"small": 2, "large": 5}
    for name, count in counts.items():
        repo.write("%s/objects.yaml" % name, yaml.safe_dump_all([config_map("%s-%d" % (name, i), namespace) for i in range(count)]))
    repo.commit("two applications")
    runner = Runner(kubeconfig=kubeconfig)
    for name in counts:
        runner.declare(application(name, namespace, name, namespace))

    _first, rows = run(tmp_path, kubeconfig, namespace, repo)
    assert sorted(rows["large"]["created"]) == sorted("ConfigMap/%s/large-%d" % (namespace, i) for i in range(5))
    assert len(rows["large"]["objects"]) == 5  # created: listed

    noop, rows = run(tmp_path, kubeconfig, namespace, repo)
    assert set(noop["requests"]) <= READS, noop["requests"]
    for name, count in counts.items():
        row = rows[name]
        assert set(row["requests"]) <= READS and not row["status_updated"] and not row["synced"], row
        assert row["summary"]["unchanged"] == count and row["objects"] == [], row
        assert row["status"]["sync"]["status"] == "Synced" and row["status"]["summary"]["resources"] == count, row["status"]
        assert "inventory" not in row["status"] and "resources" not in row["status"], sorted(row["status"])
    # the status on the cluster keeps every list: only the result is smaller
    stored = json.loads(kubectl("get", "applications.gitops-k8s.dev", "large", "-n", namespace, "-o", "json"))["status"]
    assert len(stored["inventory"]) == 5 and len(stored["resources"]) == 5

    # diff mode and -vv: every object listed, the status whole
    for args in (("--diff",), ("-vv",)):
        _full, rows = run(tmp_path, kubeconfig, namespace, repo, *args)
        assert [o["action"] for o in rows["large"]["objects"]] == ["unchanged"] * 5, args
        assert len(rows["large"]["status"]["inventory"]) == 5 and len(rows["large"]["status"]["resources"]) == 5, args

    # a drifted object is listed (and healed), the others still only counted
    kubectl("patch", "configmap", "large-3", "-n", namespace, "--type", "merge", "-p", json.dumps({"data": {"k": "edited"}}))
    _healed, rows = run(tmp_path, kubeconfig, namespace, repo)
    assert rows["large"]["configured"] == ["ConfigMap/%s/large-3" % namespace]
    assert [(o["id"], o["action"]) for o in rows["large"]["objects"]] == [("ConfigMap/%s/large-3" % namespace, "configured")]
    assert rows["large"]["summary"]["unchanged"] == 4 and rows["small"]["objects"] == []
    assert json.loads(kubectl("get", "configmap", "large-3", "-n", namespace, "-o", "json"))["data"] == {"k": "v"}
