# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Multi-source Applications (spec.sources) over the in-memory cluster."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched
from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, multi_source
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_API_VERSION, APP_KIND
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .fake_cluster import World

NS = "gitops-system"
CHART = {
    "repoURL": "https://git.example.test/charts.git",
    "targetRevision": "v1.2.0",
    "path": "charts/guestbook",
    "helm": {"valueFiles": ["$values/envs/prod/values.yaml"]},
}
VALUES = {"repoURL": "https://git.example.test/config.git", "targetRevision": "main", "ref": "values"}


def cm(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}}


def app(sources, source=None):
    spec = {"sources": sources, "destination": {"namespace": "demo"}, "syncPolicy": {"automated": {"prune": True}}}
    if source:
        spec["source"] = source
    return {"apiVersion": APP_API_VERSION, "kind": APP_KIND, "metadata": {"name": "multi-guestbook", "namespace": NS}, "spec": spec}


class Sources:
    """Source and render ports that record what they were asked."""

    def __init__(self, world):
        self.world = world
        self.revisions = {"https://git.example.test/charts.git": "c1", "https://git.example.test/config.git": "v1", "https://git.example.test/extra.git": "e1"}
        self.rendered = []

    def source(self, _app, spec):
        return Fetched("/cache/" + spec.repo_url.rsplit("/", 1)[-1], self.revisions[spec.repo_url], spec.repo_url)

    def render(self, root, spec):
        self.rendered.append((root, spec.path, spec.helm, spec.refs))
        return self.world.render(root, spec)


@pytest.fixture
def world():
    w = World()
    sources = Sources(w)
    w.ports_sources = sources
    ports = w.ports
    w.ports = lambda: ports().with_changes(source=sources.source, render=sources.render)
    return w


def test_chart_from_one_repo_with_values_from_another(world):
    world.paths = {"charts/guestbook": [cm("guestbook-ui")]}
    outcome = world.run(app([CHART, VALUES]))
    assert outcome.error is None
    # only the chart is rendered; its value file's ref points at the values checkout
    assert world.ports_sources.rendered == [("/cache/charts.git", "charts/guestbook", CHART["helm"], (("values", "/cache/config.git"),))]
    assert outcome.status["sync"]["revisions"] == ["c1", "v1"]
    assert outcome.status["sync"]["revision"] == "c1,v1"
    assert outcome.status["sync"]["repoURL"] == "https://git.example.test/charts.git"
    assert [e.subject for e in outcome.changeset.entries] == ["ConfigMap/demo/guestbook-ui"]


def test_a_new_revision_of_the_values_repo_syncs_again(world):
    world.paths = {"charts/guestbook": [cm("guestbook-ui")]}
    obj = app([CHART, VALUES])
    world.run(obj)
    world.paths = {"charts/guestbook": [dict(cm("guestbook-ui"), data={"k": "new"})]}
    world.ports_sources.revisions["https://git.example.test/config.git"] = "v2"
    outcome = world.run(obj)
    assert outcome.synced and outcome.reason.startswith("new revision")
    assert outcome.status["sync"]["revisions"] == ["c1", "v2"]


def test_objects_of_all_sources_are_combined_and_duplicates_name_both(world):
    extra = {"repoURL": "https://git.example.test/extra.git", "path": "extra"}
    world.paths = {"charts/guestbook": [cm("guestbook-ui")], "extra": [cm("dashboards")]}
    outcome = world.run(app([CHART, VALUES, extra]))
    assert sorted(e.subject for e in outcome.changeset.entries) == ["ConfigMap/demo/dashboards", "ConfigMap/demo/guestbook-ui"]
    world.paths["extra"] = [cm("guestbook-ui")]
    outcome = world.run(app([CHART, VALUES, extra]))
    assert outcome.error is not None
    message = str(outcome.error)
    assert "duplicate object ConfigMap/guestbook-ui" in message
    assert "sources[0] charts/guestbook/x.yaml:1" in message and "sources[2] extra/x.yaml:1" in message


def test_single_source_status_has_no_revisions(world):
    world.paths = {"charts/guestbook": [cm("guestbook-ui")]}
    outcome = world.run(app([], source={"repoURL": "https://git.example.test/charts.git", "path": "charts/guestbook"}))
    assert "revisions" not in outcome.status["sync"]
    assert outcome.status["sync"]["revision"] == "c1"


def test_source_is_ignored_with_a_warning_when_sources_is_set():
    spec = application.parse(app([VALUES, {"repoURL": "https://git.example.test/extra.git", "path": "x"}], source={"path": "old"}))
    assert any("spec.source is ignored" in w for w in spec.warnings)
    assert [s.path for s, _rendered, _ref in multi_source.source_specs(spec)] == [".", "x"]


@pytest.mark.parametrize(
    "sources, message",
    [
        ([CHART], r"valueFiles\[0\] \$values/envs/prod/values.yaml names \$values, but no source has ref: values"),
        ([VALUES, dict(VALUES)], r"spec.sources\[1\].ref values is also the ref of spec.sources\[0\]"),
        ([{"repoURL": "x", "ref": "../etc"}], r"ref must be letters"),
        ([{"repoURL": "x", "path": "/etc"}], r"spec.sources\[0\].path must be a relative path"),
        ("not-a-list", r"spec.sources must be a list"),
    ],
)
def test_invalid_sources_are_refused(sources, message):
    with pytest.raises(InvalidSpec, match=message):
        multi_source.parse_sources(sources)


def test_a_rollback_pins_each_source_to_its_own_revision():
    spec = application.parse(app([CHART, VALUES]))
    pinned = [s.pinned_revision for s, _rendered, _ref in multi_source.source_specs(replace(spec, pinned_revision="c0,v0"))]
    assert pinned == ["c0", "v0"]
    with pytest.raises(InvalidSpec, match="does not name one revision per source"):
        multi_source.source_specs(replace(spec, pinned_revision="c0"))
