# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderer for a plain directory of YAML / JSON manifests.

Files ``*.yaml``, ``*.yml`` and ``*.json`` (JSON parses as YAML), sorted by path,
multi-document, and ``*.jsonnet`` programs, evaluated as Argo CD does (render_jsonnet). A document that is not a Kubernetes object (a YAML list such as
an Ansible playbook, a mapping with neither apiVersion nor kind) is ignored with
a warning; a mapping with only one of the two is an error. Hidden files and
directories are skipped; so are sub-directories that are Helm charts or
kustomizations (they need their own renderer).
"""

from __future__ import annotations

import fnmatch
import os

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import render_jsonnet
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import is_inside
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.decryption import Session
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import ContentBudget, read_text

EXTENSIONS = (".yaml", ".yml", ".json")
# Jsonnet programs, read only when the Application sets directory.jsonnet or names one
# (render_jsonnet); ``.libsonnet`` files are only imported.
JSONNET = render_jsonnet.EXTENSION
# Files that describe how to render, never objects to apply.
RENDERER_FILES = ("Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization")


def _posix(path):
    return path.replace(os.sep, "/")


def matches(relpath, patterns):
    """True when ``relpath`` (posix) matches one of the globs; a pattern without
    ``/`` also matches the file name alone."""
    name = relpath.rsplit("/", 1)[-1]
    for pattern in patterns:
        if fnmatch.fnmatchcase(relpath, pattern):
            return True
        if "/" not in pattern and fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def _is_render_root(directory):
    return any(os.path.isfile(os.path.join(directory, name)) for name in RENDERER_FILES)


def list_files(target, recurse, warnings, root_rel, extensions=EXTENSIONS):
    """Sorted (relative-to-target posix path, absolute path) of candidate files."""
    found = []
    for dirpath, dirnames, filenames in os.walk(target):
        keep = []
        for dirname in sorted(dirnames):
            full = os.path.join(dirpath, dirname)
            shown = _posix(os.path.normpath(os.path.join(root_rel, os.path.relpath(full, target))))
            if dirname.startswith("."):
                continue
            if not recurse:
                continue
            if os.path.islink(full):
                warnings.append("skipped %s/: symlinked directories are not followed" % shown)
                continue
            if _is_render_root(full):
                warnings.append("skipped %s/: a Helm chart or kustomization needs its own path" % shown)
                continue
            keep.append(dirname)
        dirnames[:] = keep
        for filename in filenames:
            if filename.startswith(".") or not filename.lower().endswith(extensions):
                continue
            full = os.path.join(dirpath, filename)
            found.append((_posix(os.path.relpath(full, target)), full))
    return sorted(found)


def _classify(value, where):
    """'object', or the reason a document is ignored; raises for half objects."""
    if isinstance(value, list):
        return "top level is a list, not a Kubernetes object"
    if not isinstance(value, dict):
        return "top level is a %s, not a Kubernetes object" % type(value).__name__
    has_api, has_kind = "apiVersion" in value, "kind" in value
    if has_api and has_kind:
        return "object"
    if has_api or has_kind:
        raise ManifestError(
            "document has %s but no %s" % (("apiVersion", "kind") if has_api else ("kind", "apiVersion")),
            subject=where,
        )
    return "neither apiVersion nor kind"


def render_directory(root, target, rel, options, session=None):
    """Render a directory (or a single file) ``target`` below the real path ``root``.

    ``rel`` is ``target`` relative to ``root``; origins read ``rel/file:line``.
    Every file is bounded alone and all of them together (yaml_io's limits, JSON
    files included). Encrypted files (SOPS, ansible-vault, inline ``!vault``) are
    opened by ``session`` (decryption.Session). Returns (manifests, warnings).
    """
    warnings = []
    session = session or Session()
    budget = ContentBudget()
    extensions = EXTENSIONS + (JSONNET,)
    if os.path.isfile(target):
        files = [(_posix(os.path.basename(target)), target)]
        base = _posix(os.path.dirname(rel))
    else:
        files = list_files(target, options.recurse, warnings, rel, extensions)
        base = "" if rel == "." else _posix(rel)
    selected = []
    for relpath, full in files:
        shown = relpath if not base else base + "/" + relpath
        if options.include and not matches(relpath, options.include):
            continue
        if options.exclude and matches(relpath, options.exclude):
            continue
        if os.path.basename(full) in RENDERER_FILES:
            warnings.append("ignored %s: renderer configuration, not a manifest" % shown)
            continue
        if not is_inside(root, os.path.realpath(full)):
            raise RenderError("file is a symlink pointing outside the source root", subject=shown)
        selected.append((shown, full))
    programs = [(shown, full) for shown, full in selected if full.lower().endswith(JSONNET)]
    evaluated = render_jsonnet.evaluate(root, target, programs, options, rel)
    manifests = []
    for shown, full in selected:
        if shown in evaluated:
            manifests.extend(Manifest(value, where) for value, where in evaluated[shown])
            continue
        text = read_text(full, shown)
        for line, value in session.documents(text, shown, budget=budget):
            where = "%s:%d" % (shown, line)
            verdict = _classify(value, where)
            if verdict == "object":
                manifests.append(Manifest(value, where))
            else:
                warnings.append("ignored %s: %s" % (where, verdict))
    return manifests, warnings
