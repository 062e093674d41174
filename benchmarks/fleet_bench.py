"""`make bench-fleet`: a fleet of clusters reconciled in parallel, beside one cluster alone.

Starts CLUSTERS local control planes (hack/cluster.sh named instances ``bench-fleet-N``,
no node: the objects are ConfigMaps, Secrets, headless Services and Deployments of 0
replicas, bench.py's mix) and reconciles APPS Applications x PER_APP objects on each (1,000
objects per cluster by default) with the reconcile playbook, run as AWX runs a job
(``ansible-runner run`` of the repository's local.yml over an inventory whose hosts are the
clusters, one fork per cluster, one batch: ``gitops_k8s_serial: ['100%']``):

- one cluster alone (the inventory limited to the first), then every cluster at once;
- for each: the first sync, then (after one run that records the Deployments' health)
  RUNS no-ops, the median shown;
- the API requests per cluster, by verb, from the job's ``set_stats`` artifact
  ``gitops_k8s_clusters`` (what AWX shows).

The work must grow linearly with the clusters and run in parallel: the fleet's wall time
against one cluster's is the number to read (on a machine with fewer cores than clusters,
the clusters share the CPU). The control planes are stopped and removed at the end.

Usage: .venv/bin/python benchmarks/fleet_bench.py [--clusters 3] [--apps 10] [--per-app 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import REPO, VENV_BIN, ansible_env, git, gitops_repo, objects  # noqa: E402  pylint: disable=wrong-import-position

CLUSTER_SH = os.path.join(REPO, "hack", "cluster.sh")


def cluster_sh(name, *args):
    env = dict(os.environ, GITOPS_K8S_CLUSTER_NAME=name, GITOPS_K8S_NODE="0")
    for var in ("GITOPS_K8S_CLUSTER_DIR", "GITOPS_K8S_TEST_KUBECONFIG"):
        env.pop(var, None)
    proc = subprocess.run(["bash", CLUSTER_SH, *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("hack/cluster.sh %s (%s) failed:\n%s\n%s" % (" ".join(args), name, proc.stdout[-3000:], proc.stderr[-3000:]))
    return os.path.join(REPO, ".cluster-" + name, "kubeconfig")


def fleet_repo(path, clusters, prefix, apps, docs):
    """bench.py's repository (apps/<app>.yaml in the namespace ``<prefix>-gitops``, no
    repoURL: the job's project checkout; objs/<app>/objects.yaml), its Applications also
    under clusters/<cluster>/ for every cluster."""
    gitops_repo(path, prefix + "-gitops", prefix, apps, docs)
    for cluster in clusters:
        shutil.copytree(os.path.join(path, "apps"), os.path.join(path, "clusters", cluster))
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "one folder per cluster")
    return "file://" + path


def job_dir(path, url, kubeconfigs, control):
    """An AWX job's private data directory: the project, the fleet inventory, the extra vars."""
    os.makedirs(os.path.join(path, "inventory"))
    os.makedirs(os.path.join(path, "env"))
    subprocess.run(["git", "clone", "-q", url, os.path.join(path, "project")], check=True, capture_output=True)
    inventory = {
        "fleet": {
            "hosts": dict((name, {"gitops_k8s_kubeconfig": kubeconfig}) for name, kubeconfig in kubeconfigs.items()),
            "vars": {"gitops_k8s_root_path": "clusters/{{ inventory_hostname }}"},
        }
    }
    with open(os.path.join(path, "inventory", "fleet.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    with open(os.path.join(path, "env", "extravars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"gitops_k8s_hosts": "fleet", "gitops_k8s_namespace": control, "gitops_k8s_serial": ["100%"]}, handle)
    return path


