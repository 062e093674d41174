# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile playbook's variables are checked (gitops.k8s.reconcile_vars) before it does anything.

A real ansible-playbook runs gitops.k8s.reconcile; no cluster is needed: a wrong variable
fails the play in its first task, and a right one lets it reach its own tasks (which then
fail on the missing kubeconfig, never reached by the wrong ones).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.integration.playbook import VENV_BIN, ansible_env

FIRST_PLAYBOOK_TASK = "TASK [Name this run"
SECRET = "s3cr3t-t0ken-for-the-test"


def reconcile(tmp_path, extra_vars):
    """Run gitops.k8s.reconcile with these extra vars (a dict: JSON keeps their types)."""
    extra = {"gitops_k8s_kubeconfig": str(tmp_path / "no-kubeconfig")}
    extra.update(extra_vars)
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "gitops.k8s.reconcile", "-e", json.dumps(extra)],
        env=ansible_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=str(tmp_path),
    )
    return proc, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "extra_vars, message",
    [
        ({"gitops_k8s_wait": "maybe"}, "argument 'gitops_k8s_wait' is of type str and we were unable to convert to bool"),
        ({"gitops_k8s_git_timeout": "soon"}, "'gitops_k8s_git_timeout' is of type str and we were unable to convert to int"),
        ({"gitops_k8s_run_deadline": "later"}, "'gitops_k8s_run_deadline' is of type str and we were unable to convert to float"),
        ({"gitops_k8s_allow_local_repos": {"yes": 1}}, "'gitops_k8s_allow_local_repos' is of type dict"),
        ({"gitops_k8s_repo_credentials": "https://git.example.test/"}, "'gitops_k8s_repo_credentials' is of type str"),
        ({"gitops_k8s_repo_credentials": [{"token": SECRET}]}, "missing required arguments: url found in gitops_k8s_repo_credentials"),
        (
            {"gitops_k8s_repo_credentials": [{"url": "https://git.example.test/", "tokn": SECRET}]},
            "gitops_k8s_repo_credentials.tokn. Supported parameters include",
        ),
        (
            {"gitops_k8s_sync_windows": [{"kind": "sometimes", "schedule": "0 22 * * *", "duration": "1h"}]},
            "value of kind must be one of: allow, deny, got: sometimes found in gitops_k8s_sync_windows",
        ),
        ({"gitops_k8s_sync_windows": [{"kind": "deny", "duration": "1h"}]}, "missing required arguments: schedule found in gitops_k8s_sync_windows"),
    ],
)
def test_a_variable_of_the_wrong_type_fails_the_play_before_anything_runs(tmp_path, extra_vars, message):
    extra_vars = dict(extra_vars, gitops_k8s_checkout_dir=str(tmp_path))
    proc, output = reconcile(tmp_path, extra_vars)
    assert proc.returncode != 0
    assert "Validation of arguments failed" in output and message in output, output[-3000:]
    assert FIRST_PLAYBOOK_TASK not in output
    assert SECRET not in output


def test_neither_a_checkout_nor_a_root_url_fails_before_anything_runs(tmp_path):
    proc, output = reconcile(tmp_path, {})
    assert proc.returncode != 0
    assert "Set gitops_k8s_checkout_dir" in output, output[-3000:]
    assert FIRST_PLAYBOOK_TASK not in output


@pytest.mark.parametrize(
    "extra_vars",
    [
        # what ansible-pull -e key=value passes: strings, converted like a module's options
        {"gitops_k8s_wait": "true", "gitops_k8s_prune": "no", "gitops_k8s_run_deadline": "600", "gitops_k8s_git_timeout": "30"},
        # what the agent's CronJob passes: JSON with real types
        {
            "gitops_k8s_wait": False,
            "gitops_k8s_prune": True,
            "gitops_k8s_run_deadline": 90.5,
            "gitops_k8s_allow_local_repos": False,
            "gitops_k8s_namespace": "gitops-system",
            "gitops_k8s_root_name": "root",
            "gitops_k8s_root_path": "apps",
            "gitops_k8s_repo_credentials": [{"url": "https://git.example.test/org", "token": SECRET}],
        },
        {"gitops_k8s_root_repo_url": "https://git.example.test/org/gitops.git", "gitops_k8s_root_revision": "main"},
        {
            "gitops_k8s_sync_windows": [
                {"kind": "deny", "schedule": "0 22 * * *", "duration": "1h", "timeZone": "Europe/Paris", "applications": ["*"], "manualSync": True}
            ]
        },
    ],
)
def test_right_variables_reach_the_playbook_tasks(tmp_path, extra_vars):
    if "gitops_k8s_root_repo_url" not in extra_vars:
        extra_vars = dict(extra_vars, gitops_k8s_checkout_dir=str(tmp_path))
    proc, output = reconcile(tmp_path, extra_vars)
    assert "Validation of arguments failed" not in output
    assert FIRST_PLAYBOOK_TASK in output, output[-3000:]
    assert "TASK [Reconcile the root Application, then every other one" in output  # which fails: there is no cluster here
    assert SECRET not in output
