# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Destination clusters, registered as Argo CD registers them: Secrets labelled
``argocd.argoproj.io/secret-type: cluster`` in the Applications' namespace, with the
data keys ``name``, ``server`` and ``config`` (JSON: ``bearerToken``, ``username`` and
``password``, ``tlsClientConfig`` {``caData``, ``certData``, ``keyData``, ``insecure``,
``serverName``}, ``proxyUrl``). An Argo CD user's cluster Secrets work as they are.

Pure: ``parse_secret`` turns one Secret into a ``ClusterRecord`` (whose repr shows no
credential), ``registry`` parses every cluster Secret of a namespace, and ``select``
picks the record an Application's ``spec.destination`` names. The server
``https://kubernetes.default.svc`` and the name ``in-cluster`` are the cluster of the run
(a Secret with that server renames it, as in Argo CD). What a Secret asks for and is not
carried out is a warning (a field this client does not use) or a DestinationError
(``execProviderConfig``, ``awsAuthConfig``: each would run a command on the agent).
docs/clusters.md tells the format.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._engine.application import IN_CLUSTER_NAME, IN_CLUSTER_SERVER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DestinationError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

# Argo CD's label and its value on a cluster Secret
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
SECRET_TYPE_CLUSTER = "cluster"

# config keys this client carries out
CONFIG_KEYS = ("bearerToken", "username", "password", "tlsClientConfig", "proxyUrl")
TLS_KEYS = ("caData", "certData", "keyData", "insecure", "serverName")
# config keys that would run a command on the agent: refused
COMMAND_KEYS = {
    "execProviderConfig": "an exec credential plugin",
    "awsAuthConfig": "the aws CLI (aws eks get-token)",
}
# config keys read and not needed by this client (no effect on the requests it sends)
HARMLESS_KEYS = ("disableCompression",)
# data keys of the Secret beside name, server, config: Argo CD features not carried out
UNENFORCED_DATA = {
    "namespaces": "the cluster is not limited to these namespaces",
    "clusterResources": "applies only with namespaces, which is not carried out",
    "project": "project-scoped clusters are not carried out: every project may name it (its destinations still apply)",
    "shard": "there is one agent run, no shards",
}


@dataclass(frozen=True)
class ClusterRecord:
    """One destination cluster. The credentials are left out of repr and of ``describe``."""

    name: str
    server: str
    secret: str = ""  # Secret/namespace/name it came from; "" for the cluster of the run
    bearer_token: str = field(default="", repr=False)
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    ca_data: str = field(default="", repr=False)  # PEM text
    cert_data: str = field(default="", repr=False)  # PEM text
    key_data: str = field(default="", repr=False)  # PEM text
    insecure: bool = False
    server_name: str = ""
    proxy_url: str = ""
    warnings: tuple = ()

    @property
    def in_cluster(self):
        return self.server.rstrip("/") == IN_CLUSTER_SERVER

    @property
    def label(self):
        """How messages name the cluster: ``cluster NAME (SERVER)``; never a credential."""
        return "cluster %s (%s)" % (self.name, self.server)

    def secret_values(self):
        """Every credential of the record, for scrubbing text."""
        return [v for v in (self.bearer_token, self.password, self.key_data) if v]


RUN_CLUSTER = ClusterRecord(name=IN_CLUSTER_NAME, server=IN_CLUSTER_SERVER)


def is_cluster_secret(obj):
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return obj.get("kind", "Secret") == "Secret" and labels.get(SECRET_TYPE_LABEL) == SECRET_TYPE_CLUSTER


