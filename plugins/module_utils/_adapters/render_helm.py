# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderer for a Helm chart directory: ``helm template``.

Helm runs with its cache, config, data and plugin homes, repository and registry
configuration in an empty temporary directory (never $HOME, never the operator's
HELM_* settings, no kubeconfig): no plugin, post-renderer or cluster ``lookup``
is within a repository's reach. Every value that comes from a repository is
checked against the rule Helm or Kubernetes applies to it, then glued to its flag
(``--namespace=x``); the release name and chart come after ``--``, so no value can
become a flag (a release name ``--post-renderer=/bin/sh`` would run a program).
Value files are relative to the chart and must stay inside the checkout; inline
values go through a temporary file applied last. Each object's origin is the
template it came from (``helm:chart/templates/x.yaml``, from helm's ``# Source:``
comments).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.helm_parameters import apply_file_parameter, apply_parameters
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import helm_dependencies
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import inside_repository
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.decryption import Session, value_file_name
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import find_binary, is_inside, resolve_inside, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_documents, load_manifests, read_text

CHART_FILE = "Chart.yaml"
DEFAULT_NAMESPACE = "default"
_SOURCE_PREFIX = "# Source: "


@dataclass(frozen=True)
class ValueRule:
    """The rule Helm or Kubernetes applies to a value a repository puts into argv."""

    pattern: re.Pattern
    max_chars: int
    what: str
    description: str


_DNS_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = r"%s(?:\.%s)*" % (_DNS_LABEL, _DNS_LABEL)
RELEASE_NAME = ValueRule(
    re.compile(_DNS_SUBDOMAIN), 53, "Helm release name", "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
)
NAMESPACE = ValueRule(re.compile(_DNS_LABEL), 63, "Kubernetes namespace name", "lowercase letters, digits and '-', starting and ending with a letter or digit")
KUBE_VERSION = ValueRule(
    re.compile(r"v?[0-9]+(?:\.[0-9]+){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"), 64, "Kubernetes version", "such as 1.30.2 or v1.30.4-eks-a737599"
)
# group (a DNS subdomain, 253) / version (a DNS label, 63) / Kind (63)
API_VERSION = ValueRule(
    re.compile(r"(?:%s/)?%s(?:/[A-Za-z][A-Za-z0-9]*)?" % (_DNS_SUBDOMAIN, _DNS_LABEL)),
    381,
    "API version",
    "version, group/version or group/version/Kind, such as v1 or apps/v1",
)
_SHOWN_CHARS = 40

# The Application fields the checked values come from, named in errors.
RELEASE_NAME_FIELD = "spec.source.helm.releaseName"
NAMESPACE_FIELD = "spec.destination.namespace"
KUBE_VERSION_FIELD = "spec.source.helm.kubeVersion"
API_VERSIONS_FIELD = "spec.source.helm.apiVersions"


def shown(value):
    """A repository's value, quoted and cut short enough for an error message."""
    text = value if isinstance(value, str) else repr(value)
    return json.dumps(text[:_SHOWN_CHARS]) + ("..." if len(text) > _SHOWN_CHARS else "")


def value_problem(value, rule):
    """What is wrong with ``value`` under ``rule`` (a ValueRule), or None. The value
    is shown cut short: it is a repository's text."""
    if not isinstance(value, str):
        return "must be a string (a %s; quote it in YAML), not %s" % (rule.what, type(value).__name__)
    if len(value) > rule.max_chars or not rule.pattern.fullmatch(value):
        return "not a valid %s (%s, at most %d characters): %s" % (rule.what, rule.description, rule.max_chars, shown(value))
    return None


def check_value(value, rule, field):
    """``value`` when it follows ``rule``, else a RenderError whose subject is ``field``."""
    problem = value_problem(value, rule)
    if problem:
        raise RenderError(problem, subject=field)
    return value


def helm_command(binary):
    """Absolute path of helm (``binary`` or ``helm``), or a RenderError saying how to fix it."""
    name = binary or "helm"
    path = find_binary(name)
    if path is None:
        raise RenderError(
            "helm binary %s not found (looked on PATH and beside the Python interpreter); "
            "install Helm 3 or set the helm binary option to an executable path" % name,
            subject=name,
        )
    return path


def helm_env(home):
    """Environment for helm with every home, its plugin directory (empty), repository
    and registry configuration below ``home``, no inherited HELM_* setting and a
    kubeconfig that does not exist (``helm template`` needs no cluster)."""
    extra = {name: None for name in os.environ if name.startswith("HELM_")}
    for name, directory in (("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"), ("HELM_DATA_HOME", "data"), ("HELM_PLUGINS", "plugins")):
        extra[name] = os.path.join(home, directory)
        os.mkdir(extra[name], 0o700)
    extra["HELM_REPOSITORY_CONFIG"] = os.path.join(home, "config", "repositories.yaml")
    extra["HELM_REPOSITORY_CACHE"] = os.path.join(home, "cache", "repository")
    extra["HELM_REGISTRY_CONFIG"] = os.path.join(home, "config", "registry", "config.json")
    extra["KUBECONFIG"] = os.path.join(home, "no-kubeconfig")
    return tool_env(extra)


