# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a git process of a fetch gets: credentials, allowed transports, time limits.

- Credentials never reach argv, the environment, the stored remote URL or messages: an
  SSH key goes to a 0600 temporary file named in GIT_SSH_COMMAND; HTTPS credentials
  become an ``http.<server>.extraHeader`` in a 0600 temporary git config file that the
  git processes of this one fetch include (``include.path`` through GIT_CONFIG_*).
- Only the transports the engine accepts (repo_urls) are enabled (``protocol.*.allow``),
  set explicitly so that a user's git config cannot widen them.
- A stalled HTTP(S) transfer is cut by ``http.lowSpeedLimit``/``lowSpeedTime``; ssh
  gets a connect timeout and keepalives.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import TLS_CREDENTIAL_KEYS
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import tool_env

# An HTTP(S) transfer slower than LOW_SPEED_LIMIT bytes/s for LOW_SPEED_TIME seconds fails.
LOW_SPEED_LIMIT = 1000
LOW_SPEED_TIME = 30
# ssh: time to connect and exchange banners; a silent server is dropped after
# SSH_ALIVE_INTERVAL * SSH_ALIVE_COUNT seconds.
SSH_CONNECT_TIMEOUT = 30
SSH_ALIVE_INTERVAL = 15
SSH_ALIVE_COUNT = 2
TOKEN_USERNAME = "x-access-token"
CREDENTIAL_KEYS = ("ssh_key", "known_hosts", "username", "password", "token")

_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
_HTTP_SCHEMES = ("http", "https")


def split_url(url):
    """(credential-free URL, username, password) of a repository URL.

    For http(s) the whole user-info part is removed; for other schemes only a
    password is (``ssh://git@host/x`` keeps its user). scp-like URLs are kept.
    """
    if "://" not in url:
        return url, None, None
    parts = urlsplit(url)
    userinfo, sep, hostport = parts.netloc.rpartition("@")
    if not sep:
        return url, None, None
    user, has_password, password = userinfo.partition(":")
    if parts.scheme.lower() in _HTTP_SCHEMES:
        netloc = hostport
    else:
        netloc = "%s@%s" % (user, hostport) if user else hostport
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, (user or None), (password if has_password else None)


def redact_url(url):
    """The URL as it may be shown: credentials removed."""
    return split_url(url)[0]


def make_scrubber(secrets):
    """A function removing URL user-info and every secret string from a text."""
    values = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def scrub(text):
        text = _URL_USERINFO.sub(r"\1", text or "")
        for value in values:
            text = text.replace(value, "********")
        return re.sub(r"(?i)(authorization:\s*)\S+(\s+\S+)?", r"\1********", text)

    return scrub


