"""The repository-level conftest makes this checkout importable as gitops.k8s."""

from __future__ import annotations

import importlib
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_collection_link_points_at_the_checkout():
    link = os.path.join(REPO_ROOT, ".collections", "ansible_collections", "gitops", "k8s")
    assert os.path.islink(link)
    assert os.readlink(link) == os.path.join("..", "..", "..")
    assert os.path.samefile(link, REPO_ROOT)


def test_collections_root_is_on_sys_path():
    assert os.path.join(REPO_ROOT, ".collections") in sys.path


def test_collection_package_imports_from_the_checkout():
    module = importlib.import_module("ansible_collections.gitops.k8s.plugins.module_utils")
    assert os.path.samefile(
        os.path.dirname(list(module.__path__)[0]),
        os.path.join(REPO_ROOT, "plugins"),
    )
