# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderer for a Helm chart directory: ``helm template``.

Helm runs with its cache, config and data homes in a temporary directory (never
$HOME). Value files are relative to the chart and must stay inside the checkout;
inline values go through a temporary file applied last. Each object's origin is
the template it came from (``helm:chart/templates/x.yaml``, from helm's
``# Source:`` comments).
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import tempfile

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.tools import find_binary, resolve_inside, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_documents, load_manifests

CHART_FILE = "Chart.yaml"
DEFAULT_NAMESPACE = "default"
_SOURCE_PREFIX = "# Source: "


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
    """Environment for helm with its cache, config and data homes below ``home``."""
    extra = {}
    for name in ("CACHE", "CONFIG", "DATA"):
        path = os.path.join(home, name.lower())
        os.mkdir(path, 0o700)
        extra["HELM_%s_HOME" % name] = path
    return tool_env(extra)


def chart_name(chart_dir, rel):
    """The ``name`` of Chart.yaml (the default release name)."""
    shown = "%s/%s" % (rel, CHART_FILE) if rel != "." else CHART_FILE
    try:
        with open(os.path.join(chart_dir, CHART_FILE), "r", encoding="utf-8") as handle:
            docs = load_documents(handle.read(), shown)
    except OSError as exc:
        raise RenderError("cannot read %s: %s" % (CHART_FILE, exc.strerror), subject=shown) from exc
    name = docs[0][1].get("name") if docs and isinstance(docs[0][1], dict) else None
    if not isinstance(name, str) or not name:
        raise RenderError("Chart.yaml has no name", subject=shown)
    return name


def source_locator(text, fallback):
    """``locate(line)`` naming the template a line of ``helm template`` output came from."""
    sources, separators = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(_SOURCE_PREFIX):
            sources.append((number, line[len(_SOURCE_PREFIX):].strip()))
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
    argv = [helm, "template", release, chart_dir, "--namespace", options.namespace or DEFAULT_NAMESPACE]
    if options.include_crds:
        argv.append("--include-crds")
    if options.skip_tests:
        argv.append("--skip-tests")
    for path in value_files:
        argv += ["--values", path]
    if inline_file:
        argv += ["--values", inline_file]
    if options.kube_version:
        argv += ["--kube-version", options.kube_version]
    for api_version in options.api_versions:
        argv += ["--api-versions", api_version]
    return argv


def render_helm(root, target, rel, options, source):
    """``helm template`` the chart in ``target``; returns (manifests, warnings)."""
    helm = helm_command(options.helm_binary)
    value_files = []
    for value_file in options.value_files:
        chart_relative = os.path.normpath(os.path.join(rel, value_file))
        value_files.append(resolve_inside(root, chart_relative, RenderError, "value file", source))
    release = options.release_name or chart_name(target, rel)
    home = tempfile.mkdtemp(prefix="gitops-k8s-helm-")
    try:
        inline_file = None
        if options.values:
            inline_file = os.path.join(home, "inline-values.json")
            with open(os.open(inline_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
                json.dump(options.values, handle)
        argv = helm_argv(helm, release, target, options, value_files, inline_file)
        result = run(argv, RenderError, rel, env=helm_env(home), cwd=home, timeout=options.timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if result.rc != 0:
        raise RenderError(
            "helm template failed in %s (exit %d): %s" % (source, result.rc, trim(result.stderr) or "no error output"),
            subject=rel,
        )
    fallback = "helm:%s" % rel
    manifests = load_manifests(result.stdout, fallback, locate=source_locator(result.stdout, fallback))
    warnings = ["helm %s: %s" % (rel, trim(result.stderr))] if result.stderr.strip() else []
    return manifests, warnings
