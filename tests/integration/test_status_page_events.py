"""What people see, end to end through real ansible-playbook runs: the Events of each
Application (kubectl get events / describe gapp), the status tree of the status playbook,
and the status page a run writes and keeps in a ConfigMap, rendered in headless Chromium
(a screenshot with the OutOfSync colour, every Application in the DOM, the diff shown)
with no Secret value anywhere."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time

import yaml

from tests.helpers.browser import dump_dom, screenshot
from tests.helpers.png_pixels import colour_count

from .gitops import GitRepo, application
from .playbook import VENV_BIN, ansible_env

SECRET_IN_GIT = "gitvalue-Zq81xK-do-not-show"
SECRET_BY_HAND = "handvalue-Pw93rT-do-not-show"
WARN_BACKGROUND = (0xFF, 0xE7, 0xB3)  # status_page.CSS .warn


def app_manifest(name, namespace, path, self_heal):
    return yaml.safe_dump(application(name, namespace, path, namespace, self_heal=self_heal))


def config_map(name, value):
    return """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: %s
    data:
      setting: %s
    """ % (name, value)


SECRET = (
    """
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: %s
"""
    % SECRET_IN_GIT
)


def playbook(name, kubeconfig, *extra):
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "gitops.k8s." + name, "-e", "gitops_k8s_kubeconfig=%s" % kubeconfig, *extra],
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc.stdout


def events_of(kubectl, namespace, name):
    """reason -> [(type, message, count)] of the Events naming the Application."""
    found = json.loads(kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=%s" % name, "-o", "json"))["items"]
    out = {}
    for event in found:
        assert event["involvedObject"]["kind"] == "Application" and event["source"]["component"] == "gitops-k8s"
        out.setdefault(event["reason"], []).append((event["type"], event["message"], event.get("count")))
    return out


def secret_texts():
    out = []
    for value in (SECRET_IN_GIT, SECRET_BY_HAND):
        out += [value, base64.b64encode(value.encode()).decode()]
    return out


def test_events_tree_and_status_page(tmp_path, kubeconfig, kubectl, namespace):
    ns = namespace
    repo = GitRepo(tmp_path / "repo")
    repo.write("apps/web.yaml", app_manifest("web", ns, "web", self_heal=True))
    repo.write("apps/cfg.yaml", app_manifest("cfg", ns, "cfg", self_heal=False))
    repo.write("web/settings.yaml", config_map("web-settings", "one"))
    repo.write("web/old.yaml", config_map("web-old", "old"))
    repo.write("cfg/settings.yaml", config_map("cfg-settings", "git"))
    repo.write("cfg/secret.yaml", SECRET)
    repo.commit("first")
    page = tmp_path / "status.html"
    run = ("-e", "gitops_k8s_checkout_dir=%s" % repo.path, "-e", "gitops_k8s_namespace=%s" % ns)
    run += ("-e", "gitops_k8s_status_page=%s" % page, "-e", "gitops_k8s_status_configmap=gitops-status")

    playbook("reconcile", kubeconfig, *run)
    assert "SyncSucceeded" in events_of(kubectl, ns, "web")

    # hand edits at the same revision: web heals itself, cfg (no selfHeal) stays OutOfSync
    # (until a new revision: automated sync then syncs it, so the commit comes last)
    kubectl("patch", "configmap", "web-settings", "-n", ns, "--type", "merge", "-p", '{"data": {"setting": "by-hand"}}')
    kubectl("patch", "configmap", "cfg-settings", "-n", ns, "--type", "merge", "-p", '{"data": {"setting": "by-hand"}}')
    kubectl("patch", "secret", "creds", "-n", ns, "--type", "merge", "-p", json.dumps({"stringData": {"password": SECRET_BY_HAND}}))
    started = time.monotonic()
    playbook("reconcile", kubeconfig, *run)
    print("reconcile with the status page: %.1f s" % (time.monotonic() - started))
    web, cfg = events_of(kubectl, ns, "web"), events_of(kubectl, ns, "cfg")
    assert web["DriftCorrected"][0][0] == "Normal" and "ConfigMap/%s/web-settings" % ns in web["DriftCorrected"][0][1]
    (drift,) = cfg["DriftDetected"]
    assert drift[0] == "Warning" and "ConfigMap/%s/cfg-settings" % ns in drift[1] and "Secret/%s/creds" % ns in drift[1]
    assert "DriftCorrected" in kubectl("describe", "gapp", "web", "-n", ns)

    # the same drift told again: one Event, counted
    playbook("reconcile", kubeconfig, *run)
    (again,) = events_of(kubectl, ns, "cfg")["DriftDetected"]
    assert again[2] == 2

    # the page a run wrote
    html = page.read_text(encoding="utf-8")
    kept = kubectl("get", "configmap", "gitops-status", "-n", ns, "-o", "jsonpath={.data.index\\.html}")
    assert kept.strip() == html.strip()
    for text in secret_texts():
        assert text not in html, "a Secret value is in the page"
    dom = dump_dom(tmp_path / "chromium", page)
    for app in ("root", "web", "cfg"):
        assert 'id="app-%s/%s"' % (ns, app) in dom
    assert "diff of ConfigMap/%s/cfg-settings (OutOfSync)" % ns in dom and "by-hand" in dom
    assert "diff of Secret/%s/creds (OutOfSync)" % ns in dom and "redacted sha256:" in dom
    assert '<tr class="drift"><td>ConfigMap/%s/cfg-settings</td><td><span class="badge warn">OutOfSync</span>' % ns in dom
    shot = screenshot(tmp_path / "chromium", page, tmp_path / "status.png")
    assert shot.stat().st_size > 20_000
    painted = colour_count(str(shot), WARN_BACKGROUND)
    print("screenshot: %d bytes, %d pixels in the OutOfSync colour" % (shot.stat().st_size, painted))
    assert painted > 200

    # the status playbook, from the cluster alone
    out = playbook("status", kubeconfig, "-e", "gitops_k8s_namespace=%s" % ns, "-e", "gitops_k8s_status_page=%s" % (tmp_path / "from-cluster.html"))
    assert "%s/root  Synced  Healthy" % ns in out
    assert "  %s/cfg  OutOfSync" % ns in out
    assert "- ConfigMap/%s/cfg-settings  OutOfSync  Healthy" % ns in out
    assert "- ConfigMap/%s/web-settings  Synced  Healthy" % ns in out
    from_cluster = (tmp_path / "from-cluster.html").read_text(encoding="utf-8")
    assert 'id="app-%s/cfg"' % ns in from_cluster and all(t not in from_cluster for t in secret_texts())

    # Git drops web-old: pruned (and the new revision syncs cfg, its drift with it)
    repo.remove("web/old.yaml")
    repo.commit("drop web-old")
    playbook("reconcile", kubeconfig, *run)
    web, cfg = events_of(kubectl, ns, "web"), events_of(kubectl, ns, "cfg")
    assert [m for _t, m, _c in web["Pruned"]] == ["pruned 1: ConfigMap/%s/web-old" % ns]
    assert any("1 configured" in m or "2 configured" in m for _t, m, _c in cfg["SyncSucceeded"])
    assert "diff of ConfigMap/%s/cfg-settings" % ns not in page.read_text(encoding="utf-8")  # in sync again: no diff
