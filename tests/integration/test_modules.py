"""The modules through real ansible-playbook runs: argument handling, check mode, diff
mode, return values."""

from __future__ import annotations

import json
import os

from .playbook import run_tasks


def cm(name, namespace, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data or {"k": "v"}}


def secret(name, namespace, value):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}, "stringData": {"token": value}}


def sync_task(name, kubeconfig, namespace, definitions, **extra):
    args = {"kubeconfig": kubeconfig, "namespace": namespace, "definitions": definitions, "inventory": {"name": "inv", "namespace": namespace}}
    args.update(extra)
    return {"name": name, "gitops.k8s.sync": args}


def test_sync_module_check_diff_apply_noop_prune(tmp_path, kubeconfig, namespace, kubectl):
    objs = [cm("a", namespace), cm("b", namespace), secret("s", namespace, "top-secret-token-1")]
    rc, res = run_tasks(tmp_path, [sync_task("plan", kubeconfig, namespace, objs)], "--check", "--diff")
    assert rc == 0
    assert res["plan"]["changed"] is True
    assert sorted(res["plan"]["created"]) == ["ConfigMap/%s/a" % namespace, "ConfigMap/%s/b" % namespace, "Secret/%s/s" % namespace]
    assert "top-secret-token-1" not in json.dumps(res["plan"])
    assert kubectl("get", "cm,secret", "-n", namespace, "-o", "name", "--field-selector", "metadata.name!=kube-root-ca.crt").count("/a") == 0

    _rc, res = run_tasks(tmp_path, [sync_task("apply", kubeconfig, namespace, objs), sync_task("again", kubeconfig, namespace, objs)], "--diff")
    assert res["apply"]["changed"] is True and res["apply"]["summary"]["created"] == 3
    assert res["again"]["changed"] is False and res["again"]["summary"]["unchanged"] == 3
    assert "top-secret-token-1" not in json.dumps(res)
    writes = {k: v for k, v in res["again"]["requests"].items() if k in ("apply", "patch", "delete", "create", "replace")}
    assert writes == {}

    _rc, res = run_tasks(tmp_path, [sync_task("prune", kubeconfig, namespace, objs[:1] + objs[2:], prune=True)])
    assert res["prune"]["pruned"] == ["ConfigMap/%s/b" % namespace]
    assert kubectl.run("get", "cm", "b", "-n", namespace).returncode != 0


def test_drift_info_reports_each_status_with_redacted_diff(tmp_path, kubeconfig, namespace, kubectl):
    objs = [cm("same", namespace), cm("edited", namespace, k="v"), secret("s", namespace, "first-value-9"), cm("removed", namespace)]
    run_tasks(tmp_path, [sync_task("apply", kubeconfig, namespace, objs)])
    kubectl("patch", "cm", "edited", "-n", namespace, "--type", "merge", "-p", '{"data":{"k":"hand-edit"}}')
    kubectl("patch", "secret", "s", "-n", namespace, "--type", "merge", "-p", '{"stringData":{"token":"second-value-9"}}')
    desired = [cm("same", namespace), cm("edited", namespace, k="v"), secret("s", namespace, "first-value-9"), cm("new", namespace)]
    _rc, res = run_tasks(
        tmp_path,
        [
            {
                "name": "drift",
                "gitops.k8s.drift_info": {
                    "kubeconfig": kubeconfig,
                    "namespace": namespace,
                    "definitions": desired,
                    "inventory": {"name": "inv", "namespace": namespace},
                },
            }
        ],
    )
    drift = res["drift"]
    status = dict((o["id"], o["status"]) for o in drift["objects"])
    assert status == {
        "ConfigMap/%s/same" % namespace: "Synced",
        "ConfigMap/%s/edited" % namespace: "OutOfSync",
        "Secret/%s/s" % namespace: "OutOfSync",
        "ConfigMap/%s/new" % namespace: "Missing",
        "ConfigMap/%s/removed" % namespace: "Extra",
    }
    assert drift["in_sync"] is False and drift["changed"] is False
    edited = [o for o in drift["objects"] if o["id"].endswith("/edited")][0]
    assert "-  k: hand-edit" in edited["diff"] and "+  k: v" in edited["diff"]
    text = json.dumps(drift)
    for value in ("first-value-9", "second-value-9", "Zmlyc3QtdmFsdWUtOQ==", "c2Vjb25kLXZhbHVlLTk="):
        assert value not in text
    assert kubectl("get", "cm", "edited", "-n", namespace, "-o", "jsonpath={.data.k}") == "hand-edit"


