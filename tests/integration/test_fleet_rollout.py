"""A fleet inventory with a staged rollout, run the way AWX runs a job (ansible-runner).

Three named control planes (hack/cluster.sh instances ``fleet-a``, ``fleet-b``,
``fleet-c``, started once for this module) are the hosts of an inventory group; each
reconciles its own ``clusters/<name>/`` of one GitOps repository, with the group's and
its own variables reaching a Helm chart (a parameter ``$CLUSTER``) and a Kustomize base
(a label ``$TIER``) through ``gitops_k8s_build_env``. The reconcile playbook's default
batches put fleet-a first, alone (the canary).

- revision 1 reaches all three;
- revision 2 brings an invalid object: the canary fails, the rollout stops, fleet-b and
  fleet-c keep revision 1 (their live objects and their Applications' status);
- revision 3 (fixed) reaches all three.

Each job is ``ansible-runner run`` on a private data directory as AWX writes it (the
project a clone of the repository, updated before each job, the inventory, extra vars);
its status, rc and the ``set_stats`` artifacts (``gitops_k8s_clusters``: one line per
cluster) are checked as AWX would store them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import yaml

from .gitops import GIT_ENV, GitRepo
from .playbook import REPO_ROOT, VENV_BIN, ansible_env
from .private_cluster import named
from .test_awx_runner import read_artifact, stats_event

CLUSTERS = ("fleet-a", "fleet-b", "fleet-c")
NAMESPACE = "fleet-gitops"  # the Applications, on every cluster
TARGET = "fleet-web"  # their objects
APP_API = "gitops-k8s.dev/v1alpha1"


@pytest.fixture(scope="module")
def fleet():
    """The three control planes, started one after the other (15-60 s each under load)."""
    with named(*CLUSTERS) as started:
        yield started


def application(name, path, **source):
    return {
        "apiVersion": APP_API,
        "kind": "Application",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "source": dict(source, path=path),
            "destination": {"namespace": TARGET},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
        },
    }


def write_repository(repo, version, broken=False):
    """clusters/<name>/ per cluster (the same two Applications), a chart and a Kustomize base."""
    apps = [
        application("greeting", "charts/greeting", helm={"parameters": [{"name": "cluster", "value": "$CLUSTER"}]}),
        application("settings", "settings", kustomize={"commonLabels": {"tier": "$TIER"}}),
    ]
    for name in CLUSTERS:
        repo.write("clusters/%s/apps.yaml" % name, yaml.safe_dump_all(apps))
    repo.write("charts/greeting/Chart.yaml", "apiVersion: v2\nname: greeting\nversion: 0.1.0\n")
    repo.write("charts/greeting/values.yaml", "version: %s\ncluster: none\n" % version)
    repo.write(
        "charts/greeting/templates/configmap.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: greeting
        data:
          version: {{ .Values.version | quote }}
          cluster: {{ .Values.cluster | quote }}
        """,
    )
    resources = ["settings.yaml"] + (["broken.yaml"] if broken else [])
    repo.write("settings/kustomization.yaml", yaml.safe_dump({"resources": resources}))
    repo.write("settings/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  version: %s\n" % version)
    if broken:  # the API server refuses it: data values must be strings
        repo.write("settings/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  ports: [80, 443]\n")
    elif os.path.exists(os.path.join(repo.path, "settings", "broken.yaml")):
        repo.remove("settings/broken.yaml")
    return repo.commit("version %s%s" % (version, " (broken)" if broken else ""))


def private_data_dir(path, project_url, fleet):
    """What AWX writes for a job: the project, the fleet inventory, the extra vars."""
    os.makedirs(os.path.join(path, "inventory"))
    os.makedirs(os.path.join(path, "env"))
    subprocess.run(["git", "clone", "-q", project_url, os.path.join(path, "project")], check=True, capture_output=True, env=GIT_ENV)
    inventory = {
        "fleet": {
            "hosts": dict((name, {"gitops_k8s_kubeconfig": cluster.kubeconfig}) for name, cluster in fleet.items()),
            "vars": {
                "gitops_k8s_root_path": "clusters/{{ inventory_hostname }}",
                "gitops_k8s_build_env": {"CLUSTER": "{{ inventory_hostname }}", "TIER": "gold"},
            },
        }
    }
    inventory["fleet"]["hosts"]["fleet-c"]["gitops_k8s_build_env"] = {"CLUSTER": "{{ inventory_hostname }}", "TIER": "silver"}
    with open(os.path.join(path, "inventory", "fleet.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    with open(os.path.join(path, "env", "extravars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"gitops_k8s_hosts": "fleet", "gitops_k8s_namespace": NAMESPACE}, handle)
    return path


def run_job(pdd, ident):
    """AWX's project update (scm_update_on_launch), then `ansible-runner run` of local.yml."""
    subprocess.run(["git", "-C", os.path.join(pdd, "project"), "pull", "-q", "--ff-only"], check=True, capture_output=True, env=GIT_ENV)
    started = time.monotonic()
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-runner"), "run", pdd, "--playbook", "local.yml", "--ident", ident, "--forks", "3"],
        env=ansible_env(ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg")),
        capture_output=True,
        text=True,
        check=False,
        timeout=1500,
    )
    artifacts = os.path.join(pdd, "artifacts", ident)
    with open(os.path.join(artifacts, "stdout"), encoding="utf-8") as handle:
        stdout = handle.read()
    print("ansible-runner job %s: %.1fs" % (ident, time.monotonic() - started))
    return proc, artifacts, stdout


