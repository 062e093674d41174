"""app_status.Report values for engine tests: one sync of the Application ``shop`` that
wrote objects, with fields replaced by keyword."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_status, application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import Health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.multi_source import Sourced
from ansible_collections.gitops.k8s.plugins.module_utils._engine.plan import Plan
from ansible_collections.gitops.k8s.plugins.module_utils._engine.sync import SyncResult

APP = {
    "apiVersion": API_GROUP + "/" + API_VERSION,
    "kind": APP_KIND,
    "metadata": {"name": "shop", "namespace": "gitops-system"},
    "spec": {"source": {"repoURL": "https://github.com/acme/shop", "path": "deploy"}, "destination": {"namespace": "shop"}},
}


def item(status, tracked=True, **more):
    """A plan item with what status and metrics read of it."""
    values = dict(status=status, tracked=tracked, action="", shared_with="", entry=None, blocks_sync=False, held=False)
    values.update(more)
    return SimpleNamespace(**values)


def plan(*items, extra=()):
    return Plan(items=list(items), extra=list(extra), previous=(), warnings=())


def written(*actions):
    """A change set with one entry per action."""
    return ChangeSet(tuple(ChangeSetEntry(subject="ConfigMap/shop/c%d" % i, action=a, status="OutOfSync") for i, a in enumerate(actions)))


def report(**changes):
    values = dict(
        spec=application.parse(APP),
        sourced=Sourced((), "c0ffee", "https://github.com/acme/shop"),
        plan=plan(item("OutOfSync"), item("Missing"), item("Synced")),
        result=SyncResult(changeset=written("configured", "created", "unchanged"), inventory=(), sync_status="Synced"),
        health=Health("Healthy", ""),
        reason="new revision c0ffee",
        synced=True,
        started="2026-11-26T03:00:00Z",
        finished="2026-11-26T03:00:04Z",
        seconds=4.25,
        object_health=("Healthy", "Healthy", "Progressing"),
    )
    values.update(changes)
    return app_status.Report(**values)
