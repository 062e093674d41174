"""Metrics and notifications end to end, through the reconcile playbook (what ansible-pull
runs) against the test cluster:

- the textfile the run writes for node_exporter passes `promtool check metrics`, a real
  node_exporter and Prometheus (Debian packages, on 127.0.0.1 free ports) scrape it and
  PromQL returns the counts of the syncs and the drift corrected; every path of the
  kube-state-metrics configuration is in the status the run recorded;
- the gitops.k8s.notify callback posts one message per Application per run to a receiver
  on 127.0.0.1, and a receiver that is down or slow only costs a warning."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest
import yaml

from tests.helpers import prometheus
from tests.helpers.receiver import Receiver

from .playbook import REPO_ROOT
from .test_retry_rollback_windows import Setup, ok

KSM_CONFIG = os.path.join(REPO_ROOT, "roles", "agent", "files", "kube-state-metrics.yaml")
NOTIFY = {"ANSIBLE_CALLBACKS_ENABLED": "gitops.k8s.notify"}


def sample(prom, promql, expected, timeout=180.0):
    """Wait until ``promql`` has one sample equal to ``expected`` (scrapes every second)."""
    deadline, found = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        found = prom.query(promql)
        if len(found) == 1 and found[0][1] == expected:
            return
        time.sleep(1)
    raise AssertionError("%s: expected %s, got %s" % (promql, expected, found))


def at(obj, path):
    for key in path:
        assert isinstance(obj, dict) and key in obj, ".".join(path)
        obj = obj[key]
    return obj


def ksm_paths():
    """Every path the kube-state-metrics configuration reads."""
    with open(KSM_CONFIG, encoding="utf-8") as handle:
        (resource,) = yaml.safe_load(handle)["spec"]["resources"]
    paths = list(resource["labelsFromPath"].values())
    for metric in resource["metrics"]:
        each = metric["each"]
        if each["type"] == "Info":
            paths += list(each["info"]["labelsFromPath"].values())
        elif each["type"] == "StateSet":
            paths.append(each["stateSet"]["path"])
        else:
            paths.append(each["gauge"]["path"] + each["gauge"].get("valueFrom", []))
    return paths


@pytest.mark.skipif(not prometheus.installed(), reason="prometheus and prometheus-node-exporter not installed: make test-deps")
def test_the_textfile_is_scraped_by_node_exporter_and_queried_in_prometheus(tmp_path, kubeconfig, namespace, kubectl):
    setup = Setup(tmp_path, kubeconfig, namespace, "shop")
    setup.release("v1")
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    ok(setup.reconcile(gitops_k8s_metrics_dir=str(textfiles)))
    assert os.listdir(textfiles) == ["gitops_k8s.prom"]  # written in place by a rename: no temporary file left
    rc, output = prometheus.check_metrics(str(textfiles / "gitops_k8s.prom"))
    assert rc == 0, output

    status = setup.status(kubectl)  # what kube-state-metrics would read
    app = {"metadata": {"namespace": namespace, "name": "shop"}, "status": status}
    for path in ksm_paths():
        at(app, path)

    ids = 'namespace="%s",name="shop"' % namespace
    with prometheus.NodeExporter(tmp_path / "ne", textfiles) as exporter, prometheus.Prometheus(tmp_path / "prom", "127.0.0.1:%d" % exporter.port) as prom:
        sample(prom, 'gitops_k8s_app_sync_total{%s,phase="Succeeded"}' % ids, 1)
        sample(prom, 'gitops_k8s_app_resources_by_sync_status{%s,sync_status="Synced"}' % ids, 1)
        sample(prom, 'gitops_k8s_app_health_status{%s,health_status="Healthy"}' % ids, 1)
        sample(prom, 'gitops_k8s_app_info{%s,sync_status="Synced"}' % ids, 1)
        sample(prom, "gitops_k8s_app_drift_corrected_total{%s}" % ids, 0)

        kubectl("patch", "configmap", "settings", "-n", namespace, "--type", "merge", "-p", json.dumps({"data": {"release": "drifted"}}))
        ok(setup.reconcile(gitops_k8s_metrics_dir=str(textfiles)))  # selfHeal reverts it
        sample(prom, "gitops_k8s_app_drift_corrected_total{%s}" % ids, 1)
        sample(prom, 'gitops_k8s_app_sync_total{%s,phase="Succeeded"}' % ids, 2)
        sample(prom, 'gitops_k8s_app_last_sync_result{%s,result="Succeeded"}' % ids, 1)
        found = prom.query("gitops_k8s_app_last_sync_duration_seconds{%s}" % ids)
        print("last sync of shop took %.3fs (Prometheus)" % found[0][1])
        assert found[0][1] > 0
    assert status["metrics"]["syncs"]["Succeeded"] == 1  # the counters live in the status


def test_notifications_one_per_application_per_run(tmp_path, kubeconfig, namespace, kubectl):
    setup = Setup(tmp_path, kubeconfig, namespace, "shop")
    setup.release("v1")
    shop = "%s/shop" % namespace
    with Receiver() as receiver:
        env = dict(NOTIFY, GITOPS_K8S_NOTIFY_URL=receiver.url)
        ok(setup.reconcile(env=env))
        first = dict((b["application"], b) for _p, b in receiver.posts)
        assert first[shop]["triggers"] == ["on-sync-succeeded", "on-deployed"], receiver.posts
        assert first[shop]["revision"] == setup.origin.git("rev-parse", "HEAD")
        assert len(receiver.posts) == len(first), "one message per Application"

        del receiver.posts[:]
        ok(setup.reconcile(env=env))  # nothing changed for shop: nothing to tell of it
        assert [b for _p, b in receiver.posts if b["application"] == shop] == []
        # the root's object (the shop Application) had no health yet when the root synced: the root's
        # revision is announced as deployed once it is Healthy, now, and only once
        assert [b["triggers"] for _p, b in receiver.posts] in ([], [["on-deployed"]])
        del receiver.posts[:]

        kubectl("patch", "configmap", "settings", "-n", namespace, "--type", "merge", "-p", json.dumps({"data": {"release": "drifted"}}))
        ok(setup.reconcile(env=env, gitops_k8s_notify_format="slack"))  # a play variable picks the format
        ((_path, slack),) = receiver.posts  # only shop: the root has nothing new to tell
        assert slack["text"] == "%s: synced, drift corrected" % shop

        del receiver.posts[:]
        setup.origin.write(
            "deploy/settings.yaml",
            yaml.safe_dump(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": namespace}, "data": {"release": ["not", "a", "string"]}}
            ),
        )
        setup.origin.commit("a broken release")
        proc = setup.reconcile(env=env)
        assert proc.returncode != 0  # the run fails for the broken Application, and still tells
        ((_path, failed),) = receiver.posts
        assert failed["application"] == shop and failed["triggers"] == ["on-sync-failed"] and failed["severity"] == "bad"
        assert "settings" in failed["message"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_receiver_down_or_slow_only_warns(tmp_path, kubeconfig, namespace):
    setup = Setup(tmp_path, kubeconfig, namespace, "shop")
    setup.release("v1")
    down = "http://127.0.0.1:%d/hooks/T0KEN-SECRET-PATH" % free_port()
    proc = ok(setup.reconcile(env=dict(NOTIFY, GITOPS_K8S_NOTIFY_URL=down, GITOPS_K8S_NOTIFY_TIMEOUT="3")))
    said = proc.stdout + proc.stderr
    assert "gitops.k8s.notify" in said and "not notified" in said and "T0KEN" not in said

    setup.release("v2")
    with Receiver(delay=600) as slow:  # answers after 10 minutes: the run must not wait for it
        started = time.monotonic()
        proc = ok(setup.reconcile(env=dict(NOTIFY, GITOPS_K8S_NOTIFY_URL=slow.url, GITOPS_K8S_NOTIFY_TIMEOUT="3")))
        seconds = time.monotonic() - started
    said = proc.stdout + proc.stderr
    print("run with a receiver that does not answer: %.1fs (notification timeout 3s)" % seconds)
    assert len(slow.posts) == 1 and "timed out" in said and "T0KEN" not in said
