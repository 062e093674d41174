# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decryption of a repository's encrypted files at render time.

What is decrypted (as Flux's kustomize-controller and helm-secrets do): SOPS-encrypted
YAML/JSON manifests and Helm value files (decrypt_sops: age and PGP keys only) and
ansible-vault encrypted files and inline ``!vault`` values (decrypt_vault). The keys are
the operator's (``Keys``: files on the agent, or a Secret in Flux's format); nothing of
a repository chooses a key, a key service, a configuration or a program.

A ``Session`` lives for one render: the first encrypted file it meets writes the age and
PGP keys to a private 0700 directory (age identities in a 0600 file, PGP keys imported
into a GnuPG home there), removed with its gpg-agent by ``close()``. Plain text never
touches the disk: sops reads stdin and writes stdout, vault decrypts in process. Every
value that was encrypted is remembered (``revealed``) so messages can be scrubbed.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import tempfile
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import redact
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError, ManifestError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import decrypt_sops, decrypt_vault
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import find_binary, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import InlineVault, load_documents

# Flux's names for the keys of a decryption Secret, plus ours for vault passwords.
AGE_SUFFIX = ".agekey"
PGP_SUFFIX = ".asc"
VAULT_SUFFIX = "vault-password"
AGE_MARK = "AGE-SECRET-KEY-"
PGP_MARK = "-----BEGIN PGP PRIVATE KEY BLOCK-----"
# helm-secrets' value file prefix (Argo CD users write ``secrets://values.enc.yaml``);
# its other schemes name key files or programs and are refused.
HELM_SECRETS_PREFIX = "secrets://"
GPG_TIMEOUT = 30
KEY_DIR_PREFIX = "gitops-k8s-decrypt-"
GNUPG_DIR = "gnupg"
# A Unix socket path holds at most 107 bytes; gpg-agent's longest socket name, and where
# the key directory goes when TMPDIR is too long for it.
MAX_SOCKET_PATH = 107
LONGEST_SOCKET = "S.gpg-agent.browser"
SHORT_TMP = "/tmp"
SOPS_ENCRYPTED = "ENC["
# Top-level fields of an object whose values are never treated as secret, and SOPS' own.
PUBLIC_FIELDS = ("apiVersion", "kind", "metadata", decrypt_sops.METADATA_KEY)


@dataclass(frozen=True, repr=False)
class Keys:
    """Key material the operator configured: age identities, armored PGP private keys,
    vault passwords, and the sops binary. Never printed (no repr of the material)."""

    age: tuple = ()
    pgp: tuple = ()
    vault: tuple = ()
    sops_binary: str | None = None

    def __repr__(self):
        return "Keys(age=%d, pgp=%d, vault=%d)" % (len(self.age), len(self.pgp), len(self.vault))

    def merged(self, other):
        """These keys plus ``other``'s (None adds nothing)."""
        if other is None:
            return self
        return Keys(self.age + other.age, self.pgp + other.pgp, self.vault + other.vault, self.sops_binary or other.sops_binary)

    @property
    def empty(self):
        return not (self.age or self.pgp or self.vault)


def _classify(name, text, subject):
    """'age', 'pgp' or 'vault' for one key file or Secret key (by name, as Flux, then content)."""
    if name.endswith(AGE_SUFFIX) or AGE_MARK in text:
        return "age"
    if name.endswith(PGP_SUFFIX) or PGP_MARK in text:
        return "pgp"
    if name.endswith(VAULT_SUFFIX):
        return "vault"
    raise GitOpsError(
        "is neither an age identity (*%s), an armored PGP private key (*%s) nor a vault password (*%s)" % (AGE_SUFFIX, PGP_SUFFIX, VAULT_SUFFIX),
        subject=subject,
    )


def _keys_of(items):
    found = {"age": [], "pgp": [], "vault": []}
    for kind, text in items:
        found[kind].append(text.strip() if kind == "vault" else text)
    return Keys(tuple(found["age"]), tuple(found["pgp"]), tuple(found["vault"]))


def keys_from_files(paths=(), vault_password_file=None, sops_binary=None):
    """Keys read from the agent's files: ``paths`` (``*.agekey`` / age key files, ``*.asc``)
    and the vault password file (its first line, as ansible-vault reads it)."""
    items = []
    for path in paths or ():
        text = _read_key_file(path)
        items.append((_classify(os.path.basename(path), text, path), text))
    if vault_password_file:
        lines = _read_key_file(vault_password_file).splitlines()
        items.append(("vault", lines[0] if lines else ""))
    keys = _keys_of(items)
    return Keys(keys.age, keys.pgp, keys.vault, sops_binary)


