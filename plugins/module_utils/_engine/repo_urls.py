# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repository URLs: which ones may reach git, and which credential each one gets.

A repoURL comes from a repository, so from anyone who can push to it. git reads
``ext::<command>`` as "run this command", ``fd::`` as "talk over this file
descriptor", ``--upload-pack=...`` as an option and ``ssh://-oProxyCommand=...`` as
an ssh option; ``file://`` and plain paths read the agent's own disk. Only these
forms are accepted (``parse``):

- ``https://``, ``http://``, ``ssh://``, ``git://`` with a host,
- scp-like ``[user@]host:path`` (git's own shorthand for ssh),
- ``file:///path`` and absolute paths, only when local repositories are allowed.

Credentials are scoped as Argo CD's repository credential templates are: an entry
applies to every repository whose URL starts with the entry's URL, compared after
normalisation (scheme and host lowercase, default port dropped, scp-like URLs seen
as ``ssh://``, a trailing ``.git`` and ``/`` ignored), on path-segment boundaries;
scheme, host and port must be equal, and the longest prefix wins. There are no
wildcards: a credential never reaches a host its URL does not name.

Rewrites (``Rewrites``, git's ``url.<base>.insteadOf``): the operator maps URL prefixes
to others, so an Application naming ``https://github.com/org/repo`` is fetched from a
mirror or an air-gapped copy. The longest matching prefix wins (a plain string prefix,
as git compares). Every check above (allowed forms, local repositories, credentials)
applies to the rewritten URL, the one git is given.

Pure: strings in, frozen values out; errors are SourceError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

# Transports git may use for a repository URL (the git adapter allows exactly these).
NETWORK_SCHEMES = ("https", "http", "ssh", "git")
# Where Helm charts come from: chart repositories (http/https) and OCI registries. A
# repoURL without scheme next to ``source.chart`` is an OCI registry (Argo CD's form).
OCI_SCHEME = "oci"
CHART_SCHEMES = ("https", "http", OCI_SCHEME)
CREDENTIAL_SCHEMES = NETWORK_SCHEMES + (OCI_SCHEME,)
LOCAL_SCHEME = "file"
DEFAULT_PORTS = {"https": 443, "http": 80, "ssh": 22, "git": 9418}
WILDCARDS = "*?{}"
DISPLAY_MAX = 200

_SCHEME_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
# git's remote helper syntax "<transport>::<address>" (transport.c: url scheme chars, then "::")
_HELPER = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)?::")
_SCP = re.compile(r"^(?:([^@/]*)@)?(\[[^\]/]*\]|[^:/\[\]]*):(.*)$", re.S)
_HOSTNAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?\.?$")
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]")
_DOT_SEGMENT = re.compile(r"(?i)^(?:\.|%2e){1,2}$")


@dataclass(frozen=True)
class RepoURL:
    """A repository URL in normal form, without password.

    scheme: lowercase (``https``, ``http``, ``ssh``, ``git``, ``file``); user: the user
    name or ``""``; host: lowercase, ``""`` for file; port: None when it is the
    scheme's default; path: ``/org/repo`` with no trailing ``/`` or ``.git`` (``""``
    for a bare host).
    """

    scheme: str
    host: str
    path: str
    user: str = ""
    port: int | None = None

    def __str__(self):
        user = self.user + "@" if self.user else ""
        port = ":%d" % self.port if self.port is not None else ""
        return "%s://%s%s%s%s" % (self.scheme, user, self.host, port, self.path)

    @property
    def is_local(self):
        return self.scheme == LOCAL_SCHEME

    def covers(self, other):
        """True when this URL, as a credential prefix, applies to the repository ``other``."""
        if (self.scheme, self.host, self.port) != (other.scheme, other.host, other.port):
            return False
        if self.user and self.user != other.user:
            return False
        return not self.path or other.path == self.path or other.path.startswith(self.path + "/")


def display(url):
    """The URL as it may appear in a message: user-info removed (it may hold a
    password or a token), control characters escaped, length bounded."""
    text = url if isinstance(url, str) else repr(url)
    match = _SCHEME_URL.match(text)
    if match:
        rest = match.group(2)
        authority, slash, path = rest.partition("/")
        text = "%s://%s%s%s" % (match.group(1), authority.rpartition("@")[2], slash, path)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= DISPLAY_MAX else text[:DISPLAY_MAX] + "..."


def _refuse(url, why):
    return SourceError("repository URL not allowed: %s" % why, subject=display(url))


def parse(url, allow_local=False, schemes=NETWORK_SCHEMES):
    """RepoURL of a repository URL, or SourceError saying why the URL is not allowed.
    ``schemes``: the network schemes accepted (git's by default)."""
    if not isinstance(url, str) or not url:
        raise _refuse(url, "it must be a non-empty string")
    if url.startswith("-"):
        raise _refuse(url, "it starts with '-' (git would read it as an option)")
    helper = _HELPER.match(url)
    if helper:
        raise _refuse(url, "'%s::' is a git remote helper transport (allowed: %s)" % (helper.group(1) or "", _allowed(allow_local)))
    if _BAD_CHARS.search(url):
        raise _refuse(url, "it contains whitespace or control characters")
    match = _SCHEME_URL.match(url)
    if match:
        parsed = _parse_scheme_url(url, match.group(1).lower(), match.group(2), allow_local, schemes)
    elif url.startswith("/"):
        parsed = _parse_local(url, "", url, allow_local)
    elif "ssh" in schemes:
        parsed = _parse_scp(url)
    else:
        raise _refuse(url, "it is not a URL with a scheme (allowed: %s)" % _allowed(allow_local, schemes))
    for segment in parsed.path.split("/"):
        if _DOT_SEGMENT.match(segment):
            raise _refuse(url, "its path has a '.' or '..' segment")
    return parsed


def _allowed(allow_local, schemes=NETWORK_SCHEMES):
    return "%s%s" % (", ".join(schemes), ", file" if allow_local else "")


def parse_chart_repo(url):
    """RepoURL of a Helm chart repository (``https://``, ``http://``) or OCI registry
    (``oci://host/path``, or ``host[:port]/path`` without scheme as Argo CD writes it),
    or SourceError. Local paths are not chart repositories."""
    if isinstance(url, str) and "://" not in url and "/" in url and "@" not in url and not url.startswith(("/", "-")):
        url = "%s://%s" % (OCI_SCHEME, url)
    return parse(url, schemes=CHART_SCHEMES)


def _parse_scheme_url(url, scheme, rest, allow_local, schemes=NETWORK_SCHEMES):
    authority, slash, path = rest.partition("/")
    path = slash + path
    if scheme == LOCAL_SCHEME:
        return _parse_local(url, authority, path, allow_local)
    if scheme not in schemes:
        raise _refuse(url, "scheme '%s' (allowed: %s)" % (scheme, _allowed(allow_local, schemes)))
    userinfo, at, hostport = authority.rpartition("@")
    user = userinfo.partition(":")[0] if at else ""
    host, port = _split_port(url, hostport)
    return RepoURL(scheme, _host(url, host), _clean_path(path), _user(url, user), _port(url, scheme, port))


def _parse_local(url, authority, path, allow_local):
    if not allow_local:
        raise _refuse(url, "local repositories (file://, paths) are not allowed here; the operator can allow them")
    if authority not in ("", "localhost") or not path.startswith("/"):
        raise _refuse(url, "a local repository is file:///absolute/path or /absolute/path")
    return RepoURL(LOCAL_SCHEME, "", _clean_path(path))


def _parse_scp(url):
    match = _SCP.match(url)
    if not match:
        raise _refuse(url, "it is neither a URL (https://, ssh://, ...) nor user@host:path; relative paths are not allowed")
    user, host, path = match.groups()
    path = path if path.startswith("/") else "/" + path
    return RepoURL("ssh", _host(url, host), _clean_path(path), _user(url, user or ""))


def _split_port(url, hostport):
    if hostport.startswith("["):
        host, bracket, rest = hostport.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _refuse(url, "its host is not valid")
        return host + "]", rest[1:] if rest else ""
    host, _colon, port = hostport.partition(":")
    return host, port


def _host(url, host):
    if host.startswith("-"):
        raise _refuse(url, "its host starts with '-' (ssh would read it as an option)")
    if not (_HOSTNAME.match(host) or _IPV6.match(host)):
        raise _refuse(url, "it has no valid host")
    return host.lower().rstrip(".")


def _user(url, user):
    if user.startswith("-"):
        raise _refuse(url, "its user starts with '-' (ssh would read it as an option)")
    return user


def _port(url, scheme, port):
    if not port:
        return None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _refuse(url, "its port is not a number from 1 to 65535")
    number = int(port)
    return None if number == DEFAULT_PORTS.get(scheme) else number


def _clean_path(path):
    path = path.rstrip("/")
    if path.endswith(".git"):
        path = path[:-4].rstrip("/")
    return path


@dataclass(frozen=True)
class Credentials:
    """Credential entries scoped by URL prefix; ``for_url`` picks the one that applies."""

    scopes: tuple = ()
    values: tuple = field(default=(), repr=False)

    @classmethod
    def from_entries(cls, entries, what="repo_credentials"):
        """Credentials of ``[(url, value), ...]``; SourceError naming the entry (``what[i]``)
        for a wildcard, a URL without scheme and host, or a URL given twice. Never shows a value."""
        scopes, values, seen = [], [], {}
        for index, (url, value) in enumerate(entries):
            subject = "%s[%d]" % (what, index)
            if isinstance(url, str) and any(char in url for char in WILDCARDS):
                raise SourceError(
                    "url %s: wildcards are not allowed; name the scheme, host and path prefix the credential is for" % display(url), subject=subject
                )
            try:
                scope = parse(url, schemes=CREDENTIAL_SCHEMES)
            except SourceError as exc:
                raise SourceError("url %s: %s" % (display(url), exc.message), subject=subject) from exc
            if scope in seen:
                raise SourceError("url %s: the same URL as %s[%d]" % (display(url), what, seen[scope]), subject=subject)
            seen[scope] = index
            scopes.append(scope)
            values.append(value)
        return cls(tuple(scopes), tuple(values))

    def for_url(self, url):
        """The value of the longest credential prefix covering ``url`` (a RepoURL), or None."""
        best, best_key = None, None
        for scope, value in zip(self.scopes, self.values):
            key = (len(scope.path), bool(scope.user))
            if scope.covers(url) and (best_key is None or key > best_key):
                best, best_key = value, key
        return best


@dataclass(frozen=True)
class Rewrites:
    """URL prefix rewrites, longest prefix first (``apply``)."""

    rules: tuple = ()

    @classmethod
    def from_mapping(cls, mapping, what="repo_url_rewrites"):
        """Rewrites of ``{prefix: replacement}``; SourceError naming the entry
        (``what[prefix]``) for an empty or non-string prefix or replacement."""
        rules = []
        for prefix, replacement in sorted((mapping or {}).items(), key=lambda kv: str(kv[0])):
            subject = "%s[%s]" % (what, display(prefix))
            if not isinstance(prefix, str) or not isinstance(replacement, str):
                raise SourceError("prefix and replacement must each be a string", subject=subject)
            if not prefix or not replacement:
                raise SourceError("prefix and replacement must not be empty", subject=subject)
            rules.append((prefix, replacement))
        rules.sort(key=lambda rule: len(rule[0]), reverse=True)
        return cls(tuple(rules))

    def apply(self, url):
        """``url`` with its longest matching prefix replaced; unchanged when none matches."""
        for prefix, replacement in self.rules:
            if url.startswith(prefix):
                return replacement + url[len(prefix) :]
        return url
