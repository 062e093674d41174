"""Rollback from metrics end to end, through the reconcile playbook (what ansible-pull runs)
and the app module's one-liner, against the test cluster and a real Prometheus (Debian's
package, on a 127.0.0.1 free port) scraping a node_exporter textfile whose error rate the
test sets:

- a good revision passes its analysis and stays;
- a bad one (error rate over the threshold) is rolled back: the live Deployment is back on
  the previous image, automated sync suspended, the AnalysisFailed condition, Events and
  notifications name the query and the value; a new commit waits for resume=true
  (the default) or is synced at once (rollback.resumeOnNewRevision: true);
- Prometheus unreachable: the analysis is Inconclusive, nothing is rolled back."""

from __future__ import annotations

import json
import os
import time

import pytest
import yaml

from tests.helpers import prometheus
from tests.helpers.chart_servers import free_port
from tests.helpers.receiver import Receiver

from .test_retry_rollback_windows import Setup, ok

QUERY = 'max(app_error_rate{job="node"})'
NOTIFY = {"ANSIBLE_CALLBACKS_ENABLED": "gitops.k8s.notify"}
needs_prometheus = pytest.mark.skipif(not prometheus.installed(), reason="prometheus and prometheus-node-exporter not installed: make test-deps")


def deployment(namespace, image):
    """A Deployment scaled to 0 (the image is never pulled: no registry here); what the
    test checks is the template the API server holds."""
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }


class AnalysedSetup(Setup):
    """Setup's repositories, the Application with a spec.analysis reading ``address``, and
    releases that change the Deployment's image."""

    def __init__(self, tmp_path, kubeconfig, namespace, name, address, **rollback_policy):
        super().__init__(tmp_path, kubeconfig, namespace, name)
        with open(os.path.join(self.gitops.path, "apps", name + ".yaml"), encoding="utf-8") as handle:
            app = yaml.safe_load(handle)
        app["spec"]["analysis"] = {
            "metrics": [
                {
                    "name": "error-rate",
                    "interval": "1s",
                    "count": 2,
                    "successCondition": "result[0] < 0.05",
                    "provider": {"prometheus": {"address": address, "query": QUERY, "timeout": "20s"}},
                }
            ]
        }
        if rollback_policy:
            app["spec"]["analysis"]["rollback"] = rollback_policy
        self.gitops.write("apps/%s.yaml" % name, yaml.safe_dump(app))
        self.gitops.commit("analyse %s" % name)

    def release(self, value):
        self.origin.write("deploy/web.yaml", yaml.safe_dump(deployment(self.dest, "registry.invalid/web:%s" % value)))
        return self.origin.commit("release %s" % value)


def image(kubectl, namespace):
    return kubectl("get", "deployment", "web", "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}")


def conditions(status):
    return dict((c["type"], c["message"]) for c in status.get("conditions") or [])


def events(kubectl, namespace, name):
    found = json.loads(kubectl("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=%s" % name, "-o", "json"))
    return [(e["reason"], e["message"]) for e in found["items"]]


class ErrorRate:
    """The error rate node_exporter serves (a textfile written by rename), and a wait until
    Prometheus has scraped the value set."""

    def __init__(self, directory, prom):
        self.directory, self.prom = directory, prom

    def set(self, value):
        path = os.path.join(self.directory, "app.prom")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.write("# TYPE app_error_rate gauge\napp_error_rate %s\n" % value)
        os.rename(path + ".tmp", path)
        deadline = time.monotonic() + 180
        while True:
            found = self.prom.query(QUERY)
            if found and abs(found[0][1] - value) < 1e-9:
                return
            assert time.monotonic() < deadline, "Prometheus never saw app_error_rate %s: %s" % (value, found)
            time.sleep(0.5)


@pytest.fixture
def error_rate(tmp_path):
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    with prometheus.NodeExporter(tmp_path / "ne", textfiles) as exporter, prometheus.Prometheus(tmp_path / "prom", "127.0.0.1:%d" % exporter.port) as prom:
        yield ErrorRate(str(textfiles), prom)


