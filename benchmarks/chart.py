"""The PNG chart of `make bench`: seconds against object count, from the rows bench.py
measured (a JSON file). Run in the bench venv (matplotlib), not the collection's.

Usage: .venv-bench/bin/python benchmarks/chart.py ROWS.json CHART.png
"""

from __future__ import annotations

import json
import statistics
import sys

import matplotlib


def median(value):
    return statistics.median(value) if isinstance(value, list) else value


def chart(rows, path):
    """A PNG of seconds against object count: first syncs on the left, no-ops on the right;
    the 1,000-Application shape drawn with hollow markers."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    series = (
        ("gitops.k8s, ansible-pull", "pull_first_new", "pull_noops_new", "o"),
        ("gitops.k8s, in-process", "in_first_new", "in_noops_new", "s"),
        ("kubectl apply / diff --server-side", "kubectl_apply", "kubectl_diff", "^"),
        ("kubernetes.core.k8s loop", "loop_first", "loop_noops", "v"),
        ("parallel SSA ceiling", "ceiling", None, "x"),
    )
    figure, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, which, title in ((axes[0], 1, "first sync"), (axes[1], 2, "no-op (median)")):
        for entry in series:
            key, marker = entry[which], entry[3]
            if key is None:
                continue
            points = sorted((r["objects"], r["apps"], median(r[key])) for r in rows if key in r)
            few = [(x, y) for x, apps, y in points if apps <= 100]
            many = [(x, y) for x, apps, y in points if apps > 100]
            line = ax.plot([p[0] for p in few], [p[1] for p in few], marker=marker, label=entry[0])[0]
            if many:
                ax.plot([p[0] for p in many], [p[1] for p in many], marker=marker, linestyle="none", markerfacecolor="none", color=line.get_color())
        ax.set_title(title + " (hollow: 1,000 Applications x 5 objects)")
        ax.set_xlabel("objects")
        ax.set_ylabel("seconds")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        chart(json.load(handle), sys.argv[2])


if __name__ == "__main__":
    main()
