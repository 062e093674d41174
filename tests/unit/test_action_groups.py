# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action group gitops.k8s.k8s holds exactly the modules that take the Kubernetes auth
options, so ``module_defaults: {group/gitops.k8s.k8s: ...}`` reaches each of them."""

from __future__ import annotations

import os

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = os.path.join(REPO_ROOT, "plugins", "modules")


def modules_documenting(fragment):
    names = []
    for filename in sorted(os.listdir(MODULES)):
        if not filename.endswith(".py") or filename.startswith("_"):
            continue
        with open(os.path.join(MODULES, filename), encoding="utf-8") as handle:
            source = handle.read()
        docs = yaml.safe_load(source.split('DOCUMENTATION = r"""', 1)[1].split('"""', 1)[0])
        if fragment in docs.get("extends_documentation_fragment", []):
            names.append(filename[:-3])
    return names


def test_the_k8s_group_is_every_module_with_the_auth_options():
    with open(os.path.join(REPO_ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        runtime = yaml.safe_load(handle)
    expected = modules_documenting("gitops.k8s.kube_auth")
    assert expected  # the scan found the modules
    assert sorted(runtime["action_groups"]["k8s"]) == expected
