# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory of a standalone sync (no Application): a ConfigMap holding the entries.

Used by the sync and drift_info modules when they are given ``inventory`` instead of an
Application; Applications keep their inventory in their own status.
"""

from __future__ import annotations

import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine import inventory
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANNOTATION_PREFIX, FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError

DATA_KEY = "inventory.json"


class ConfigMapInventory:
    def __init__(self, cluster, namespace, name):
        self.cluster = cluster
        self.namespace = namespace
        self.name = name
        self.rtype = cluster.resolve("v1", "ConfigMap")
        self._live = None

    @property
    def owner(self):
        """Tracking owner written on every object of this inventory."""
        return "inventory:%s/%s" % (self.namespace, self.name)

    def load(self):
        self._live = self.cluster.get(self.rtype, self.namespace, self.name)
        if self._live is None:
            return ()
        raw = (self._live.get("data") or {}).get(DATA_KEY) or "[]"
        try:
            return inventory.from_status(json.loads(raw))
        except ValueError as exc:
            raise GitOpsError("inventory ConfigMap %s/%s is corrupt: %s" % (self.namespace, self.name, exc)) from exc

    def save(self, entries):
        """Write the entries; returns True when the ConfigMap changed."""
        text = json.dumps(inventory.to_status(entries), sort_keys=True, separators=(",", ":"))
        if self._live is not None and (self._live.get("data") or {}).get(DATA_KEY) == text:
            return False
        self.cluster.apply(
            self.rtype,
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": self.name,
                    "namespace": self.namespace,
                    "labels": {"app.kubernetes.io/managed-by": FIELD_MANAGER},
                    "annotations": {ANNOTATION_PREFIX + "inventory": "true"},
                },
                "data": {DATA_KEY: text},
            },
            force=True,
        )
        return True
