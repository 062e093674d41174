# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kube_auth options turned into a kubernetes ApiClient, the way kubernetes.core does.

Playbooks, AWX credentials and ``module_defaults`` written for kubernetes.core work
unchanged: the same option names, and the same ``K8S_AUTH_*`` variables for an option
left unset (``K8S_AUTH_<OPTION>`` or ``K8S_AUTH_<client attribute>``, e.g. both
K8S_AUTH_CLIENT_CERT and K8S_AUTH_CERT_FILE). Two differences, both deliberate: a
username and password are sent as a Basic authorization header (kubernetes.core sets
them on a Configuration that never sends them), and the settings are loaded into a
Configuration of our own, never into the process-wide default one.
"""

from __future__ import annotations

import os
import threading
import time

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube_transport
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError

try:
    import urllib3
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
except ImportError:  # pragma: no cover - reported by the module (kube.KUBERNETES_IMPORT_ERROR)
    pass

# Connections kept open to the API server: a sync sends up to ``workers`` requests side by
# side (8 by default), the Lease renewer one more.
CONNECTION_POOL_SIZE = 16

OPTIONS = (
    "kubeconfig",
    "context",
    "host",
    "api_key",
    "username",
    "password",
    "validate_certs",
    "ca_cert",
    "client_cert",
    "client_key",
    "proxy",
    "no_proxy",
    "proxy_headers",
    "persist_config",
    "impersonate_user",
    "impersonate_groups",
)
# Seconds between two calls of a kubeconfig's or a Pod's token refresh hook (TokenRefresh).
# The loaders renew a token 5 minutes before it expires (in-cluster: a token file read once
# a minute), so checking every 10 s never sends an expired one.
TOKEN_CHECK_INTERVAL = 10.0
# What the loaders' refresh hooks copy back onto the Configuration besides the token.
LOADER_SETTINGS = ("host", "ssl_ca_cert", "cert_file", "key_file", "verify_ssl", "tls_server_name", "proxy")
# option -> the kubernetes Configuration attribute it sets, when the names differ (also its second K8S_AUTH_ name)
CONFIGURATION_NAMES = {"validate_certs": "verify_ssl", "ca_cert": "ssl_ca_cert", "client_cert": "cert_file", "client_key": "key_file"}
# set on the Configuration as they are, after the kubeconfig (an option wins over the kubeconfig)
PLAIN = ("validate_certs", "ca_cert", "client_cert", "client_key", "proxy", "no_proxy")
PROXY_HEADERS = ("proxy_basic_auth", "basic_auth", "user_agent")
BOOLEANS = ("validate_certs", "persist_config")
FALSE_WORDS = ("0", "false", "no", "off")


class _RepeatedHeader(str):
    """A header name that is a dict key of its own: the client keeps headers in a dict,
    and each impersonated group must be its own Impersonate-Group header (the API server
    takes a comma inside one header as part of the group name)."""

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


class TokenRefresh:
    """A loader's ``refresh_api_key_hook`` that renews the token only.

    The client calls the hook before every request. The kubeconfig loader's hook reloads
    the token when it is about to expire, then copies the kubeconfig's server, CA, client
    certificate and proxy back over the Configuration: a ``host`` option, set after the
    kubeconfig was loaded, held for the first request only (the URL is built after the
    hook ran), and every request paid for reading the proxy variables again. Here the hook
    runs at most once per ``interval`` seconds, and what it copied over the Configuration
    besides the token is put back as it was. The loader's hook sets itself again each
    time it runs: that new hook is the one called next, from here.
    """

    def __init__(self, hook, interval=TOKEN_CHECK_INTERVAL, clock=time.monotonic):
        self.hook, self.interval, self.clock = hook, interval, clock
        self._checked = None
        self._lock = threading.Lock()

    def __call__(self, configuration):
        with self._lock:
            now = self.clock()
            if self._checked is not None and now - self._checked < self.interval:
                return
            self._checked = now
            kept = dict((name, getattr(configuration, name)) for name in LOADER_SETTINGS if hasattr(configuration, name))
            self.hook(configuration)
            if configuration.refresh_api_key_hook is not self:
                self.hook = configuration.refresh_api_key_hook or self.hook
                configuration.refresh_api_key_hook = self
            for name, value in kept.items():
                if getattr(configuration, name) != value:
                    setattr(configuration, name, value)


def resolve(given, environ=None):
    """The options that are set: each from ``given``, else from its K8S_AUTH_* variables."""
    environ = os.environ if environ is None else environ
    out = {}
    for name in OPTIONS:
        value = given.get(name)
        if value is None:
            value = _from_environment(name, environ)
        if value is not None:
            out[name] = value
    return out


def _from_environment(name, environ):
    if name == "proxy_headers":
        headers = {key: environ["K8S_AUTH_PROXY_HEADERS_" + key.upper()] for key in PROXY_HEADERS if environ.get("K8S_AUTH_PROXY_HEADERS_" + key.upper())}
        return headers or None
    value = environ.get("K8S_AUTH_" + name.upper()) or environ.get("K8S_AUTH_" + CONFIGURATION_NAMES.get(name, name).upper())
    if not value:
        return None
    if name in BOOLEANS:
        return value.strip().lower() not in FALSE_WORDS
    if name == "impersonate_groups":
        return [group for group in value.split(",") if group]
    return value


def api_client(given, request_timeout, environ=None):
    """A TimedApiClient from the kube_auth options ``given`` (None for unset), the unset
    ones from ``environ`` (default: the process environment)."""
    auth = resolve(given, environ)
    kubeconfig = auth.get("kubeconfig")
    if kubeconfig is not None and not isinstance(kubeconfig, (str, dict)):
        raise ClusterError("kubeconfig must be a path or a dict, not %s" % type(kubeconfig).__name__, subject="kubeconfig")
    try:
        configuration = _configuration(auth)
    except (k8s_config.ConfigException, OSError, ValueError) as exc:
        # an inline kubeconfig holds credentials: it is never part of the message
        subject = kubeconfig if isinstance(kubeconfig, str) else "kubeconfig (inline)" if kubeconfig else "kubeconfig"
        raise ClusterError("cannot load Kubernetes credentials: %s" % exc, subject=subject) from exc
    client = kube_transport.TimedApiClient(configuration, request_timeout)
    if auth.get("impersonate_user"):
        client.set_default_header("Impersonate-User", auth["impersonate_user"])
    for group in auth.get("impersonate_groups") or ():
        client.set_default_header(_RepeatedHeader("Impersonate-Group"), group)
    return client


def _configuration(auth):
    configuration = k8s_client.Configuration()
    host = (auth.get("host") or "").rstrip("/")
    if host and (auth.get("api_key") or _all(auth, "username", "password") or _all(auth, "client_cert", "client_key")):
        pass  # enough to authenticate: no kubeconfig, no service account
    elif auth.get("kubeconfig") or auth.get("context") or not os.environ.get("KUBERNETES_SERVICE_HOST"):
        _load_kubeconfig(auth, configuration)
    else:
        k8s_config.load_incluster_config(client_configuration=configuration)
    if host:
        configuration.host = host
    if auth.get("username") or auth.get("password"):
        configuration.username = auth.get("username")
        configuration.password = auth.get("password")
    if auth.get("api_key"):
        configuration.api_key = {"authorization": "Bearer " + auth["api_key"]}
    elif auth.get("username") or auth.get("password"):
        configuration.api_key = {"authorization": configuration.get_basic_auth_token()}
    for name in PLAIN:
        if auth.get(name) is not None:
            setattr(configuration, CONFIGURATION_NAMES.get(name, name), auth[name])
    headers = {key: value for key, value in (auth.get("proxy_headers") or {}).items() if value is not None}
    if headers:
        configuration.proxy_headers = urllib3.util.make_headers(**headers)
    # the client's default is 5 connections per CPU: a sync's parallel requests (the
    # workers option) and the Lease renewer keep theirs open instead of reconnecting
    configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize or 0, CONNECTION_POOL_SIZE)
    if configuration.refresh_api_key_hook is not None:
        configuration.refresh_api_key_hook = TokenRefresh(configuration.refresh_api_key_hook)
    return configuration


def _load_kubeconfig(auth, configuration):
    """Load a kubeconfig path (``:``-separated paths merge), an inline dict, or the default
    one. Refreshed tokens are written back only with persist_config (kubernetes.core's default)."""
    kubeconfig = auth.get("kubeconfig")
    options = {"context": auth.get("context"), "client_configuration": configuration, "persist_config": bool(auth.get("persist_config"))}
    if isinstance(kubeconfig, dict):
        k8s_config.load_kube_config_from_dict(config_dict=kubeconfig, **options)
    else:
        k8s_config.load_kube_config(config_file=kubeconfig or None, **options)


def _all(auth, *names):
    return all(auth.get(name) for name in names)
