# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``$ref/path`` Helm value files of a multi-source Application: read from the ref
source's checkout, and never from outside it."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError


@pytest.fixture
def checkouts(tmp_path, fixtures_dir):
    charts = tmp_path / "charts"
    shutil.copytree(os.path.join(fixtures_dir, "chart"), str(charts / "charts"))
    config = tmp_path / "config"
    (config / "envs" / "prod").mkdir(parents=True)
    (config / "envs" / "prod" / "values.yaml").write_text("replicas: 4\ngreeting: from the config repository\n")
    (tmp_path / "outside.yaml").write_text("greeting: stolen\n")
    return str(charts), str(config)


def test_ref_value_file_comes_from_the_ref_checkout(checkouts, helm_bin):
    charts, config = checkouts
    options = RenderOptions(helm_binary=helm_bin, value_files=["$values/envs/prod/values.yaml"], value_refs=[("values", config)])
    objects = {m.obj["kind"]: m.obj for m in render(charts, "charts/demo", options).manifests}
    assert objects["Deployment"]["spec"]["replicas"] == 4
    assert objects["ConfigMap"]["data"] == {"greeting": "from the config repository"}


@pytest.mark.parametrize(
    "value_file, message",
    [
        ("$values/../outside.yaml", "leaves the root of the source with ref values"),
        ("$other/values.yaml", "no source has ref: other"),
    ],
)
def test_ref_value_file_outside_or_unknown_is_refused(checkouts, helm_bin, value_file, message):
    charts, config = checkouts
    options = RenderOptions(helm_binary=helm_bin, value_files=[value_file], value_refs=[("values", config)])
    with pytest.raises(RenderError, match=message):
        render(charts, "charts/demo", options)


def test_ref_value_file_through_a_symlink_out_of_the_ref_checkout_is_refused(checkouts, helm_bin, tmp_path):
    charts, config = checkouts
    os.symlink(str(tmp_path / "outside.yaml"), os.path.join(config, "link.yaml"))
    options = RenderOptions(helm_binary=helm_bin, value_files=["$values/link.yaml"], value_refs=[("values", config)])
    with pytest.raises(RenderError, match="resolves .through a symlink. outside"):
        render(charts, "charts/demo", options)
