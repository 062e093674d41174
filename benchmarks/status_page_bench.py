"""Benchmark: the status page and tree of a large app-of-apps, without a cluster.

Prints the time to draw the tree lines and the HTML page for N Applications of M objects
each (every tenth object OutOfSync with a diff), and the page's size against its bound
(status_page.PAGE_LIMIT: it must fit a ConfigMap).

Usage: .venv/bin/python benchmarks/status_page_bench.py [--apps 200] [--per-app 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))

from ansible_collections.gitops.k8s.plugins.module_utils._engine import status_page, status_tree  # noqa: E402  pylint: disable=wrong-import-position


def build(apps, per_app):
    rows, results = [{"name": "root", "namespace": "ops", "sync_status": "Synced", "health_status": "Healthy", "parent": "", "objects": []}], []
    for a in range(apps):
        name = "app-%03d" % a
        objects = [
            {"group": "", "version": "v1", "kind": "ConfigMap", "namespace": name, "name": "cm-%03d" % o, "status": "OutOfSync" if o % 10 == 0 else "Synced"}
            for o in range(per_app)
        ]
        history = [{"id": h, "revision": "%040d" % h, "syncedAt": "2026-11-26T03:00:00Z", "result": "Succeeded", "created": 1} for h in range(10)]
        rows.append(
            {
                "name": name,
                "namespace": "ops",
                "sync_status": "OutOfSync",
                "health_status": "Healthy",
                "parent": "ops/root",
                "objects": objects,
                "history": history,
            }
        )
        diffs = [
            {"id": "ConfigMap/%s/%s" % (name, o["name"]), "status": "OutOfSync", "diff": "-  k: a\n+  k: b\n" * 20}
            for o in objects
            if o["status"] == "OutOfSync"
        ]
        results.append({"application": "ops/" + name, "objects": diffs})
    return rows, results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--per-app", type=int, default=50)
    args = parser.parse_args()
    rows, results = build(args.apps, args.per_app)
    started = time.perf_counter()
    lines = status_tree.lines(rows)
    tree_s = time.perf_counter() - started
    started = time.perf_counter()
    page = status_page.render(rows, results, generated="bench")
    page_s = time.perf_counter() - started
    print("%d Applications x %d objects" % (args.apps, args.per_app))
    print("tree: %d lines in %.3f s" % (len(lines), tree_s))
    print(
        "page: %d characters (limit %d) in %.3f s; diffs left out: %s"
        % (len(page), status_page.PAGE_LIMIT, page_s, page.count("diffs left out") and "yes" or "none")
    )


if __name__ == "__main__":
    main()
