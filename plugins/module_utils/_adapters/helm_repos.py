# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helm's view of chart repositories and OCI registries, inside a private Helm home.

Credentials reach helm the way ``helm repo add --password-stdin`` and ``helm
registry login`` would leave them: in ``repositories.yaml`` and the registry
``config.json`` of the temporary Helm home (render_helm.helm_env, a 0700 directory
removed after the run), never in argv. Each repository gets the credential of the
longest URL prefix covering it (repo_urls.Credentials), as git repositories do.
A registry credential applies to its host (that is how registries authenticate),
so it is written only for a registry URL the credential covers.

TLS, as Argo CD's repository Secrets give it (``tlsClientCertData``,
``tlsClientCertKey``, ``insecure``, and a CA as its ``argocd-tls-certs-cm`` holds per
server): the credential's ``ca_cert``, ``tls_client_cert_data``, ``tls_client_cert_key``
and ``insecure``, written as 0600 files below the Helm home (``tls/<n>/``) and named in
``repositories.yaml`` (``caFile``, ``certFile``, ``keyFile``) for a chart repository, in
``--ca-file``/``--cert-file``/``--key-file`` flags (paths, never the PEM) for a registry.
A loopback registry whose credential has TLS options is reached over HTTPS.

``pull`` runs ``helm pull`` for one chart: ``helm repo update`` then ``helm pull
source/<chart>`` for a chart repository (helm reads the credential from
repositories.yaml), ``helm pull oci://...`` for a registry. Plain HTTP to a registry
is used only on the loopback interface (tests, a node-local mirror).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import TLS_CREDENTIAL_KEYS
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.git_env import make_scrubber
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import run, trim

SOURCE_REPO = "source"
CHART_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,249}")
# An exact version, or a semver constraint as helm reads it (^1.2, ~1.2.3, >=1 <2, 1.2.x).
CHART_VERSION = re.compile(r"[0-9A-Za-z.*+^~<>=!|, -]{1,128}")
LATEST = ("", "*", "HEAD")
CHART_FIELD = "spec.source.chart"
VERSION_FIELD = "spec.source.targetRevision"


def check_chart(chart):
    """The chart name, or SourceError: a name helm looks up, never a path or a flag."""
    if not isinstance(chart, str) or not CHART_NAME.fullmatch(chart):
        raise SourceError("not a chart name (letters, digits, '.', '_' and '-', starting with a letter or digit)", subject=CHART_FIELD)
    return chart


def check_version(version):
    """The version or constraint to ask helm for, None for the latest (``*``, ``HEAD``, empty)."""
    version = (version or "").strip()
    if version in LATEST:
        return None
    if not CHART_VERSION.fullmatch(version) or version.startswith("-"):
        raise SourceError("not a chart version or semver range: %s" % json.dumps(version[:40]), subject=VERSION_FIELD)
    return version


def server_url(parsed):
    """The URL helm is given: the normal form without user (credentials go in files)."""
    port = ":%d" % parsed.port if parsed.port is not None else ""
    return "%s://%s%s%s" % (parsed.scheme, parsed.host, port, parsed.path)


def registry_host(parsed):
    return parsed.host + (":%d" % parsed.port if parsed.port is not None else "")


def is_loopback(parsed):
    host = parsed.host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_PEM = "-----BEGIN "
# credential option -> helm's repositories.yaml field and the file it names
_TLS_FILES = (("ca_cert", "caFile", "ca.crt"), ("tls_client_cert_data", "certFile", "client.crt"), ("tls_client_cert_key", "keyFile", "client.key"))