def live(cluster):
    """(greeting data, settings data and tier label, {Application: status revision}) of a cluster."""
    got = {}
    for name in ("greeting", "settings"):
        proc = cluster.kubectl.run("get", "configmap", name, "-n", TARGET, "-o", "json")
        got[name] = json.loads(proc.stdout) if proc.returncode == 0 else None
    proc = cluster.kubectl.run("get", "applications.gitops-k8s.dev", "-n", NAMESPACE, "-o", "json")
    apps = json.loads(proc.stdout)["items"] if proc.returncode == 0 else []
    revisions = dict((app["metadata"]["name"], ((app.get("status") or {}).get("sync") or {}).get("revision")) for app in apps)
    return got, revisions


def hosts_reconciled(artifacts):
    """The hosts on which the reconcile play ran a task (job events, as AWX stores them)."""
    events_dir = os.path.join(artifacts, "job_events")
    hosts = set()
    for name in os.listdir(events_dir):
        with open(os.path.join(events_dir, name), encoding="utf-8") as handle:
            data = json.load(handle).get("event_data") or {}
        if data.get("play") == "Reconcile GitOps Applications" and data.get("host"):
            hosts.add(data["host"])
    return sorted(hosts)


def assert_on(cluster, name, version, revision, tier):
    objects, revisions = live(cluster)
    assert objects["greeting"]["data"] == {"version": version, "cluster": name}, (name, objects["greeting"])
    assert objects["settings"]["data"] == {"version": version}, (name, objects["settings"])
    assert objects["settings"]["metadata"]["labels"]["tier"] == tier, (name, objects["settings"]["metadata"])
    assert revisions == {"root": revision, "greeting": revision, "settings": revision}, (name, revisions)


def test_a_canary_stops_a_broken_revision_and_a_good_one_reaches_the_fleet(tmp_path, fleet):
    repo = GitRepo(tmp_path / "origin")
    first = write_repository(repo, "v1")
    repo.write("local.yml", open(os.path.join(REPO_ROOT, "examples", "local.yml"), encoding="utf-8").read())
    first = repo.commit("local.yml")
    pdd = private_data_dir(str(tmp_path / "job"), repo.url, fleet)
    tiers = {"fleet-a": "gold", "fleet-b": "gold", "fleet-c": "silver"}

    proc, artifacts, stdout = run_job(pdd, "1")
    assert proc.returncode == 0 and read_artifact(artifacts, "status") == "successful", stdout[-6000:] + proc.stderr[-2000:]
    clusters = stats_event(artifacts)["event_data"]["artifact_data"]["gitops_k8s_clusters"]
    assert sorted(clusters) == list(CLUSTERS), clusters
    assert hosts_reconciled(artifacts) == list(CLUSTERS)
    for name in CLUSTERS:
        line = dict(clusters[name], requests=None)
        assert line == {"result": "synced", "requests": None, "applications": 3, "synced": 3, "failed": 0, "failed_applications": [], "revision": first}
        assert clusters[name]["requests"]["list"] > 0 and clusters[name]["requests"]["apply"] > 0, clusters[name]  # this cluster's own
        assert_on(fleet[name], name, "v1", first, tiers[name])

    broken = write_repository(repo, "v2", broken=True)
    proc, artifacts, stdout = run_job(pdd, "2")
    assert proc.returncode != 0 and read_artifact(artifacts, "status") == "failed", stdout[-6000:]
    stats = stats_event(artifacts)["event_data"]
    clusters = stats["artifact_data"]["gitops_k8s_clusters"]
    assert list(clusters) == ["fleet-a"], clusters  # the canary alone ran
    assert clusters["fleet-a"]["result"] == "failed" and clusters["fleet-a"]["failed_applications"] == [NAMESPACE + "/settings"], clusters
    assert clusters["fleet-a"]["revision"] == broken
    rows = [row for row in stats["artifact_data"]["gitops_k8s_summary"] if row["application"] == NAMESPACE + "/settings"]
    assert [(row["cluster"], row["result"]) for row in rows] == [("fleet-a", "failed")] and "broken" in rows[0]["error"], rows
    assert sorted(stats["failures"]) == ["fleet-a"] and sorted(stats["changed"]) == ["fleet-a"], stats
    assert hosts_reconciled(artifacts) == ["fleet-a"]  # the later batches never started
    for name in ("fleet-b", "fleet-c"):  # never touched: the objects and the status of revision 1
        assert_on(fleet[name], name, "v1", first, tiers[name])
        assert fleet[name].kubectl.run("get", "configmap", "broken", "-n", TARGET).returncode != 0

    fixed = write_repository(repo, "v3")
    proc, artifacts, stdout = run_job(pdd, "3")
    assert proc.returncode == 0 and read_artifact(artifacts, "status") == "successful", stdout[-6000:]
    clusters = stats_event(artifacts)["event_data"]["artifact_data"]["gitops_k8s_clusters"]
    for name in CLUSTERS:
        assert clusters[name]["result"] == "synced" and clusters[name]["revision"] == fixed, clusters
        assert_on(fleet[name], name, "v3", fixed, tiers[name])
