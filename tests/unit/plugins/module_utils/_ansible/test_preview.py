# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift_info with children=true over the in-memory cluster: every Application of an
app-of-apps checkout compared as the checkout now declares it, nothing written."""

from __future__ import annotations

import re

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import preview, runner
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError

from tests.unit.plugins.module_utils._ansible.test_runner import NS, CountingCluster, Module

ROOT = {"metadata": {"name": "root"}, "spec": {"source": {"path": "apps"}, "destination": {"namespace": NS}, "syncPolicy": {"automated": {"prune": True}}}}


def child(name):
    return (
        "apiVersion: gitops-k8s.dev/v1alpha1\nkind: Application\nmetadata:\n  name: %s\nspec:\n  source:\n    path: %s\n"
        "  destination:\n    namespace: demo\n  syncPolicy:\n    automated:\n      prune: true\n" % (name, name)
    )


def config_map(name, value):
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: %s\n" % (name, value)


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def synced(tmp_path):
    """A cluster where root (from the checkout) and its child ``web`` are synced."""
    cluster = CountingCluster()
    path = tmp_path / "checkout"
    write(path, "apps/web.yaml", child("web"))
    write(path, "web/a.yaml", config_map("a", "1"))
    write(path, "web/b.yaml", config_map("b", "1"))
    runner.run_app(Module(cluster, definition=ROOT, checkout_dir=str(path)))
    runner.run_app(Module(cluster, all=True, exclude=["root"], checkout_dir=str(path)))
    return cluster, path


def test_children_are_compared_as_the_checkout_declares_them_and_nothing_is_written(tmp_path):
    cluster, path = synced(tmp_path)
    write(path, "web/a.yaml", config_map("a", "2"))
    (path / "web" / "b.yaml").unlink()
    write(path, "apps/api.yaml", child("api"))
    write(path, "api/c.yaml", config_map("c", "1"))
    cluster.reset_calls()
    result = runner.run_drift_info(Module(cluster, application="root", children=True, checkout_dir=str(path)))
    assert cluster.writes() == []
    rows = dict((r["application"], r) for r in result["applications"])
    assert list(rows) == ["%s/root" % NS, "%s/api" % NS, "%s/web" % NS]  # root first, then its children
    verbs = dict((name, sorted((o["id"], o["action"]) for o in r["objects"] if o["action"] != "unchanged")) for name, r in rows.items())
    assert verbs == {
        "%s/root" % NS: [("Application/%s/api" % NS, "created")],
        "%s/api" % NS: [("ConfigMap/demo/c", "created")],
        "%s/web" % NS: [("ConfigMap/demo/a", "configured"), ("ConfigMap/demo/b", "pruned")],
    }
    diff = next(o["diff"] for o in rows["%s/web" % NS]["objects"] if o["id"] == "ConfigMap/demo/a")
    assert re.search(r"\n-  k: '?1'?\n\+  k: '?2'?\n", diff), diff
    assert result["in_sync"] is False and result["changed"] is False


def test_a_failing_child_is_its_row_not_the_task(tmp_path):
    cluster, path = synced(tmp_path)
    write(path, "web/bad.yaml", "kind: ConfigMap\nmetadata: [\n")
    result = runner.run_drift_info(Module(cluster, application="root", children=True, checkout_dir=str(path)))
    web = next(r for r in result["applications"] if r["application"] == "%s/web" % NS)
    assert web["error_step"] == "render" and "web/bad.yaml:" in web["error"]


def test_the_preview_store_refuses_writes():
    store = preview.PreviewStore(None)
    app = {"metadata": {"namespace": NS, "name": "web"}}
    store.put(app)
    assert store.get(NS, "web") is app
    for write_call in (lambda: store.write_status(app, {}), lambda: store.remove_finalizer(app)):
        with pytest.raises(GitOpsError, match="a preview writes nothing"):
            write_call()
