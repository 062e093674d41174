# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's build environment: what an Application's render may substitute.

Argo CD gives renderers ``ARGOCD_APP_NAME``, ``ARGOCD_APP_REVISION``, ``KUBE_VERSION``...
and substitutes them into Kustomize label values, images and (on request) annotation
values, and into Jsonnet extVars and TLAs. They are substituted into values here, never
put into a tool's environment: a render sees nothing else of the agent's environment.
"""

from __future__ import annotations

import re

_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))")


def build_env(name="", namespace="", revision="", repo_url="", path="", target_revision="", kube_version="", api_versions=()):
    """The variables (docs: user-guide/build-environment of Argo CD)."""
    return {
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


def envsubst(text, env):
    """``$VAR`` and ``${VAR}`` replaced from ``env`` (an unknown variable becomes empty,
    as in Argo CD), ``$$`` -> ``$``."""

    def one(match):
        if match.group(3):
            return "$"
        return env.get(match.group(1) if match.group(1) is not None else match.group(2), "")

    return _VARIABLE.sub(one, text)
