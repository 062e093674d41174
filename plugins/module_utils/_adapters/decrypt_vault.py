# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-vault encrypted files and inline ``!vault`` values.

Decrypted in process with the vault passwords the operator configured (a file, or a
Secret): nothing is written to disk and no program runs. The format is ansible-vault's
``$ANSIBLE_VAULT;1.1;AES256`` (1.2 adds a vault id): PBKDF2-SHA256 (10000 rounds) of the
password and salt gives the AES-256-CTR key, the HMAC-SHA256 key and the counter. It is
read here rather than with ansible-core's VaultLib: that is controller code, and
importing it inside a module breaks the module's own ``ansible`` package.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import traceback

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError

CRYPTOGRAPHY_IMPORT_ERROR = None
try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CRYPTOGRAPHY = True

HEADER = "$ANSIBLE_VAULT;"
VERSIONS = ("1.1", "1.2")
CIPHER = "AES256"
ROUNDS = 10000
KEY_BYTES = 32
IV_BYTES = 16


def is_vault_text(text):
    """True for the text of an ansible-vault encrypted file (or inline value)."""
    return isinstance(text, str) and text.lstrip().startswith(HEADER)


def parse(ciphertext, shown):
    """(salt, hmac as hex bytes, encrypted bytes) of a vault text; RenderError if malformed."""
    lines = ciphertext.strip().splitlines()
    header = lines[0].strip().split(";") if lines else []
    if len(header) < 3 or header[1] not in VERSIONS or header[2] != CIPHER:
        raise RenderError("is not an ansible-vault %s text of version %s" % (CIPHER, " or ".join(VERSIONS)), subject=shown)
    try:
        salt, mac, data = binascii.unhexlify("".join(line.strip() for line in lines[1:])).split(b"\n", 2)
        return binascii.unhexlify(salt), mac.strip().lower(), binascii.unhexlify(data.strip())
    except (binascii.Error, ValueError) as exc:
        raise RenderError("is a malformed ansible-vault text", subject=shown) from exc


def _open(password, salt, mac, data):
    """The plain bytes, or None when ``password`` is not the one (HMAC mismatch)."""
    derived = hashlib.pbkdf2_hmac("sha256", password, salt, ROUNDS, dklen=2 * KEY_BYTES + IV_BYTES)
    key, mac_key, iv = derived[:KEY_BYTES], derived[KEY_BYTES : 2 * KEY_BYTES], derived[2 * KEY_BYTES :]
    if not hmac.compare_digest(hmac.new(mac_key, data, hashlib.sha256).hexdigest().encode("ascii"), mac):
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    pad = padded[-1] if padded else 0
    if not 1 <= pad <= IV_BYTES or padded[-pad:] != bytes([pad]) * pad:
        return None
    return padded[:-pad]


def decrypt(ciphertext, passwords, shown):
    """Plain text of a vault ciphertext, tried with each password; RenderError naming
    ``shown`` (never the ciphertext or a password) when none opens it."""
    if not passwords:
        raise RenderError("is ansible-vault encrypted, but no vault password is configured (vault_password_file or a Secret)", subject=shown)
    if not HAS_CRYPTOGRAPHY:
        raise RenderError("is ansible-vault encrypted, but the cryptography Python library (an ansible-core requirement) is missing", subject=shown)
    salt, mac, data = parse(ciphertext, shown)
    for password in passwords:
        plain = _open(password.encode("utf-8"), salt, mac, data)
        if plain is not None:
            try:
                return plain.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RenderError("decrypts to bytes that are not UTF-8 text", subject=shown) from exc
    raise RenderError("cannot decrypt with the configured vault passwords", subject=shown)
