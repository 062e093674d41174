# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Our CustomResourceDefinitions, and waiting for a CRD to become Established.

``definition()`` builds the CRDs of our kinds (Application, Project, ApplicationSet) in
one shape; each kind's module gives its names, columns and spec schema.

Two callers need the wait: the Application CRD installed by a module, and a CRD created by a
sync before its custom resources. One loop serves both so they agree on what counts as
ready (the CRD's health check: Established, or names refused) and on how often to ask.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import health
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, API_VERSION, CRD_API_VERSION, CRD_KIND, CRD_POLL_INTERVAL, HEALTHY

ANY_OBJECT = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def definition(kind, plural, short_name, description, spec, columns, status_subresource):
    """The CRD (apiextensions.k8s.io/v1) of our namespaced ``kind``: ``spec`` is the schema
    of its spec, ``columns`` its printer columns; ``status`` keeps any field."""
    version = {"name": API_VERSION, "served": True, "storage": True}
    if status_subresource:
        version["subresources"] = {"status": {}}
    version["additionalPrinterColumns"] = columns
    version["schema"] = {
        "openAPIV3Schema": {
            "type": "object",
            "description": description,
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object"},
                "spec": spec,
                "status": ANY_OBJECT,
            },
        }
    }
    return {
        "apiVersion": CRD_API_VERSION,
        "kind": CRD_KIND,
        "metadata": {"name": plural + "." + API_GROUP},
        "spec": {
            "group": API_GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": kind,
                "listKind": kind + "List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": [short_name],
                "categories": ["gitops"],
            },
            "versions": [version],
        },
    }


def wait_established(cluster, clock, name, timeout):
    """True once the CRD ``name`` is Established (discovery refreshed, so its kind resolves),
    False when ``timeout`` seconds passed first. The caller raises its own error: what
    failed (installing the Application CRD, applying one object) is its to say."""
    crd_type = cluster.resolve(CRD_API_VERSION, CRD_KIND)
    deadline = clock.now() + timeout
    while health.assess(cluster.get(crd_type, None, name)).status != HEALTHY:
        if clock.now() >= deadline:
            return False
        clock.sleep(CRD_POLL_INTERVAL)
    cluster.refresh_discovery()
    return True
