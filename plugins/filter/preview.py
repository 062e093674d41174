# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pull-request comment of a preview (docs/previews.md)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gitops.k8s.plugins.module_utils._engine import preview_comment as preview


def preview_comment(applications, revision="", limit=preview.GITHUB_LIMIT, title="GitOps preview"):
    """The markdown comment (data, never templated again: a diff may hold Jinja from a repository)."""
    if not isinstance(applications, list):
        raise AnsibleFilterError("preview_comment expects the applications list of gitops.k8s.drift_info (children=true), got %s" % type(applications).__name__)
    try:
        limit = int(limit)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("preview_comment: limit must be a number of characters, got %r" % (limit,)) from exc
    if limit < preview.MIN_LIMIT:
        raise AnsibleFilterError("preview_comment: limit must be at least %d characters, got %d" % (preview.MIN_LIMIT, limit))
    return wrap_var(preview.comment(applications, str(revision or ""), limit, str(title)))


class FilterModule:
    def filters(self):
        return {"preview_comment": preview_comment}
