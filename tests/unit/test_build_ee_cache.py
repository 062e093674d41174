# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hack/build-ee.sh tags each image with a hash of its inputs, so `make test` rebuilds the
execution environment only when something that goes into it changed.

`--print-tags` computes the tags without podman or debootstrap: here, in a copy of the
checkout, a second collection build (new tarball bytes, same files) keeps both tags, and a
changed plugin file changes the EE's tag but not the base image's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.dirname(os.path.dirname(sys.executable))


def checkout_copy(dest):
    """The files Git tracks, and the new ones not ignored (what a fresh clone would hold)."""
    listed = subprocess.run(
        ["git", "-C", REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = os.path.join(REPO_ROOT, rel)
        if os.path.isfile(src) and not os.path.islink(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))
    return dest


def tags(checkout):
    proc = subprocess.run(
        ["bash", os.path.join(checkout, "hack", "build-ee.sh"), "--print-tags", VENV], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    base, ee = proc.stdout.split()
    assert base.startswith("localhost/gitops-k8s-base:")
    assert ee.startswith("localhost/gitops-k8s-ee:")
    return base, ee


def test_the_tags_change_exactly_when_an_input_does(tmp_path):
    checkout = checkout_copy(str(tmp_path / "checkout"))
    first = tags(checkout)
    assert tags(checkout) == first  # rebuilt tarball, same content: nothing to rebuild

    module = os.path.join(checkout, "plugins", "modules", "app.py")
    with open(module, "a", encoding="utf-8") as handle:
        handle.write("\n# a change\n")
    base, ee = tags(checkout)
    assert base == first[0]
    assert ee != first[1]
