# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every option whose name looks like a password says whether it is one (``no_log``):
otherwise Ansible adds "Module did not set no_log for <option>" to every run's warnings
(CI once failed on that for vault_password_file, a path)."""

from __future__ import annotations

import importlib
import os

import pytest
from ansible.module_utils import basic

MODULES_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules"))
MODULE_NAMES = sorted(f[:-3] for f in os.listdir(MODULES_DIR) if f.endswith(".py") and f != "__init__.py")


class Captured(Exception):
    pass


def argument_spec(name, monkeypatch):
    """The argument spec the module's main() hands to AnsibleModule (stopped right there)."""

    def capture(self, argument_spec, *args, **kwargs):
        raise Captured(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    module = importlib.import_module("ansible_collections.gitops.k8s.plugins.modules." + name)
    with pytest.raises(Captured) as caught:
        module.main()
    return caught.value.args[0]


def undeclared(spec, prefix=""):
    found = []
    for option, settings in spec.items():
        if basic.PASSWORD_MATCH.search(option) and "no_log" not in settings:
            found.append(prefix + option)
        found.extend(undeclared(settings.get("options") or {}, prefix + option + "."))
    return found


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_password_like_options_declare_no_log(name, monkeypatch):
    spec = argument_spec(name, monkeypatch)
    assert spec, name
    assert undeclared(spec) == []


def test_the_check_sees_an_undeclared_password_option():
    assert undeclared({"vault_password_file": {"type": "path"}, "auth": {"options": {"passphrase": {}}}}) == ["vault_password_file", "auth.passphrase"]
    assert undeclared({"vault_password_file": {"type": "path", "no_log": False}, "token": {}}) == []