def chart_file_shown(rel):
    """Chart.yaml's path relative to the checkout, for messages."""
    return "%s/%s" % (rel, CHART_FILE) if rel != "." else CHART_FILE


def chart_name(chart_dir, rel):
    """The ``name`` of Chart.yaml (the default release name)."""
    chart_file = chart_file_shown(rel)
    docs = load_documents(read_text(os.path.join(chart_dir, CHART_FILE), chart_file), chart_file)
    name = docs[0][1].get("name") if docs and isinstance(docs[0][1], dict) else None
    if not isinstance(name, str) or not name:
        raise RenderError("Chart.yaml has no name", subject=chart_file)
    return name


def source_locator(text, fallback):
    """``locate(line)`` naming the template a line of ``helm template`` output came from."""
    sources, separators = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(_SOURCE_PREFIX):
            sources.append((number, line[len(_SOURCE_PREFIX) :].strip()))
        elif line.rstrip() == "---" or line.startswith("--- "):
            separators.append(number)
    source_lines = [number for number, _name in sources]

    def locate(line):
        index = bisect.bisect_right(source_lines, line) - 1
        if index < 0:
            return fallback
        source_line, name = sources[index]
        sep_index = bisect.bisect_right(separators, line) - 1
        if sep_index >= 0 and separators[sep_index] > source_line:
            return fallback
        return "helm:%s" % name

    return locate


def helm_argv(helm, release, chart_dir, options, value_files, inline_file):
    """``helm template`` flags (each value glued to its flag), then ``--``, release, chart."""
    namespace = check_value(options.namespace or DEFAULT_NAMESPACE, NAMESPACE, NAMESPACE_FIELD)
    argv = [helm, "template", "--namespace=%s" % namespace]
    if options.include_crds:
        argv.append("--include-crds")
    if options.skip_tests:
        argv.append("--skip-tests")
    if options.skip_schema_validation:
        argv.append("--skip-schema-validation")
    for path in value_files + ([inline_file] if inline_file else []):
        argv.append("--values=%s" % path)
    if options.kube_version:
        argv.append("--kube-version=%s" % check_value(options.kube_version, KUBE_VERSION, KUBE_VERSION_FIELD))
    for api_version in options.api_versions:
        argv.append("--api-versions=%s" % check_value(api_version, API_VERSION, API_VERSIONS_FIELD))
    return argv + ["--", release, chart_dir]


def release_name(options, chart_dir, rel):
    """The checked release name: the option, else the chart's name."""
    if options.release_name is not None:
        return check_value(options.release_name, RELEASE_NAME, RELEASE_NAME_FIELD)
    return check_value(chart_name(chart_dir, rel), RELEASE_NAME, "name in %s" % chart_file_shown(rel))


def chart_without_git(chart_dir, home):
    """The chart directory helm may read: a chart at the root of a local checkout holds
    ``.git`` (whose config may carry the pull URL's token), and helm's ``.Files`` would
    serve it; such a chart is rendered from a copy without it."""
    if not os.path.lexists(os.path.join(chart_dir, ".git")):
        return chart_dir
    copy = os.path.join(home, "chart")
    # symlinks=True: links were checked to stay inside the checkout, i.e. inside this root chart
    shutil.copytree(chart_dir, copy, symlinks=True, ignore=lambda directory, names: [".git"] if directory == chart_dir else [])
    return copy


def value_file_path(root, rel, value_file, refs, source):
    """Real path of a value file: relative to the chart, or ``$ref/path`` in the checkout
    of that ref source (``refs``: (ref, checkout) pairs); inside its checkout, not in .git."""
    if isinstance(value_file, str) and value_file.startswith("$"):
        ref, _sep, path = value_file[1:].partition("/")
        checkouts = dict(refs)
        if ref not in checkouts:
            raise RenderError("value file names $%s, but no source has ref: %s" % (ref, ref), subject=value_file)
        root, shown = os.path.realpath(checkouts[ref]), value_file
        real = resolve_inside(root, path, RenderError, "value file %s" % value_file, "the source with ref %s" % ref)
    else:
        shown = os.path.normpath(os.path.join(rel, value_file))
        real = resolve_inside(root, shown, RenderError, "value file", source)
    if not inside_repository(root, real):
        raise RenderError("value file is in the .git directory of %s" % source, subject=shown)
    return real


def contained_file(root, rel, path, what, source):
    """Real path of a file named relative to the chart, inside the checkout and not in .git."""
    chart_relative = os.path.normpath(os.path.join(rel, path))
    real = resolve_inside(root, chart_relative, RenderError, what, source)
    if not inside_repository(root, real):
        raise RenderError("%s is in the .git directory of %s" % (what, source), subject=chart_relative)
    return real


