# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preview_comment filter: drift_info's rows in, markdown out, marked unsafe (never
templated again); wrong input is a clear filter error."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.filter.preview import preview_comment

ROWS = [
    {
        "application": "ops/web",
        "revision": "abc",
        "sync_status": "OutOfSync",
        "objects": [{"id": "ConfigMap/shop/a", "status": "Missing", "action": "created", "diff": "+ {{ lookup('pipe', 'id') }}\n"}],
    }
]


def test_the_filter_writes_the_comment():
    text = preview_comment(ROWS, revision="feature", limit="20000")
    assert "### GitOps preview of `feature` (`abc`)" in text and "- `ConfigMap/shop/a`" in text
    assert "{{ lookup('pipe', 'id') }}" in text  # quoted as is, never templated


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: preview_comment({"applications": []}), "applications list"),
        (lambda: preview_comment(ROWS, limit="big"), "limit must be a number"),
        (lambda: preview_comment(ROWS, limit=100), "at least 10000"),
    ],
)
def test_wrong_input_is_a_filter_error(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()
