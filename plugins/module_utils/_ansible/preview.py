# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gitops.k8s.drift_info with ``children: true``: a preview of a revision (docs/previews.md).

The same reconcile as a check-mode run (plan with server-side dry-runs, nothing written:
no status, no Lease, no Event), over every Application a sync of the revision would leave
(_engine/preview_apps.py decides which, and at which revision). Each Application's
render is kept to find the Applications it declares; the declaring Applications are
seen by their children at the previewed commit through an overlay of the Application
store, which refuses every write.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring, results
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, argocd_application, preview_apps
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_KIND, APP_MAX_DEPTH, APP_SYNCED, PRUNED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import reconcile

ROW_KEYS = ("application", "revision", "sync_status", "reason", "error", "error_step")


class PreviewStore:
    """The Application store as a preview sees it: the previewed Applications over the
    live ones (a child without repoURL inherits its parent's previewed source), and no
    write at all."""

    def __init__(self, store):
        self.store = store
        self.previewed = {}

    def put(self, app):
        meta = app["metadata"]
        self.previewed[(meta["namespace"], meta["name"])] = app

    def get(self, namespace, name):
        found = self.previewed.get((namespace, name))
        return found if found is not None else self.store.get(namespace, name)

    def write_status(self, app, status):
        raise GitOpsError("a preview writes nothing (status of %s)" % preview_apps.app_key(app))

    def remove_finalizer(self, app):
        raise GitOpsError("a preview writes nothing (finalizer of %s)" % preview_apps.app_key(app))


def _capturing(ports, captured):
    """``ports`` whose render also keeps what it rendered in ``captured``."""

    def render(root, spec):
        manifests = ports.render(root, spec)
        captured.extend(manifests)
        return manifests

    return ports.with_changes(render=render)


def _row(outcome, app):
    """One Application of the preview: its result keys and its objects with their
    (redacted) diffs; ``deleted`` for an Application the revision removes (with or
    without the finalizer that prunes its objects: ``reason`` says which)."""
    full = results.outcome_result(outcome, False)
    row = dict((k, full[k]) for k in ROW_KEYS if k in full)
    row["deleted"] = bool(app["metadata"].get("deletionTimestamp"))
    row["objects"] = results.object_rows(outcome.changeset, with_diff=True)
    return row


def _removed_children(outcome):
    """(namespace, name) of each Application the change set prunes."""
    out = []
    for entry in outcome.changeset.entries if outcome.changeset else ():
        kind, _sep, rest = entry.subject.partition("/")
        if kind == APP_KIND and entry.action == PRUNED and rest.count("/") == 1:
            out.append(tuple(rest.split("/")))
    return out


def run_preview(module):
    """Every Application of ``application`` (the root) at ``revision`` compared with the
    cluster; one row each in ``applications``, a failure in its row, never raised."""
    p = module.params
    cluster, store, clock = app_wiring.open_store(module)
    overlay = PreviewStore(store)
    ports = app_wiring.make_ports_and_sources(module, cluster, overlay, clock)[0]
    settings = app_wiring.settings_of(module, sync=False, dry_run=True, control_namespace=p["application_namespace"])
    root = preview_apps.root_at(app_wiring.load_app(module, store, p["application"], p["application_namespace"])[0], p["repo_url"], p["revision"])
    repo_url = p["repo_url"] or ((root.get("spec") or {}).get("source") or {}).get("repoURL")
    queue = [(root, 0)]
    rows, seen = [], set()
    while queue:
        app, depth = queue.pop(0)
        key = preview_apps.app_key(app)
        if key in seen:
            continue
        seen.add(key)
        captured = []
        outcome = reconcile(app, _capturing(ports, captured), settings)
        rows.append(_row(outcome, app))
        if outcome.error is not None or rows[-1]["deleted"] or depth >= APP_MAX_DEPTH:
            continue
        overlay.put(preview_apps.synced_at(app, outcome.revision))
        spec = application.parse(app)
        manifests = argocd_application.convert(captured, spec.namespace)[0]
        for rendered in preview_apps.declared(manifests, spec.destination_namespace or settings.default_namespace):
            live = store.get(rendered["metadata"]["namespace"], rendered["metadata"]["name"])
            queue.append((preview_apps.at_revision(preview_apps.child(rendered, live, key), repo_url, p["revision"]), depth + 1))
        for namespace, name in _removed_children(outcome):
            live = store.get(namespace, name)
            if live is not None:
                queue.append((preview_apps.removed(live, clock.iso()), depth + 1))
    return {
        "changed": False,
        "applications": rows,
        "in_sync": all(r["sync_status"] == APP_SYNCED and not r.get("error") and not r.get("deleted") for r in rows),
        "requests": dict(cluster.stats),
    }
