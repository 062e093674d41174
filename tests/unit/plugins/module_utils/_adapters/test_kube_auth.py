# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kube_auth options applied to real kubernetes client objects, as kubernetes.core applies them.

No request is sent: each test builds the ApiClient and reads its Configuration and
default headers, which is everything the client will send.
"""

from __future__ import annotations

import base64
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.doc_fragments.kube_auth import ModuleDocFragment
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube_auth
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.arg_specs import KUBE_AUTH
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock

HOST = "https://127.0.0.1:6443"


def kubeconfig_dict(server=HOST, token="kubeconfig-token", name="test"):
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }


@pytest.fixture(autouse=True)
def no_auth_environment(monkeypatch):
    """Tests start with no K8S_AUTH_* variable and outside a Pod."""
    for name in list(os.environ):
        if name.startswith("K8S_AUTH_") or name in ("KUBERNETES_SERVICE_HOST", "KUBECONFIG"):
            monkeypatch.delenv(name)


def build(**options):
    return kube_auth.api_client(options, request_timeout=5)


def group_headers(client):
    return sorted(v for k, v in client.default_headers.items() if k.lower() == "impersonate-group")


def test_options_have_kubernetes_core_names_aliases_and_types():
    expected = {
        "kubeconfig": ("raw", None, True),
        "context": ("str", None, None),
        "host": ("str", None, None),
        "api_key": ("str", None, True),
        "username": ("str", None, None),
        "password": ("str", None, True),
        "validate_certs": ("bool", ["verify_ssl"], None),
        "ca_cert": ("path", ["ssl_ca_cert"], None),
        "client_cert": ("path", ["cert_file"], None),
        "client_key": ("path", ["key_file"], None),
        "proxy": ("str", None, None),
        "no_proxy": ("str", None, None),
        "proxy_headers": ("dict", None, None),
        "persist_config": ("bool", None, None),
        "impersonate_user": ("str", None, None),
        "impersonate_groups": ("list", None, None),
        "request_timeout": ("float", None, None),
    }
    got = {name: (spec.get("type", "str"), spec.get("aliases"), spec.get("no_log")) for name, spec in KUBE_AUTH.items()}
    assert got == expected
    assert KUBE_AUTH["impersonate_groups"]["elements"] == "str"
    headers = KUBE_AUTH["proxy_headers"]["options"]
    assert sorted(headers) == ["basic_auth", "proxy_basic_auth", "user_agent"]
    assert headers["basic_auth"]["no_log"] and headers["proxy_basic_auth"]["no_log"]
    assert set(kube_auth.OPTIONS) == set(KUBE_AUTH) - {"request_timeout"}


def test_host_and_api_key_need_no_kubeconfig():
    client = build(host=HOST + "/", api_key="abc")
    assert client.configuration.host == HOST  # trailing slash removed, as kubernetes.core does
    assert client.configuration.api_key == {"authorization": "Bearer abc"}


def test_client_certificate_key_and_ca(tmp_path):
    paths = {}
    for name in ("tls.crt", "tls.key", "ca.crt"):
        paths[name] = str(tmp_path / name)
        (tmp_path / name).write_text("not read until a request is made")
    client = build(host=HOST, client_cert=paths["tls.crt"], client_key=paths["tls.key"], ca_cert=paths["ca.crt"], validate_certs=False)
    config = client.configuration
    assert (config.cert_file, config.key_file, config.ssl_ca_cert) == (paths["tls.crt"], paths["tls.key"], paths["ca.crt"])
    assert config.verify_ssl is False
    assert not config.api_key  # a certificate pair with a host is enough: no kubeconfig token was loaded


def test_username_and_password_become_a_basic_authorization_header():
    client = build(host=HOST, username="alice", password="s3cret")
    config = client.configuration
    assert (config.username, config.password) == ("alice", "s3cret")
    expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert config.api_key == {"authorization": expected}
    assert config.auth_settings()["BearerToken"]["value"] == expected


def test_proxy_no_proxy_and_proxy_headers():
    client = build(
        host=HOST,
        api_key="t",
        proxy="http://proxy.invalid:3128",
        no_proxy="localhost,.local",
        proxy_headers={"proxy_basic_auth": "joe:pw", "basic_auth": None, "user_agent": "gitops/1"},
    )
    config = client.configuration
    assert config.proxy == "http://proxy.invalid:3128"
    assert config.no_proxy == "localhost,.local"
    assert config.proxy_headers == {"proxy-authorization": "Basic " + base64.b64encode(b"joe:pw").decode(), "user-agent": "gitops/1"}


def test_impersonation_headers_one_per_group():
    client = build(host=HOST, api_key="t", impersonate_user="alice", impersonate_groups=["dev", "ops"])
    assert client.default_headers["Impersonate-User"] == "alice"
    assert group_headers(client) == ["dev", "ops"]
    if not hasattr(client, "param_serialize"):  # clients before 30 build headers inside call_api
        return
    # the groups survive the client's header serialisation as separate headers
    headers = client.param_serialize("GET", "/api")[2]
    assert sorted(v for k, v in headers.items() if k.lower() == "impersonate-group") == ["dev", "ops"]


def test_no_impersonation_by_default():
    client = build(host=HOST, api_key="t")
    assert not [k for k in client.default_headers if k.lower().startswith("impersonate")]


def test_kubeconfig_as_an_inline_dict():
    client = build(kubeconfig=kubeconfig_dict())
    assert client.configuration.host == HOST
    assert client.configuration.auth_settings()["BearerToken"]["value"] == "Bearer kubeconfig-token"


def test_kubeconfig_inline_dict_with_context():
    config = kubeconfig_dict()
    other = kubeconfig_dict(server="https://127.0.0.2:6443", token="other", name="other")
    for key in ("clusters", "users", "contexts"):
        config[key] += other[key]
    client = build(kubeconfig=config, context="other")
    assert client.configuration.host == "https://127.0.0.2:6443"


def test_kubeconfig_path_and_persist_config(tmp_path):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig_dict()))
    client = build(kubeconfig=str(path), persist_config=True)
    assert client.configuration.host == HOST


def test_explicit_options_override_the_kubeconfig():
    client = build(kubeconfig=kubeconfig_dict(), host="https://10.0.0.1:6443", validate_certs=True)
    assert client.configuration.host == "https://10.0.0.1:6443"
    assert client.configuration.verify_ssl is True


def test_options_still_override_the_kubeconfig_after_requests():
    """The kubeconfig loader's token hook runs before each request and copied the
    kubeconfig's server back: a host option held for the first request only."""
    client = build(kubeconfig=kubeconfig_dict(), host="https://127.0.0.3:6443", proxy="http://127.0.0.4:3128")
    for _request in range(3):
        assert client.configuration.auth_settings()["BearerToken"]["value"] == "Bearer kubeconfig-token"
        assert client.configuration.host == "https://127.0.0.3:6443"
        assert client.configuration.proxy == "http://127.0.0.4:3128"
        assert isinstance(client.configuration.refresh_api_key_hook, kube_auth.TokenRefresh)


