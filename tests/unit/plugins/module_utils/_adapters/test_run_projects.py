# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Projects of a run (run_projects.py): one LIST per control namespace, read again for
every Application once the run wrote a Project."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.run_projects import RunProjects
from ansible_collections.gitops.k8s.plugins.module_utils._engine import projects
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, PROJECT_KIND

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeCluster


class WritesCluster(FakeCluster):
    def __init__(self):
        super().__init__()
        self.written = set()


def project(name, repos):
    return {"apiVersion": projects.PROJECT_API_VERSION, "kind": PROJECT_KIND, "metadata": {"name": name, "namespace": "ops"}, "spec": {"sourceRepos": repos}}


def project_lists(cluster):
    return [c for c in cluster.calls if c[0] == "list" and c[1] == PROJECT_KIND]


def test_one_list_per_namespace_until_the_run_writes_a_project():
    cluster = WritesCluster()
    cluster.apply(cluster.resolve("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}})
    rtype = cluster.resolve(projects.PROJECT_API_VERSION, PROJECT_KIND)
    cluster.apply(rtype, project("team", ["https://a.example/*"]))
    run = RunProjects(cluster)
    first = run.catalog("ops")
    assert run.catalog("ops") is first and run.catalog("ops").get("team").subject == first.get("team").subject
    run.catalog("other")
    assert len(project_lists(cluster)) == 2
    cluster.apply(rtype, project("team", ["https://b.example/*"]))
    cluster.written.add((API_GROUP, PROJECT_KIND))  # as KubeCluster records its writes
    again = run.catalog("ops")
    assert again is not first and len(project_lists(cluster)) == 3
    run.catalog("ops")
    assert len(project_lists(cluster)) == 4  # from now on read for every Application


def test_a_cluster_that_does_not_say_what_it_wrote_is_read_every_time():
    cluster = FakeCluster()
    run = RunProjects(cluster)
    run.catalog("ops")
    run.catalog("ops")
    assert len(project_lists(cluster)) == 2
