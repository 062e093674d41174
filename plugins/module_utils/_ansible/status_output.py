# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status page of a gitops.k8s.app all=true run, drawn in the module process
(options status_page and status_configmap): the reconcile playbook's run starts one module
process instead of three (gitops.k8s.app, then app_info and sync for the page)."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import status_page

PAGE_KEY = "index.html"
LABELS = {"app.kubernetes.io/part-of": "gitops-k8s", "app.kubernetes.io/component": "status-page"}


def draw(applications, rows):
    """The page P(gitops.k8s.status_page#filter) draws from the Applications (app_info rows
    with their inventory) and this run's results, as of the newest sync (not of this run:
    a run that changed nothing draws the same page)."""
    return status_page.render(applications, rows, max([a.get("last_synced_at") or "" for a in applications] or [""]))


def keep(cluster, namespace, name, page, dry_run):
    """Keep ``page`` in ConfigMap ``namespace/name`` (server-side apply); nothing is written
    when it holds that page and its labels already. True when written (or, in check mode, due)."""
    rtype = cluster.resolve("v1", "ConfigMap")
    live = cluster.get(rtype, namespace, name) or {}
    labels = (live.get("metadata") or {}).get("labels") or {}
    if (live.get("data") or {}).get(PAGE_KEY) == page and all(labels.get(k) == v for k, v in LABELS.items()):
        return False
    if not dry_run:
        obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace, "labels": dict(LABELS)}, "data": {PAGE_KEY: page}}
        cluster.apply(rtype, obj, force=True)
    return True
