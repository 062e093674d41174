# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that draw the Applications' status: the tree in text and the status page."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gitops.k8s.plugins.module_utils._engine import status_page as page
from ansible_collections.gitops.k8s.plugins.module_utils._engine import status_tree as tree


def _rows(applications, name):
    if not isinstance(applications, list):
        raise AnsibleFilterError("%s expects the applications list of gitops.k8s.app_info, got %s" % (name, type(applications).__name__))
    return applications


def status_tree(applications):
    """The app-of-apps tree as text lines (data, never templated again: they quote Git)."""
    return wrap_var(tree.lines(_rows(applications, "status_tree")))


def status_page(applications, results=None, generated="", title="GitOps status"):
    """The self-contained HTML status page (data, never templated again: a diff may hold
    Jinja from a repository)."""
    if results is not None and not isinstance(results, list):
        raise AnsibleFilterError("status_page: results must be a list of gitops.k8s.app results, got %s" % type(results).__name__)
    return wrap_var(page.render(_rows(applications, "status_page"), results or [], str(generated), str(title)))


class FilterModule:
    def filters(self):
        return {"status_tree": status_tree, "status_page": status_page}
