# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""manifests.validate(): what a render may hand to a sync."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import MAX_OBJECTS, Manifest, validate


def configmaps(count):
    return [Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-%d" % index}}, "cm.yaml:%d" % index) for index in range(count)]


def test_the_number_of_objects_is_bounded_naming_the_path():
    assert MAX_OBJECTS == 20000
    assert len(validate(configmaps(MAX_OBJECTS), source="apps/big")) == MAX_OBJECTS
    with pytest.raises(ManifestError) as err:
        validate(configmaps(MAX_OBJECTS + 1), source="apps/big")
    assert str(err.value) == "apps/big: renders 20001 objects, more than the limit of 20000"


def test_the_limit_is_checked_before_any_object():
    bad = [Manifest("not an object", "x.yaml:1")] * (MAX_OBJECTS + 1)
    with pytest.raises(ManifestError, match="more than the limit"):
        validate(bad)
