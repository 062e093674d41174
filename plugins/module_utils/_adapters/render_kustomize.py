# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderer for a kustomization: ``kustomize build DIR`` or ``kubectl kustomize DIR``.

A non-zero exit is a RenderError carrying kustomize's trimmed stderr; a
successful run that wrote warnings to stderr succeeds, and the warnings are
returned to the caller.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import helm_command, helm_env
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.tools import find_binary, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_manifests

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_command(binary):
    """argv prefix for a build: ``[kustomize, build]`` or ``[kubectl, kustomize]``.

    ``binary`` (a name or a path) may be either tool, told apart by its file name;
    without it, ``kustomize`` is used when found, else ``kubectl kustomize``.
    """
    if binary:
        path = find_binary(binary)
        if path is None:
            raise RenderError(
                "kustomize binary %s not found (looked on PATH and beside the Python interpreter); "
                "install it or set the kustomize binary option to an executable path" % binary,
                subject=binary,
            )
        if os.path.basename(path).startswith("kubectl"):
            return [path, "kustomize"]
        return [path, "build"]
    path = find_binary("kustomize")
    if path:
        return [path, "build"]
    path = find_binary("kubectl")
    if path:
        return [path, "kustomize"]
    raise RenderError(
        "neither kustomize nor kubectl was found on PATH or beside the Python interpreter; "
        "install one of them or set the kustomize binary option",
        subject="kustomize",
    )


def render_kustomize(root, target, rel, options, source):
    """Build the kustomization in ``target``; returns (manifests, warnings)."""
    argv = kustomize_command(options.kustomize_binary) + [target]
    home = tempfile.mkdtemp(prefix="gitops-k8s-kustomize-")
    try:
        if options.kustomize_enable_helm:
            argv += ["--enable-helm", "--helm-command", helm_command(options.helm_binary)]
            env = helm_env(home)
        else:
            env = tool_env()
        argv += list(options.kustomize_args)
        result = run(argv, RenderError, rel, env=env, cwd=home, timeout=options.timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if result.rc != 0:
        raise RenderError(
            "kustomize build failed in %s (exit %d): %s"
            % (source, result.rc, trim(result.stderr) or "no error output"),
            subject=rel,
        )
    origin = "kustomize:%s" % rel
    manifests = load_manifests(result.stdout, origin, locate=lambda line: origin)
    warnings = ["kustomize %s: %s" % (rel, trim(result.stderr))] if result.stderr.strip() else []
    return manifests, warnings
