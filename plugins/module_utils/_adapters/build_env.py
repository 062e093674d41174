# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's build environment: what an Application's render may substitute.

Argo CD gives renderers ``ARGOCD_APP_NAME``, ``ARGOCD_APP_REVISION``, ``KUBE_VERSION``...
and substitutes them into Kustomize label values, images and (on request) annotation
values, and into Jsonnet extVars and TLAs. They are substituted into values here, never
put into a tool's environment: a render sees nothing else of the agent's environment.

The operator may add variables of their own (the ``build_env`` option: a fleet
inventory's group and host variables, docs/fleet.md); they come from the inventory,
which is trusted, and are substituted the same way, so a repository can only name them.
Helm parameter values are substituted too, as Argo CD does.
"""

from __future__ import annotations

import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError

_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RESERVED_PREFIXES = ("ARGOCD_APP_", "KUBE_")


def operator_env(mapping):
    """The ``build_env`` option checked: names as a shell variable's, none of Argo CD's
    own (ARGOCD_APP_*, KUBE_*), values strings, numbers or booleans (as text)."""
    out = {}
    for key, value in sorted((mapping or {}).items()):
        if not isinstance(key, str) or not _NAME.match(key):
            raise GitOpsError("build_env: %r is not a variable name (letters, digits and _, not starting with a digit)" % (key,))
        if key.startswith(_RESERVED_PREFIXES):
            raise GitOpsError("build_env: %s is reserved (Argo CD's ARGOCD_APP_* and KUBE_* variables are set by the render)" % key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        elif not isinstance(value, str):
            raise GitOpsError("build_env: %s must be a string, a number or a boolean, not %s" % (key, type(value).__name__))
        out[key] = value
    return out


def build_env(name="", namespace="", revision="", repo_url="", path="", target_revision="", kube_version="", api_versions=(), extra=None):
    """The variables (docs: user-guide/build-environment of Argo CD), after the
    operator's own (``extra``, checked by operator_env), which cannot replace them."""
    env = dict(extra or {})
    env.update(
        {
            "ARGOCD_APP_NAME": name,
            "ARGOCD_APP_NAMESPACE": namespace,
            "ARGOCD_APP_REVISION": revision,
            "ARGOCD_APP_REVISION_SHORT": revision[:7],
            "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
            "ARGOCD_APP_SOURCE_PATH": path,
            "ARGOCD_APP_SOURCE_REPO_URL": repo_url,
            "ARGOCD_APP_SOURCE_TARGET_REVISION": target_revision,
            "KUBE_VERSION": kube_version,
            "KUBE_API_VERSIONS": ",".join(api_versions),
        }
    )
    return env


def envsubst(text, env):
    """``$VAR`` and ``${VAR}`` replaced from ``env`` (an unknown variable becomes empty,
    as in Argo CD), ``$$`` -> ``$``."""

    def one(match):
        if match.group(3):
            return "$"
        return env.get(match.group(1) if match.group(1) is not None else match.group(2), "")

    return _VARIABLE.sub(one, text)


def substitute_parameters(parameters, env):
    """Helm parameters with ``env`` substituted into their string values (Argo CD's
    ``--helm-set 'app=${ARGOCD_APP_NAME}'``); anything else is left to the parameter checks."""
    return tuple(
        dict(item, value=envsubst(item["value"], env)) if isinstance(item, dict) and isinstance(item.get("value"), str) else item for item in parameters
    )
