"""`make bench`: gitops.k8s beside kubectl and the API server's parallel apply ceiling.

For each scale (Applications x objects each: ConfigMaps, Secrets, headless Services and
Deployments of 0 replicas, so no Pod and no Service IP is needed), on the test cluster:

- gitops.k8s end to end: `ansible-pull` of a repository with one Application per app
  (first sync, then no-ops), this checkout and a baseline (a git ref, default ``main``,
  unpacked with `git archive`), side by side in one run;
- the engine in-process (benchmarks/inprocess.py: one client, as one module process), both;
- `kubectl apply --server-side` of the same objects, `kubectl diff --server-side` of them;
- a `kubernetes.core.k8s` loop (one task per app file; kubernetes.core of the ``ansible``
  package in the bench venv, --k8s-venv) for scales of at most --k8s-max-apps Applications;
- the parallel SSA ceiling: the same objects applied by 8 threads with nothing else done.

Prints a markdown table: seconds (medians of --runs for the no-ops; a first sync happens
once per set of namespaces), requests by verb of the no-ops (ansible-pull: the module
results; in-process: the client's counts), peak RSS of the largest process of each run,
and the load average during the run; writes a PNG chart of time against object count
(--chart, matplotlib of the bench venv). Every namespace it creates is deleted at the end.

Usage: .venv/bin/python benchmarks/bench.py [--scales 10x100,100x50] [--runs 3] [--baseline main] [--kubeconfig FILE]
       [--k8s-venv .venv-bench] [--chart FILE.png]
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
sys.path.insert(0, os.path.join(REPO, ".collections"))

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster  # noqa: E402  pylint: disable=wrong-import-position

CEILING_WORKERS = 8
K8S_LOOP_PLAYBOOK = """- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Apply one app file
      kubernetes.core.k8s:
        kubeconfig: "{{ kubeconfig }}"
        state: present
        src: "{{ item }}"
      loop: "{{ query('ansible.builtin.fileglob', files ~ '/*.yaml') | sort }}"
