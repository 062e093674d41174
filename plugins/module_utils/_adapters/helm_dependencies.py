# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chart ``dependencies``: ``helm dependency build``, as Argo CD runs it before rendering.

A chart whose Chart.yaml lists dependencies that are not all in its ``charts/``
directory is copied into the private Helm home (the checkout and the chart cache stay
as they were) and ``helm dependency build`` runs there: with a Chart.lock it fetches
the locked versions, without one it resolves the ranges (``helm dependency update``
semantics, which is what helm's build does when there is no lock). Helm reaches only
the repositories the chart names, each checked like any repository URL and given the
credential of the longest URL prefix covering it; ``file://`` dependencies must stay
inside the checkout and are copied beside the chart at the same relative place.
Repository aliases (``@name``, ``alias:name``) name a user's local helm setup, which
the agent does not have: they are refused with a message saying what to write. So is
a repository an operator's ``repo_url_rewrites`` rule covers: helm fetches from the
URL Chart.yaml names (Chart.lock's digest covers it), so the mirror cannot stand in.
"""

from __future__ import annotations

import glob
import os
import shutil

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError, SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import helm_repos
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import resolve_inside, run
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_documents, read_text

FILE_PREFIX = "file://"


def dependencies(chart_dir, chart_file):
    """The ``dependencies`` of Chart.yaml (a list of mappings)."""
    docs = load_documents(read_text(os.path.join(chart_dir, "Chart.yaml"), chart_file), chart_file)
    meta = docs[0][1] if docs and isinstance(docs[0][1], dict) else {}
    deps = meta.get("dependencies") or []
    if not isinstance(deps, list) or not all(isinstance(d, dict) and isinstance(d.get("name"), str) for d in deps):
        raise RenderError("dependencies must be a list of {name, version, repository}", subject=chart_file)
    return deps


def vendored(chart_dir, dep):
    """True when ``charts/`` already holds the dependency (an archive or a directory)."""
    charts = os.path.join(chart_dir, "charts")
    name = dep["name"]
    return os.path.isfile(os.path.join(charts, name, "Chart.yaml")) or bool(glob.glob(os.path.join(charts, glob.escape(name) + "-*.tgz")))


def prepare(root, chart_dir, rel, home, helm, env, *, credentials, timeout, source, rewrites=None):
    """The chart directory helm template should read: ``chart_dir`` itself when nothing is
    to build, else a copy in ``home`` with its dependencies built."""
    chart_file = "%s/Chart.yaml" % rel if rel != "." else "Chart.yaml"
    deps = dependencies(chart_dir, chart_file)
    if not deps or all(vendored(chart_dir, dep) for dep in deps):
        return chart_dir
    repos = helm_repos.HelmRepos(home, credentials)
    mirror = os.path.join(home, "tree")
    local = []
    plain_http = False
    for number, dep in enumerate(deps):
        repository = dep.get("repository") or ""
        subject = "%s dependencies[%d] (%s)" % (chart_file, number, dep["name"][:60])
        if not isinstance(repository, str):
            raise RenderError("repository must be a string", subject=subject)
        if not repository:
            if not vendored(chart_dir, dep):
                raise RenderError("has no repository and is not in charts/", subject=subject)
        elif repository.startswith(FILE_PREFIX):
            dep_rel = os.path.normpath(os.path.join(rel, repository[len(FILE_PREFIX) :]))
            resolve_inside(root, dep_rel, RenderError, "file:// dependency", source)
            local.append(dep_rel)
        elif repository.startswith(("@", "alias:")):
            raise RenderError(
                "repository %s names a local helm repository alias, which the agent does not have; "
                "write the repository URL (https://... or oci://...)" % repository[:60],
                subject=subject,
            )
        else:
            if rewrites is not None and rewrites.apply(repository) != repository:
                # helm reads the URL from Chart.yaml, and Chart.lock's digest covers it
                raise RenderError(
                    "repo_url_rewrites covers repository %s, but helm fetches a dependency from the URL Chart.yaml "
                    "names; vendor the dependency into charts/ or name the mirror's URL in Chart.yaml" % repo_urls.display(repository),
                    subject=subject,
                )
            try:
                parsed = repos.add_dependency(repository, "dep-%d" % number)
            except SourceError as exc:
                raise RenderError(exc.message, subject=subject) from exc
            plain_http = plain_http or (parsed.scheme == repo_urls.OCI_SCHEME and helm_repos.uses_plain_http(parsed, repos.credentials.for_url(parsed)))
    repos.write()
    copy = _mirror(root, chart_dir, rel, mirror, local)
    argv = [helm, "dependency", "build"] + (["--plain-http"] if plain_http else []) + _registry_tls_flags(repos, chart_file) + ["--", copy]
    result = run(argv, RenderError, rel, env=env, cwd=home, timeout=timeout, scrub=repos.scrub)
    if result.rc != 0:
        raise RenderError(
            "helm dependency build failed in %s (exit %d): %s" % (source, result.rc, helm_repos.failure_reason(result, repos.scrub)), subject=chart_file
        )
    return copy


def _registry_tls_flags(repos, chart_file):
    """helm dependency build takes one set of TLS flags for every registry it reaches
    (chart repositories take theirs from repositories.yaml): the one set the registry
    dependencies' credentials give, or a refusal when they differ."""
    flags = {tuple(value) for value in repos.registry_flags.values()}
    if len(flags) > 1:
        raise RenderError("dependencies come from OCI registries with different TLS options; helm applies one set to all", subject=chart_file)
    return list(flags.pop()) if flags else []


def _mirror(root, chart_dir, rel, mirror, local):
    """Copy the chart and its file:// dependencies into ``mirror`` at their places relative
    to the checkout (never its .git); returns the chart's copy."""
    copy = os.path.normpath(os.path.join(mirror, rel))
    for source_dir, target in [(chart_dir, copy)] + [(os.path.join(root, dep_rel), os.path.join(mirror, dep_rel)) for dep_rel in local]:
        if os.path.exists(target):
            continue
        # symlinks=True: links were checked to stay inside the checkout
        shutil.copytree(source_dir, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    return copy