def _text(secret, key, subject):
    """The value of ``key`` as text: stringData as it is, data base64-decoded."""
    plain = secret.get("stringData") or {}
    if key in plain:
        value = plain[key]
        if not isinstance(value, str):
            raise DestinationError("stringData.%s must be a string" % key, subject=subject)
        return value
    raw = (secret.get("data") or {}).get(key)
    if raw is None:
        return None
    try:
        return base64.b64decode(str(raw), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise DestinationError("data.%s is not valid base64 of UTF-8 text" % key, subject=subject) from None


def _pem(value, where, subject):
    """caData/certData/keyData: base64 of PEM text, as in Argo CD (and a kubeconfig's *-data)."""
    if value in (None, ""):
        return ""
    try:
        text = base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise DestinationError("config %s is not valid base64 (of PEM text)" % where, subject=subject) from None
    if "-----BEGIN " not in text:
        raise DestinationError("config %s is not a base64-encoded PEM block" % where, subject=subject)
    return text


def _string(config, key, where, subject):
    value = config.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DestinationError("config %s must be a string" % where, subject=subject)
    return value


def _config(text, subject):
    if text in (None, ""):
        return {}
    try:
        config = json.loads(text)
    except ValueError as exc:
        # the message of the JSON parser quotes no value, only a position
        raise DestinationError("config is not valid JSON (%s)" % exc.msg, subject=subject) from None
    if not isinstance(config, dict):
        raise DestinationError("config must be a JSON object", subject=subject)
    return config


def _check_server(server, subject):
    if not server:
        raise DestinationError("no server: a cluster Secret needs data.server (the API server URL)", subject=subject)
    if not server.startswith("https://") and not server.startswith("http://"):
        raise DestinationError("server %r is not an http(s) URL" % server, subject=subject)
    return server.rstrip("/")


def parse_secret(secret):
    """The ClusterRecord of one cluster Secret; raises DestinationError naming the Secret
    and the key (never a value of it)."""
    meta = secret.get("metadata") or {}
    subject = format_id("Secret", meta.get("namespace"), meta.get("name"))
    server = _check_server((_text(secret, "server", subject) or "").strip(), subject)
    name = (_text(secret, "name", subject) or "").strip() or server  # Argo CD: the name defaults to the server
    config = _config(_text(secret, "config", subject), subject)
    warnings = []
    for key, what in COMMAND_KEYS.items():
        if config.get(key):
            raise DestinationError(
                "config %s is not supported: it would run %s on the agent; give a bearerToken or a client certificate instead" % (key, what),
                subject=subject,
            )
    tls = config.get("tlsClientConfig") or {}
    if not isinstance(tls, dict):
        raise DestinationError("config tlsClientConfig must be a JSON object", subject=subject)
    unknown = sorted(k for k in config if k not in CONFIG_KEYS and k not in HARMLESS_KEYS and k not in COMMAND_KEYS)
    unknown += sorted("tlsClientConfig.%s" % k for k in tls if k not in TLS_KEYS)
    if unknown:
        warnings.append("%s: config keys %s are not read by gitops.k8s (ignored)" % (subject, ", ".join(unknown)))
    for key, what in UNENFORCED_DATA.items():
        if _text(secret, key, subject):
            warnings.append("%s: %s is not carried out: %s" % (subject, key, what))
    insecure = tls.get("insecure", False)
    if not isinstance(insecure, bool):
        raise DestinationError("config tlsClientConfig.insecure must be true or false", subject=subject)
    record = ClusterRecord(
        name=name,
        server=server,
        secret=subject,
        bearer_token=_string(config, "bearerToken", "bearerToken", subject),
        username=_string(config, "username", "username", subject),
        password=_string(config, "password", "password", subject),
        ca_data=_pem(tls.get("caData"), "tlsClientConfig.caData", subject),
        cert_data=_pem(tls.get("certData"), "tlsClientConfig.certData", subject),
        key_data=_pem(tls.get("keyData"), "tlsClientConfig.keyData", subject),
        insecure=insecure,
        server_name=_string(tls, "serverName", "tlsClientConfig.serverName", subject),
        proxy_url=_string(config, "proxyUrl", "proxyUrl", subject),
        warnings=tuple(warnings),
    )
    if bool(record.cert_data) != bool(record.key_data):
        raise DestinationError("config tlsClientConfig needs both certData and keyData (a client certificate and its key)", subject=subject)
    if not record.in_cluster and not (record.bearer_token or record.cert_data or (record.username and record.password)):
        raise DestinationError(
            "no credentials: config needs a bearerToken, username and password, or tlsClientConfig certData and keyData",
            subject=subject,
        )
    return record


@dataclass(frozen=True)
class Registry:
    """The clusters of one namespace; ``broken`` holds, by Secret, the error of each cluster
    Secret that could not be parsed (an Application naming it fails with that error, the
    others go on)."""

    records: tuple = ()
    broken: tuple = ()  # (Secret id, server or "", name or "", DestinationError)

    @property
    def warnings(self):
        return tuple(w for r in self.records for w in r.warnings)


def loose_text(secret, key):
    """The value of ``key`` as text, stripped, or "" when missing or not decodable (for
    naming a broken Secret, and for ApplicationSet generators, which only read names)."""
    try:
        return (_text(secret, key, "") or "").strip()
    except DestinationError:
        return ""


def secrets_forbidden(namespace, needed_for, refused):
    """The message of a run that may not list the Secrets of ``namespace`` (an agent with the
    namespaced RBAC layout): what needed them, the API server's refusal, the permission it
    lacks and the gitops.k8s.agent role variables that grant it."""
    return (
        "cannot read the cluster Secrets of namespace %s (%s): %s. The agent needs permission to list secrets in %s: "
        "with the gitops.k8s.agent role and agent_rbac_mode namespaced, add %s to agent_rbac_namespaces "
        "(agent_rbac_rules must grant list on secrets, as its default does), or use agent_rbac_mode cluster"
    ) % (namespace, needed_for, refused, namespace, namespace)


def registry(secrets):
    """The Registry of ``secrets`` (every Secret of a namespace: the cluster Secrets are
    picked by their label)."""
    records, broken = [], []
    for secret in secrets:
        if not is_cluster_secret(secret):
            continue
        try:
            records.append(parse_secret(secret))
        except DestinationError as exc:
            server = loose_text(secret, "server").rstrip("/")
            broken.append((exc.subject, server, loose_text(secret, "name") or server, exc))
    return Registry(tuple(sorted(records, key=lambda r: (r.name, r.secret))), tuple(broken))


def names_run_cluster(server="", name=""):
    """Whether a destination names the cluster of the run without a Secret to read: no
    server and no name, ``https://kubernetes.default.svc`` or ``in-cluster``."""
    server = (server or "").rstrip("/")
    return (not server and not name) or (server == IN_CLUSTER_SERVER and not name) or (name == IN_CLUSTER_NAME and not server)


def _one(found, what, value):
    if len(found) > 1:
        raise DestinationError(
            "spec.destination.%s %r names %d clusters (%s): each cluster Secret needs its own %s"
            % (what, value, len(found), ", ".join(r.secret for r in found), what)
        )
    return found[0] if found else None


def select(reg, server="", name=""):
    """The ClusterRecord ``spec.destination`` (its ``server`` or ``name``) selects in the
    Registry ``reg``; RUN_CLUSTER for the cluster of the run. Raises DestinationError
    for a cluster that is not registered or whose Secret is invalid."""
    server = (server or "").rstrip("/")
    if server and name:
        raise DestinationError("spec.destination sets both server and name (set one, as Argo CD requires)")
    if not server and not name:
        return RUN_CLUSTER
    what, value = ("server", server) if server else ("name", name)
    for secret_id, broken_server, broken_name, exc in reg.broken:
        if (broken_server if server else broken_name) == value:
            raise DestinationError("the Secret of the destination cluster %s is invalid: %s" % (value, exc.message), subject=secret_id)
    found = _one([r for r in reg.records if getattr(r, what) == value], what, value)
    if found is not None:
        return found if not found.in_cluster else ClusterRecord(name=found.name, server=IN_CLUSTER_SERVER, secret=found.secret, warnings=found.warnings)
    if value == (IN_CLUSTER_SERVER if server else IN_CLUSTER_NAME):
        return RUN_CLUSTER
    raise DestinationError(
        "spec.destination.%s %r is not a registered cluster: no Secret labelled %s=%s in this namespace has %s %s"
        % (what, value, SECRET_TYPE_LABEL, SECRET_TYPE_CLUSTER, what, value)
    )
