# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis settings of the engine's property tests (test_properties_*.py).

The default profile, ``ci``, is derandomized and keeps no example database, so every run
(local or CI) tries the same examples and a failure reproduces exactly; each test scales
its example count with ``strategies.examples`` to keep the whole suite within seconds.
``HYPOTHESIS_PROFILE=deep`` searches randomly with 20 times more examples, to hunt for new
failures before a release.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", parent=settings.get_profile("ci"), derandomize=False, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
