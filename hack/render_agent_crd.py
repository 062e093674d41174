# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write roles/agent/files/application-crd.yaml, project-crd.yaml and applicationset-crd.yaml
from the engine's crd()s.

Usage: .venv/bin/python hack/render_agent_crd.py [--check]
With --check, exit 1 (and write nothing) when the file differs.
"""

from __future__ import annotations

import os
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = os.path.join(REPO, "roles", "agent", "files")
# file -> (kind, engine module whose crd() it holds)
TARGETS = {
    "application-crd.yaml": ("Application", "application"),
    "project-crd.yaml": ("Project", "projects"),
    "applicationset-crd.yaml": ("ApplicationSet", "applicationset"),
}
HEADER = """---
# The %s CRD installed by the gitops.k8s.agent role (gitops.k8s.bootstrap).
# It must equal crd() in plugins/module_utils/_engine/%s.py, which
# gitops.k8s.app installs when missing: tests/unit/roles/test_agent_files.py checks it.
# Regenerate with: .venv/bin/python hack/render_agent_crd.py
"""


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key (yamllint's default style)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def render(kind, module_name):
    sys.path.insert(0, os.path.join(REPO, ".collections"))
    import importlib  # pylint: disable=import-outside-toplevel

    module = importlib.import_module("ansible_collections.gitops.k8s.plugins.module_utils._engine." + module_name)
    return HEADER % (kind, module_name) + yaml.dump(module.crd(), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


def main():
    status = 0
    for name, (kind, module_name) in sorted(TARGETS.items()):
        target = os.path.join(FILES, name)
        text = render(kind, module_name)
        current = None
        if os.path.exists(target):
            with open(target, encoding="utf-8") as handle:
                current = handle.read()
        if current == text:
            continue
        if "--check" in sys.argv[1:]:
            print("%s is out of date: run hack/render_agent_crd.py" % os.path.relpath(target, REPO), file=sys.stderr)
            status = 1
            continue
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        print("wrote %s" % os.path.relpath(target, REPO))
    return status


if __name__ == "__main__":
    sys.exit(main())
