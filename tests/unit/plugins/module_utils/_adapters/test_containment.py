# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import check_symlinks, outside_symlinks
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError

OUTSIDE_CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  token: agent-only-secret-42\n"


@pytest.fixture
def layout(tmp_path):
    """A checkout beside a directory the agent can read but the repository must not."""
    root = tmp_path / "checkout"
    (root / "app").mkdir(parents=True)
    (root / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(OUTSIDE_CONFIGMAP)
    return root, outside


def link(path, target):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    os.symlink(str(target), str(path))


@pytest.mark.parametrize(
    "where, target",
    [
        ("app/abs.yaml", "{outside}/secret.yaml"),
        ("app/dotdot.yaml", "../../outside/secret.yaml"),
        ("app/deep/chain.yaml", "../../../../../../../../../../../../etc/hostname"),
        ("app/dangling.yaml", "../../outside/not-there-yet.yaml"),
        ("app/dir", "{outside}"),
        ("app/root-parent", "../.."),
        ("app/prefix-twin.yaml", "../../checkout-evil/secret.yaml"),
    ],
)
def test_links_leaving_the_checkout_are_refused(layout, where, target):
    root, outside = layout
    link(root / where, target.format(outside=outside))
    with pytest.raises(RenderError) as err:
        check_symlinks(str(root), "repo@abc (app)")
    assert err.value.subject == where
    assert str(err.value) == "%s: symbolic link points outside the repository (repo@abc (app)); links must stay inside the checkout" % where
    assert str(outside) not in str(err.value)


@pytest.mark.parametrize(
    "where, target",
    [
        ("app/same-dir.yaml", "cm.yaml"),
        ("app/up-and-back.yaml", "../app/cm.yaml"),
        ("shared", "app"),
        ("app/loop", "."),
        ("app/dangling-inside.yaml", "missing.yaml"),
        ("app/root", ".."),
        ("app/absolute-inside.yaml", "{root}/app/cm.yaml"),
    ],
)
def test_links_staying_inside_are_allowed(layout, where, target):
    root, _outside = layout
    link(root / where, target.format(root=root))
    check_symlinks(str(root), "repo")


def test_a_chain_through_an_inside_link_is_followed_to_its_end(layout):
    root, outside = layout
    link(root / "app" / "b.yaml", outside / "secret.yaml")
    link(root / "app" / "a.yaml", "b.yaml")
    assert list(outside_symlinks(str(root))) == ["app/a.yaml", "app/b.yaml"]


def test_links_below_a_linked_directory_are_not_walked_twice(layout):
    root, _outside = layout
    link(root / "again", ".")
    link(root / "app" / "bad.yaml", "/etc/hostname")
    assert list(outside_symlinks(str(root))) == ["app/bad.yaml"]


def test_a_link_into_git_metadata_counts_as_outside(layout):
    # a local checkout's .git/config may hold the URL it was pulled from, token included
    root, _outside = layout
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text('[remote "origin"]\n  url = https://x:token@git.example.test/r\n')
    link(root / "app" / "config.yaml", "../.git/config")
    with pytest.raises(RenderError) as err:
        check_symlinks(str(root), "repo")
    assert err.value.subject == "app/config.yaml"


def test_git_metadata_is_not_walked(layout):
    root, _outside = layout
    link(root / ".git" / "hooks" / "x", "/etc/hostname")
    check_symlinks(str(root), "repo")


def test_a_root_reached_through_a_link_is_checked_as_its_real_path(layout, tmp_path):
    root, outside = layout
    os.symlink(str(root), str(tmp_path / "via-link"))
    link(root / "app" / "up.yaml", "../../checkout/app/cm.yaml")
    check_symlinks(str(tmp_path / "via-link"), "repo")
    link(root / "app" / "out.yaml", outside / "secret.yaml")
    with pytest.raises(RenderError):
        check_symlinks(str(tmp_path / "via-link"), "repo")


# Through render(): every renderer is refused before it runs.


@pytest.fixture
def chart_checkout(layout, fixtures_dir):
    root, outside = layout
    shutil.copytree(os.path.join(fixtures_dir, "chart", "demo"), str(root / "charts" / "demo"))
    return root, outside


def test_helm_template_that_is_a_link_outside_is_refused(chart_checkout, helm_bin):
    root, outside = chart_checkout
    link(root / "charts" / "demo" / "templates" / "stolen.yaml", outside / "secret.yaml")
    with pytest.raises(RenderError) as err:
        render(str(root), "charts/demo", RenderOptions(helm_binary=helm_bin))
    assert err.value.subject == "charts/demo/templates/stolen.yaml"
    assert "outside the repository" in str(err.value)


def test_helm_files_get_of_a_link_outside_is_refused(chart_checkout, helm_bin):
    root, _outside = chart_checkout
    (root / "charts" / "demo" / "templates" / "files.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\ndata:\n  host: {{ .Files.Get "host.txt" | quote }}\n'
    )
    link(root / "charts" / "demo" / "host.txt", "/etc/hostname")
    with pytest.raises(RenderError) as err:
        render(str(root), "charts/demo", RenderOptions(helm_binary=helm_bin))
    assert err.value.subject == "charts/demo/host.txt"


def test_helm_subchart_directory_linked_outside_is_refused(chart_checkout, helm_bin, tmp_path, fixtures_dir):
    root, _outside = chart_checkout
    shutil.copytree(os.path.join(fixtures_dir, "chart", "demo"), str(tmp_path / "elsewhere" / "sub"))
    link(root / "charts" / "demo" / "charts" / "sub", tmp_path / "elsewhere" / "sub")
    with pytest.raises(RenderError) as err:
        render(str(root), "charts/demo", RenderOptions(helm_binary=helm_bin))
    assert err.value.subject == "charts/demo/charts/sub"


def test_kustomize_base_that_is_a_link_outside_is_refused(layout, kubectl_bin):
    # kustomize's load restrictor refuses a linked file, but builds a linked base directory.
    root, outside = layout
    (outside / "kustomization.yaml").write_text("resources:\n  - secret.yaml\n")
    (root / "kust").mkdir()
    (root / "kust" / "kustomization.yaml").write_text("resources:\n  - base\n")
    link(root / "kust" / "base", outside)
    with pytest.raises(RenderError) as err:
        render(str(root), "kust", RenderOptions(kustomize_binary=kubectl_bin))
    assert err.value.subject == "kust/base"


def test_a_link_anywhere_in_the_checkout_refuses_every_render(layout):
    root, outside = layout
    link(root / "unrelated" / "x.yaml", outside / "secret.yaml")
    with pytest.raises(RenderError) as err:
        render(str(root), "app")
    assert err.value.subject == "unrelated/x.yaml"