def tls_options(credential, subject):
    """The TLS options of a credential dict ({} when none), checked: PEM text, a client
    certificate and its key together. Never shows a value."""
    credential = credential or {}
    found = {key: credential[key] for key in TLS_CREDENTIAL_KEYS if credential.get(key) not in (None, "", False)}
    for key in ("ca_cert", "tls_client_cert_data", "tls_client_cert_key"):
        if key in found and (not isinstance(found[key], str) or _PEM not in found[key]):
            raise SourceError("credential %s must be PEM text (-----BEGIN ...)" % key, subject=subject)
    if ("tls_client_cert_data" in found) != ("tls_client_cert_key" in found):
        raise SourceError("credential needs both tls_client_cert_data and tls_client_cert_key (a client certificate and its key)", subject=subject)
    return found


def uses_plain_http(parsed, credential=None):
    """A registry on the loopback interface is reached over plain HTTP, unless its
    credential sets TLS options (then it serves HTTPS)."""
    return is_loopback(parsed) and not tls_options(credential, repo_urls.display(str(parsed)))


def basic_auth(credential, parsed):
    """(username, password) of a credential dict for ``parsed``, or None."""
    credential = credential or {}
    password = credential.get("password") or credential.get("token")
    username = credential.get("username") or parsed.user or ""
    if not password:
        return None
    return username, password


def tls_flags(fields):
    """helm's TLS flags for the fields _tls_files wrote (file paths, never the PEM)."""
    flags = ["--%s=%s" % (flag, fields[key]) for key, flag in (("caFile", "ca-file"), ("certFile", "cert-file"), ("keyFile", "key-file")) if key in fields]
    return flags + (["--insecure-skip-tls-verify"] if fields.get("insecure_skip_tls_verify") else [])


class HelmRepos:
    """The repositories and registries one helm run may use, written into its home."""

    def __init__(self, home, credentials, pass_credentials=False):
        self.home = home
        self.credentials = credentials or repo_urls.Credentials()
        self.pass_credentials = pass_credentials
        self.repositories = []
        self.registries = {}
        self.registry_flags = {}  # registry host -> helm's TLS flags (file paths)
        self.secrets = []
        self._tls_sets = {}  # TLS options of a credential -> its files

    def add(self, url, name=SOURCE_REPO):
        """Check ``url`` (a chart repository or registry URL); remember its credential.
        Returns the parsed URL."""
        parsed = repo_urls.parse_chart_repo(url)
        credential = self.credentials.for_url(parsed)
        auth = basic_auth(credential, parsed)
        if auth:
            self.secrets.append(auth[1])
        tls = self._tls_files(tls_options(credential, repo_urls.display(url)), parsed)
        if parsed.scheme == repo_urls.OCI_SCHEME:
            if auth:
                self.registries[registry_host(parsed)] = auth
            if tls:
                self.registry_flags[registry_host(parsed)] = tls_flags(tls)
        else:
            entry = dict(tls, name=name, url=server_url(parsed), pass_credentials_all=bool(self.pass_credentials))
            if auth:
                entry.update(username=auth[0], password=auth[1])
            self.repositories.append(entry)
        return parsed

    def _tls_files(self, tls, parsed):
        """The TLS options as helm's repository fields (caFile, certFile, keyFile: 0600 files
        in a 0700 directory of the Helm home; insecure_skip_tls_verify)."""
        if not tls:
            return {}
        if parsed.scheme == "http":
            raise SourceError("the credential sets TLS options but the URL is http://; use https://", subject=repo_urls.display(str(parsed)))
        options = tuple(sorted(tls.items()))
        if options in self._tls_sets:  # one credential, one set of files (and the same flags)
            return dict(self._tls_sets[options])
        if tls.get("tls_client_cert_key"):
            self.secrets.append(tls["tls_client_cert_key"])
        directory = os.path.join(self.home, "tls", str(len(self._tls_sets) + 1))
        os.makedirs(directory, mode=0o700)
        fields = {}
        for option, field, name in _TLS_FILES:
            if option in tls:
                fields[field] = os.path.join(directory, name)
                _write_private(fields[field], tls[option])
        if tls.get("insecure"):
            fields["insecure_skip_tls_verify"] = True
        self._tls_sets[options] = fields
        return dict(fields)

    def add_dependency(self, url, name):
        """A repository a chart's dependency names: helm matches it to repositories.yaml by
        its URL as written, so the entry keeps that spelling (credentials never in it)."""
        parsed = self.add(url, name)
        if parsed.scheme != repo_urls.OCI_SCHEME:
            if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
                raise SourceError("a dependency repository URL must not hold credentials; use the credential table", subject=repo_urls.display(url))
            self.repositories[-1]["url"] = url.rstrip("/")
        return parsed

    def write(self):
        """Write repositories.yaml and the registry config (0600) into the Helm home."""
        config = os.path.join(self.home, "config")
        _write_private(
            os.path.join(config, "repositories.yaml"), json.dumps({"apiVersion": "", "generated": "0001-01-01T00:00:00Z", "repositories": self.repositories})
        )
        auths = {host: {"auth": base64.b64encode(("%s:%s" % auth).encode("utf-8")).decode("ascii")} for host, auth in self.registries.items()}
        os.makedirs(os.path.join(config, "registry"), mode=0o700, exist_ok=True)
        _write_private(os.path.join(config, "registry", "config.json"), json.dumps({"auths": auths}))

    def scrub(self, text):
        return make_scrubber(self.secrets)(text)