class Auth:
    """Environment and temporary files carrying credentials for one fetch."""

    def __init__(self, clean_url, credentials, url_user, url_password, allow_local=False):
        creds = dict(credentials or {})
        tls = sorted(key for key in TLS_CREDENTIAL_KEYS if creds.pop(key, None) not in (None, "", False))
        if tls:
            raise SourceError(
                "the credential covering this repository sets %s, which apply to Helm chart repositories and OCI "
                "registries only; git uses the system's CA store (give git repositories an entry of their own)" % ", ".join(tls),
                subject=clean_url,
            )
        unknown = sorted(set(creds) - set(CREDENTIAL_KEYS))
        if unknown:
            raise SourceError("unknown credential keys: %s" % ", ".join(unknown), subject=clean_url)
        self.url = clean_url
        self.allow_local = allow_local
        self.creds = {k: v for k, v in creds.items() if v not in (None, "")}
        if url_user is not None and not any(k in self.creds for k in ("username", "password", "token")):
            if split_url_scheme(clean_url) in _HTTP_SCHEMES:
                self.creds["username"] = url_user
                self.creds["password"] = url_password or ""
        self.tmpdir = None
        self._env = None
        self.secrets = [self.creds.get(k) for k in ("ssh_key", "password", "token")]
        if url_password:
            self.secrets.append(url_password)
        if url_user and url_password is None:
            self.secrets.append(url_user)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _write(self, name, text):
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="gitops-k8s-git-")
        path = os.path.join(self.tmpdir, name)
        if not text.endswith("\n"):
            text += "\n"
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def env(self):
        """A fresh copy of the environment for git (temporary files are written once)."""
        if self._env is None:
            self._env = self._build_env()
        return dict(self._env)

    def _build_env(self):
        extra = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", "GIT_ASKPASS": None, "SSH_ASKPASS": None, "GIT_PROTOCOL_FROM_USER": "0"}
        extra.update(self._ssh_env())
        config = _transport_config(self.allow_local)
        header = self.auth_header()
        if header:
            # Scoped to this server (redirects inside it keep working, other hosts never see it),
            # in a 0600 file only this fetch's git processes include: the environment names the
            # file, never the secret (a process environment is readable by the same user).
            section = '[http "%s"]\n\textraHeader = %s\n' % (_server_url(self.url), header)
            config.append(("include.path", self._write("credentials.gitconfig", section)))
        extra.update(_config_env(config))
        return tool_env(extra)

    def _ssh_env(self):
        """GIT_SSH_COMMAND: ours (with the key, known hosts and timeouts), or the operator's
        own ssh command with the timeouts added."""
        timeouts = [
            "-o",
            "ConnectTimeout=%d" % SSH_CONNECT_TIMEOUT,
            "-o",
            "ServerAliveInterval=%d" % SSH_ALIVE_INTERVAL,
            "-o",
            "ServerAliveCountMax=%d" % SSH_ALIVE_COUNT,
        ]
        ssh_key, known_hosts = self.creds.get("ssh_key"), self.creds.get("known_hosts")
        inherited = os.environ.get("GIT_SSH_COMMAND", "")
        if not (ssh_key or known_hosts):
            if inherited:
                try:
                    words = shlex.split(inherited)
                except ValueError:  # not a command line we can extend: use it as it is
                    return {}
                if words and os.path.basename(words[0]) == "ssh":
                    return {"GIT_SSH_COMMAND": " ".join(shlex.quote(part) for part in words + timeouts)}
                return {}
            if os.environ.get("GIT_SSH"):
                return {}
        ssh = ["ssh", "-o", "BatchMode=yes"] + timeouts
        if ssh_key:
            ssh += ["-i", self._write("id_key", ssh_key), "-o", "IdentitiesOnly=yes"]
        if known_hosts:
            ssh += ["-o", "UserKnownHostsFile=" + self._write("known_hosts", known_hosts), "-o", "StrictHostKeyChecking=yes"]
        elif ssh_key:
            ssh += ["-o", "StrictHostKeyChecking=accept-new"]
        return {"GIT_SSH_COMMAND": " ".join(shlex.quote(part) for part in ssh), "GIT_SSH": None}

    def auth_header(self):
        token, password = self.creds.get("token"), self.creds.get("password")
        username = self.creds.get("username")
        if token is None and password is None and username is None:
            return None
        if split_url_scheme(self.url) not in _HTTP_SCHEMES:
            raise SourceError("username, password and token only apply to http(s) repository URLs", subject=self.url)
        if token is not None:
            pair = "%s:%s" % (username or TOKEN_USERNAME, token)
        else:
            pair = "%s:%s" % (username or "", password or "")
        encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        self.secrets.append(encoded)
        return "Authorization: Basic " + encoded


def _transport_config(allow_local):
    """git config pairs allowing exactly the transports repo_urls accepts, and cutting
    stalled HTTP transfers. Set explicitly, so a user's git config cannot widen them."""
    config = [
        ("protocol.allow", "never"),
        ("protocol.ext.allow", "never"),
        ("protocol.fd.allow", "never"),
        ("protocol.%s.allow" % repo_urls.LOCAL_SCHEME, "always" if allow_local else "never"),
    ]
    config += [("protocol.%s.allow" % name, "always") for name in repo_urls.NETWORK_SCHEMES]
    config += [("http.lowSpeedLimit", str(LOW_SPEED_LIMIT)), ("http.lowSpeedTime", str(LOW_SPEED_TIME))]
    return config


def _config_env(pairs):
    """GIT_CONFIG_COUNT/KEY_n/VALUE_n for ``pairs``, after the entries of the environment.

    Inherited ``http.<url>.extraHeader`` entries are dropped (the agents set one for
    ansible-pull's own clone): a credential reaches a repository only through the
    URL prefix it is scoped to, never because it sits in the environment."""
    kept = []
    for index in range(int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")):
        key = os.environ.get("GIT_CONFIG_KEY_%d" % index, "")
        if not key.lower().endswith(".extraheader"):
            kept.append((key, os.environ.get("GIT_CONFIG_VALUE_%d" % index, "")))
    env = {name: None for name in os.environ if re.match(r"^GIT_CONFIG_(KEY|VALUE)_\d+$", name)}
    for index, (key, value) in enumerate(kept + pairs):
        env["GIT_CONFIG_KEY_%d" % index] = key
        env["GIT_CONFIG_VALUE_%d" % index] = value
    env["GIT_CONFIG_COUNT"] = str(len(kept) + len(pairs))
    return env


def _server_url(url):
    """``scheme://host[:port]/`` of a URL."""
    parts = urlsplit(url)
    return "%s://%s/" % (parts.scheme, parts.netloc.rpartition("@")[2])


def split_url_scheme(url):
    return url.split("://", 1)[0].lower() if "://" in url else "ssh"