def _read_key_file(path):
    try:
        with open(os.path.expanduser(path), "r", encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise GitOpsError("cannot read the decryption key file: %s" % (getattr(exc, "strerror", None) or type(exc).__name__), subject=path) from exc


def keys_from_secret(secret, subject):
    """Keys of a Secret in Flux's format: ``*.agekey`` age identities, ``*.asc`` PGP
    keys, and ``*vault-password`` vault passwords (other keys, such as Flux's
    ``sops.aws-kms``, are network key services and not read)."""
    items = []
    for key, value in sorted(((secret or {}).get("data") or {}).items()):
        if not key.endswith((AGE_SUFFIX, PGP_SUFFIX, VAULT_SUFFIX)):
            continue
        try:
            text = base64.b64decode(value or "", validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise GitOpsError("key %s is not base64 of UTF-8 text" % key, subject=subject) from exc
        items.append((_classify(key, text, "%s key %s" % (subject, key)), text))
    return _keys_of(items)


def ignored_secret_keys(secret):
    """The keys of a decryption Secret that are not read (Flux's ``sops.aws-kms``,
    ``sops.vault-token``, ...: network key services are never called), sorted."""
    return sorted(key for key in ((secret or {}).get("data") or {}) if not key.endswith((AGE_SUFFIX, PGP_SUFFIX, VAULT_SUFFIX)))


def value_file_name(value_file, shown):
    """A Helm value file as written, without helm-secrets' ``secrets://`` prefix; other
    helm-secrets schemes (which name key files or programs) are refused."""
    if not isinstance(value_file, str):
        return value_file
    if value_file.startswith(HELM_SECRETS_PREFIX):
        return value_file[len(HELM_SECRETS_PREFIX) :]
    scheme = value_file.partition("://")[0]
    if "://" in value_file and scheme.startswith("secrets"):
        raise RenderError(
            "helm-secrets scheme %s:// is not supported: keys come from the operator's decryption settings; write secrets://" % scheme,
            subject=shown,
        )
    return value_file


def _value_lines(text):
    """The values of a plain text that has no structure we read (dotenv, INI, binary):
    each line, and the part after ``=`` of ``key=value`` lines."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            found.append(line)
            if "=" in line:
                found.append(line.split("=", 1)[1].strip())
    return found


class Session:
    """Decryption for one render; ``close()`` removes its key directory."""

    def __init__(self, keys=None, timeout=60):
        self.keys = keys or Keys()
        self.timeout = timeout
        self.revealed = []
        self._home = None
        self._env = None
        self._gpg = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def scrub(self, text):
        """``text`` without any value this session decrypted."""
        return redact.redact_text(text, self.revealed)

    def documents(self, text, shown, budget=None):
        """[(line, value)] of a repository file's text, every encrypted part decrypted:
        a vault-encrypted file, SOPS-encrypted documents, inline ``!vault`` values."""
        if decrypt_vault.is_vault_text(text):
            docs = self._load_plain(decrypt_vault.decrypt(text, self.keys.vault, shown), shown, budget)
            for _line, value in docs:
                self._remember_encrypted(value, value, whole=True)
        else:
            docs = load_documents(text, shown, budget=budget)
            if any(decrypt_sops.is_encrypted(value) for _line, value in docs):
                encrypted = [value for _line, value in docs]
                docs = self._load_plain(self._sops(text, encrypted, shown), shown, budget)
                for before, (_line, after) in zip(encrypted, docs):
                    self._remember_encrypted(before, after)
        return [(line, self.reveal(value, "%s:%d" % (shown, line))) for line, value in docs]

    def plain_text(self, text, shown):
        """The plain text of a whole encrypted file, in its own format (for the files
        Kustomize reads: manifests, generator files and envs): ansible-vault, or SOPS
        of the store its extension names (yaml, json, dotenv, ini, else binary)."""
        kind = decrypt_sops.file_type(shown)
        if decrypt_vault.is_vault_text(text):
            plain = decrypt_vault.decrypt(text, self.keys.vault, shown)
            if kind in ("yaml", "json"):
                for _line, value in self._load_plain(plain, shown, None):
                    self._remember_encrypted(value, value, whole=True)
            else:
                self.revealed.extend(_value_lines(plain))
            return plain
        if kind in ("yaml", "json"):
            docs = [value for _line, value in load_documents(text, shown)]
            if not any(decrypt_sops.is_encrypted(value) for value in docs):
                return text
            plain = self._sops(text, docs, shown, output_type=kind)
            for before, (_line, after) in zip(docs, self._load_plain(plain, shown, None)):
                self._remember_encrypted(before, after)
            return plain
        services = decrypt_sops.named_key_services(text) if kind in ("dotenv", "ini") else []
        if services:
            raise RenderError(
                "names network key services (%s): decryption never calls one; only YAML and JSON files can have them removed" % ", ".join(services),
                subject=shown,
            )
        plain = self._sops(text, None, shown, input_type=kind, output_type=kind)
        self.revealed.extend(_value_lines(plain))
        return plain

    def is_encrypted_file(self, text):
        """True when a file's text needs this session (vault file, SOPS, inline !vault)."""
        return decrypt_vault.is_vault_text(text) or "\nsops:" in "\n" + text or '"sops"' in text or decrypt_vault.HEADER in text

    def reveal(self, value, shown):
        """``value`` with every inline ``!vault`` value decrypted."""
        if isinstance(value, InlineVault):
            plain = decrypt_vault.decrypt(str(value), self.keys.vault, shown)
            self.revealed.append(plain)
            return plain
        if isinstance(value, dict):
            return {key: self.reveal(item, shown) for key, item in value.items()}
        if isinstance(value, list):
            return [self.reveal(item, shown) for item in value]
        return value

    def _load_plain(self, text, shown, budget):
        try:
            return load_documents(text, shown, budget=budget)
        except ManifestError as exc:
            raise exc.scrubbed(self.scrub) from None

    def _remember_encrypted(self, before, after, whole=False, top=True):
        """Remember the plain values of the leaves that were encrypted (SOPS ``ENC[...]``
        leaves, or every leaf of a file encrypted whole), except an object's apiVersion,
        kind and metadata: names and labels are never secret (object ids show them)."""
        if isinstance(before, dict) and isinstance(after, dict):
            for key, value in before.items():
                if key in after and not (top and key in PUBLIC_FIELDS):
                    self._remember_encrypted(value, after[key], whole, top=False)
        elif isinstance(before, list) and isinstance(after, list):
            for item, plain in zip(before, after):
                self._remember_encrypted(item, plain, whole, top=False)
        elif after is not None and not isinstance(after, (dict, list)) and (whole or str(before).startswith(SOPS_ENCRYPTED)):
            self.revealed.append(str(after))

    def _sops(self, text, documents, shown, input_type=None, output_type="yaml"):
        """sops' plain text; ``documents`` (parsed YAML/JSON) lets key services be removed."""
        if not (self.keys.age or self.keys.pgp):
            raise RenderError("is SOPS-encrypted, but no age or PGP key is configured (decryption key files or a decryption Secret)", subject=shown)
        if documents is not None:
            text, input_type = decrypt_sops.sops_input(text, documents, shown)
        sops = decrypt_sops.sops_command(self.keys.sops_binary)
        self._open(shown)
        return decrypt_sops.decrypt(sops, text, input_type, shown, self._home, self._env, self.timeout, output_type=output_type)

    def private_dir(self, name):
        """A new directory ``name`` in this session's private (0700) directory, removed by close()."""
        self._open(name)
        path = os.path.join(self._home, name)
        os.mkdir(path, 0o700)
        return path

    def _open(self, shown):
        """Write the keys to the private directory (once per session)."""
        if self._home is not None:
            return
        self._home = tempfile.mkdtemp(prefix=KEY_DIR_PREFIX)
        if len(os.path.join(self._home, GNUPG_DIR, LONGEST_SOCKET)) > MAX_SOCKET_PATH:
            # gpg-agent's sockets live in the GnuPG home: a long TMPDIR would not fit them
            os.rmdir(self._home)
            self._home = tempfile.mkdtemp(prefix=KEY_DIR_PREFIX, dir=SHORT_TMP)
        age_file = os.path.join(self._home, "age-keys.txt")
        with open(os.open(age_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write("\n".join(key.strip() for key in self.keys.age) + "\n")
        gnupg = os.path.join(self._home, GNUPG_DIR)
        os.mkdir(gnupg, 0o700)
        self._env = decrypt_sops.sops_env(self._home, age_file, gnupg)
        if self.keys.pgp:
            self._import_pgp(gnupg, shown)

    def _import_pgp(self, gnupg, shown):
        gpg = find_binary("gpg")
        if gpg is None:
            raise RenderError("is PGP-encrypted with SOPS, but gpg is not installed", subject=shown)
        self._gpg = True
        env = tool_env({"GNUPGHOME": gnupg, "HOME": self._home})
        result = run([gpg, "--batch", "--no-tty", "--quiet", "--import"], RenderError, shown, env=env, timeout=GPG_TIMEOUT, stdin_data="\n".join(self.keys.pgp))
        if result.rc != 0:
            raise RenderError("gpg could not import the configured PGP keys (exit %d): %s" % (result.rc, trim(result.stderr)), subject=shown)

    def close(self):
        """Stop the gpg-agent of our GnuPG home and remove the key directory."""
        if self._home is None:
            return
        gpgconf = find_binary("gpgconf") if self._gpg else None
        if gpgconf:
            env = tool_env({"GNUPGHOME": os.path.join(self._home, GNUPG_DIR), "HOME": self._home})
            run([gpgconf, "--kill", "all"], RenderError, "gpgconf", env=env, timeout=GPG_TIMEOUT)
        shutil.rmtree(self._home, ignore_errors=True)
        self._home = None
