"""Signing keys made in the test, and signed commits through the real git binary.

- gpg_key(base, name)        a throwaway GnuPG home with one ed25519 signing key:
                             GpgKey(home, fingerprint, public: the armored public key)
- ssh_key(base, name)        an ed25519 key pair: SshKey(private path, public line, fingerprint)
- commit(repo, message, key) commit everything in the work tree ``repo``, signed with a
                             GpgKey or SshKey (None: unsigned); returns the commit SHA

Homes live under /tmp with short names (gpg-agent's socket path length limit);
stop_agents(key) ends the gpg-agent a key's home started.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

GIT_ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="Release Bot",
    GIT_AUTHOR_EMAIL="release@example.test",
    GIT_COMMITTER_NAME="Release Bot",
    GIT_COMMITTER_EMAIL="release@example.test",
)


@dataclass(frozen=True)
class GpgKey:
    home: str
    fingerprint: str
    public: str


@dataclass(frozen=True)
class SshKey:
    private: str
    public: str
    fingerprint: str


def gpg_key(name):
    home = tempfile.mkdtemp(prefix="gk-sig-", dir="/tmp")
    os.chmod(home, 0o700)
    env = dict(os.environ, GNUPGHOME=home)
    uid = "%s <%s@example.test>" % (name, name.lower().replace(" ", "-"))
    subprocess.run(
        ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-generate-key", uid, "ed25519", "sign", "never"],
        env=env,
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=env, check=True, capture_output=True, text=True).stdout
    fingerprint = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")][0]
    public = subprocess.run(["gpg", "--batch", "--armor", "--export", fingerprint], env=env, check=True, capture_output=True, text=True).stdout
    return GpgKey(home, fingerprint, public)


def ssh_key(base, name):
    path = os.path.join(str(base), name)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@example.test", "-f", path], check=True, capture_output=True)
    with open(path + ".pub", encoding="utf-8") as handle:
        public = handle.read().strip()
    listing = subprocess.run(["ssh-keygen", "-l", "-f", path + ".pub"], check=True, capture_output=True, text=True).stdout
    return SshKey(path, public, listing.split()[1])


def commit(repo, message, key=None):
    """Commit the work tree ``repo`` (a path), signed with ``key``; returns the SHA."""
    env = dict(GIT_ENV)
    config = ["-c", "commit.gpgsign=false"]
    sign = []
    if isinstance(key, GpgKey):
        env["GNUPGHOME"] = key.home
        config = ["-c", "gpg.format=openpgp", "-c", "user.signingkey=" + key.fingerprint]
        sign = ["-S"]
    elif isinstance(key, SshKey):
        config = ["-c", "gpg.format=ssh", "-c", "user.signingkey=" + key.private]
        sign = ["-S"]
    subprocess.run(["git", "-C", str(repo), "add", "-A"], env=env, check=True, capture_output=True)
    subprocess.run(["git", "-C", str(repo), *config, "commit", "-q", "--allow-empty", *sign, "-m", message], env=env, check=True, capture_output=True)
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], env=env, check=True, capture_output=True, text=True).stdout.strip()


def stop_agents(key):
    subprocess.run(["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=key.home), check=False, capture_output=True)
