"""`make bench`: gitops.k8s beside kubectl and the API server's parallel apply ceiling.

For each scale (Applications x objects each: ConfigMaps, Secrets, headless Services and
Deployments of 0 replicas, so no Pod and no Service IP is needed), on the test cluster:

- gitops.k8s end to end: `ansible-pull` of a repository with one Application per app
  (first sync, then no-ops), this checkout and a baseline (a git ref, default ``main``,
  unpacked with `git archive`), side by side in one run;
- the engine in-process (benchmarks/inprocess.py: one client, as one module process), both;
- `kubectl apply --server-side` of the same objects, `kubectl diff --server-side` of them;
- the parallel SSA ceiling: the same objects applied by 8 threads with nothing else done.

Prints a markdown table: seconds (medians of --runs for the no-ops; a first sync happens
once per set of namespaces), requests by verb of the in-process no-op, peak RSS of the
largest process of each run. Every namespace it creates is deleted at the end.

Usage: .venv/bin/python benchmarks/bench.py [--scales 10x100,100x50] [--runs 3] [--baseline main] [--kubeconfig FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
sys.path.insert(0, os.path.join(REPO, ".collections"))

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster  # noqa: E402  pylint: disable=wrong-import-position

CEILING_WORKERS = 8


def objects(per_app):
    """The objects of one Application: 60% ConfigMaps, 20% Secrets, 10% headless Services,
    10% Deployments (0 replicas), ``per_app`` in all."""
    services = deployments = per_app // 10
    secrets = per_app // 5
    counts = (("ConfigMap", per_app - services - deployments - secrets), ("Secret", secrets), ("Service", services), ("Deployment", deployments))
    docs = []
    for kind, count in counts:
        for i in range(count):
            meta = {"name": "%s-%03d" % (kind.lower(), i)}
            if kind == "ConfigMap":
                docs.append({"apiVersion": "v1", "kind": kind, "metadata": meta, "data": {"key": "value-%d" % i, "n": str(i)}})
            elif kind == "Secret":
                docs.append({"apiVersion": "v1", "kind": kind, "metadata": meta, "stringData": {"password": "pw-%d" % i}})
            elif kind == "Service":
                spec = {"clusterIP": "None", "selector": {"app": meta["name"]}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}
                docs.append({"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec})
            else:
                labels = {"app": meta["name"]}
                container = {"name": "c", "image": "registry.invalid/app:1", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
                spec = {"replicas": 0, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}
                docs.append({"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec})
    return docs


def write_yaml(path, docs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n---\n".join(json.dumps(d) for d in docs) + "\n")


def git(path, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.test", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.test")
    return subprocess.run(["git", "-C", path, *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def gitops_repo(path, control, prefix, apps, docs):
    """A GitOps repository: local.yml, apps/<app>.yaml (one Application each, no repoURL:
    the checkout ansible-pull made), objs/<app>/objects.yaml."""
    os.makedirs(path)
    shutil.copy(os.path.join(REPO, "examples", "local.yml"), os.path.join(path, "local.yml"))
    for i in range(apps):
        name = "%s-%03d" % (prefix, i)
        app = {
            "apiVersion": "gitops-k8s.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": control},
            "spec": {
                "source": {"path": "objs/%s" % name},
                "destination": {"namespace": name},
                "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
            },
        }
        write_yaml(os.path.join(path, "apps", name + ".yaml"), [app])
        write_yaml(os.path.join(path, "objs", name, "objects.yaml"), docs)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "bench")
    return ["%s-%03d" % (prefix, i) for i in range(apps)]


def measured(argv, env=None, ok=(0,)):
    """(seconds, peak RSS in MB of the largest process, stdout) of a command run through
    this script's --rss wrapper (a process of its own, so the peak is this command's)."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--rss", "--", *argv], capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - start
    lines = proc.stderr.strip().splitlines()
    rc, peak = (int(v) for v in lines[-1].split()) if lines and lines[-1].count(" ") == 1 else (proc.returncode, 0)
    if rc not in ok:
        raise SystemExit("%s failed (%s):\n%s\n%s" % (" ".join(argv[:4]), rc, proc.stdout[-4000:], proc.stderr[-4000:]))
    return seconds, peak / 1024.0, proc.stdout


