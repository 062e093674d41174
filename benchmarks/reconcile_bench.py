"""Benchmark: 1,000 objects across 10 Applications on the test cluster.

Prints
- first-sync wall time of the 10 Applications (gitops.k8s engine, one process), beside
  `kubectl apply --server-side -f` of the same 1,000 objects into other namespaces;
- a no-op reconcile (nothing changed in Git or the cluster): wall time, requests by verb,
  LISTs against the (kind, namespace) pairs, and writes (must be 0);
- the same no-op through `ansible-playbook` running gitops.k8s.reconcile (what a node runs).

Usage: .venv/bin/python benchmarks/reconcile_bench.py [--kubeconfig .cluster/kubeconfig] [--apps 10] [--per-app 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))
sys.path.insert(0, REPO)

from tests.integration.gitops import GitRepo, Runner, application  # noqa: E402  pylint: disable=wrong-import-position

KINDS = (("ConfigMap", 60), ("Secret", 20), ("Service", 10), ("Deployment", 10))


def objects(per_app):
    scale = per_app / 100.0
    docs = []
    for kind, count in KINDS:
        for i in range(max(1, int(count * scale))):
            name = "%s-%03d" % (kind.lower(), i)
            if kind == "ConfigMap":
                docs.append({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}, "data": {"key": "value-%d" % i, "n": str(i)}})
            elif kind == "Secret":
                docs.append({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}, "stringData": {"password": "pw-%d" % i}})
            elif kind == "Service":
                docs.append(
                    {
                        "apiVersion": "v1",
                        "kind": kind,
                        "metadata": {"name": name},
                        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]},
                    }
                )
            else:
                docs.append(
                    {
                        "apiVersion": "apps/v1",
                        "kind": kind,
                        "metadata": {"name": name},
                        "spec": {
                            "replicas": 1,
                            "selector": {"matchLabels": {"app": name}},
                            "template": {
                                "metadata": {"labels": {"app": name}},
                                "spec": {"containers": [{"name": "c", "image": "nginx:1.25", "resources": {"requests": {"cpu": "0.01", "memory": "16Mi"}}}]},
                            },
                        },
                    }
                )
    return docs


def kubectl(kubeconfig, *args, stdin=None):
    binary = os.path.join(REPO, ".venv", "bin", "kubectl")
    proc = subprocess.run([binary, "--kubeconfig", kubeconfig, *args], input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("kubectl %s failed: %s" % (" ".join(args[:3]), proc.stderr[-2000:]))
    return proc.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubeconfig", default=os.environ.get("GITOPS_K8S_KUBECONFIG", os.path.join(REPO, ".cluster", "kubeconfig")))
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--per-app", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the namespaces afterwards")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gitops-bench-")
    suffix = str(int(time.time()))[-6:]
    names = ["bench-%s-%02d" % (suffix, i) for i in range(args.apps)]
    plain = ["kbench-%s-%02d" % (suffix, i) for i in range(args.apps)]
    home = "gitops-bench-%s" % suffix
    docs = objects(args.per_app)
    repo = GitRepo(os.path.join(work, "repo"))
    for name in names:
        repo.write("apps/%s/objects.yaml" % name, "\n---\n".join(json.dumps(d) for d in docs) + "\n")
    repo.commit("bench")
    runner = Runner(kubeconfig=args.kubeconfig, checkout_dir=repo.path, cache_dir=os.path.join(work, "cache"))
    for ns in names + plain + [home]:
        kubectl(args.kubeconfig, "create", "namespace", ns)
    total = len(docs) * args.apps
    mix = ", ".join("%s %d" % (k, max(1, int(c * args.per_app / 100.0))) for k, c in KINDS)
    print("objects: %d across %d Applications (%s per app)" % (total, args.apps, mix))
    try:
        for name in names:
            runner.declare(application(name, home, "apps/" + name, name))

        start = time.monotonic()
        for name in names:
            outcome = runner.reconcile(home, name)
            if outcome.error is not None:
                raise SystemExit("first sync of %s failed: %s" % (name, outcome.error))
        first = time.monotonic() - start

        files = os.path.join(work, "kubectl")
        os.makedirs(files)
        for ns in plain:
            with open(os.path.join(files, ns + ".yaml"), "w", encoding="utf-8") as handle:
                handle.write("\n---\n".join(json.dumps(dict(d, metadata=dict(d["metadata"], namespace=ns))) for d in docs) + "\n")
        start = time.monotonic()
        kubectl(args.kubeconfig, "apply", "--server-side", "-f", files)
        plain_time = time.monotonic() - start

        # let the controller manager observe the new Deployments, then record their health once:
        # the measured no-op below has nothing left to record
        time.sleep(5)
        for name in names:
            runner.reconcile(home, name)

        start = time.monotonic()
        requests, writes, lists = {}, 0, 0
        for name in names:
            outcome = runner.reconcile(home, name)
            for verb, count in outcome.requests.items():
                requests[verb] = requests.get(verb, 0) + count
            if outcome.synced or outcome.status_written:
                writes += 1
        noop = time.monotonic() - start
        lists = requests.get("list", 0)
        pairs = len(KINDS) * args.apps
        writes += sum(requests.get(v, 0) for v in ("apply", "patch", "delete", "create", "replace"))

        print("first sync, gitops.k8s engine (dry-run validated, 10 Applications, status recorded): %.2f s" % first)
        print("first sync, kubectl apply --server-side -f (same objects, no validation pass):       %.2f s" % plain_time)
        print("no-op reconcile of %d Applications: %.2f s (%.0f ms per Application)" % (args.apps, noop, 1000 * noop / args.apps))
        print("no-op requests by verb: %s" % json.dumps(requests, sort_keys=True))
        print("no-op LISTs: %d for %d (kind, namespace) pairs; writes: %d" % (lists, pairs, writes))

        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
            ANSIBLE_LOCALHOST_WARNING="False",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        )
        common = "        namespace: %s\n        checkout_dir: %s\n        kubeconfig: %s\n        install_crd: false\n" % (home, repo.path, args.kubeconfig)
        per_app = '    - name: Reconcile\n      gitops.k8s.app:\n        name: "{{ item }}"\n%s      loop: %s\n' % (common, json.dumps(names))
        one_process = "    - name: Reconcile\n      gitops.k8s.app:\n        all: true\n%s" % common
        plays = {
            "one task per Application (10 module processes)": per_app,
            "all: true (one module process, what gitops.k8s.reconcile runs)": one_process,
        }
        for label, tasks in plays.items():
            play = os.path.join(work, "noop.yml")
            with open(play, "w", encoding="utf-8") as handle:
                handle.write(
                    "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
                    '  vars:\n    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n  tasks:\n' + tasks
                )
            start = time.monotonic()
            proc = subprocess.run(
                [os.path.join(REPO, ".venv", "bin", "ansible-playbook"), "-i", "localhost,", play], env=env, capture_output=True, text=True, check=False
            )
            elapsed = time.monotonic() - start
            if proc.returncode != 0:
                raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
            print("no-op through ansible-playbook, %s: %.2f s, changed=0: %s" % (label, elapsed, "changed=0" in proc.stdout))
    finally:
        if not args.keep:
            subprocess.run(
                [
                    os.path.join(REPO, ".venv", "bin", "kubectl"),
                    "--kubeconfig",
                    args.kubeconfig,
                    "delete",
                    "namespace",
                    "--wait=false",
                    *(names + plain + [home]),
                ],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
