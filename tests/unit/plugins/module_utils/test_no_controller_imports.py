# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils run inside modules: they may import ``ansible.module_utils`` only. Importing
controller code (``ansible.parsing.vault``, ``ansible.errors``) there loads the installed
ansible package beside the module's own and breaks its parameter decoding."""

from __future__ import annotations

import ast
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE_UTILS = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", "plugins", "module_utils"))


def imported(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_module_utils_import_no_controller_code():
    found = []
    for dirpath, _dirnames, filenames in os.walk(MODULE_UTILS):
        for filename in filenames:
            if filename.endswith(".py"):
                path = os.path.join(dirpath, filename)
                found.extend(
                    "%s: %s" % (os.path.relpath(path, MODULE_UTILS), name)
                    for name in imported(path)
                    if (name == "ansible" or name.startswith("ansible.")) and not name.startswith("ansible.module_utils")
                )
    assert found == []
