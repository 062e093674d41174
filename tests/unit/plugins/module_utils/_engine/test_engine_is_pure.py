# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine stays pure: it imports only the standard library and itself, and no I/O module."""

from __future__ import annotations

import ast
import os
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
ENGINE_DIR = os.path.join(REPO_ROOT, "plugins", "module_utils", "_engine")
ENGINE_PACKAGE = "ansible_collections.gitops.k8s.plugins.module_utils._engine"
# Standard-library modules that reach outside the process (or run other programs).
IO_MODULES = frozenset(
    {
        "subprocess",
        "socket",
        "ssl",
        "urllib",
        "http",
        "ftplib",
        "smtplib",
        "telnetlib",
        "xmlrpc",
        "asyncio",
        "multiprocessing",
        "pty",
        "shutil",
        "tempfile",
        "importlib",
    }
)
# Modules of those packages that only compute (URL parsing: analysis_providers.py)
PURE_MODULES = frozenset({"urllib.parse"})
# Calls that do I/O or run programs without an import of their own.
IO_CALLS = frozenset({"open", "eval", "exec", "__import__", "os.system", "os.popen", "os.remove", "os.unlink"})
ENGINE_FILES = sorted(f for f in os.listdir(ENGINE_DIR) if f.endswith(".py"))


def imported_modules(tree):
    """(line, module name) of every import in a module, relative ones as '.name'."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, "." * node.level + (node.module or "")


def call_name(node):
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return "%s.%s" % (func.value.id, func.attr)
    return ""


def violations(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    found = []
    for line, name in imported_modules(tree):
        top = name.split(".")[0]
        if name.startswith("."):
            found.append("line %d: relative import %s (use %s)" % (line, name, ENGINE_PACKAGE))
        elif name == ENGINE_PACKAGE or name.startswith(ENGINE_PACKAGE + "."):
            continue
        elif top not in sys.stdlib_module_names:
            found.append("line %d: imports %s (not stdlib)" % (line, name))
        elif top in IO_MODULES and name not in PURE_MODULES:
            found.append("line %d: imports I/O module %s" % (line, name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in IO_CALLS:
            found.append("line %d: calls %s()" % (node.lineno, call_name(node)))
    return found


def test_engine_has_files():
    assert "__init__.py" in ENGINE_FILES
    assert "health.py" in ENGINE_FILES


@pytest.mark.parametrize("name", ENGINE_FILES)
def test_engine_module_is_pure(name):
    assert violations(os.path.join(ENGINE_DIR, name)) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import yaml", "not stdlib"),
        ("from ansible.module_utils.basic import AnsibleModule", "not stdlib"),
        ("from kubernetes import client", "not stdlib"),
        ("import subprocess", "I/O module"),
        ("from urllib.request import urlopen", "I/O module"),
        ("import http.client", "I/O module"),
        ("import urllib.request", "I/O module"),
        ("import urllib", "I/O module"),
        ("from . import constants", "relative import"),
        ("import os\nos.system('ls')", "calls os.system"),
        ("data = open('x').read()", "calls open"),
    ],
)
def test_scanner_catches(tmp_path, source, expected):
    path = tmp_path / "bad.py"
    path.write_text(source + "\n", encoding="utf-8")
    found = violations(str(path))
    assert found and expected in found[0]


def test_scanner_accepts_stdlib_and_engine(tmp_path):
    path = tmp_path / "good.py"
    path.write_text(
        "from __future__ import annotations\nimport re\nimport hashlib\nfrom typing import Any\nfrom %s.constants import HEALTHY\n" % ENGINE_PACKAGE,
        encoding="utf-8",
    )
    assert violations(str(path)) == []
