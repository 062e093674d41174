# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ports: what the engine needs from the outside world.

Adapters in _adapters/ implement these; the engine only calls the methods below.
"""

from __future__ import annotations

from dataclasses import dataclass

try:
    from typing import Protocol
except ImportError:  # pragma: no cover - Python < 3.8
    Protocol = object


@dataclass(frozen=True)
class ResourceType:
    """A served kind: how to reach it and whether it is namespaced."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version


class Cluster(Protocol):
    """The Kubernetes API as the engine uses it. Objects are plain dicts."""

    def resolve(self, api_version, kind):
        """ResourceType of apiVersion/kind; raises UnknownKindError when not served."""

    def refresh_discovery(self):
        """Forget cached discovery (after CRDs were created)."""

    def list(self, rtype, namespace):
        """Every object of rtype in namespace (None: all namespaces / cluster-scoped)."""

    def get(self, rtype, namespace, name):
        """One object, or None when it does not exist."""

    def apply(self, rtype, obj, dry_run=False, force=False):
        """Server-side apply with our field manager; returns the resulting object."""

    def delete(self, rtype, namespace, name, uid=None, propagation="Background"):
        """Delete one object (precondition on uid when given); False when already gone."""


class Clock(Protocol):
    """Time source, injectable for tests."""

    def now(self):
        """Seconds since the epoch."""

    def sleep(self, seconds):
        """Wait."""