def test_token_refresh_hook_runs_once_per_interval_and_renews_the_token():
    calls = []

    def hook(configuration):  # as the kubeconfig loader's: a new token, its own server, and itself again
        calls.append(1)
        configuration.api_key["BearerToken"] = "token-%d" % len(calls)
        configuration.host = "https://127.0.0.9:6443"
        configuration.refresh_api_key_hook = hook

    configuration = kube_auth.k8s_client.Configuration(host="https://127.0.0.3:6443")
    clock = FakeClock()
    refresh = kube_auth.TokenRefresh(hook, interval=10, clock=clock.now)
    configuration.refresh_api_key_hook = refresh
    assert configuration.get_api_key_with_prefix("BearerToken") == "token-1"
    clock.sleep(9.9)
    assert configuration.get_api_key_with_prefix("BearerToken") == "token-1"
    assert len(calls) == 1
    clock.sleep(0.2)
    assert configuration.get_api_key_with_prefix("BearerToken") == "token-2"
    assert configuration.host == "https://127.0.0.3:6443"
    assert configuration.refresh_api_key_hook is refresh


def test_kubeconfig_of_another_type_fails_clearly():
    with pytest.raises(ClusterError, match="kubeconfig must be a path or a dict"):
        build(kubeconfig=["a"])