def test_app_and_app_info_modules(tmp_path, kubeconfig, namespace, kubectl):
    src = tmp_path / "src"
    (src / "app").mkdir(parents=True)
    (src / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\ndata:\n  a: b\n")
    spec = {"source": {"path": "app"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True}}}
    app = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": str(src), "definition": {"metadata": {"name": "demo"}, "spec": spec}}
    rc, res = run_tasks(tmp_path, [{"name": "check", "gitops.k8s.app": app}], "--check", "--diff")
    assert rc == 0 and res["check"]["synced"] is True and res["check"]["created"] == ["ConfigMap/%s/from-git" % namespace]
    assert kubectl.run("get", "cm", "from-git", "-n", namespace).returncode != 0
    _rc, res = run_tasks(
        tmp_path,
        [
            {"name": "sync", "gitops.k8s.app": app},
            {"name": "again", "gitops.k8s.app": app},
            {"name": "info", "gitops.k8s.app_info": {"kubeconfig": kubeconfig, "namespace": namespace, "include_inventory": True}},
        ],
    )
    assert res["sync"]["changed"] is True and res["sync"]["sync_status"] == "Synced"
    assert res["again"]["changed"] is False
    info = res["info"]["applications"]
    assert [a["name"] for a in info] == ["demo"]
    assert info[0]["sync_status"] == "Synced" and info[0]["revision"] == "local"
    assert info[0]["inventory"] == [{"group": "", "version": "v1", "kind": "ConfigMap", "namespace": namespace, "name": "from-git"}]


def test_app_module_fails_clearly_and_can_report_instead(tmp_path, kubeconfig, namespace):
    app = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": str(tmp_path),
        "definition": {"metadata": {"name": "broken"}, "spec": {"source": {"path": "missing"}, "destination": {"namespace": namespace}}},
    }
    rc, res = run_tasks(tmp_path, [{"name": "fail", "gitops.k8s.app": app}], check=False)
    assert rc != 0
    assert res["fail"]["failed"] is True and "missing" in res["fail"]["msg"] and res["fail"]["error_step"] == "render"
    _rc, res = run_tasks(tmp_path, [{"name": "report", "gitops.k8s.app": dict(app, fail_on_error=False)}])
    assert res["report"]["sync_status"] == "Unknown" and "missing" in res["report"]["error"]


def test_all_mode_reconciles_the_others_when_one_fails(tmp_path, kubeconfig, namespace, kubectl):
    src = tmp_path / "src"
    (src / "good").mkdir(parents=True)
    (src / "good" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n")
    (src / "bad").mkdir()
    (src / "bad" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata: [oops\n")
    auto = {"automated": {"prune": True}}
    base = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": str(src)}
    declare = [
        {
            "name": "declare %s" % name,
            "gitops.k8s.app": dict(
                base,
                sync=False,
                definition={
                    "metadata": {"name": name, "annotations": {"gitops-k8s.dev/sync-wave": wave}},
                    "spec": {"source": {"path": name}, "destination": {"namespace": namespace}, "syncPolicy": auto},
                },
            ),
        }
        for name, wave in (("bad", "-1"), ("good", "0"))
    ]
    run_tasks(tmp_path, declare, check=False)
    rc, res = run_tasks(tmp_path, [{"name": "all", "gitops.k8s.app": dict(base, all=True, install_crd=False)}], check=False)
    assert rc != 0 and "bad" in res["all"]["msg"] and "cm.yaml:" in res["all"]["msg"]
    rows = dict((r["application"], r) for r in res["all"]["applications"])
    assert [r["application"] for r in res["all"]["applications"]] == ["%s/bad" % namespace, "%s/good" % namespace]  # wave order
    assert rows["%s/bad" % namespace]["error_step"] == "render"
    assert rows["%s/good" % namespace]["created"] == ["ConfigMap/%s/good" % namespace]
    assert kubectl("get", "cm", "good", "-n", namespace, "-o", "jsonpath={.data.a}") == "b"


def test_the_module_process_keeps_our_bytecode_in_a_private_cache(tmp_path, kubeconfig, namespace):
    """The AnsiballZ process of gitops.k8s.app stores our compiled module_utils in the cache
    directory on its first run and loads them from there on the next (bytecode_cache.py)."""
    src = tmp_path / "src"
    (src / "app").mkdir(parents=True)
    (src / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cached\ndata:\n  a: b\n")
    spec = {"source": {"path": "app"}, "destination": {"namespace": namespace}}
    app = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": str(src), "definition": {"metadata": {"name": "cached"}, "spec": spec}}
    xdg = tmp_path / "xdg"
    cache = xdg / "gitops-k8s" / "bytecode"

    def check_run(label, **environment):
        (tmp_path / label).mkdir()
        _rc, res = run_tasks(tmp_path / label, [{"name": label, "gitops.k8s.app": app, "environment": environment}], "--check")
        assert res[label]["created"] == ["ConfigMap/%s/cached" % namespace], res[label]

    def entries():
        (tag,) = os.listdir(cache)
        return {entry.name: (entry.inode(), entry.stat().st_mtime_ns, entry.stat().st_mode) for entry in os.scandir(cache / tag)}

    check_run("first", XDG_CACHE_HOME=str(xdg))
    stored = entries()
    assert len(stored) > 50, sorted(stored)  # about 130 of our files
    assert all(mode & 0o077 == 0 for _inode, _mtime, mode in stored.values())
    for level in (xdg / "gitops-k8s", cache, *cache.iterdir()):
        assert level.stat().st_mode & 0o777 == 0o700
    check_run("second", XDG_CACHE_HOME=str(xdg))
    assert entries() == stored  # every file loaded from the cache: none compiled and written again
    check_run("off", XDG_CACHE_HOME=str(tmp_path / "xdg-off"), GITOPS_K8S_BYTECODE_CACHE="0")
    assert not (tmp_path / "xdg-off").exists()
