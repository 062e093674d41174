# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which source an Application without ``source.repoURL`` uses, and at which revision.

The design promises that such an Application uses the repository of the Application that
declared it, up to the root, whose source is the checkout ansible-pull made. These are
decisions, not I/O, so they live here, table-tested; _adapters/sources.py only fetches
what they choose. The chain is read with authority.walk, the one walk up the declaring
chain.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, authority
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import AuthorityError, SourceError


def holder(app, spec, lookup):
    """``(holder, holder_spec)``: the Application whose source ``app`` uses, itself when
    it names a repoURL, else the nearest declaring Application that does; the top of the
    chain (the root: its source is the local checkout) when none does.

    ``lookup(namespace, name)`` returns a live Application or None. A declaring
    Application that no longer exists is a SourceError (its children must not fall back
    to another repository); a loop, or a chain deeper than APP_MAX_DEPTH, ends the walk
    where it is."""
    found, found_spec = app, spec
    try:
        for key, obj in authority.walk(spec.key, lookup, first=app):
            if obj is None:
                raise SourceError("has no source.repoURL and its declaring Application %s no longer exists" % key, subject=spec.key)
            found, found_spec = obj, (spec if obj is app else application.parse(obj))
            if found_spec.sources:
                raise SourceError(
                    "has no source.repoURL and its declaring Application %s has several sources (spec.sources): name the repository" % key, subject=spec.key
                )
            if found_spec.repo_url:
                break
    except AuthorityError:
        pass  # too deep: the nearest Application reached holds the source
    return found, found_spec


def revision(app, holder_app, holder_spec):
    """The ref to fetch: a child follows the revision its parent last synced, so parent
    and child come from one commit; the holder's targetRevision when it is ``app`` itself
    or has not synced yet."""
    ref = holder_spec.target_revision
    if holder_app is not app:
        ref = ((holder_app.get("status") or {}).get("sync") or {}).get("revision") or ref
    return ref
