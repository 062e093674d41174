"""parent_health: which Applications of a run recorded a child's health it no longer has."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import parent_health


def child(name, health=None, namespace="apps", group="gitops-k8s.dev", kind="Application"):
    row = {"group": group, "version": "v1alpha1", "kind": kind, "namespace": namespace, "name": name, "status": "Synced"}
    if health:
        row["health"] = {"status": health}
    return row


def status(*resources):
    return {"health": {"status": "Progressing"}, "resources": list(resources)}


def test_recorded_reads_the_child_applications_only():
    written = status(child("a", "Progressing"), child("b"), child("cm", "Healthy", kind="ConfigMap", group=""), child("x", "Healthy", group="argoproj.io"))
    assert parent_health.recorded(written) == {"apps/a": "Progressing", "apps/b": ""}
    assert parent_health.recorded({}) == {}
    assert parent_health.recorded({"resources": ["garbage", None]}) == {}


def test_stale_when_a_child_reached_another_health():
    written = status(child("a", "Progressing"))
    assert parent_health.stale(written, {"apps/a": "Healthy"})
    assert not parent_health.stale(written, {"apps/a": "Progressing"})
    assert not parent_health.stale(written, {"apps/other": "Healthy"})  # not its child


def test_next_stale_goes_from_the_last_row_up_and_skips_failed_rows():
    rows = [
        ("apps/root", status(child("mid", "Progressing")), "Progressing", False),
        ("apps/mid", status(child("leaf", "Progressing")), "Progressing", False),
        ("apps/leaf", status(), "Healthy", False),
    ]
    assert parent_health.next_stale(rows, len(rows)) == 1  # mid first: its leaf is Healthy now
    # mid evaluated again and Healthy: then the root sees it
    rows[1] = ("apps/mid", status(child("leaf", "Healthy")), "Healthy", False)
    assert parent_health.next_stale(rows, 1) == 0
    rows[0] = ("apps/root", status(child("mid", "Healthy")), "Healthy", False)
    assert parent_health.next_stale(rows, 0) == -1
    assert parent_health.next_stale(rows, len(rows)) == -1  # nothing left: the run is final


def test_next_stale_compares_with_later_rows_only_and_never_a_failed_one():
    # the child came first (reconciled before its parent): the parent saw its health already
    rows = [("apps/leaf", status(), "Healthy", False), ("apps/root", status(child("leaf", "Progressing")), "Progressing", False)]
    assert parent_health.next_stale(rows, len(rows)) == -1
    failed = [("apps/root", status(child("leaf", "Progressing")), "Unknown", True), ("apps/leaf", status(), "Healthy", False)]
    assert parent_health.next_stale(failed, len(failed)) == -1