"""


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
        """ansible-pull: (first sync, no-op times, peak RSS MB, requests of the last no-op by
        verb, summed over the gitops.k8s.app tasks (one; a baseline from before may run two))."""
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
        # one more no-op, not timed, for its requests: the module results printed whole (the
        # minimal callback) through ansible-playbook (ansible-pull reads a long output slowly)
        checkout = os.path.join(self.work, "checkout-" + control)
        extra = argv[argv.index("-e") : -1]  # the -e pairs (argv ends with local.yml)
        playbook = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", os.path.join(checkout, "local.yml"), *extra]
        minimal = dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal")
        out = subprocess.run(playbook, env=minimal, cwd=checkout, capture_output=True, text=True, check=True).stdout
        return first, noops, rss, module_requests(out)

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

    def k8s_loop(self, apps, docs, scale):
        """A `kubernetes.core.k8s` loop, one task per app file, through ansible-playbook of
        the bench venv: (first, no-op times, peak RSS MB), or None when not measured."""
        venv_bin = os.path.join(self.args.k8s_venv, "bin")
        if apps > self.args.k8s_max_apps or not os.path.exists(os.path.join(venv_bin, "ansible-playbook")):
            return None
        names = ["%s-l-%03d" % (scale, i) for i in range(apps)]
        self.create_namespaces(names)
        files = os.path.join(self.work, "loop-" + scale)
        for name in names:
            write_yaml(os.path.join(files, name + ".yaml"), [dict(d, metadata=dict(d["metadata"], namespace=name)) for d in docs])
        playbook = os.path.join(self.work, "k8s-loop.yml")
        with open(playbook, "w", encoding="utf-8") as handle:
            handle.write(K8S_LOOP_PLAYBOOK)
        env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
        env.update(ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv_bin, "python"), PATH=venv_bin + os.pathsep + env.get("PATH", ""))
        for key in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG"):
            env.pop(key, None)  # the bench venv's own collections (kubernetes.core of the ansible package)
        argv = [os.path.join(venv_bin, "ansible-playbook"), "-i", "localhost,", playbook, "-e", "kubeconfig=%s" % self.kubeconfig, "-e", "files=%s" % files]
        first, rss, _out = measured(argv, env=env)
        noops = []
        for _run in range(self.args.runs):
            seconds, peak, _out = measured(argv, env=env)
            noops.append(seconds)
            rss = max(rss, peak)
        return first, noops, rss

    def ceiling(self, apps, docs, scale):
        """(dry-run, apply) seconds 8 threads take to server-side dry-run the objects (none
        exists yet), then to apply them, nothing else done. Their sum is the least a first
        sync can take that validates every object before its first write."""
        names = ["%s-c-%03d" % (scale, i) for i in range(apps)]
        self.create_namespaces(names)
        work = []
        for name in names:
            for d in docs:
                obj = dict(d, metadata=dict(d["metadata"], namespace=name))
                work.append((self.cluster.resolve(obj["apiVersion"], obj["kind"]), obj))
        times = []
        for dry_run in (True, False):
            start = time.monotonic()
            with ThreadPoolExecutor(CEILING_WORKERS) as pool:
                list(pool.map(lambda pair, dry=dry_run: self.cluster.apply(pair[0], pair[1], dry_run=dry, force=True), work))
            times.append(time.monotonic() - start)
        return times[0], times[1]

    def pull_floor(self):
        """Seconds of `ansible-pull` of a repository whose playbook runs one `ping` task
        (median of --runs after one not timed): what any run through ansible-pull costs here."""
        repo = os.path.join(self.work, "repo-floor")
        os.makedirs(repo)
        with open(os.path.join(repo, "local.yml"), "w", encoding="utf-8") as handle:
            handle.write("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - name: Ping\n      ansible.builtin.ping:\n")
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "floor")
        checkout = os.path.join(self.work, "checkout-floor")
        argv = [os.path.join(VENV_BIN, "ansible-pull"), "-U", "file://" + repo, "-d", checkout, "-i", "localhost,", "local.yml"]
        env = ansible_env(REPO)
        measured(argv, env=env)
        return median([measured(argv, env=env)[0] for _run in range(self.args.runs)])

    def cleanup(self):
        app_type = self.cluster.resolve("gitops-k8s.dev/v1alpha1", "Application")
        for control in self.controls:
            for app in self.cluster.list(app_type, control):
                if app["metadata"].get("finalizers"):
                    self.cluster.patch_merge(app_type, control, app["metadata"]["name"], {"metadata": {"finalizers": None}})
        names = sorted(set(self.namespaces + self.controls))
        namespace_type = self.cluster.resolve("v1", "Namespace")
        failed = []

        def delete(name):
            try:
                self.cluster.delete(namespace_type, None, name)
            except Exception as exc:  # pylint: disable=broad-exception-caught  # reported below, the others still go
                failed.append("%s: %s" % (name, exc))

        with ThreadPoolExecutor(CEILING_WORKERS) as pool:
            list(pool.map(delete, names))
        if failed:
            print("left behind, delete by hand: %s" % "; ".join(failed[:20]), file=sys.stderr)


def module_requests(out):
    """Requests by verb of the gitops.k8s.app tasks of one ansible-pull run (the minimal
    callback prints each task's result as JSON)."""
    decoder, total, at = json.JSONDecoder(), {}, 0
    while True:
        at = out.find(" => {", at)
        if at < 0:
            return total
        result, at = decoder.raw_decode(out, at + 4)
        if "application" in result or "applications" in result:
            for verb, count in (result.get("requests") or {}).items():
                total[verb] = total.get(verb, 0) + count


class LoadSampler(threading.Thread):
    """The 1-minute load average, sampled every 10 s while the benchmark runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = [os.getloadavg()[0]]
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(10):
            self.samples.append(os.getloadavg()[0])

    def summary(self):
        return "load average %.1f to %.1f (median %.1f)" % (min(self.samples), max(self.samples), statistics.median(self.samples))


def median(values):
    return statistics.median(values) if values else float("nan")


def verbs(requests):
    return ", ".join("%s %d" % (v, requests[v]) for v in sorted(requests)) or "none"


def run_scale(bench, apps, per_app, baseline):
    docs = objects(per_app)
    scale = "gb%s-%dx%d" % (bench.args.tag, apps, per_app)
    print("scale %d apps x %d objects: measuring..." % (apps, per_app), file=sys.stderr, flush=True)
    row = {"apps": apps, "per_app": per_app, "objects": apps * per_app}
    row["dry_ceiling"], row["ceiling"] = bench.ceiling(apps, docs, scale)
    row["kubectl_apply"], row["kubectl_diff"], row["kubectl_rss"] = bench.kubectl_runs(apps, docs, scale)
    loop = bench.k8s_loop(apps, docs, scale)
    if loop is not None:
        row["loop_first"], row["loop_noops"], row["loop_rss"] = loop
    for label, tree in (("new", REPO), ("old", baseline)):
        if tree is None:
            continue
        first, noops, rss, requests = bench.ours_pull(tree, "p" + label, apps, docs, scale)
        row["pull_first_" + label], row["pull_noops_" + label], row["pull_rss_" + label], row["pull_requests_" + label] = first, noops, rss, requests
        first, noops, requests, rss = bench.ours_inprocess(tree, "i" + label, apps, docs, scale)
        row["in_first_" + label], row["in_noops_" + label], row["in_requests_" + label], row["in_rss_" + label] = first, noops, requests, rss
    return row


def _seconds(value):
    return "%.1f s" % value if value else ""


def _ratio(new, reference):
    return "%.2f" % (new / reference) if new and reference else ""


def table(rows, baseline_ref, runs):
    """The markdown tables: times (with the ratio to the reference each work is held to)
    and requests / peak RSS."""
    has_old = any("pull_first_old" in r for r in rows)
    head = "| objects / Applications | work | gitops.k8s |%s reference | reference time | ratio |" % (" baseline (%s) |" % baseline_ref if has_old else "")
    out = [head, "|---|---|---|" + ("---|" if has_old else "") + "---|---|---|"]

    def line(row, work, key, reference="", reference_time=None, reverse=False):
        new, old = row.get(key + "_new"), row.get(key + "_old")
        new, old = (median(v) if isinstance(v, list) else v for v in (new, old))
        ratio = _ratio(reference_time, new) if reverse else _ratio(new, reference_time)
        cells = ["{:,} / {:,}".format(row["objects"], row["apps"]), work, _seconds(new)]
        if has_old:
            cells.append(_seconds(old))
        cells += [reference, _seconds(reference_time), ratio]
        out.append("| " + " | ".join(cells) + " |")

    for row in rows:
        line(row, "first sync, ansible-pull", "pull_first", "`kubectl apply --server-side`", row["kubectl_apply"])
        line(row, "no-op, ansible-pull (median of %d)" % runs, "pull_noops", "`kubectl diff --server-side` (median)", median(row["kubectl_diff"]))
        line(row, "first sync, in-process", "in_first", "parallel SSA ceiling (%d threads)" % CEILING_WORKERS, row["ceiling"])
        if "dry_ceiling" in row:
            validated = row["dry_ceiling"] + row["ceiling"]
            both = "parallel dry-run + SSA ceilings (%.1f s + %.1f s)" % (row["dry_ceiling"], row["ceiling"])
            line(row, "first sync, in-process", "in_first", both, validated)
        line(row, "no-op, in-process (median of %d)" % runs, "in_noops")
        if "loop_first" in row:
            line(row, "first sync, ansible-pull", "pull_first", "`kubernetes.core.k8s` loop, first", row["loop_first"])
            loop_noop = median(row["loop_noops"])
            line(row, "no-op, ansible-pull: times faster than the loop", "pull_noops", "`kubernetes.core.k8s` loop, no-op (median)", loop_noop, True)
    out.append("")
    out.append(
        "| objects / Applications | no-op requests, ansible-pull (both module runs) | no-op requests, in-process "
        "| peak RSS MB: ansible-pull, in-process, kubectl, k8s loop |"
    )
    out.append("|---|---|---|---|")
    for row in rows:
        rss = ["%.0f" % row["pull_rss_new"], "%.0f" % row["in_rss_new"], "%.0f" % row["kubectl_rss"], "%.0f" % row["loop_rss"] if "loop_rss" in row else "-"]
        requests = (verbs(row.get("pull_requests_new") or {}), verbs(row["in_requests_new"]))
        out.append("| {:,} / {:,} | {} | {} | {} |".format(row["objects"], row["apps"], requests[0], requests[1], ", ".join(rss)))
    return "\n".join(out)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--rss":
        return rss_wrapper(sys.argv[3:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubeconfig", default=os.environ.get("GITOPS_K8S_KUBECONFIG", os.path.join(REPO, ".cluster", "kubeconfig")))
    parser.add_argument("--scales", default="10x100", help="comma-separated APPSxOBJECTS, e.g. 10x100,100x50,1000x5")
    parser.add_argument("--runs", type=int, default=3, help="no-op runs of each kind (the median is shown)")
    parser.add_argument("--baseline", default="", help="a git ref measured beside this checkout ('': none)")
    parser.add_argument("--k8s-venv", default=os.path.join(REPO, ".venv-bench"), help="venv with ansible (kubernetes.core) and matplotlib")
    parser.add_argument("--k8s-max-apps", type=int, default=100, help="the kubernetes.core.k8s loop runs for scales of at most this many apps")
    parser.add_argument("--chart", default="", help="write the PNG chart here (matplotlib of --k8s-venv)")
    parser.add_argument("--tag", default=str(int(time.time()))[-5:], help="part of every namespace name")
    args = parser.parse_args()
    args.k8s_venv = os.path.abspath(args.k8s_venv)  # its python is the loop's module interpreter, run from elsewhere
    work = tempfile.mkdtemp(prefix="gitops-bench-")
    bench = Bench(args, work)
    rows = []
    load = LoadSampler()
    load.start()
    floor = None
    try:
        floor = bench.pull_floor()
        baseline = baseline_tree(args.baseline, work) if args.baseline else None
        for scale in args.scales.split(","):
            apps, per_app = (int(v) for v in scale.lower().split("x"))
            rows.append(run_scale(bench, apps, per_app, baseline))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        load.done.set()
        bench.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    version = bench.cluster.server_version().get("gitVersion", "")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2.0**30
    print("%s, %d CPUs, %.0f GiB, kube-apiserver %s, %s" % (time.strftime("%Y-%m-%d", time.gmtime()), os.cpu_count(), memory, version, load.summary()))
    print("`ansible-pull` of a one-`ping`-task playbook (the floor of any run through ansible-pull): %.1f s (median of %d)" % (floor, args.runs))
    print()
    print(table(rows, args.baseline or "none", args.runs))
    if args.chart:
        with open(os.path.join(work + ".json"), "w", encoding="utf-8") as handle:
            json.dump(rows, handle)
        python = os.path.join(args.k8s_venv, "bin", "python")
        subprocess.run([python, os.path.join(REPO, "benchmarks", "chart.py"), work + ".json", args.chart], check=True)
        os.unlink(work + ".json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
