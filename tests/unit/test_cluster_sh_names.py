# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hack/cluster.sh named instances (GITOPS_K8S_CLUSTER_NAME): a name is checked before
anything runs, and an instance lives in its own .cluster-NAME directory (the
integration tests start real ones: tests/integration/test_destinations.py)."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(REPO_ROOT, "hack", "cluster.sh")


def cluster_sh(name, *args):
    env = dict(os.environ, GITOPS_K8S_CLUSTER_NAME=name)
    env.pop("GITOPS_K8S_CLUSTER_DIR", None)
    return subprocess.run(["bash", CLUSTER_SH, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("name", ["East", "a_b", "-east", "east-", "../x", "x" * 33])
def test_a_bad_name_is_refused_before_anything_runs(name):
    proc = cluster_sh(name, "status")  # harmless should the check ever go: status starts nothing
    assert proc.returncode == 2 and "GITOPS_K8S_CLUSTER_NAME" in proc.stderr, proc.stderr


def test_the_status_of_a_named_instance_is_its_own():
    name = "t" + uuid.uuid4().hex[:8]
    proc = cluster_sh(name, "status")
    assert proc.returncode == 1
    assert "etcd                     not running" in proc.stdout and "readyz: not answering" in proc.stdout
    assert not os.path.exists(os.path.join(REPO_ROOT, ".cluster-" + name))  # status creates nothing
