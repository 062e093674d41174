# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renderer for a kustomization: ``kustomize build DIR`` or ``kubectl kustomize DIR``.

Before kustomize runs, every path of the kustomization graph is checked to stay
inside the checkout (kustomize_paths). Kustomize then runs with
``--load-restrictor=LoadRestrictionsRootOnly`` stated explicitly, never with
``--enable-alpha-plugins`` or ``--enable-exec`` (refused in the extra arguments
too), and with its plugin and XDG config homes in an empty temporary directory:
a repository can neither run a program nor read outside its checkout. Both
tools take the same flags; the directory comes after ``--``.

A non-zero exit is a RenderError carrying kustomize's trimmed stderr; a
successful run that wrote warnings to stderr succeeds, and the warnings are
returned to the caller.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kustomize_decryption, kustomize_overrides
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import inside_repository
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kustomize_paths import (  # noqa: F401  pylint: disable=unused-import
    KUSTOMIZATION_FILES,
    Kustomization,
    check_kustomization_paths,
    kustomization_file,
)
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import (
    API_VERSION,
    KUBE_VERSION,
    check_value,
    helm_command,
    helm_env,
    shown,
)
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import find_binary, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_manifests

KUBE_VERSION_FIELD = "spec.source.kustomize.kubeVersion"
API_VERSIONS_FIELD = "spec.source.kustomize.apiVersions"
LOAD_RESTRICTOR = "--load-restrictor=LoadRestrictionsRootOnly"
# Flags of kustomize build / kubectl kustomize that would let a repository run programs
# (plugins, exec and container functions, with their mounts, network and environment)
# or load files from outside its kustomization.
REFUSED_ARGS = (
    "--enable-alpha-plugins",
    "--enable-exec",
    "--enable-star",
    "--load-restrictor",
    "--mount",
    "--network",
    "--network-name",
    "--as-current-user",
    "--env",
    "-e",
)


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
        "neither kustomize nor kubectl was found on PATH or beside the Python interpreter; install one of them or set the kustomize binary option",
        subject="kustomize",
    )


def extra_args(args):
    """The operator's extra build arguments, without those that reopen plugins, exec or loading."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in REFUSED_ARGS or (arg.startswith("-e") and not arg.startswith("--")):
            raise RenderError(
                "%s is not allowed: it would let a repository run programs or read outside its checkout" % shown(arg),
                subject="kustomize_args",
            )
    return list(args)


def kustomize_env(home, enable_helm):
    """Environment for kustomize: plugin and XDG config homes in empty directories
    below ``home`` (and helm's, when Helm charts are enabled)."""
    base = helm_env(home) if enable_helm else tool_env()
    for name, directory in (("KUSTOMIZE_PLUGIN_HOME", "kustomize-plugins"), ("XDG_CONFIG_HOME", "xdg-config")):
        base[name] = os.path.join(home, directory)
        os.mkdir(base[name], 0o700)
    return base


def render_kustomize(root, target, rel, options, source, session=None):
    """Build the kustomization in ``target``; returns (manifests, warnings).

    With Argo CD's overrides (``options.kustomize_overrides``) the build runs on a
    private copy of the checkout whose kustomization carries them (kustomize_overrides);
    the path checks run on what is built. Encrypted files of the graph are decrypted
    by ``session`` into another private copy (kustomize_decryption)."""
    argv = kustomize_command(options.kustomize_binary) + [LOAD_RESTRICTOR]
    if options.kustomize_enable_helm:
        argv += ["--enable-helm", "--helm-command=%s" % helm_command(options.helm_binary)]
        argv += helm_version_args(options)
    argv += extra_args(options.kustomize_args)
    overrides = options.kustomize_overrides or {}
    home = tempfile.mkdtemp(prefix="gitops-k8s-kustomize-")
    try:
        if kustomize_overrides.has_edits(overrides):
            root, target = _overridden_copy(root, target, rel, overrides, options, home, source)
        directories = check_kustomization_paths(root, target, source, options.kustomize_enable_helm)
        root, target = kustomize_decryption.decrypted_copy(root, target, rel, directories, session)
        env = kustomize_env(home, options.kustomize_enable_helm)
        result = run(argv + ["--", target], RenderError, rel, env=env, cwd=home, timeout=options.timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    stderr = result.stderr.replace(root + os.sep, "")
    if result.rc != 0:
        raise RenderError(
            "kustomize build failed in %s (exit %d): %s" % (source, result.rc, (session.scrub(trim(stderr)) if session else trim(stderr)) or "no error output"),
            subject=rel,
        )
    origin = "kustomize:%s" % rel
    manifests = load_manifests(result.stdout, origin, locate=lambda line: origin)
    warnings = ["kustomize %s: %s" % (rel, trim(stderr))] if stderr.strip() else []
    return manifests, warnings


def helm_version_args(options):
    """``--helm-kube-version`` / ``--helm-api-versions`` for the Helm charts of a
    kustomization (Argo CD's kustomize.kubeVersion / apiVersions), checked like helm's."""
    args = []
    if options.kube_version:
        args.append("--helm-kube-version=%s" % check_value(options.kube_version, KUBE_VERSION, KUBE_VERSION_FIELD))
    for api_version in options.api_versions:
        args.append("--helm-api-versions=%s" % check_value(api_version, API_VERSION, API_VERSIONS_FIELD))
    return args


def _overridden_copy(root, target, rel, overrides, options, home, source):
    """(root, target) of a private copy of the kustomization graph of ``rel`` whose
    kustomization has the overrides applied."""
    path = kustomization_file(target)
    if path is None:
        raise RenderError("has no kustomization file for the kustomize overrides to edit", subject=rel)
    doc = Kustomization(root, path, source).load()
    edited = kustomize_overrides.apply(doc, overrides, dict(options.build_env or {}), target)
    directories = check_kustomization_paths(root, target, source, options.kustomize_enable_helm)
    for component in edited.get("components") or []:  # the spec's components join the graph
        real = os.path.realpath(os.path.join(target, component)) if isinstance(component, str) else None
        if real and os.path.isdir(real) and inside_repository(root, real):
            directories += check_kustomization_paths(root, real, source, options.kustomize_enable_helm)
    copy_root = kustomize_overrides.private_copy(root, home, directories)
    copy_target = os.path.join(copy_root, rel) if rel != "." else copy_root
    kustomize_overrides.write_kustomization(os.path.join(copy_target, os.path.basename(path)), edited)
    return copy_root, copy_target