def present_value_files(root, rel, options, source):
    """(real path, path as written) of each value file; with ``ignore_missing_value_files``
    (Argo CD's ignoreMissingValueFiles) one that does not exist is left out, after the
    same containment check."""
    found = []
    for written in options.value_files:
        value_file = value_file_name(written, written)
        chart_relative = os.path.normpath(os.path.join(rel, value_file))
        joined = os.path.normpath(os.path.join(root, chart_relative))
        if options.ignore_missing_value_files and not value_file.startswith("$") and is_inside(root, joined) and not os.path.lexists(joined):
            continue
        found.append((value_file_path(root, rel, value_file, options.value_refs, source), value_file))
    return found


def shown_value_file(rel, path):
    """A value file as messages name it: ``$ref/path``, else relative to the checkout."""
    return path if path.startswith("$") else os.path.normpath(os.path.join(rel, path))


def encrypted_value_files(rel, value_files, session):
    """True when a value file needs decrypting (then every value file is merged here,
    and helm reads the merged values from our private directory)."""
    return any(session.is_encrypted_file(read_text(real, shown_value_file(rel, path))) for real, path in value_files)


def merge_values(base, extra):
    """Helm's merge of one values source over the ones before it: mappings merge key by
    key, anything else replaces."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merge_values(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def load_value_file(real, shown_path, session=None):
    """The mapping of one value file, decrypted by ``session`` when it is encrypted."""
    docs = (session or Session()).documents(read_text(real, shown_path), shown_path)
    values = docs[0][1] if docs else None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise RenderError("a values file must hold a mapping", subject=shown_path)
    return values


def written_values(root, rel, options, value_files, source, session=None):
    """(values we write for helm, value files helm reads itself), from ``value_files``
    ((real path, path as written) pairs). Parameters apply on
    top of everything before them (helm's --set edits the merged values: ``x[1]`` keeps
    ``x[0]`` of a value file), so with parameters the value files are merged here, in
    helm's order: value files, inline values, --set, --set-string, --set-file. So are
    they when one is encrypted (SOPS, ansible-vault, inline ``!vault``): ``session``
    decrypts it, and the plain values reach helm only through the private inline file."""
    session = session or Session()
    if not options.parameters and not options.file_parameters and not encrypted_value_files(rel, value_files, session):
        return options.values or None, [real for real, _path in value_files]
    values = {}
    for real, path in value_files:
        values = merge_values(values, load_value_file(real, shown_value_file(rel, path), session))
    values = merge_values(values, options.values or {})
    values = apply_parameters(values, list(options.parameters))
    for number, (name, path) in enumerate(options.file_parameters):
        subject = "spec.source.helm.fileParameters[%d]" % number
        if not isinstance(path, str) or not path:
            raise RenderError("needs a path (relative to the chart)", subject=subject)
        real = contained_file(root, rel, path, "file parameter", source)
        values = apply_file_parameter(values, name, read_text(real, os.path.normpath(os.path.join(rel, path))), subject)
    return values or None, []


def render_helm(root, target, rel, options, source, session=None):
    """``helm template`` the chart in ``target`` (its dependencies built first when
    missing); returns (manifests, warnings). Encrypted value files are opened by
    ``session``; helm's messages are scrubbed of what it decrypted."""
    session = session or Session()
    helm = helm_command(options.helm_binary)
    value_files = present_value_files(root, rel, options, source)
    values, value_files = written_values(root, rel, options, value_files, source, session)
    release = release_name(options, target, rel)
    home = tempfile.mkdtemp(prefix="gitops-k8s-helm-")
    try:
        env = helm_env(home)
        chart = helm_dependencies.prepare(
            root, target, rel, home, helm, env, credentials=options.credentials, rewrites=options.rewrites, timeout=options.timeout, source=source
        )
        if chart == target:
            chart = chart_without_git(target, home)
        inline_file = os.path.join(home, "inline-values.json") if values else None
        argv = helm_argv(helm, release, chart, options, value_files, inline_file)
        if inline_file:
            with open(os.open(inline_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
                json.dump(values, handle)
        result = run(argv, RenderError, rel, env=env, cwd=home, timeout=options.timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if result.rc != 0:
        raise RenderError(
            "helm template failed in %s (exit %d): %s" % (source, result.rc, session.scrub(trim(result.stderr)) or "no error output"),
            subject=rel,
        )
    fallback = "helm:%s" % rel
    manifests = load_manifests(result.stdout, fallback, locate=source_locator(result.stdout, fallback))
    warnings = ["helm %s: %s" % (rel, session.scrub(trim(result.stderr)))] if result.stderr.strip() else []
    return manifests, warnings
