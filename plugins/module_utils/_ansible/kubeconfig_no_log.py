# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mask only the credentials of the kubeconfig option, not every string in it.

``kubeconfig`` is ``no_log`` (as in kubernetes.core): an inline kubeconfig holds tokens
and keys, and the invocation Ansible logs when a module starts must not show them.
Ansible then masks every string of the value wherever it appears in the result: a
kubeconfig path in an error message, and for an inline kubeconfig even ``v1`` in
``batch/v1``. Once the module runs, only the users' credentials need hiding.
"""

from __future__ import annotations

# the functions Ansible computes no_log values with, so the strings taken out are exactly those it put in
from ansible.module_utils.common.parameters import _list_no_log_values, _return_datastructure_name


def narrow(module, option="kubeconfig"):
    """Unmask the strings of the kubeconfig ``option`` but its users' credentials
    (``users[].user``), unless another no_log option holds the same string."""
    kubeconfig = module.params.get(option)
    if isinstance(kubeconfig, str):
        shown = {kubeconfig}
    elif isinstance(kubeconfig, dict):
        users = kubeconfig.get("users")
        credentials = [entry.get("user") for entry in users if isinstance(entry, dict)] if isinstance(users, list) else users
        shown = set(_return_datastructure_name(kubeconfig)) - set(_return_datastructure_name(credentials))
    else:
        return
    others = {name: spec for name, spec in module.argument_spec.items() if name != option}
    module.no_log_values.difference_update(shown - _list_no_log_values(others, module.params))