def run_job(pdd, ident, hosts):
    """(seconds, {cluster: its gitops_k8s_clusters line}) of one ansible-runner job."""
    argv = [os.path.join(VENV_BIN, "ansible-runner"), "run", pdd, "--playbook", "local.yml", "--ident", ident, "--forks", str(len(hosts))]
    argv += ["--limit", ",".join(hosts)]
    start = time.monotonic()
    proc = subprocess.run(argv, env=ansible_env(REPO), capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    artifacts = os.path.join(pdd, "artifacts", ident)
    if proc.returncode != 0:
        with open(os.path.join(artifacts, "stdout"), encoding="utf-8") as handle:
            raise SystemExit("job %s failed:\n%s" % (ident, handle.read()[-5000:]))
    events = os.path.join(artifacts, "job_events")
    for name in os.listdir(events):
        with open(os.path.join(events, name), encoding="utf-8") as handle:
            event = json.load(handle)
        if event.get("event") == "playbook_on_stats":
            return seconds, event["event_data"]["artifact_data"]["gitops_k8s_clusters"]
    raise SystemExit("job %s: no playbook_on_stats event" % ident)


def measure(work, label, url, kubeconfigs, hosts, runs):
    pdd = job_dir(os.path.join(work, "job-" + label), url, kubeconfigs, label + "-gitops")
    first, first_lines = run_job(pdd, "first", hosts)
    time.sleep(3)  # the controller managers record the new Deployments' status
    run_job(pdd, "health", hosts)  # records the Deployments' health once
    noops, lines = [], {}
    for run in range(runs):
        seconds, lines = run_job(pdd, "noop-%d" % run, hosts)
        noops.append(seconds)
    return {"label": label, "clusters": len(hosts), "first": first, "first_lines": first_lines, "noop": statistics.median(noops), "noop_lines": lines}


def requests_text(lines):
    per_cluster = [sum(line.get("requests", {}).values()) for line in lines.values()]
    verbs = {}
    for line in lines.values():
        for verb, count in line.get("requests", {}).items():
            verbs[verb] = verbs.get(verb, 0) + count
    spread = "%d" % per_cluster[0] if len(set(per_cluster)) == 1 else "%d-%d" % (min(per_cluster), max(per_cluster))
    return "%s (%s)" % (spread, ", ".join("%s %d" % (verb, count // len(lines)) for verb, count in sorted(verbs.items())))


def table(rows, objects_per_cluster):
    out = [
        "| run | clusters | objects per cluster | first sync s | no-op s (median) | requests per cluster, first sync | requests per cluster, no-op |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        out.append(
            "| %s | %d | %d | %.1f | %.1f | %s | %s |"
            % (
                row["label"],
                row["clusters"],
                objects_per_cluster,
                row["first"],
                row["noop"],
                requests_text(row["first_lines"]),
                requests_text(row["noop_lines"]),
            )
        )
    one, fleet = rows
    out.append("")
    out.append(
        "%d clusters against one: first sync x%.2f, no-op x%.2f (1.00 = fully parallel, %d.00 = one after the other)"
        % (fleet["clusters"], fleet["first"] / one["first"], fleet["noop"] / one["noop"], fleet["clusters"])
    )
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=3)
    parser.add_argument("--apps", type=int, default=10, help="Applications per cluster")
    parser.add_argument("--per-app", type=int, default=100, help="objects per Application")
    parser.add_argument("--runs", type=int, default=3, help="no-op runs (the median is shown)")
    args = parser.parse_args()
    names = ["bench-fleet-%d" % (i + 1) for i in range(args.clusters)]
    work = tempfile.mkdtemp(prefix="gitops-k8s-fleet-bench-")
    kubeconfigs = {}
    try:
        for name in names:
            cluster_sh(name, "down", "--purge")  # a stale instance of a killed run
            start = time.monotonic()
            kubeconfigs[name] = cluster_sh(name, "up")
            print("control plane %s up in %.1f s" % (name, time.monotonic() - start), flush=True)
        docs = objects(args.per_app)
        rows = []
        for label, hosts in (("one cluster", names[:1]), ("fleet", names)):
            prefix = "one" if len(hosts) == 1 else "all"
            url = fleet_repo(os.path.join(work, "repo-" + prefix), names, prefix, args.apps, docs)
            rows.append(measure(work, prefix, url, kubeconfigs, hosts, args.runs))
            rows[-1]["label"] = label
            print("%s: first sync %.1f s, no-op %.1f s" % (label, rows[-1]["first"], rows[-1]["noop"]), flush=True)
        print()
        print(table(rows, args.apps * len(docs)))
    finally:
        for name in kubeconfigs:
            cluster_sh(name, "down", "--purge")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
