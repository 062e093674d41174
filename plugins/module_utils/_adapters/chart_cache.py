# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Charts from chart repositories and OCI registries, cached by (repository, chart, version).

Cache layout, one directory per (repository URL without credentials, chart)::

    <cache_dir>/helm-charts/<sha256>/<version>.tgz         the archive helm pulled
    <cache_dir>/helm-charts/<sha256>/<version>.tgz.sha256  its digest, written after it
    <cache_dir>/helm-charts/<sha256>/trees/<version>/      the archive unpacked (redone each run)

An exact version (``1.4.2``) found intact in the cache is used without network
access; an archive whose digest does not match (a cut download, a disk error, a
hand edit) is fetched again. A range (``^1.4``, ``1.x``) or the latest (``*``) is
always asked of the repository, as Argo CD does, and the resolved version cached.
Archives are unpacked by us, bounded in size and member count, regular files and
directories only, everything below the chart's one top directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import helm_repos
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import CHART_FILE, helm_command, helm_env
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import MIB
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import load_documents

CACHE_SUBDIR = "helm-charts"
EXACT_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
MAX_ARCHIVE_BYTES = 20 * MIB
MAX_UNPACKED_BYTES = 200 * MIB
MAX_MEMBERS = 10000


@dataclass(frozen=True)
class PulledChart:
    """A chart ready for helm template: its directory, its version and where it came from."""

    tree: str
    version: str
    url: str


def cache_entry(cache_dir, parsed, chart):
    key = hashlib.sha256(("%s\0%s" % (helm_repos.server_url(parsed), chart)).encode("utf-8")).hexdigest()
    return os.path.join(os.path.abspath(os.path.expanduser(cache_dir)), CACHE_SUBDIR, key)


def digest(path):
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def intact(archive):
    """True when ``archive`` and its recorded digest exist and agree."""
    try:
        with open(archive + ".sha256", encoding="ascii") as handle:
            recorded = handle.read().strip()
        return bool(recorded) and digest(archive) == recorded
    except OSError:
        return False


def store(archive, entry, version):
    """Move a pulled archive into the cache (the digest last: a half-stored entry is not intact)."""
    final = os.path.join(entry, "%s.tgz" % version)
    os.replace(archive, final)
    tmp = final + ".sha256.tmp"
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write(digest(final) + "\n")
    os.replace(tmp, final + ".sha256")
    return final


def check_members(members, subject):
    """Refuse an archive with too many files, too many bytes, or anything but regular
    files and directories (links, devices) before a byte is written."""
    if len(members) > MAX_MEMBERS:
        raise SourceError("archive has more than %d files" % MAX_MEMBERS, subject=subject)
    total = 0
    for member in members:
        if not (member.isfile() or member.isdir()):
            raise SourceError("archive holds %s, which is not a regular file or directory" % member.name[:100], subject=subject)
        total += member.size
        if total > MAX_UNPACKED_BYTES:
            raise SourceError("archive unpacks to more than %d MiB" % (MAX_UNPACKED_BYTES // MIB), subject=subject)


def _one_top_directory(archive, members, subject):
    tops = {m.name.split("/", 1)[0] for m in members}
    if len(tops) != 1:
        raise SourceError("chart archive %s must hold one top directory, found %d" % (os.path.basename(archive), len(tops)), subject=subject)
    return tops.pop()


def unpack_checked(archive, mode, trees, name, what, subject, check=None):
    """Unpack the tar ``archive`` (tarfile ``mode``) into ``trees/<name>``, replacing what
    was there, after check_members and ``check(members)`` (if given) accepted it; the
    tree appears whole or not at all (unpacked beside it, then renamed). Returns (the
    tree's path, what ``check`` returned)."""
    os.makedirs(trees, mode=0o700, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".unpack-", dir=trees)
    final = os.path.join(trees, name)
    try:
        try:
            with tarfile.open(archive, mode) as tar:
                members = tar.getmembers()
                check_members(members, subject)
                checked = check(members) if check is not None else None
                tar.extractall(tmp, members=members, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise SourceError("%s cannot be unpacked: %s" % (what, exc), subject=subject) from exc
        if os.path.lexists(final):
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, checked


def unpack(archive, trees, version, subject):
    """Unpack ``archive`` into ``trees/<version>``; returns the chart directory in it."""
    if os.path.getsize(archive) > MAX_ARCHIVE_BYTES:
        raise SourceError("chart archive is larger than %d MiB" % (MAX_ARCHIVE_BYTES // MIB), subject=subject)
    final, top = unpack_checked(archive, "r:gz", trees, version, "chart archive", subject, check=lambda members: _one_top_directory(archive, members, subject))
    chart_dir = os.path.join(final, top)
    if not os.path.isfile(os.path.join(chart_dir, CHART_FILE)):
        raise SourceError("chart archive has no %s in %s" % (CHART_FILE, top), subject=subject)
    return chart_dir


def chart_version(chart_dir, subject):
    docs = load_documents(open(os.path.join(chart_dir, CHART_FILE), encoding="utf-8").read(), CHART_FILE)
    meta = docs[0][1] if docs and isinstance(docs[0][1], dict) else {}
    version = str(meta.get("version") or "")
    if not EXACT_VERSION.fullmatch(version):
        raise SourceError("chart has no valid version in Chart.yaml", subject=subject)
    return version


def fetch_chart(url, chart, target_revision, cache_dir, *, credentials=None, helm_binary=None, timeout=60, pass_credentials=False):
    """The chart ``chart`` of the repository or registry ``url`` at ``target_revision``
    (an exact version, a semver range, or ``*``): from the cache when exact and intact,
    else pulled. Returns a PulledChart; SourceError naming the repository."""
    parsed = repo_urls.parse_chart_repo(url)
    chart = helm_repos.check_chart(chart)
    version = helm_repos.check_version(target_revision)
    if not cache_dir:
        raise SourceError("a cache directory is required", subject=repo_urls.display(url))
    subject = "%s (chart %s)" % (repo_urls.display(url), chart)
    entry = cache_entry(cache_dir, parsed, chart)
    os.makedirs(entry, mode=0o700, exist_ok=True)
    trees = os.path.join(entry, "trees")
    if version and EXACT_VERSION.fullmatch(version):
        cached = os.path.join(entry, "%s.tgz" % version)
        if intact(cached):
            return PulledChart(unpack(cached, trees, version, subject), version, helm_repos.server_url(parsed))
    helm = helm_command(helm_binary)
    home = tempfile.mkdtemp(prefix="gitops-k8s-helm-")
    try:
        env = helm_env(home)
        destination = os.path.join(home, "pulled")
        os.mkdir(destination, 0o700)
        archive = helm_repos.pull(
            helm, env, home, url, chart, version, destination, credentials=credentials, timeout=timeout, pass_credentials=pass_credentials
        )
        probe = unpack(archive, os.path.join(home, "probe"), "probe", subject)
        resolved = chart_version(probe, subject)
        cached = store(archive, entry, resolved)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return PulledChart(unpack(cached, trees, resolved, subject), resolved, helm_repos.server_url(parsed))
