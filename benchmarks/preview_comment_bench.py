"""Benchmark: the pull-request comment of a large preview, without a cluster.

Prints the time to write the markdown comment for N Applications of M objects each (every
fifth object changed, with a diff), its size against the limit, and how many diffs it holds
and left out.

Usage: .venv/bin/python benchmarks/preview_comment_bench.py [--apps 200] [--per-app 50] [--limit 65536]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))

from ansible_collections.gitops.k8s.plugins.module_utils._engine import preview_comment  # noqa: E402  pylint: disable=wrong-import-position


def build(apps, per_app):
    rows = []
    for a in range(apps):
        name = "app-%03d" % a
        objects = []
        for o in range(per_app):
            subject = "ConfigMap/%s/cm-%03d" % (name, o)
            if o % 5 == 0:
                objects.append({"id": subject, "status": "OutOfSync", "action": "configured", "diff": "-  k: a\n+  k: b\n" * 20})
            else:
                objects.append({"id": subject, "status": "Synced", "action": "unchanged"})
        rows.append({"application": "ops/" + name, "revision": "%040x" % a, "sync_status": "OutOfSync", "deleted": False, "objects": objects})
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--per-app", type=int, default=50)
    parser.add_argument("--limit", type=int, default=preview_comment.GITHUB_LIMIT)
    args = parser.parse_args()
    rows = build(args.apps, args.per_app)
    started = time.perf_counter()
    text = preview_comment.comment(rows, revision="my-feature", limit=args.limit)
    seconds = time.perf_counter() - started
    left_out = re.search(r"_(\d+) diffs left out", text)
    print(
        "preview comment, %d Applications x %d objects: %.3f s, %d characters (limit %d), %d diffs shown, %s left out%s"
        % (
            args.apps,
            args.per_app,
            seconds,
            len(text),
            args.limit,
            text.count("<details>"),
            left_out.group(1) if left_out else "0",
            " (lists cut)" if "every diff left out" in text else "",
        )
    )


if __name__ == "__main__":
    main()
