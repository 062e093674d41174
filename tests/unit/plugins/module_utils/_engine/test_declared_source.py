# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""declared_source: which Application's repository an Application uses, at which
revision (a table of declaring chains, read through a plain lookup)."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, declared_source, inventory
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, APP_API_VERSION, APP_KIND, APP_MAX_DEPTH
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import tracking_id

NS = "gitops-system"
REPO = "https://git.example.test/team/apps.git"


def app(name, parent=None, repo=None, ref="main", synced=None):
    source = {"path": name}
    if repo:
        source.update(repoURL=repo, targetRevision=ref)
    obj = {
        "apiVersion": APP_API_VERSION,
        "kind": APP_KIND,
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": source, "destination": {"namespace": "demo"}},
    }
    if parent:
        obj["metadata"]["annotations"] = {ANN_TRACKING_ID: tracking_id("%s/%s" % (NS, parent), inventory.entry_of(obj))}
    if synced:
        obj["status"] = {"sync": {"status": "Synced", "revision": synced}}
    return obj


def chain_of(*objs):
    """The lookup port over these Applications, and the reads it served."""
    by_key = dict(((o["metadata"]["namespace"], o["metadata"]["name"]), o) for o in objs)
    reads = []

    def lookup(namespace, name):
        reads.append(name)
        return by_key.get((namespace, name))

    return lookup, reads


# (case, live Applications, reconciled one, expected holder, expected ref, expected reads)
TABLE = [
    ("own repoURL: itself at its targetRevision", [], app("a", repo=REPO, ref="v1"), "a", "v1", []),
    (
        "own repoURL, declared by a parent: still itself, no read",
        [app("root", repo=REPO, synced="c0")],
        app("a", parent="root", repo=REPO, ref="v2"),
        "a",
        "v2",
        [],
    ),
    (
        "no repoURL: the parent's repository at the revision the parent synced",
        [app("root", repo=REPO, ref="main", synced="c0ffee")],
        app("a", parent="root"),
        "root",
        "c0ffee",
        ["root"],
    ),
    ("the parent has not synced yet: its targetRevision", [app("root", repo=REPO, ref="main")], app("a", parent="root"), "root", "main", ["root"]),
    (
        "two levels without repoURL: the grandparent",
        [app("root", repo=REPO, synced="c1"), app("mid", parent="root")],
        app("leaf", parent="mid"),
        "root",
        "c1",
        ["mid", "root"],
    ),
    (
        "nearest repoURL wins",
        [app("root", repo=REPO, synced="c1"), app("mid", parent="root", repo=REPO + "x", synced="c2")],
        app("leaf", parent="mid"),
        "mid",
        "c2",
        ["mid"],
    ),
    ("no repoURL up to the root: the root (its source is the checkout)", [app("root")], app("a", parent="root"), "root", None, ["root"]),
    ("a root without repoURL: itself", [], app("root"), "root", None, []),
    ("a loop without repoURL ends the walk", [app("x", parent="y"), app("y", parent="x")], app("x", parent="y"), "y", None, ["y"]),
]


@pytest.mark.parametrize("case, live, reconciled, expected, ref, reads", TABLE, ids=[row[0] for row in TABLE])
def test_holder_and_revision(case, live, reconciled, expected, ref, reads):
    lookup, done = chain_of(*live)
    spec = application.parse(reconciled)
    holder, holder_spec = declared_source.holder(reconciled, spec, lookup)
    assert holder["metadata"]["name"] == expected, case
    assert done == reads, case
    assert holder_spec == application.parse(holder)
    if ref is None:
        assert not holder_spec.repo_url
    else:
        assert declared_source.revision(reconciled, holder, holder_spec) == ref


def test_a_declaring_application_that_no_longer_exists_is_a_source_error():
    lookup, _reads = chain_of(app("mid", parent="gone"))
    child = app("leaf", parent="mid")
    with pytest.raises(SourceError, match="its declaring Application gitops-system/gone no longer exists") as caught:
        declared_source.holder(child, application.parse(child), lookup)
    assert caught.value.subject == "%s/leaf" % NS


def test_a_chain_deeper_than_the_bound_stops_without_error_and_reads_a_bounded_number():
    chain = [app("level-0")] + [app("level-%d" % i, parent="level-%d" % (i - 1)) for i in range(1, APP_MAX_DEPTH + 5)]
    lookup, reads = chain_of(*chain)
    leaf = chain[-1]
    holder, holder_spec = declared_source.holder(leaf, application.parse(leaf), lookup)
    assert not holder_spec.repo_url and holder["metadata"]["name"] != "level-0"
    assert len(reads) == APP_MAX_DEPTH


def test_a_declaring_application_with_several_sources_is_a_source_error():
    parent = app("multi")
    parent["spec"]["sources"] = [{"repoURL": REPO, "path": "a"}, {"repoURL": REPO, "path": "b"}]
    lookup, _reads = chain_of(parent)
    child = app("leaf", parent="multi")
    with pytest.raises(SourceError, match="its declaring Application gitops-system/multi has several sources"):
        declared_source.holder(child, application.parse(child), lookup)
