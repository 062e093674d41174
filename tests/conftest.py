"""Repository-level pytest setup.

Makes ``import ansible_collections.gitops.k8s...`` resolve to this checkout: the
relative symlink ``.collections/ansible_collections/gitops/k8s -> ../../..`` is
created when missing, and ``<repo>/.collections`` goes first on ``sys.path``.
"""

from __future__ import annotations

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, ".collections")
COLLECTION_LINK = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "gitops", "k8s")


def ensure_collection_link() -> str:
    """Create the collection symlink when it is missing; return its path."""
    if not os.path.lexists(COLLECTION_LINK):
        os.makedirs(os.path.dirname(COLLECTION_LINK), exist_ok=True)
        try:
            os.symlink(os.path.join("..", "..", ".."), COLLECTION_LINK)
        except FileExistsError:  # created concurrently (pytest-xdist workers)
            pass
    return COLLECTION_LINK


ensure_collection_link()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
