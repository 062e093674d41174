# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes API version priority (the order ``kubectl`` and the API server prefer).

Pure: GA versions first, then beta, then alpha, each newest first (``v2`` > ``v1`` >
``v1beta2`` > ``v1beta1`` > ``v1alpha1``); versions that follow no pattern come last,
alphabetically.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_LEVEL = {None: 0, "beta": 1, "alpha": 2}


def version_key(version):
    """Sort key of a version (``v1``, ``v1beta1``...): the preferred version sorts first."""
    match = _VERSION.match(version or "")
    if not match:
        return (3, 0, 0, version or "")
    major, level, minor = match.groups()
    return (_LEVEL[level], -int(major), -int(minor or 0), "")


def api_version_key(api_version):
    """Sort key of an apiVersion (``batch/v1``, ``v1``): by version priority, then group."""
    group, _sep, version = api_version.rpartition("/")
    return version_key(version) + (group,)


def by_priority(api_versions):
    """The apiVersions, deduplicated, preferred first."""
    return sorted(set(api_versions), key=api_version_key)
