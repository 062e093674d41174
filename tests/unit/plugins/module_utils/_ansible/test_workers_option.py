# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workers option of app and sync: the default when not given, never below 1."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible.app_wiring import workers_of
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import DEFAULT_WORKERS


@pytest.mark.parametrize("given, expected", [(None, DEFAULT_WORKERS), (1, 1), (0, 1), (-3, 1), (16, 16)])
def test_the_workers_option(given, expected):
    assert workers_of({"workers": given}) == expected
