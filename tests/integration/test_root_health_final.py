"""A converged first run leaves the app-of-apps root's health final.

The root is reconciled before the child Applications it creates, so it first records
them as waiting for health. Once the children are reconciled later in the same run, the
root is re-evaluated (no sync): after a real `ansible-pull` that converges, the root is
Healthy, and a second `ansible-pull` writes nothing at all (no Application status, no
object, no Lease: every resourceVersion of the namespace stays).
"""

from __future__ import annotations

import json

from .faults import CONFIGMAP
from .gitops import pull_repository, release_finalizers
from .playbook import ansible_pull
from .test_ansible_pull import recap


def versions(kubectl, namespace):
    """kind/name -> resourceVersion of the Applications, ConfigMaps and Leases of NAMESPACE."""
    items = json.loads(kubectl("get", "gapp,configmaps,leases", "-n", namespace, "-o", "json"))["items"]
    return dict(("%s/%s" % (i["kind"], i["metadata"]["name"]), i["metadata"]["resourceVersion"]) for i in items)


def test_the_first_run_leaves_the_roots_health_final(tmp_path, kubeconfig, namespace, kubectl):
    repo = pull_repository(tmp_path / "origin", "settings", namespace, {"settings.yaml": CONFIGMAP.format(name="settings", value="blue")})
    checkout = str(tmp_path / "checkout")
    extra = ("-e", "gitops_k8s_namespace=%s" % namespace, "-e", "gitops_k8s_root_name=final-root")
    try:
        first = ansible_pull(repo.url, checkout, kubeconfig, *extra)
        assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
        apps = dict((a["metadata"]["name"], a["status"]) for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"])
        assert sorted(apps) == ["final-root", "settings"], first.stdout[-5000:]
        assert apps["settings"]["health"]["status"] == "Healthy", apps["settings"]
        # the root recorded its child as it was at the end of the run, not before its reconcile
        assert apps["final-root"]["health"]["status"] == "Healthy", apps["final-root"]
        child = [r for r in apps["final-root"]["resources"] if r["kind"] == "Application"]
        assert [(r["name"], r["health"]["status"]) for r in child] == [("settings", "Healthy")], child

        before = versions(kubectl, namespace)
        second = ansible_pull(repo.url, checkout, kubeconfig, *extra)
        assert second.returncode == 0, second.stdout[-5000:] + second.stderr[-3000:]
        assert recap(second.stdout)["changed"] == 0, second.stdout[-5000:]
        after = versions(kubectl, namespace)
        assert after == before, sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    finally:
        release_finalizers(kubectl, namespace, "final-root", "settings")
