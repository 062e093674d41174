# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Multi-source Applications (Argo CD's ``spec.sources``): the decisions.

With ``spec.sources`` set, ``spec.source`` is ignored (as in Argo CD). Each source is
fetched through the Source port like a single source (same git adapter, credentials and
URL checks; without a repoURL, the declaring Application's repository), as an AppSpec of
its own (``source_specs``). A source with a ``ref`` and no ``path`` only lends its
checkout to the others: a Helm value file ``$ref/path/values.yaml`` names a file of that
checkout (the adapter keeps it inside). Every other source is rendered, and the objects
of all of them are one set: an object two sources render is an error naming both.

Status: ``sync.revisions`` lists each source's revision in order, as Argo CD; the
single ``revision`` (what the sync decision, ``operationState`` and history compare)
is those revisions joined by commas, so a change in any source is a new revision, and
a rollback to such a revision pins each source to its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest, validate

# Argo CD's rule for a ref name (a path segment after '$').
_REF = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
SOURCE_MAPPINGS = ("directory", "kustomize", "helm")
REVISION_SEPARATOR = ","


@dataclass(frozen=True)
class FetchedSource:
    """One source, fetched: its own spec, checkout, revision and repository URL."""

    spec: object
    root: str
    revision: str
    repo_url: str
    fetched_url: str = ""
    rendered: bool = True
    ref: str = ""
    subject: str = ""  # the commit's subject line


@dataclass(frozen=True)
class Sourced:
    """Every source of an Application, fetched; ``revisions`` is empty for one source."""

    fetched: tuple
    revision: str
    repo_url: str
    revisions: tuple = ()
    fetched_url: str = ""
    subject: str = ""  # the subject line of the commit rendered (the first rendered source's)


def parse_sources(value):
    """The checked ``spec.sources`` (a tuple of mappings; () when not set)."""
    if value is None or value == []:
        return ()
    if not isinstance(value, list):
        raise InvalidSpec("spec.sources must be a list of sources")
    refs = {}
    for index, source in enumerate(value):
        where = "spec.sources[%d]" % index
        if not isinstance(source, dict):
            raise InvalidSpec("%s must be a mapping" % where)
        path = source.get("path")
        if path is not None and (not isinstance(path, str) or path.startswith("/")):
            raise InvalidSpec("%s.path must be a relative path, got %r" % (where, path))
        for name in SOURCE_MAPPINGS:
            if source.get(name) is not None and not isinstance(source[name], dict):
                raise InvalidSpec("%s.%s must be a mapping" % (where, name))
        ref = source.get("ref")
        if ref is not None:
            if not isinstance(ref, str) or not _REF.match(ref):
                raise InvalidSpec("%s.ref must be letters, digits, '-' and '_' (at most 63), got %r" % (where, ref))
            if ref in refs:
                raise InvalidSpec("%s.ref %s is also the ref of spec.sources[%d]" % (where, ref, refs[ref]))
            refs[ref] = index
    for index, source in enumerate(value):
        for number, entry in enumerate((source.get("helm") or {}).get("valueFiles") or []):
            name = value_file_ref(entry)
            if name is not None and name not in refs:
                raise InvalidSpec("spec.sources[%d].helm.valueFiles[%d] %s names $%s, but no source has ref: %s" % (index, number, entry, name, name))
    return tuple(value)


def value_file_ref(entry):
    """The ref a value file names (``$values/x.yaml`` -> ``values``), or None."""
    if isinstance(entry, str) and entry.startswith("$"):
        return entry[1:].split("/", 1)[0]
    return None


def is_rendered(source):
    """A source with a ref and no path only lends its files to the others (Argo CD)."""
    return not (source.get("ref") and not source.get("path") and not source.get("chart"))


def source_specs(spec):
    """(AppSpec, rendered, ref) of each source: the Application's spec with that
    source's fields (an Application with one source: its own spec)."""
    if not spec.sources:
        return ((spec, True, ""),)
    pinned = spec.pinned_revision.split(REVISION_SEPARATOR) if spec.pinned_revision else [""] * len(spec.sources)
    if len(pinned) != len(spec.sources):
        raise InvalidSpec("the revision to roll back to (%s) does not name one revision per source of spec.sources" % spec.pinned_revision)
    # A chart source (spec.source.chart, Helm chart repositories) keeps its chart: the
    # field exists once chart sources are merged; until then the field table refuses it.
    has_chart = "chart" in getattr(type(spec), "__dataclass_fields__", {})
    out = []
    for source, pin in zip(spec.sources, pinned):
        extra = {"chart": source.get("chart") or ""} if has_chart else {}
        out.append(
            (
                replace(
                    spec,
                    pinned_revision=pin,
                    **extra,
                    repo_url=source.get("repoURL") or "",
                    target_revision=str(source.get("targetRevision") or "HEAD"),
                    path=source.get("path") or ".",
                    directory=source.get("directory") or {},
                    kustomize=source.get("kustomize") or {},
                    helm=source.get("helm") or {},
                    sources=(),
                ),
                is_rendered(source),
                source.get("ref") or "",
            )
        )
    return tuple(out)


def fetch(app, spec, source_port):
    """Fetch every source through the Source port; a Sourced."""
    fetched = []
    for source_spec, rendered, ref in source_specs(spec):
        found = source_port(app, source_spec)  # a ports.Fetched
        fetched.append(FetchedSource(source_spec, found.root, found.revision, found.repo_url, found.fetched_url, rendered, ref, found.subject))
    first = fetched[0]
    if not spec.sources:
        return Sourced(tuple(fetched), first.revision, first.repo_url, fetched_url=first.fetched_url, subject=first.subject)
    revisions = tuple(f.revision for f in fetched)
    shown = next((f for f in fetched if f.rendered), first)
    return Sourced(tuple(fetched), REVISION_SEPARATOR.join(revisions), shown.repo_url, revisions, shown.fetched_url, shown.subject)


def render(sourced, render_port):
    """The objects of every rendered source, as one validated set. With several sources
    each origin starts with ``sources[i]``, and the specs carry ``refs`` (ref name ->
    checkout) for ``$ref`` value files."""
    if not sourced.revisions:
        only = sourced.fetched[0]
        return render_port(only.root, only.spec)
    refs = tuple(sorted((f.ref, f.root) for f in sourced.fetched if f.ref))
    combined = []
    for index, item in enumerate(sourced.fetched):
        if not item.rendered:
            continue
        for manifest in render_port(item.root, replace(item.spec, refs=refs)):
            combined.append(Manifest(manifest.obj, "sources[%d] %s" % (index, manifest.origin)))
    return validate(combined, source="spec.sources")
