# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task groups of the agent and node_agent roles carry tags; preflight (and the agent's
render) run whatever tags are chosen, since the other groups need what they compute.

Real ansible-playbook runs, no cluster: the agent renders its manifests without applying them
(agent_apply=false), and the node agent's tasks are only listed.
"""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from tests.integration.playbook import VENV_BIN, ansible_env


def playbook(tmp_path, role, role_vars, *args):
    play = [{"name": "Role", "hosts": "localhost", "connection": "local", "gather_facts": False, "roles": [dict(role="gitops.k8s." + role, vars=role_vars)]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play), encoding="utf-8")
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(path), *args],
        env=ansible_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=str(tmp_path),
    )
    return proc


@pytest.mark.parametrize(
    "args, written",
    [
        (["--tags", "agent_output"], True),
        (["--skip-tags", "agent_output"], False),
    ],
)
def test_agent_output_tag_renders_and_writes_the_manifests_alone(tmp_path, args, written):
    out = tmp_path / "out"
    proc = playbook(
        tmp_path,
        "agent",
        {
            "agent_repo_url": "https://git.example.test/org/gitops.git",
            "agent_apply": False,
            "agent_output_dir": str(out),
            "agent_cronjob_api_version": "batch/v1",
        },
        *args,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Check the agent variables" in proc.stdout and "Render the agent manifests" in proc.stdout
    assert (out / "gitops-agent.yaml").exists() == written
    if written:
        kinds = [doc["kind"] for doc in yaml.safe_load_all((out / "gitops-agent.yaml").read_text(encoding="utf-8")) if doc]
        assert "CronJob" in kinds


@pytest.mark.parametrize(
    "tag, present, absent",
    [
        ("node_agent_service", ["Enable and start the timer"], ["Create the user of the agent", "Write the wrapper script"]),
        ("node_agent_install", ["Create the user of the agent", "Install the gitops.k8s collection"], ["Enable and start the timer"]),
        ("node_agent_configure", ["Write the wrapper script"], ["Install the gitops.k8s collection", "Write the systemd service"]),
    ],
)
def test_node_agent_tags_select_their_group_and_keep_the_preflight(tmp_path, tag, present, absent):
    proc = playbook(tmp_path, "node_agent", {"node_agent_repo_url": "https://git.example.test/org/gitops.git"}, "--list-tasks", "--tags", tag)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Check the node agent variables" in proc.stdout
    for name in present:
        assert name in proc.stdout, proc.stdout
    for name in absent:
        assert name not in proc.stdout, proc.stdout


def test_namespaced_agent_may_impersonate_exactly_the_listed_service_accounts(tmp_path):
    """The least-privilege layout of docs/projects.md: no deploy namespaces, only
    `impersonate` on the accounts the projects' destinationServiceAccounts name."""
    out = tmp_path / "out"
    proc = playbook(
        tmp_path,
        "agent",
        {
            "agent_repo_url": "https://git.example.test/org/gitops.git",
            "agent_apply": False,
            "agent_output_dir": str(out),
            "agent_cronjob_api_version": "batch/v1",
            "agent_rbac_mode": "namespaced",
            "agent_rbac_impersonate": ["team-a:deployer", "team-a:migrator", "team-b:deployer"],
        },
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = [doc for doc in yaml.safe_load_all((out / "gitops-agent.yaml").read_text(encoding="utf-8")) if doc]
    roles = dict((d["metadata"]["namespace"], d["rules"]) for d in docs if d["kind"] == "Role" and d["metadata"]["name"] == "gitops-agent-impersonate")
    assert roles == {
        "team-a": [{"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": ["deployer", "migrator"], "verbs": ["impersonate"]}],
        "team-b": [{"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": ["deployer"], "verbs": ["impersonate"]}],
    }
    bindings = [d for d in docs if d["kind"] == "RoleBinding" and d["metadata"]["name"] == "gitops-agent-impersonate"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["team-a", "team-b"]
    assert all(b["subjects"] == [{"kind": "ServiceAccount", "name": "gitops-agent", "namespace": "gitops-system"}] for b in bindings)
    assert not any(d["kind"] == "Role" and d["metadata"]["name"] == "gitops-agent-deploy" for d in docs)  # no deploy rights of its own
    assert "projects.gitops-k8s.dev" in [d["metadata"]["name"] for d in docs if d["kind"] == "CustomResourceDefinition"]


def test_an_impersonated_account_must_be_namespace_colon_name(tmp_path):
    proc = playbook(
        tmp_path,
        "agent",
        {
            "agent_repo_url": "https://git.example.test/org/gitops.git",
            "agent_apply": False,
            "agent_output_dir": str(tmp_path / "out"),
            "agent_cronjob_api_version": "batch/v1",
            "agent_rbac_mode": "namespaced",
            "agent_rbac_impersonate": ["deployer"],
        },
    )
    assert proc.returncode != 0
    assert "agent_rbac_impersonate" in proc.stdout
