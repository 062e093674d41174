# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Only the users' credentials of a kubeconfig stay masked once a module runs."""

from __future__ import annotations

from types import SimpleNamespace

from ansible.module_utils.common.parameters import _list_no_log_values

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import kubeconfig_no_log
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.arg_specs import KUBE_AUTH

INLINE = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "c",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443", "insecure-skip-tls-verify": True}}],
    "users": [{"name": "admin", "user": {"token": "tok-123", "exec": {"env": [{"name": "X", "value": "env-secret"}]}}}],
    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "admin"}}],
}


def module(**params):
    """What AnsibleModule holds after it validated ``params``: the values it will mask."""
    full = {name: params.get(name) for name in KUBE_AUTH}
    return SimpleNamespace(params=full, argument_spec=KUBE_AUTH, no_log_values=_list_no_log_values(KUBE_AUTH, full))


def test_a_kubeconfig_path_is_unmasked():
    mod = module(kubeconfig="/etc/kube/config", api_key="the-api-key")
    assert "/etc/kube/config" in mod.no_log_values  # what Ansible alone would mask
    kubeconfig_no_log.narrow(mod)
    assert mod.no_log_values == {"the-api-key"}


def test_an_inline_kubeconfig_keeps_only_user_credentials_masked():
    mod = module(kubeconfig=INLINE)
    assert "v1" in mod.no_log_values
    kubeconfig_no_log.narrow(mod)
    assert mod.no_log_values == {"tok-123", "X", "env-secret"}


def test_a_value_another_no_log_option_holds_stays_masked():
    mod = module(kubeconfig=INLINE, password="c", proxy_headers={"proxy_basic_auth": "v1", "basic_auth": None, "user_agent": None})
    kubeconfig_no_log.narrow(mod)
    assert {"c", "v1", "tok-123"} <= mod.no_log_values
    assert "https://127.0.0.1:6443" not in mod.no_log_values


def test_no_kubeconfig_changes_nothing():
    mod = module(api_key="k")
    kubeconfig_no_log.narrow(mod)
    assert mod.no_log_values == {"k"}