def test_a_broken_inline_kubeconfig_fails_without_showing_it():
    config = kubeconfig_dict(token="do-not-print-me")
    del config["current-context"]
    with pytest.raises(ClusterError) as err:
        build(kubeconfig=config)
    assert "do-not-print-me" not in str(err.value)
    assert err.value.subject == "kubeconfig (inline)"


def test_environment_fallbacks(monkeypatch, tmp_path):
    env = {
        "K8S_AUTH_HOST": HOST,
        "K8S_AUTH_API_KEY": "envtoken",
        "K8S_AUTH_CERT_FILE": "/c.crt",
        "K8S_AUTH_KEY_FILE": "/c.key",
        "K8S_AUTH_SSL_CA_CERT": "/ca.crt",
        "K8S_AUTH_VERIFY_SSL": "no",
        "K8S_AUTH_PROXY": "http://p.invalid:1",
        "K8S_AUTH_NO_PROXY": "localhost",
        "K8S_AUTH_PROXY_HEADERS_USER_AGENT": "env-agent",
        "K8S_AUTH_IMPERSONATE_USER": "bob",
        "K8S_AUTH_IMPERSONATE_GROUPS": "g1,g2",
        "K8S_AUTH_USERNAME": "u",
        "K8S_AUTH_PASSWORD": "p",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = build()
    config = client.configuration
    assert config.host == HOST
    assert config.api_key == {"authorization": "Bearer envtoken"}  # a token wins over a username and password
    assert (config.cert_file, config.key_file, config.ssl_ca_cert) == ("/c.crt", "/c.key", "/ca.crt")
    assert config.verify_ssl is False
    assert (config.proxy, config.no_proxy) == ("http://p.invalid:1", "localhost")
    assert config.proxy_headers == {"user-agent": "env-agent"}
    assert client.default_headers["Impersonate-User"] == "bob"
    assert group_headers(client) == ["g1", "g2"]
    assert (config.username, config.password) == ("u", "p")


@pytest.mark.parametrize("name", ["K8S_AUTH_CLIENT_CERT", "K8S_AUTH_CERT_FILE"])
def test_both_environment_names_of_an_aliased_option(monkeypatch, name):
    monkeypatch.setenv(name, "/from-env.crt")
    assert build(host=HOST, api_key="t").configuration.cert_file == "/from-env.crt"


def test_options_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("K8S_AUTH_HOST", "https://10.9.9.9")
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "false")
    monkeypatch.setenv("K8S_AUTH_IMPERSONATE_USER", "env-user")
    client = build(host=HOST, api_key="t", validate_certs=True, impersonate_user="param-user")
    assert client.configuration.host == HOST
    assert client.configuration.verify_ssl is True
    assert client.default_headers["Impersonate-User"] == "param-user"


def test_kubeconfig_from_the_environment(monkeypatch, tmp_path):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig_dict(server="https://127.0.0.3:6443")))
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", str(path))
    assert build().configuration.host == "https://127.0.0.3:6443"


def test_request_timeout_and_no_retries_kept():
    client = build(host=HOST, api_key="t")
    assert client.request_timeout == 5
    assert (client.configuration.retries.connect, client.configuration.retries.read) == (0, 0)


def test_doc_fragment_matches_the_argument_spec():
    doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(doc) == sorted(KUBE_AUTH)
    for name, option in KUBE_AUTH.items():
        assert doc[name]["type"] == option["type"], name
        assert doc[name].get("aliases") == option.get("aliases"), name
        assert doc[name].get("elements") == option.get("elements"), name
    assert sorted(doc["proxy_headers"]["suboptions"]) == sorted(KUBE_AUTH["proxy_headers"]["options"])
