# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Commit signatures checked with the real git, gpg and ssh-keygen: GPG and SSH keys made
here, signed, unsigned and wrongly signed commits."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import pytest

from tests.helpers import signing

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.commit_signatures import CommitVerifier, split_keys
from ansible_collections.gitops.k8s.plugins.module_utils._engine import commit_trust
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SignatureError

pytestmark = pytest.mark.skipif(not (shutil.which("gpg") and shutil.which("ssh-keygen")), reason="gpg and ssh-keygen are needed")


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    base = tmp_path_factory.mktemp("keys")
    release, stranger = signing.gpg_key("Release Bot"), signing.gpg_key("Stranger")
    yield {"release": release, "stranger": stranger, "alice": signing.ssh_key(base, "alice"), "mallory": signing.ssh_key(base, "mallory")}
    for key in (release, stranger):
        signing.stop_agents(key)
        shutil.rmtree(key.home, ignore_errors=True)


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "storefront"
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def change(repo, text):
    (repo / "deploy.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: storefront}\ndata: {release: %s}\n" % text)


def verifier(*texts, key_ids=()):
    return CommitVerifier(commit_trust.rules_of([{"keys": list(texts)}]))


@pytest.mark.parametrize("signer", ["release", "alice"])
def test_a_commit_signed_by_a_trusted_key_passes(keys, repo, signer):
    change(repo, "1.0")
    sha = signing.commit(repo, "release 1.0", keys[signer])
    trusted = keys["release"].public + "\n" + keys["alice"].public + "\n"
    assert verifier(trusted).check(["-C", str(repo)], sha, None, (), "shop/storefront") is True


@pytest.mark.parametrize(
    "signer, words",
    [(None, "not signed"), ("stranger", "not by a trusted key"), ("mallory", "not by a trusted key")],
)
def test_unsigned_and_wrongly_signed_commits_are_refused(keys, repo, signer, words):
    change(repo, "2.0")
    sha = signing.commit(repo, "release 2.0", keys.get(signer) if signer else None)
    trusted = keys["release"].public + "\n" + keys["alice"].public + "\n"
    with pytest.raises(SignatureError, match=words) as caught:
        verifier(trusted).check(["-C", str(repo)], sha, None, (), "shop/storefront")
    assert caught.value.step == "verify" and sha[:12] in str(caught.value)


def test_signature_keys_narrow_the_trusted_set(keys, repo):
    change(repo, "3.0")
    sha = signing.commit(repo, "release 3.0", keys["alice"])
    both = verifier(keys["release"].public + "\n" + keys["alice"].public)
    rules = both.rules
    assert CommitVerifier(rules).check(["-C", str(repo)], sha, None, (keys["alice"].fingerprint,), "s") is True
    with pytest.raises(SignatureError, match="not one of spec.signatureKeys"):
        CommitVerifier(rules).check(["-C", str(repo)], sha, None, (keys["release"].fingerprint[-16:],), "s")


def test_no_trace_is_left_and_a_bad_key_text_names_its_source(keys, repo):
    change(repo, "4.0")
    sha = signing.commit(repo, "release 4.0", keys["release"])
    before = set(glob.glob("/tmp/gitops-k8s-trust-*"))
    verifier(keys["release"].public).check(["-C", str(repo)], sha, None, (), "s")
    assert set(glob.glob("/tmp/gitops-k8s-trust-*")) == before
    with pytest.raises(SignatureError, match=r"commit_signatures\[0\].keys\[0\] holds no GPG public key"):
        verifier("not a key").check(["-C", str(repo)], sha, None, (), "s")


def test_the_repository_git_config_chooses_nothing(keys, repo):
    """A gpg.program set in the repository's own config is never run."""
    change(repo, "5.0")
    sha = signing.commit(repo, "release 5.0", keys["release"])
    marker = repo.parent / "ran"
    hostile = repo.parent / "evil-gpg"
    hostile.write_text("#!/bin/sh\ntouch %s\nexit 0\n" % marker)
    os.chmod(hostile, 0o755)
    subprocess.run(["git", "-C", str(repo), "config", "gpg.program", str(hostile)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "gpg.ssh.program", str(hostile)], check=True)
    assert verifier(keys["release"].public).check(["-C", str(repo)], sha, None, (), "s") is True
    assert not marker.exists()


def test_split_keys():
    blocks, lines, wrong = split_keys("# team keys\nssh-ed25519 AAAAC3 alice\nbob@example.test ssh-ed25519 AAAAC4\nnot a key\n")
    assert blocks == [] and lines == ["trusted@gitops-k8s ssh-ed25519 AAAAC3 alice", "bob@example.test ssh-ed25519 AAAAC4"] and wrong == [4]
