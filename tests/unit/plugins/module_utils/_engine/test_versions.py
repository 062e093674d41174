# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API version priority: GA, then beta, then alpha, newest first."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.versions import by_priority


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        (["batch/v1beta1"], ["batch/v1beta1"]),
        (["batch/v1beta1", "batch/v1"], ["batch/v1", "batch/v1beta1"]),
        (
            ["autoscaling/v2beta1", "autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta2"],
            ["autoscaling/v2", "autoscaling/v1", "autoscaling/v2beta2", "autoscaling/v2beta1"],
        ),
        (["x.example/v1alpha1", "x.example/v1beta1", "x.example/v1alpha2"], ["x.example/v1beta1", "x.example/v1alpha2", "x.example/v1alpha1"]),
        (["v1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "v1"], ["v1", "events.k8s.io/v1", "events.k8s.io/v1beta1"]),
        (["x.example/weird", "x.example/v1"], ["x.example/v1", "x.example/weird"]),
        ([], []),
    ],
)
def test_by_priority(served, expected):
    assert by_priority(served) == expected
