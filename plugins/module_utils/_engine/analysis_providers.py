# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Prometheus addresses an analysis may query: the operator's allow-list. Pure.

A Prometheus ``address`` is written in an Application (``spec.analysis``) or a
Deployment's strategy (a canary ``analysis`` step, a blue-green ``prePromotionAnalysis``),
so it comes from a repository: untrusted. Without this check an app-of-apps repository
could point the agent's HTTP GET at anything it can reach (a cloud metadata endpoint, an
internal service). The operator lists the Prometheus base URLs the agent may query (the
module option ``analysis_providers``, the playbook variable
``gitops_k8s_analysis_providers``); the default, an empty list, allows none.

An address is allowed when its scheme, host and port equal those of an entry and its
path starts, segment by segment, with the entry's path. Both are parsed (urllib) and
compared by component, never as strings: host names compared in lower case and in their
IDNA (ASCII) form, a trailing dot dropped, IP addresses in their canonical form; default
ports filled in (80, 443); empty path segments ignored (``/prom/`` is ``/prom``). An
address with user-info, a query, a fragment, a dot segment (``.``, ``..``, also
percent-encoded), a backslash, a control character or a port out of range is never
allowed; an entry with any of these is an error of the option.

A Project can only narrow that list for its Applications (one team must not query another
team's Prometheus with its own queries): the annotation ``gitops-k8s.dev/analysis-providers``
on the Project (a JSON list of base URLs, parsed like the option's entries) makes the
addresses its Applications may query those that both lists allow. A Project without the
annotation leaves the operator's list as it is; ``[]`` allows none. An annotation, not a
spec field: Argo CD's AppProject CRD prunes unknown spec fields, an annotation survives
on either CRD (projects.py warns about a ``spec.analysisProviders``).

API: ``parse(entries, where) -> tuple[Provider]`` (InvalidSpec naming the entry),
``parse_annotation(text, where)`` (the Project's JSON list),
``allowed(address, providers) -> bool``, ``check(metrics, providers, where, subject,
project)`` (SafetyError naming the Application, the metric, the address and the variable,
or ProjectError naming the Application, the Project and the address), and
``analyses_of(spec, manifests, namespace)``: every analysis an Application may measure in a run.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls, strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_ANALYSIS_PROVIDERS
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, ProjectError, SafetyError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

OPTION = "analysis_providers"
VARIABLE = "gitops_k8s_analysis_providers"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Provider:
    """One allowed base URL, normalised: scheme, host, port and path segments."""

    scheme: str
    host: str
    port: int
    segments: tuple

    def covers(self, other):
        return (self.scheme, self.host, self.port) == (other.scheme, other.host, other.port) and other.segments[: len(self.segments)] == self.segments


def _host(raw):
    if not raw:
        raise ValueError("no host")
    host = raw.lower()
    try:
        return str(ipaddress.ip_address(host))  # one spelling of an IP address ('::1' and '0:0::1' alike)
    except ValueError:
        pass
    host = host[:-1] if host.endswith(".") else host
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("the host name is not a valid (IDNA) name") from None
    if not host or any(not (c.isalnum() or c in "-._") for c in host):
        raise ValueError("the host name holds characters a host name does not have")
    return host


def _segments(path):
    decoded = urllib.parse.unquote(path)
    if "\\" in decoded:
        raise ValueError("the path holds a backslash")
    parts = tuple(p for p in decoded.split("/") if p)
    if any(p in (".", "..") for p in parts):
        raise ValueError("the path holds a '.' or '..' segment")
    return parts


def _parse(url):
    """The Provider of a URL, or ValueError saying why it cannot be one."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("it must be a non-empty string")
    url = url.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise ValueError("it holds a space or a control character")
    if "\\" in url:
        raise ValueError("it holds a backslash")
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("it is not an http or https URL")
    if "@" in parts.netloc:
        raise ValueError("it holds user-info (credentials are not supported)")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError("it holds a query or a fragment")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("its port is not a number from 0 to 65535") from None
    return Provider(scheme, _host(parts.hostname), port if port is not None else _DEFAULT_PORTS[scheme], _segments(parts.path))


def parse(entries, where=OPTION):
    """The Providers of the option's list (``where`` names it); InvalidSpec naming the
    entry that is not a plain http(s) base URL."""
    out = []
    for index, entry in enumerate(entries or ()):
        try:
            out.append(_parse(entry))
        except ValueError as exc:
            raise InvalidSpec("%s[%d]: %s is not an allowed Prometheus base URL: %s" % (where, index, repo_urls.display(str(entry)), exc)) from None
    return tuple(out)


def parse_annotation(text, where):
    """The Providers of a Project's ANN_ANALYSIS_PROVIDERS annotation (a JSON list of base
    URLs); InvalidSpec naming ``where`` when it is not one."""
    try:
        entries = json.loads(text) if isinstance(text, str) else None
    except ValueError as exc:
        raise InvalidSpec("%s: annotation %s is not JSON: %s" % (where, ANN_ANALYSIS_PROVIDERS, exc)) from None
    if not isinstance(entries, list):
        raise InvalidSpec("%s: annotation %s must be a JSON list of Prometheus base URLs, got %r" % (where, ANN_ANALYSIS_PROVIDERS, text))
    return parse(entries, "%s: annotation %s" % (where, ANN_ANALYSIS_PROVIDERS))


def allowed(address, providers):
    """Whether the analysis may query ``address`` (see the module docstring)."""
    try:
        wanted = _parse(address)
    except ValueError:
        return False
    return any(p.covers(wanted) for p in providers)


def _why(address):
    try:
        _parse(address)
    except ValueError as exc:
        return str(exc)
    return "it is not in %s" % OPTION


def check(metrics, providers, where, subject, project=None):
    """SafetyError for the first metric (analysis.Metric) whose address the operator's
    ``providers`` do not allow, ProjectError for one that ``project`` (projects.Project;
    None: no project bound) does not; ``where`` names the analysis (e.g. 'spec.analysis'),
    ``subject`` the Application."""
    narrowed = getattr(project, "analysis_providers", None)
    for metric in metrics:
        shown = repo_urls.display(metric.address)
        if not allowed(metric.address, providers):
            raise SafetyError(
                "%s metric %s: the Prometheus address %s is not allowed (%s); the agent queries only the addresses the operator "
                "lists in the %s option (playbook variable %s)" % (where, metric.name, shown, _why(metric.address), OPTION, VARIABLE),
                subject=subject,
            )
        if narrowed is not None and not allowed(metric.address, narrowed):
            raise ProjectError(
                "%s metric %s: the Prometheus address %s is not allowed for project %s (not in its %s annotation, which narrows "
                "the operator's %s for the project's Applications)" % (where, metric.name, shown, project.name, ANN_ANALYSIS_PROVIDERS, OPTION),
                subject=subject,
            )


def analyses_of(spec, manifests, namespace):
    """[(where, analysis.AnalysisSpec)] of every analysis the Application may measure:
    its spec.analysis and the analysis steps and pre-promotion analyses of the strategies
    of its rendered Deployments (manifests.Manifest; ``namespace``: the destination's)."""
    out = [("spec.analysis", spec.analysis)] if spec.analysis is not None else []
    for manifest in manifests:
        chosen = strategy_spec.of_object(manifest.obj, spec.strategy)
        if chosen is None:
            continue
        meta = manifest.obj.get("metadata") or {}
        name = format_id("Deployment", meta.get("namespace") or namespace, meta.get("name"))
        for index, step in enumerate(chosen.steps):
            if step.analysis is not None:
                out.append(("%s canary steps[%d].analysis" % (name, index), step.analysis))
        if chosen.blue_green is not None and chosen.blue_green.analysis is not None:
            out.append(("%s blueGreen.prePromotionAnalysis" % name, chosen.blue_green.analysis))
    return out


def check_all(spec, manifests, namespace, providers, subject, project=None):
    """check() of every analysis of analyses_of(); before any query or write of the run."""
    for where, analysed in analyses_of(spec, manifests, namespace):
        check(analysed.metrics, providers, where, subject, project)
