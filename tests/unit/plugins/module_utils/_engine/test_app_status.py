# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_status.next_status: the next status from one frozen Report, with the run's
warnings returned (not appended to anything), and nothing it is given changed."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_status, application
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ApplyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.health import Health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.plan import Plan
from ansible_collections.gitops.k8s.plugins.module_utils._engine.multi_source import Sourced
from ansible_collections.gitops.k8s.plugins.module_utils._engine.sync import SyncResult

APP = {
    "apiVersion": "gitops-k8s.dev/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "shop", "namespace": "gitops-system"},
    "spec": {"source": {"repoURL": "https://github.com/acme/shop", "path": "deploy"}, "destination": {"namespace": "shop"}},
}
PREVIOUS = {
    "sync": {"status": "OutOfSync", "revision": "old"},
    "conditions": [{"type": "SyncError", "message": "x", "lastTransitionTime": "t0"}],
    "operationState": {"phase": "Failed", "revision": "old"},
}


def report(**changes):
    spec = replace(application.parse(APP), warnings=("spec.info: not shown",))
    created = ChangeSetEntry(subject="ConfigMap/shop/a", action="created", status="Missing")
    values = dict(
        spec=spec,
        sourced=Sourced((), "c0ffee", "https://github.com/acme/shop"),
        plan=Plan(items=[], extra=[], previous=(), warnings=("ConfigMap/shop/a: Foo=bar is not a sync option",)),
        result=SyncResult(changeset=ChangeSet((created,)), inventory=(), sync_status="Synced"),
        health=Health("Healthy", ""),
        reason="new revision c0ffee",
        synced=True,
        started="t1",
        finished="t2",
    )
    values.update(changes)
    return app_status.Report(**values)


def test_the_status_and_warnings_come_back_and_nothing_given_changes():
    previous, given = copy.deepcopy(PREVIOUS), report()
    kept = copy.deepcopy(given.plan), copy.deepcopy(given.result)
    status, warnings = app_status.next_status(previous, given)
    assert previous == PREVIOUS and (given.plan, given.result) == kept
    assert status["sync"] == {"status": "Synced", "revision": "c0ffee", "repoURL": "https://github.com/acme/shop", "path": "deploy"}
    assert status["operationState"]["phase"] == "Succeeded" and status["lastSyncedAt"] == "t2"
    assert [c["type"] for c in status["conditions"]] == [application.UNSUPPORTED_WARNING]  # the old SyncError is gone
    assert warnings == ["UnsupportedFeatureWarning: spec.info: not shown", "UnsupportedFeatureWarning: ConfigMap/shop/a: Foo=bar is not a sync option"]
    assert status["history"][0]["revision"] == "c0ffee"


def test_a_multi_source_application_lists_each_revision():
    status = app_status.next_status({}, report(sourced=Sourced((), "c0ffee,beef", "https://github.com/acme/shop", ("c0ffee", "beef"))))[0]
    assert status["sync"]["revision"] == "c0ffee,beef" and status["sync"]["revisions"] == ["c0ffee", "beef"]


def test_the_url_fetched_shows_only_when_a_rewrite_served_it():
    plain = app_status.next_status({}, report())[0]
    mirrored = app_status.next_status({}, report(sourced=Sourced((), "c0ffee", "https://github.com/acme/shop", fetched_url="http://127.0.0.1:1/shop")))[0]
    assert "fetchedURL" not in plain["sync"]
    assert mirrored["sync"]["fetchedURL"] == "http://127.0.0.1:1/shop"


@pytest.mark.parametrize("synced", [True, False])
def test_a_failed_sync_and_a_report_only_run(synced):
    failed = SyncResult(changeset=None, inventory=(), sync_status="OutOfSync", error=ApplyError("apply failed: no", subject="ConfigMap/shop/a"))
    status, _warnings = app_status.next_status(copy.deepcopy(PREVIOUS), report(result=failed, synced=synced))
    types = [c["type"] for c in status["conditions"]]
    assert application.SYNC_ERROR in types  # a new failure, or the last one kept while nothing synced
    if synced:
        assert status["operationState"]["phase"] == "Failed" and "ConfigMap/shop/a" in status["operationState"]["message"]
    else:
        assert status["operationState"] == PREVIOUS["operationState"] and "history" not in status