def rss_wrapper(argv):
    """--rss: run argv, then print its exit code and the peak RSS (KiB) of its largest
    process (children and their children, once reaped) on stderr."""
    proc = subprocess.run(argv, check=False)
    sys.stderr.write("\n%d %d\n" % (proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    return 0


def baseline_tree(ref, work):
    """The collection at git ref ``ref``, unpacked (with its .collections link)."""
    tree = os.path.join(work, "baseline")
    os.makedirs(tree)
    archive = subprocess.run(["git", "-C", REPO, "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    link = os.path.join(tree, ".collections", "ansible_collections", "gitops")
    os.makedirs(link, exist_ok=True)
    if not os.path.lexists(os.path.join(link, "k8s")):
        os.symlink("../../..", os.path.join(link, "k8s"))
    return tree


def ansible_env(tree):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=os.path.join(tree, ".collections"),
        ANSIBLE_CONFIG=os.path.join(tree, "ansible.cfg"),
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_PYTHON_INTERPRETER=os.path.join(VENV_BIN, "python"),
        PATH=VENV_BIN + os.pathsep + env.get("PATH", ""),
    )
    return env


class Bench:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.kubeconfig = args.kubeconfig
        self.namespaces = []
        self.controls = []
        self.cluster = KubeCluster(kubeconfig=self.kubeconfig)

    def kubectl(self, *argv, ok=(0,)):
        return measured([os.path.join(VENV_BIN, "kubectl"), "--kubeconfig", self.kubeconfig, *argv], ok=ok)

    def create_namespaces(self, names):
        self.namespaces.extend(names)
        path = os.path.join(self.work, "ns-%s.yaml" % names[0])
        write_yaml(path, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names])
        self.kubectl("apply", "--server-side", "-f", path)

    def gitops_repo(self, label, apps, docs, scale):
        """(control namespace, repository) of one measured variant; its namespaces are
        deleted at the end."""
        control = "%s-%s" % (scale, label)
        repo = os.path.join(self.work, "repo-" + control)
        self.namespaces.extend(gitops_repo(repo, control, control, apps, docs))
        self.controls.append(control)
        return control, repo

    def ours_pull(self, tree, label, apps, docs, scale):
        """ansible-pull: (first sync, no-op times, peak RSS MB)."""
        control, repo = self.gitops_repo(label, apps, docs, scale)
        argv = [
            os.path.join(VENV_BIN, "ansible-pull"),
            "-U",
            "file://" + repo,
            "-d",
            os.path.join(self.work, "checkout-" + control),
            "-i",
            "localhost,",
            "-e",
            "gitops_k8s_kubeconfig=%s" % self.kubeconfig,
            "-e",
            "gitops_k8s_namespace=%s" % control,
            "local.yml",
        ]
        env = ansible_env(tree)
        first, rss, _out = measured(argv, env=env)
        time.sleep(3)
        measured(argv, env=env)  # records the Deployments' health once
        noops = []
        for _run in range(self.args.runs):
            seconds, peak, _out = measured(argv, env=env)
            noops.append(seconds)
            rss = max(rss, peak)
        return first, noops, rss

    def ours_inprocess(self, tree, label, apps, docs, scale):
        control, repo = self.gitops_repo(label, apps, docs, scale)
        self.create_namespaces([control])
        argv = [
            os.path.join(VENV_BIN, "python"),
            os.path.join(REPO, "benchmarks", "inprocess.py"),
            "--collections",
            os.path.join(tree, ".collections"),
            "--kubeconfig",
            self.kubeconfig,
            "--repo",
            repo,
            "--namespace",
            control,
            "--cache",
            os.path.join(self.work, "cache-" + control),
            "--noop-runs",
            str(self.args.runs),
        ]
        _seconds, rss, out = measured(argv)
        data = json.loads(out.strip().splitlines()[-1])
        return data["first"], data["noops"], data["requests"], rss

    def kubectl_runs(self, apps, docs, scale):
        names = ["%s-k-%03d" % (scale, i) for i in range(apps)]
        self.create_namespaces(names)
        files = os.path.join(self.work, "kubectl-" + scale)
        for name in names:
            write_yaml(os.path.join(files, name + ".yaml"), [dict(d, metadata=dict(d["metadata"], namespace=name)) for d in docs])
        first, rss, _out = self.kubectl("apply", "--server-side", "-f", files)
        diffs = []
        for _run in range(self.args.runs):
            seconds, peak, _out = self.kubectl("diff", "--server-side", "-f", files, ok=(0, 1))
            diffs.append(seconds)
            rss = max(rss, peak)
        return first, diffs, rss

    def ceiling(self, apps, docs, scale):
        """Seconds 8 threads take to server-side apply the objects (nothing else)."""
        names = ["%s-c-%03d" % (scale, i) for i in range(apps)]
        self.create_namespaces(names)
        work = []
        for name in names:
            for d in docs:
                obj = dict(d, metadata=dict(d["metadata"], namespace=name))
                work.append((self.cluster.resolve(obj["apiVersion"], obj["kind"]), obj))
        start = time.monotonic()
        with ThreadPoolExecutor(CEILING_WORKERS) as pool:
            list(pool.map(lambda pair: self.cluster.apply(pair[0], pair[1], force=True), work))
        return time.monotonic() - start

    def cleanup(self):
        app_type = self.cluster.resolve("gitops-k8s.dev/v1alpha1", "Application")
        for control in self.controls:
            for app in self.cluster.list(app_type, control):
                if app["metadata"].get("finalizers"):
                    self.cluster.patch_merge(app_type, control, app["metadata"]["name"], {"metadata": {"finalizers": None}})
        names = sorted(set(self.namespaces + self.controls))
        for start in range(0, len(names), 100):
            kubectl = [os.path.join(VENV_BIN, "kubectl"), "--kubeconfig", self.kubeconfig]
            batch = names[start : start + 100]
            subprocess.run([*kubectl, "delete", "namespace", "--wait=false", "--ignore-not-found", *batch], capture_output=True, check=False)


def median(values):
    return statistics.median(values) if values else float("nan")


def verbs(requests):
    return ", ".join("%s %d" % (v, requests[v]) for v in sorted(requests)) or "none"


def run_scale(bench, apps, per_app, baseline):
    docs = objects(per_app)
    scale = "gb%s-%dx%d" % (bench.args.tag, apps, per_app)
    print("scale %d apps x %d objects: measuring..." % (apps, per_app), file=sys.stderr, flush=True)
    row = {"apps": apps, "per_app": per_app, "objects": apps * per_app}
    row["ceiling"] = bench.ceiling(apps, docs, scale)
    row["kubectl_apply"], row["kubectl_diff"], row["kubectl_rss"] = bench.kubectl_runs(apps, docs, scale)
    for label, tree in (("new", REPO), ("old", baseline)):
        if tree is None:
            continue
        row["pull_first_" + label], row["pull_noops_" + label], row["pull_rss_" + label] = bench.ours_pull(tree, "p" + label, apps, docs, scale)
        first, noops, requests, rss = bench.ours_inprocess(tree, "i" + label, apps, docs, scale)
        row["in_first_" + label], row["in_noops_" + label], row["in_requests_" + label], row["in_rss_" + label] = first, noops, requests, rss
    return row


def table(rows, baseline_ref, runs):
    out = [
        "| objects / Applications | work | this branch | baseline (%s) | branch / baseline | kubectl | branch / kubectl |" % baseline_ref,
        "|---|---|---|---|---|---|---|",
    ]

    def line(row, work, new, old, kubectl=None):
        ratio_old = "%.2f" % (new / old) if old else ""
        ratio_k = "%.2f" % (new / kubectl) if kubectl else ""
        out.append(
            "| %s / %s | %s | %.1f s | %s | %s | %s | %s |"
            % (
                "{:,}".format(row["objects"]),
                "{:,}".format(row["apps"]),
                work,
                new,
                "%.1f s" % old if old else "",
                ratio_old,
                "%.1f s" % kubectl if kubectl else "",
                ratio_k,
            )
        )

    for row in rows:
        pull_noop = "no-op, ansible-pull, median of %d (vs `kubectl diff --server-side`)" % runs
        line(row, "first sync, ansible-pull (vs `kubectl apply --server-side`)", row["pull_first_new"], row.get("pull_first_old"), row["kubectl_apply"])
        line(row, pull_noop, median(row["pull_noops_new"]), median(row.get("pull_noops_old") or []), median(row["kubectl_diff"]))
        in_first = "first sync, in-process (vs the parallel SSA ceiling, %d threads)" % CEILING_WORKERS
        line(row, in_first, row["in_first_new"], row.get("in_first_old"), row["ceiling"])
        line(row, "no-op, in-process, median of %d" % runs, median(row["in_noops_new"]), median(row.get("in_noops_old") or []))
    out.append("")
    out.append(
        "| objects / Applications | in-process no-op requests, this branch | baseline "
        "| peak RSS MB: ansible-pull (branch / baseline), in-process (branch / baseline), kubectl |"
    )
    out.append("|---|---|---|---|")
    for row in rows:
        out.append(
            "| %s / %s | %s | %s | %.0f / %s, %.0f / %s, %.0f |"
            % (
                "{:,}".format(row["objects"]),
                "{:,}".format(row["apps"]),
                verbs(row["in_requests_new"]),
                verbs(row.get("in_requests_old") or {}),
                row["pull_rss_new"],
                "%.0f" % row["pull_rss_old"] if "pull_rss_old" in row else "-",
                row["in_rss_new"],
                "%.0f" % row["in_rss_old"] if "in_rss_old" in row else "-",
                row["kubectl_rss"],
            )
        )
    return "\n".join(out)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--rss":
        return rss_wrapper(sys.argv[3:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubeconfig", default=os.environ.get("GITOPS_K8S_KUBECONFIG", os.path.join(REPO, ".cluster", "kubeconfig")))
    parser.add_argument("--scales", default="10x100", help="comma-separated APPSxOBJECTS, e.g. 10x100,100x50,1000x5")
    parser.add_argument("--runs", type=int, default=3, help="no-op runs of each kind (the median is shown)")
    parser.add_argument("--baseline", default="main", help="git ref measured beside this checkout; '' for none")
    parser.add_argument("--tag", default=str(int(time.time()))[-5:], help="part of every namespace name")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gitops-bench-")
    bench = Bench(args, work)
    rows = []
    try:
        baseline = baseline_tree(args.baseline, work) if args.baseline else None
        for scale in args.scales.split(","):
            apps, per_app = (int(v) for v in scale.lower().split("x"))
            rows.append(run_scale(bench, apps, per_app, baseline))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        bench.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    version = bench.cluster.server_version().get("gitVersion", "")
    print("%s, %d CPUs, kube-apiserver %s" % (time.strftime("%Y-%m-%d", time.gmtime()), os.cpu_count(), version))
    print()
    print(table(rows, args.baseline or "none", args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
