# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-vault encrypted files and inline ``!vault`` values.

Decrypted in process with Ansible's own VaultLib and the vault passwords the operator
configured (a file, or a Secret): nothing is written to disk and no program runs.
"""

from __future__ import annotations

import traceback

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError

VAULT_IMPORT_ERROR = None
try:
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib, VaultSecret
except ImportError:
    HAS_VAULT = False
    VAULT_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_VAULT = True

HEADER = "$ANSIBLE_VAULT;"


def is_vault_text(text):
    """True for the text of an ansible-vault encrypted file (or inline value)."""
    return isinstance(text, str) and text.lstrip().startswith(HEADER)


def decrypt(ciphertext, passwords, shown):
    """Plain text of a vault ciphertext, tried with each password; RenderError naming
    ``shown`` (never the ciphertext or a password) when none opens it."""
    if not passwords:
        raise RenderError("is ansible-vault encrypted, but no vault password is configured (vault_password_file or a Secret)", subject=shown)
    if not HAS_VAULT:
        raise RenderError("is ansible-vault encrypted, but ansible-core's vault library cannot be imported", subject=shown)
    secrets = [("gitops%d" % number, VaultSecret(password.encode("utf-8"))) for number, password in enumerate(passwords)]
    try:
        plain = VaultLib(secrets).decrypt(ciphertext.strip().encode("utf-8"))
    except (AnsibleError, ValueError, TypeError) as exc:
        raise RenderError("cannot decrypt with the configured vault passwords (%s)" % type(exc).__name__, subject=shown) from exc
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError("decrypts to bytes that are not UTF-8 text", subject=shown) from exc
