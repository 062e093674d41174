# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitOpsModule.execute, the one place a GitOpsError becomes fail_json: message, step,
subject and details of errors raised by a store over the in-memory cluster; an error
carrying the task's result; a clean exit."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError, LockError

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster


class Exited(Exception):
    def __init__(self, how, result):
        super().__init__(how)
        self.how, self.result = how, result


class RecordingModule(GitOpsModule):
    """GitOpsModule without AnsibleModule's argument parsing; exits are recorded."""

    def __init__(self):  # pylint: disable=super-init-not-called  # no parameters to parse here
        self.params = {}

    def fail_json(self, **kwargs):
        raise Exited("fail", kwargs)

    def exit_json(self, **kwargs):
        raise Exited("exit", kwargs)


def execute(run):
    with pytest.raises(Exited) as caught:
        RecordingModule().execute(run)
    return caught.value.how, caught.value.result


def test_a_cluster_error_of_a_store_is_failed_with_its_step_and_subject():
    def run(_module):
        cluster = FakeCluster()
        ghost = {"apiVersion": APP_API_VERSION, "kind": APP_KIND, "metadata": {"name": "gone", "namespace": "ops", "resourceVersion": "1"}}
        AppStore(cluster, FakeClock()).write_status(ghost, {"sync": {"status": "Synced"}})
        return {"changed": True}

    how, result = execute(run)
    assert how == "fail"
    assert result == {"msg": "Application/ops/gone: cannot record status: patch failed: not found", "step": "cluster", "subject": "Application/ops/gone"}


def test_details_of_an_error_are_part_of_the_failure():
    def run(_module):
        raise LockError("Lease ops/gapp-a is held by other", subject="Lease/ops/gapp-a", details={"holder": "other"})

    how, result = execute(run)
    assert how == "fail" and result["step"] == "lock" and result["holder"] == "other" and result["subject"] == "Lease/ops/gapp-a"


def test_an_error_carrying_the_task_result_fails_with_it():
    """A task that fails after its work (an Application's reconcile, a sync) raises a
    GitOpsError whose details are its result: the failure keeps objects and counts."""

    def run(_module):
        raise GitOpsError("demo/a: apply failed: denied", details={"changed": True, "created": ["ConfigMap/demo/a"]}, step="apply")

    how, result = execute(run)
    assert how == "fail"
    assert result == {"msg": "demo/a: apply failed: denied", "step": "apply", "changed": True, "created": ["ConfigMap/demo/a"]}


def test_the_error_says_what_failed_over_its_details():
    def run(_module):
        raise GitOpsError("demo/a: apply failed: denied", details={"msg": "stale", "step": "stale"}, step="apply")

    how, result = execute(run)
    assert how == "fail" and result == {"msg": "demo/a: apply failed: denied", "step": "apply"}


def test_a_result_exits():
    how, result = execute(lambda _module: {"changed": False, "applications": []})
    assert how == "exit" and result == {"changed": False, "applications": []}
