# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a path of a checkout into Kubernetes objects.

``render(root, path, options)`` picks a renderer (explicit, or detected like
Argo CD: ``Chart.yaml`` -> helm, a kustomization file -> kustomize, else a
directory of YAML/JSON files), runs it, expands ``kind: List`` documents and
validates the result (apiVersion, kind, name, no duplicate ids, at most
manifests.MAX_OBJECTS objects).
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import expand_lists, validate
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import check_symlinks
from ansible_collections.gitops.k8s.plugins.module_utils._engine.redact import is_secret
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.decrypt_sops import is_encrypted
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.decryption import Session
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_directory import render_directory
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import CHART_FILE, render_helm
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_kustomize import (
    KUSTOMIZATION_FILES,
    render_kustomize,
)
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import resolve_inside

AUTO = "auto"
DIRECTORY = "directory"
KUSTOMIZE = "kustomize"
HELM = "helm"
RENDERERS = (AUTO, DIRECTORY, KUSTOMIZE, HELM)

DEFAULT_TIMEOUT = 90
# How a SOPS-encrypted value and an ansible-vault text begin.
CIPHERTEXT_PREFIXES = ("ENC[AES256_GCM,", "$ANSIBLE_VAULT;")


@dataclass(frozen=True)
class RenderOptions:
    """How to render one path. Defaults match Argo CD's where it has one.

    renderer: auto | directory | kustomize | helm (auto detects, see detect()).
    timeout: seconds allowed to kustomize / helm.

    directory: ``recurse`` into sub-directories (default False, like Argo CD);
    ``include`` / ``exclude``: glob lists matched against the path relative to the
    rendered path (a pattern without ``/`` also matches the file name alone);
    ``jsonnet``: Argo CD's ``directory.jsonnet`` (extVars, tlas, libs) for the
    ``*.jsonnet`` files (render_jsonnet).

    kustomize: ``kustomize_binary`` (default: ``kustomize`` when found, else
    ``kubectl kustomize``); ``kustomize_enable_helm`` (``--enable-helm``, with
    ``helm_binary`` as ``--helm-command``); ``kustomize_args``: extra build args.

    helm: ``helm_binary`` (default ``helm``); ``release_name`` (default: the chart's
    name); ``namespace`` (default ``default``); ``value_files`` (relative to the chart
    directory, must stay inside the checkout; ``$ref/path`` names a file of the checkout
    ``value_refs`` gives for ``ref``, (ref, checkout) pairs of a multi-source Application); ``values`` (inline dict, applied
    after the value files); ``include_crds``; ``kube_version``; ``api_versions``;
    ``skip_tests``; ``skip_schema_validation`` (values.schema.json not checked);
    ``ignore_missing_value_files`` (a value file that does not exist is left out); ``parameters`` (Argo CD's, applied last with helm's ``--set``
    rules); ``file_parameters`` ((name, path) pairs, helm ``--set-file``);
    ``credentials`` for the repositories chart dependencies name.

    ``decryption``: the operator's decryption.Keys for SOPS / ansible-vault encrypted
    manifests and value files (None: an encrypted file is refused, never applied).
    """

    renderer: str = AUTO
    timeout: int = DEFAULT_TIMEOUT
    # directory
    recurse: bool = False
    include: tuple = ()
    exclude: tuple = ()
    jsonnet: dict | None = field(default=None, hash=False)
    # kustomize
    kustomize_binary: str | None = None
    kustomize_enable_helm: bool = False
    kustomize_args: tuple = ()
    kustomize_overrides: dict | None = field(default=None, hash=False)
    build_env: dict | None = field(default=None, hash=False)
    # helm
    helm_binary: str | None = None
    release_name: str | None = None
    namespace: str | None = None
    value_files: tuple = ()
    value_refs: tuple = ()
    values: dict | None = field(default=None, hash=False)
    include_crds: bool = True
    kube_version: str | None = None
    api_versions: tuple = ()
    skip_tests: bool = True
    skip_schema_validation: bool = False
    ignore_missing_value_files: bool = False
    # Argo CD parameters ({name, value, forceString}): helm --set / --set-string rules
    parameters: tuple = field(default=(), hash=False)
    # (name, path) pairs: helm --set-file, the path relative to the chart like value files
    file_parameters: tuple = ()
    # repo_urls.Credentials for the repositories of chart dependencies
    credentials: object = field(default=None, compare=False, repr=False)
    # repo_urls.Rewrites: a dependency repository one covers is refused (helm_dependencies)
    rewrites: object = field(default=None, compare=False, repr=False)
    # decryption.Keys: age / PGP keys and vault passwords (decryption.py)
    decryption: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.renderer not in RENDERERS:
            raise RenderError("unknown renderer %r (choose one of %s)" % (self.renderer, ", ".join(RENDERERS)))
        for name in ("include", "exclude", "kustomize_args", "value_files", "value_refs", "api_versions", "file_parameters"):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, ())
            elif isinstance(value, str):
                object.__setattr__(self, name, (value,))
            else:
                object.__setattr__(self, name, tuple(value))
        if self.values is not None and not isinstance(self.values, dict):
            raise RenderError("helm values must be a mapping, not %s" % type(self.values).__name__)


