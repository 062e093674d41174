# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The agent role ships the same Application, Project and ApplicationSet CRDs that gitops.k8s.app installs."""

from __future__ import annotations

import os

import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, applicationset, projects

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CRD_FILE = os.path.join(REPO_ROOT, "roles", "agent", "files", "application-crd.yaml")


def test_agent_crd_file_equals_the_engine_crd():
    with open(CRD_FILE, encoding="utf-8") as handle:
        shipped = yaml.safe_load(handle)
    assert shipped == application.crd(), "regenerate it: .venv/bin/python hack/render_agent_crd.py"


def test_agent_project_crd_file_equals_the_engine_crd():
    with open(os.path.join(os.path.dirname(CRD_FILE), "project-crd.yaml"), encoding="utf-8") as handle:
        shipped = yaml.safe_load(handle)
    assert shipped == projects.crd(), "regenerate it: .venv/bin/python hack/render_agent_crd.py"


def test_agent_applicationset_crd_file_equals_the_engine_crd():
    with open(os.path.join(os.path.dirname(CRD_FILE), "applicationset-crd.yaml"), encoding="utf-8") as handle:
        shipped = yaml.safe_load(handle)
    assert shipped == applicationset.crd(), "regenerate it: .venv/bin/python hack/render_agent_crd.py"