@needs_prometheus
def test_a_bad_revision_is_rolled_back_on_its_error_rate_and_waits_for_resume(tmp_path, kubeconfig, namespace, kubectl, error_rate):
    setup = AnalysedSetup(tmp_path, kubeconfig, namespace, "analysed", error_rate.prom.url)
    error_rate.set(0.01)
    setup.release("v1")
    ok(setup.reconcile())
    good = setup.release("v2")
    ok(setup.reconcile())
    status = setup.status(kubectl)
    assert image(kubectl, namespace) == "registry.invalid/web:v2"
    assert status["analysis"]["phase"] == "Successful" and status["analysis"]["revision"] == good
    assert status["analysis"]["metrics"][0]["value"] == "[0.01]" and status["analysis"]["metrics"][0]["count"] == 2

    error_rate.set(0.3)
    bad = setup.release("v3")
    started = time.monotonic()
    with Receiver() as receiver:
        run = ok(setup.reconcile(env=dict(NOTIFY, GITOPS_K8S_NOTIFY_URL=receiver.url)))
    print("sync + analysis (2 measurements, 1s apart) + rollback: %.1fs for the whole playbook" % (time.monotonic() - started))
    status = setup.status(kubectl)
    assert image(kubectl, namespace) == "registry.invalid/web:v2", run.stdout[-4000:]
    assert status["sync"]["revision"] == good and status["analysis"]["phase"] == "Failed"
    assert status["rolledBack"] == dict(status["rolledBack"], revision=good, automatic=True, failedRevision=bad)
    found = conditions(status)
    assert "AutomatedSyncSuspended" in found and "automatically" in found["AutomatedSyncSuspended"]
    assert "error-rate" in found["AnalysisFailed"] and QUERY in found["AnalysisFailed"] and "0.3" in found["AnalysisFailed"]
    told = events(kubectl, namespace, "analysed")
    assert any(r == "AnalysisFailed" and "0.3" in m for r, m in told) and any(r == "RolledBack" for r, _m in told), told
    sent = dict((b["application"], b) for _p, b in receiver.posts)["%s/analysed" % namespace]
    assert {"on-analysis-failed", "on-rolled-back"} <= set(sent["triggers"]), receiver.posts

    error_rate.set(0.01)
    fixed = setup.release("v4")
    ok(setup.reconcile())  # a new commit: automation stays suspended until the user resumes
    assert image(kubectl, namespace) == "registry.invalid/web:v2" and "rolledBack" in setup.status(kubectl)

    ok(setup.adhoc("resume=true"))
    status = setup.status(kubectl)
    assert image(kubectl, namespace) == "registry.invalid/web:v4" and "rolledBack" not in status
    assert status["analysis"]["phase"] == "Successful" and status["analysis"]["revision"] == fixed
    assert "AnalysisFailed" not in conditions(status) and "AutomatedSyncSuspended" not in conditions(status)


@needs_prometheus
def test_resume_on_new_revision_syncs_the_next_commit_at_once(tmp_path, kubeconfig, namespace, kubectl, error_rate):
    setup = AnalysedSetup(tmp_path, kubeconfig, namespace, "analysed-resume", error_rate.prom.url, resumeOnNewRevision=True)
    error_rate.set(0.01)
    setup.release("v1")
    ok(setup.reconcile())
    error_rate.set(0.3)
    setup.release("v2")
    ok(setup.reconcile())
    assert image(kubectl, namespace) == "registry.invalid/web:v1" and setup.status(kubectl)["rolledBack"]["automatic"]
    ok(setup.reconcile())  # the branch is still at the failed commit: the rollback holds
    assert image(kubectl, namespace) == "registry.invalid/web:v1"

    error_rate.set(0.01)
    fixed = setup.release("v3")
    ok(setup.reconcile())
    status = setup.status(kubectl)
    assert image(kubectl, namespace) == "registry.invalid/web:v3" and "rolledBack" not in status
    assert status["analysis"] == dict(status["analysis"], phase="Successful", revision=fixed)


def test_an_unreachable_prometheus_is_inconclusive_and_nothing_is_rolled_back(tmp_path, kubeconfig, namespace, kubectl):
    nobody = "http://127.0.0.1:%d" % free_port()  # nothing listens there
    setup = AnalysedSetup(tmp_path, kubeconfig, namespace, "analysed-down", nobody)
    setup.release("v1")
    ok(setup.reconcile())
    setup.release("v2")
    run = ok(setup.reconcile())
    status = setup.status(kubectl)
    assert image(kubectl, namespace) == "registry.invalid/web:v2" and "rolledBack" not in status
    assert status["analysis"]["phase"] == "Inconclusive"
    found = conditions(status)
    assert "AnalysisFailed" not in found and "not reachable" in found["AnalysisInconclusive"] and "not rolled back" in found["AnalysisInconclusive"]
    assert "not reachable" in run.stdout + run.stderr  # the run warns
    assert any(r == "AnalysisInconclusive" for r, _m in events(kubectl, namespace, "analysed-down"))
