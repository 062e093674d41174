"""Canary rollouts of a Deployment without a controller, end to end on the real API server:
the reconcile playbook (what ansible-pull runs) steps a canary across runs, the app
module's one-liners promote and abort it, and an agent killed in the middle of a pause
resumes at the step it was at. The fake kubelet makes the Pods Ready (the Deployment and
ReplicaSet controllers are the real ones); a bad image never reaches more than the
canary's share of the Pods."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time

import pytest
import yaml

from tests.helpers import fake_kubelet, prometheus
from tests.helpers.waiting import wait_for

from .playbook import ansible_env
from .test_analysis_rollback import conditions, events
from .test_retry_rollback_windows import Setup, ok

STEPS = [{"setWeight": 25}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "5s"}}]
TIMEOUT = 240.0  # generous: 2 cores shared by many tests


def manifests(namespace, image, steps=None, blue_green=None):
    """The app: Deployment web (4 replicas) with a canary (``steps``) or blue-green strategy, Service web, ConfigMap settings."""
    if blue_green is not None:
        notes = {"gitops-k8s.dev/strategy": "blueGreen", "gitops-k8s.dev/blue-green": json.dumps(blue_green)}
    else:
        notes = {"gitops-k8s.dev/strategy": "canary", "gitops-k8s.dev/canary-steps": json.dumps(steps)}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace, "annotations": notes},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"terminationGracePeriodSeconds": 0, "containers": [{"name": "web", "image": image, "imagePullPolicy": "Never"}]},
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP"}]},
    }
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": namespace}, "data": {"mode": "git"}}
    return yaml.safe_dump_all([deployment, service, settings])


class Canary(Setup):
    def __init__(self, tmp_path, kubeconfig, namespace, name, kube_api, kubectl, steps=None, blue_green=None, providers=(), sync_policy=None):
        super().__init__(tmp_path, kubeconfig, namespace, name, sync_policy=sync_policy)
        self.providers = tuple(providers)  # the Prometheus base URLs the operator allows
        self.api, self.kubectl, self.steps, self.blue_green = kube_api, kubectl, STEPS if steps is None else steps, blue_green

    def release(self, value):
        self.origin.write("deploy/web.yaml", manifests(self.dest, "example.test/web:%s" % value, self.steps, self.blue_green))
        return self.origin.commit("web %s" % value)

    def deployment(self, name):
        out = self.kubectl.run("get", "deployment", name, "-n", self.dest, "-o", "json")
        return json.loads(out.stdout) if out.returncode == 0 else None

    def replicas(self, name):
        obj = self.deployment(name)
        return None if obj is None else obj["spec"]["replicas"]

    def available(self, name):
        """The Deployment runs its replicas, all of its template, all available."""
        obj = self.deployment(name)
        if obj is None:
            return False
        status, want = obj.get("status") or {}, obj["spec"]["replicas"]
        done = status.get("observedGeneration", 0) >= obj["metadata"]["generation"]
        return done and status.get("updatedReplicas", 0) == want and status.get("availableReplicas", 0) == want and status.get("replicas", 0) == want

    def pod_images(self, selector="app=web"):
        """Images of the Pods ``selector`` selects, not being deleted (the fake node never
        confirms a deletion: those are force-deleted here, as a kubelet would finish them)."""
        pods = json.loads(self.kubectl("get", "pods", "-n", self.dest, "-l", selector, "-o", "json"))["items"]
        gone = [p["metadata"]["name"] for p in pods if p["metadata"].get("deletionTimestamp")]
        if gone:
            self.kubectl.run("delete", "pod", "-n", self.dest, "--grace-period=0", "--force", *gone)
        return sorted(p["spec"]["containers"][0]["image"].rsplit(":", 1)[1] for p in pods if not p["metadata"].get("deletionTimestamp"))

    def state(self):
        return (self.status(self.kubectl).get("strategy") or {}).get("%s/web" % self.dest) or {}

    def wait(self, predicate, what):
        return wait_for(predicate, what=what, timeout=TIMEOUT, interval=1.0)


def setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, name, steps=None, blue_green=None, providers=(), sync_policy=None):
    """v1 deployed (directly: the first rollout), then v2 released and reconciled once
    (``run.commits``: the commit of each release)."""
    run = Canary(tmp_path, kubeconfig, namespace, name, kube_api, kubectl, steps, blue_green, providers, sync_policy)
    run.commits = {"v1": run.release("v1")}
    ok(run.reconcile())
    run.wait(lambda: run.available("web"), "web v1 available")
    assert run.state()["phase"] == "Healthy" and run.deployment("web-canary") is None and run.deployment("web-preview") is None
    run.commits["v2"] = run.release("v2")
    ok(run.reconcile())
    return run


def error_rate(prom_dir, value):
    """Set the metric the analyses read (node_exporter's textfile collector)."""
    path = os.path.join(str(prom_dir), "web.prom")
    with open(path + ".tmp", "w", encoding="ascii") as handle:
        handle.write("# TYPE web_error_rate gauge\nweb_error_rate %s\n" % value)
    os.replace(path + ".tmp", path)


def analysis(address):
    return {
        "metrics": [
            {
                "name": "error-rate",
                "interval": "2s",
                "count": 2,
                "successCondition": "result[0] < 0.1",
                "provider": {"prometheus": {"address": address, "query": "max(web_error_rate)"}},
            }
        ]
    }


@contextlib.contextmanager
def metrics(tmp_path, value):
    """A real Prometheus scraping node_exporter's textfile collector, web_error_rate = value."""
    textfiles = tmp_path / "textfiles"
    textfiles.mkdir()
    error_rate(textfiles, value)
    with prometheus.NodeExporter(tmp_path / "ne", textfiles) as exporter, prometheus.Prometheus(tmp_path / "prom", "127.0.0.1:%d" % exporter.port) as prom:
        wait_for(lambda: prom.query("web_error_rate"), what="web_error_rate scraped", timeout=TIMEOUT, interval=1.0)
        yield prom


def test_a_good_canary_is_promoted_step_by_step_across_runs(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    with fake_kubelet.running(kube_api, namespace):
        run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "canary-good")
        assert (run.replicas("web"), run.replicas("web-canary"), run.state()["weight"]) == (3, 1, 25)
        run.wait(lambda: run.available("web-canary") and run.available("web"), "the canary at 25 %")
        run.wait(lambda: run.pod_images() == ["v1", "v1", "v1", "v2"], "one Pod of four on v2")

        ok(run.reconcile())  # available: on to the pause until promoted
        status = run.status(kubectl)
        assert run.state()["phase"] == "Paused" and status["health"]["status"] == "Suspended"
        ok(run.reconcile())
        assert run.state()["phase"] == "Paused" and run.state()["step"] == 1 and run.replicas("web-canary") == 1

        ok(run.adhoc("promote=true"))
        assert (run.replicas("web"), run.replicas("web-canary"), run.state()["weight"]) == (2, 2, 50)
        run.wait(lambda: run.available("web-canary") and run.available("web"), "the canary at 50 %")
        assert run.pod_images() == ["v1", "v1", "v2", "v2"]

        ok(run.reconcile(gitops_k8s_pause_wait=60))  # setWeight 50 passes; the 5 s pause is waited for in the run
        assert run.state()["phase"] == "Promoting"
        assert run.deployment("web-canary") is None and run.replicas("web") == 4
        assert run.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == "example.test/web:v2"
        run.wait(lambda: run.available("web"), "web v2 available")
        run.wait(lambda: run.pod_images() == ["v2"] * 4, "every Pod on v2")
        ok(run.reconcile())
        status = run.status(kubectl)
        assert run.state()["phase"] == "Healthy" and status["health"]["status"] == "Healthy" and status["sync"]["status"] == "Synced"


def test_an_aborted_canary_leaves_every_pod_on_the_previous_image(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    with fake_kubelet.running(kube_api, namespace):
        run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "canary-abort")
        run.wait(lambda: run.available("web-canary"), "the canary at 25 %")
        assert run.pod_images().count("v2") <= 1  # the bad image: at most the canary's share

        ok(run.adhoc("abort=true"))
        status = run.status(kubectl)
        assert run.deployment("web-canary") is None and run.replicas("web") == 4
        assert run.state()["phase"] == "Aborted" and status["health"]["status"] == "Degraded"
        aborted = [c["message"] for c in status["conditions"] if c["type"] == "RolloutAborted"]
        assert aborted == ["Deployment/%s/web: canary aborted at step 1 (weight 25): abort requested" % namespace]
        run.wait(lambda: run.available("web") and run.pod_images() == ["v1"] * 4, "every Pod back on v1")

        ok(run.reconcile())  # Git still renders v2: the stable stays on v1, and that is not drift
        status = run.status(kubectl)
        assert run.state()["phase"] == "Aborted" and status["sync"]["status"] == "Synced" and run.deployment("web-canary") is None
        assert run.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == "example.test/web:v1"


def _children():
    """{pid: [child pids]} of every process (from /proc)."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="ascii", errors="replace") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry))
    return out


def kill_tree(pid):
    """SIGKILL ``pid`` and every process below it, found by parent (ansible's workers call
    setsid, so a process group would miss the module)."""
    children, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    for each in found:
        try:
            os.kill(each, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_an_agent_killed_in_a_pause_resumes_at_that_step(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    steps = [{"setWeight": 50}, {"pause": {"duration": "40s"}}]
    with fake_kubelet.running(kube_api, namespace):
        run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "canary-killed", steps)
        run.wait(lambda: run.available("web-canary"), "the canary at 50 %")
        ok(run.reconcile(gitops_k8s_pause_wait=0))  # the pause starts; not waited for
        paused = run.state()
        assert (paused["step"], paused["weight"]) == (1, 50)

        agent = subprocess.Popen(  # pylint: disable=consider-using-with
            run.command(gitops_k8s_pause_wait=300),
            env=ansible_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=str(tmp_path),
        )
        time.sleep(15)  # in the pause's wait (or still before it: either way no step is lost)
        assert agent.poll() is None, "the agent ended before it was killed"
        kill_tree(agent.pid)  # as systemd stops a unit: every process of it, the module's too
        agent.wait(timeout=60)

        assert run.state() == paused and run.replicas("web-canary") == 2 and run.replicas("web") == 2
        ok(run.reconcile(gitops_k8s_pause_wait=0))
        left = run.state()
        if left["phase"] != "Promoting":  # under heavy load 40 s may already have passed
            assert (left["step"], left["stepStartedAt"]) == (1, paused["stepStartedAt"]), left  # resumed, not restarted
            assert run.replicas("web-canary") == 2
        ok(run.reconcile(gitops_k8s_pause_wait=60))
        assert run.state()["phase"] == "Promoting" and run.deployment("web-canary") is None
        run.wait(lambda: run.available("web") and run.pod_images() == ["v2"] * 4, "every Pod on v2")


@pytest.mark.skipif(not prometheus.installed(), reason="prometheus and prometheus-node-exporter not installed: make test-deps")
def test_a_canary_whose_error_rate_is_over_the_threshold_is_aborted(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    with metrics(tmp_path, 0.5) as prom, fake_kubelet.running(kube_api, namespace):
        steps = [{"setWeight": 25}, {"analysis": analysis(prom.url)}]
        run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "canary-metric", steps, providers=[prom.url])
        run.wait(lambda: run.available("web-canary") and run.available("web"), "the canary at 25 %")
        assert run.pod_images().count("v2") <= 1  # the bad image: at most the canary's share
        ok(run.reconcile())  # the canary is ready: on to the analysis step
        assert run.state()["step"] == 1 and run.deployment("web-canary") is not None
        measured = ok(run.reconcile())  # measured: 0.5 is over 0.1: aborted, and the Application rolled back to v1
        status = run.status(kubectl)
        assert run.deployment("web-canary") is None and run.replicas("web") == 4, measured.stdout[-4000:]
        assert run.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == "example.test/web:v1"
        assert status["sync"]["revision"] == run.commits["v1"]
        assert status["rolledBack"] == dict(status["rolledBack"], revision=run.commits["v1"], automatic=True, failedRevision=run.commits["v2"])
        found = conditions(status)
        assert "automatically" in found["AutomatedSyncSuspended"] and "RolloutAborted" not in found, found
        assert "Deployment/%s/web canary step 2" % namespace in found["AnalysisFailed"], found
        assert "max(web_error_rate)" in found["AnalysisFailed"] and "0.5" in found["AnalysisFailed"]
        assert run.state()["phase"] == "Healthy"  # the rolled-back revision renders what the stable runs: no stale Aborted
        told = events(kubectl, namespace, "canary-metric")
        assert any(r == "AnalysisFailed" and "0.5" in m for r, m in told) and any(r == "RolledBack" for r, _m in told), told
        run.wait(lambda: run.available("web") and run.pod_images() == ["v1"] * 4, "every Pod back on v1")

        ok(run.reconcile())  # nothing new: no canary re-created for the bad revision
        assert run.deployment("web-canary") is None and run.state()["phase"] == "Healthy" and "rolledBack" in run.status(kubectl)
        run.commits["v3"] = run.release("v3")
        ok(run.reconcile())  # the default policy: a new commit waits for the user to resume
        assert run.deployment("web-canary") is None and run.status(kubectl)["sync"]["revision"] == run.commits["v1"]

        ok(run.adhoc("resume=true"))  # v3 goes out as a canary, analysed at its step like v2
        status = run.status(kubectl)
        assert "rolledBack" not in status and "AnalysisFailed" not in conditions(status)
        assert run.state()["canaryHash"] and run.replicas("web-canary") == 1
        assert run.deployment("web-canary")["spec"]["template"]["spec"]["containers"][0]["image"] == "example.test/web:v3"


def test_a_run_that_only_advances_a_canary_leaves_unrelated_drift_alone(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    """Automated without selfHeal: drift is reported, never reverted, even by the runs a canary needs."""
    with fake_kubelet.running(kube_api, namespace):
        run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "canary-drift", sync_policy={"automated": {"prune": True}})
        run.wait(lambda: run.available("web-canary") and run.available("web"), "the canary at 25 %")
        ok(run.reconcile())
        assert run.state()["phase"] == "Paused"
        kubectl("patch", "configmap", "settings", "-n", namespace, "--type", "merge", "-p", '{"data": {"mode": "edited by hand"}}')

        ok(run.adhoc("promote=true"))  # the canary goes to 50 %
        assert (run.replicas("web"), run.replicas("web-canary"), run.state()["weight"]) == (2, 2, 50)
        run.wait(lambda: run.available("web-canary") and run.available("web"), "the canary at 50 %")
        ok(run.reconcile(gitops_k8s_pause_wait=0))  # the playbook's run: on to the 5 s pause (not waited for)
        assert run.state()["step"] == 3
        status = run.status(kubectl)
        assert kubectl("get", "configmap", "settings", "-n", namespace, "-o", "jsonpath={.data.mode}") == "edited by hand"
        assert status["sync"]["status"] == "OutOfSync" and status["summary"]["outOfSync"] == 1
        assert [r["status"] for r in status["resources"] if r["kind"] == "ConfigMap"] == ["OutOfSync"]


def _active_images(run):
    selector = run.kubectl("get", "service", "web", "-n", run.dest, "-o", "jsonpath={.spec.selector}")
    return run.pod_images(",".join("%s=%s" % kv for kv in sorted(json.loads(selector).items())))


@pytest.mark.skipif(not prometheus.installed(), reason="prometheus and prometheus-node-exporter not installed: make test-deps")
def test_blue_green_switches_the_active_service_after_the_preview_is_ready_and_its_analysis_passed(tmp_path, kubeconfig, namespace, kube_api, kubectl):
    with metrics(tmp_path, 0.5) as prom:
        settings = {"activeService": "web", "prePromotionAnalysis": analysis(prom.url), "scaleDownDelaySeconds": 5}
        with fake_kubelet.running(kube_api, namespace):
            run = setup(tmp_path, kubeconfig, namespace, kube_api, kubectl, "blue-green", blue_green=settings, providers=[prom.url])
            assert run.state()["phase"] == "Progressing" and run.replicas("web-preview") == 4
            run.wait(lambda: run.available("web-preview"), "the preview available")
            assert _active_images(run) == ["v1"] * 4
            preview = kubectl("get", "service", "web-preview", "-n", namespace, "-o", "jsonpath={.spec.selector}")
            assert run.pod_images(",".join("%s=%s" % kv for kv in sorted(json.loads(preview).items()))) == ["v2"] * 4

            ok(run.reconcile())  # ready, but the error rate is over the threshold: not switched, aborted and rolled back
            status = run.status(kubectl)
            assert run.state()["phase"] == "Healthy" and status["rolledBack"]["failedRevision"] == run.commits["v2"], status
            assert "blue-green prePromotionAnalysis" in conditions(status)["AnalysisFailed"]
            assert _active_images(run) == ["v1"] * 4 and run.deployment("web-preview") is None

            error_rate(tmp_path / "textfiles", 0.01)
            wait_for(lambda: prom.query("web_error_rate")[0][1] == 0.01, what="the new error rate scraped", timeout=TIMEOUT, interval=1.0)
            run.release("v3")
            ok(run.adhoc("resume=true"))  # automation was suspended by the rollback
            run.wait(lambda: run.available("web-preview"), "the v3 preview available")
            assert _active_images(run) == ["v1"] * 4  # not before its analysis
            ok(run.reconcile(gitops_k8s_pause_wait=0))  # passed: switched in one write
            assert run.state()["phase"] == "Switched" and _active_images(run) == ["v3"] * 4
            assert run.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == "example.test/web:v1"  # kept

            ok(run.reconcile(gitops_k8s_pause_wait=60))  # the 5 s window is waited for: the stable takes v3
            assert run.state()["phase"] == "Promoting"
            run.wait(lambda: run.available("web"), "the stable on v3")
            ok(run.reconcile())
            assert run.state()["phase"] == "Healthy" and run.deployment("web-preview") is None
            run.wait(lambda: run.pod_images() == ["v3"] * 4 and _active_images(run) == ["v3"] * 4, "every Pod on v3")
