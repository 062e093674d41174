# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Projects of one run: one LIST per control namespace, shared by its Applications.

A Project decides what an Application may write, so it is read from the API server (not
its watch cache) and never kept across runs. Within a run it is read once: a Project
changed by someone else while the run goes on is seen by the next run, as a Project changed
just after a run is. Once the run itself wrote a Project (an app-of-apps that declares
Projects beside its children), every Application after that reads them again, so a child
is always checked against the Project its parent just applied.
"""

from __future__ import annotations

import threading

from ansible_collections.gitops.k8s.plugins.module_utils._engine import projects
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, PROJECT_KIND


class RunProjects:
    """``catalog(namespace)``: the projects.Catalog of ``namespace`` for this run's ``cluster``."""

    def __init__(self, cluster):
        self.cluster = cluster
        self._catalogs = {}
        self._guard = threading.Lock()  # Applications of one wave ask side by side: one LIST each namespace

    def _written(self):
        """Whether this run wrote a Project (a cluster that does not say what it wrote: always)."""
        written = getattr(self.cluster, "written", None)
        return written is None or (API_GROUP, PROJECT_KIND) in written

    def catalog(self, namespace):
        if self._written():
            return projects.load(self.cluster, namespace)
        with self._guard:
            if namespace not in self._catalogs:
                self._catalogs[namespace] = projects.load(self.cluster, namespace)
            return self._catalogs[namespace]
