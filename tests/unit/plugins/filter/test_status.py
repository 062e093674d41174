# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status_tree and status_page filters: app_info's rows in, text out; wrong input
is a clear filter error."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.filter.status import status_page, status_tree

ROWS = [{"name": "web", "namespace": "ops", "sync_status": "Synced", "health_status": "Healthy", "revision": "abc", "parent": ""}]


def test_the_filters_draw_the_rows():
    assert list(status_tree(ROWS)) == ["ops/web  Synced  Healthy  abc"]
    page = status_page(ROWS, [], generated="2026-11-26T03:00:00Z", title="Shop")
    assert "<title>Shop</title>" in page and 'id="app-ops/web"' in page and "2026-11-26T03:00:00Z" in page


@pytest.mark.parametrize("call", [lambda: status_tree({"applications": []}), lambda: status_page("x"), lambda: status_page(ROWS, {"a": 1})])
def test_wrong_input_is_a_filter_error(call):
    with pytest.raises(AnsibleFilterError, match="status_(tree|page)"):
        call()