@dataclass(frozen=True)
class RenderResult:
    """What render() produced: the manifests, notes for the user (ignored files,
    tool warnings), the renderer that ran, and the rendered path."""

    manifests: list
    warnings: list
    renderer: str
    path: str
    # the plain values decryption revealed (to scrub from messages); never shown
    revealed: tuple = field(default=(), repr=False)


def detect(directory):
    """Renderer for a directory: helm if it holds Chart.yaml, kustomize if it holds a
    kustomization file, else directory."""
    if os.path.isfile(os.path.join(directory, CHART_FILE)):
        return HELM
    for name in KUSTOMIZATION_FILES:
        if os.path.isfile(os.path.join(directory, name)):
            return KUSTOMIZE
    return DIRECTORY


def render(root, path, options=None, source=None, symlinks_checked=False):
    """Render ``path`` (relative to the checkout ``root``) into a RenderResult.

    ``source`` names the checkout in messages (e.g. the redacted repo URL and
    commit; default: ``root``). ``symlinks_checked``: the caller found ``root`` free
    of links outside it earlier in this run, at the same commit (the walk of the whole
    checkout is skipped). Raises RenderError (missing path, path outside ``root``, tool
    failure) or ManifestError (invalid YAML or object, duplicate id).
    """
    options = options or RenderOptions()
    source = source or root
    root_real = os.path.realpath(root)
    if not os.path.isdir(root_real):
        raise RenderError("source root is not a directory", subject=source)
    target = resolve_inside(root_real, path, RenderError, "path", source)
    rel = os.path.relpath(target, root_real)
    renderer = options.renderer
    if renderer == AUTO:
        renderer = detect(target) if os.path.isdir(target) else DIRECTORY
    if renderer != DIRECTORY and not os.path.isdir(target):
        raise RenderError("path is not a directory; the %s renderer needs one" % renderer, subject=rel)
    # Every renderer follows links: none runs while one points outside the checkout.
    if not symlinks_checked:
        check_symlinks(root_real, source)

    with Session(options.decryption, options.timeout) as session:
        try:
            if renderer == HELM:
                manifests, warnings = render_helm(root_real, target, rel, options, source, session=session)
            elif renderer == KUSTOMIZE:
                manifests, warnings = render_kustomize(root_real, target, rel, options, source, session=session)
            else:
                manifests, warnings = render_directory(root_real, target, rel, options, session=session)
        except RenderError as exc:
            raise exc.scrubbed(session.scrub) from None
    refuse_encrypted(manifests)
    manifests = validate(expand_lists(manifests), source=rel)
    return RenderResult(manifests, warnings, renderer, rel, tuple(session.revealed))


def refuse_encrypted(manifests):
    """An object still encrypted after rendering (SOPS metadata, or a SOPS / vault
    ciphertext as a value, as a Kustomize generator makes from an encrypted env file
    when no key is configured) is an error: never applied as ciphertext."""
    for manifest in manifests:
        if is_encrypted(manifest.obj) or holds_ciphertext(manifest.obj):
            raise RenderError(
                "is encrypted (SOPS or ansible-vault) and was not decrypted (no decryption key is configured, or a chart's own file)",
                subject=manifest.origin,
            )


def holds_ciphertext(value):
    """True when a string of ``value`` (or a Secret's base64 ``data`` value) is SOPS or
    ansible-vault ciphertext."""
    if isinstance(value, str):
        return value.startswith(CIPHERTEXT_PREFIXES)
    if isinstance(value, list):
        return any(holds_ciphertext(item) for item in value)
    if not isinstance(value, dict):
        return False
    if is_secret(value) and isinstance(value.get("data"), dict):
        for item in value["data"].values():
            try:
                if base64.b64decode("".join(str(item or "").split()), validate=True).startswith(tuple(p.encode() for p in CIPHERTEXT_PREFIXES)):
                    return True
            except (binascii.Error, ValueError):
                continue
    return any(holds_ciphertext(item) for item in value.values())
