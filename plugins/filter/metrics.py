# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The prometheus_textfile filter: gitops.k8s.app results as node_exporter textfile metrics."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.module_utils._engine import prometheus_text


def prometheus_textfile(results):
    """Prometheus text of the Applications in ``results`` (gitops.k8s.app results, or
    the rows of one with all=true); deleted Applications and results without a
    recorded status are left out."""
    if not isinstance(results, (list, tuple)):
        raise AnsibleFilterError("prometheus_textfile expects a list of gitops.k8s.app results, got %s" % type(results).__name__)
    applications = []
    for result in results:
        if not isinstance(result, dict) or result.get("deleted") or not result.get("status"):
            continue
        namespace, _sep, name = str(result.get("application") or "").partition("/")
        if namespace and name:
            applications.append((namespace, name, result["status"]))
    return prometheus_text.render(applications)


class FilterModule:
    """gitops.k8s metrics filters."""

    def filters(self):
        return {"prometheus_textfile": prometheus_textfile}
