# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modules are thin: documentation, argument spec and main(); they import only the glue
layer (module_utils._ansible), never the engine or the adapters, so the orchestration has
one home (_ansible/runner.py) and the layer rule of docs/architecture.md holds."""

from __future__ import annotations

import ast
import os

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
MODULES_DIR = os.path.join(REPO_ROOT, "plugins", "modules")
MODULE_UTILS = "ansible_collections.gitops.k8s.plugins.module_utils"
GLUE = MODULE_UTILS + "._ansible"
ALLOWED_NAMES = frozenset({"DOCUMENTATION", "EXAMPLES", "RETURN", "main", "argument_spec"})
MODULE_FILES = sorted(f for f in os.listdir(MODULES_DIR) if f.endswith(".py") and f != "__init__.py")


def violations(path):
    """What makes a module file more than docs, argument spec and main()."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            name = "." * node.level + (node.module or "")
            if name == "__future__":
                continue
            if not (name == GLUE or name.startswith(GLUE + ".")):
                found.append("line %d: imports %s (modules import only %s)" % (node.lineno, name, GLUE))
        elif isinstance(node, ast.Import):
            found.extend("line %d: imports %s (modules import only %s)" % (node.lineno, a.name, GLUE) for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if node.name not in ALLOWED_NAMES:
                found.append("line %d: defines %s (orchestration belongs in %s.runner)" % (node.lineno, node.name, GLUE))
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            found.extend("line %d: defines %s" % (node.lineno, n) for n in names if n not in ALLOWED_NAMES)
    return found


def test_there_are_modules():
    assert {"app.py", "sync.py", "git_source.py"} <= set(MODULE_FILES)


@pytest.mark.parametrize("name", MODULE_FILES)
def test_module_is_thin_and_imports_only_the_glue(name):
    assert violations(os.path.join(MODULES_DIR, name)) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from %s._engine.reconcile import reconcile" % MODULE_UTILS, "imports %s._engine.reconcile" % MODULE_UTILS),
        ("from %s._adapters.git import fetch" % MODULE_UTILS, "imports %s._adapters.git" % MODULE_UTILS),
        ("from %s import _engine" % MODULE_UTILS, "imports %s " % MODULE_UTILS),
        ("import yaml", "imports yaml"),
        ("from ansible.module_utils.basic import AnsibleModule", "imports ansible.module_utils.basic"),
        ("def run(module):\n    return {}", "defines run"),
        ("class AppModule(object):\n    pass", "defines AppModule"),
        ("MAX_PASSES = 5", "defines MAX_PASSES"),
    ],
)
def test_scanner_catches(tmp_path, source, expected):
    path = tmp_path / "bad.py"
    path.write_text(source + "\n", encoding="utf-8")
    found = violations(str(path))
    assert found and expected in found[0]


def test_scanner_accepts_a_thin_module(tmp_path):
    path = tmp_path / "good.py"
    path.write_text(
        "from __future__ import annotations\nDOCUMENTATION = ''\nEXAMPLES = ''\nRETURN = ''\n"
        "from %s import arg_specs, runner\n\n\ndef main():\n    runner.run_app(None)\n\n\n"
        "if __name__ == '__main__':\n    main()\n" % GLUE,
        encoding="utf-8",
    )
    assert violations(str(path)) == []