def _write_private(path, text):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        handle.write(text)


def pull(helm, env, home, url, chart, version, destination, *, credentials, timeout, pass_credentials=False):
    """``helm pull`` ``chart`` (at ``version``: exact, a range, or None for the latest) from
    ``url`` into ``destination``; returns the path of the chart archive."""
    repos = HelmRepos(home, credentials, pass_credentials)
    parsed = repos.add(url)
    repos.write()
    shown = repo_urls.display(url)
    flags = ["--destination=%s" % destination] + (["--version=%s" % version] if version else [])
    if parsed.scheme == repo_urls.OCI_SCHEME:
        flags += repos.registry_flags.get(registry_host(parsed), [])
        if uses_plain_http(parsed, repos.credentials.for_url(parsed)):
            flags.append("--plain-http")
        argv = [helm, "pull"] + flags + ["--", "%s/%s" % (server_url(parsed), chart)]
    else:
        _helm(repos, [helm, "repo", "update", "--fail-on-repo-update-fail", "--", SOURCE_REPO], env, home, timeout, shown, "reading the chart repository index")
        # helm pull takes the repository's CA and client certificate from repositories.yaml,
        # but not its insecure_skip_tls_verify: that one is a flag
        insecure = ["--insecure-skip-tls-verify"] if repos.repositories[-1].get("insecure_skip_tls_verify") else []
        argv = [helm, "pull"] + flags + insecure + (["--pass-credentials"] if pass_credentials else []) + ["--", "%s/%s" % (SOURCE_REPO, chart)]
    _helm(repos, argv, env, home, timeout, shown, "pulling chart %s%s" % (chart, " " + version if version else ""))
    archives = [name for name in os.listdir(destination) if name.endswith(".tgz")]
    if len(archives) != 1:
        raise SourceError("helm pull left %d chart archives, expected one" % len(archives), subject=shown)
    return os.path.join(destination, archives[0])


def _helm(repos, argv, env, cwd, timeout, subject, doing):
    result = run(argv, SourceError, subject, env=env, cwd=cwd, timeout=timeout, scrub=repos.scrub)
    if result.rc != 0:
        raise SourceError("helm failed %s (exit %d): %s" % (doing, result.rc, failure_reason(result, repos.scrub)), subject=subject)
    return result


def failure_reason(result, scrub):
    """Why a helm command failed: its error output, after the lines where a repository
    update says why on stdout ("...Unable to get an update ... 401 Unauthorized", an x509
    error), which ``helm dependency build`` otherwise hides behind "no cached repository"."""
    said = "\n".join(line for line in result.stdout.splitlines() if line.startswith(("...Unable", "\t")))
    return scrub(trim(said + "\n" + result.stderr).strip()) or "no error output"
