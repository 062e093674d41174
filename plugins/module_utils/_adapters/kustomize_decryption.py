# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encrypted files a kustomization reads, decrypted as Flux's kustomize-controller does.

Kustomize reads its files itself, so it builds from a private copy of the kustomization
graph's directories (kustomize_overrides.private_copy, inside the decryption session's
0700 directory, removed with it) in which every SOPS or ansible-vault encrypted file
(a resource, a patch, a ``secretGenerator`` file or env) is replaced by its plain text.
The copy is made of hard links to the checkout: a decrypted file is a new 0600 file put
in place of its link, never written through it (the checkout and the repository cache
keep the encrypted text). Without keys nothing is copied: a SOPS document in the output
is then refused (render.refuse_encrypted).
"""

from __future__ import annotations

import os

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kustomize_overrides
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import MAX_DOCUMENT_BYTES, read_text

# What every SOPS store writes around an encrypted value, and ansible-vault's header.
MARKERS = (b"ENC[AES256_GCM,", b"$ANSIBLE_VAULT;")


def encrypted_files(root, directories):
    """Checkout-relative paths of the regular files below ``directories`` (not in .git,
    symlinks not followed) that hold SOPS or ansible-vault ciphertext."""
    found = set()
    for top in directories:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [name for name in dirnames if name != ".git"]
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > MAX_DOCUMENT_BYTES:
                    continue
                with open(path, "rb") as handle:
                    data = handle.read()
                if any(marker in data for marker in MARKERS):
                    found.add(os.path.relpath(path, root))
    return sorted(found)


def decrypted_copy(root, target, rel, directories, session):
    """(root, target) to build from: the checkout itself when no file of the graph is
    encrypted or no key is configured, else a private copy with those files decrypted."""
    if session is None or session.keys.empty:
        return root, target
    found = encrypted_files(root, directories)
    if not found:
        return root, target
    copy_root = kustomize_overrides.private_copy(root, session.private_dir("kustomize"), directories)
    for path in found:
        plain = session.plain_text(read_text(os.path.join(root, path), path), path)
        dest = os.path.join(copy_root, path)
        os.unlink(dest)  # a hard link to the checkout's file
        with open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write(plain)
    return copy_root, os.path.join(copy_root, rel) if rel != "." else copy_root
