# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified commits: check a revision's signature (GPG or SSH) against the operator's
trusted keys before anything of it is rendered (_engine/commit_trust.py decides which
revisions and which keys).

Every check runs in a fresh private directory (mode 0700, removed afterwards): a
GNUPGHOME holding only the trusted GPG keys (imported, then given full trust: the set
is the operator's, gpg's web of trust has no say) and an allowed signers file holding
only the trusted SSH keys. git runs with the global and system configuration off and
its signature programs fixed on the command line, so nothing of a repository or of the
agent's own git configuration chooses what runs; the commit is a full SHA this run
resolved, and nothing else from the repository reaches argv.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
import threading

from ansible_collections.gitops.k8s.plugins.module_utils._engine import commit_trust
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError, SignatureError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import run, tool_env, trim

TIMEOUT = 30
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_PGP_BLOCK = re.compile(r"-----BEGIN PGP PUBLIC KEY BLOCK-----.*?-----END PGP PUBLIC KEY BLOCK-----", re.S)
_SSH_TYPES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")
# The principal an SSH public key given without one gets in the allowed signers file.
PRINCIPAL = "trusted@gitops-k8s"


def split_keys(text):
    """(GPG armored blocks, allowed-signers lines, numbers of the lines that are neither)
    of one key text. An SSH public key line gets a principal; an allowed-signers line
    (principals, options, key) is kept as it is."""
    blocks = _PGP_BLOCK.findall(text or "")
    rest = _PGP_BLOCK.sub("", text or "")
    lines, wrong = [], []
    for number, line in enumerate(rest.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(_SSH_TYPES):
            lines.append("%s %s" % (PRINCIPAL, line))
        elif any(word.startswith(_SSH_TYPES) for word in line.split()[1:]):
            lines.append(line)
        else:
            wrong.append(number)
    return blocks, lines, wrong


class CommitVerifier:
    """Checks revisions against the Rules of the module option; ``cluster`` (the Cluster
    port) reads the ConfigMaps and Secrets rules name. A revision already checked in this
    run is not checked again."""

    def __init__(self, rules, cluster=None, timeout=TIMEOUT):
        self.rules = tuple(rules or ())
        self.cluster = cluster
        self.timeout = timeout
        self._checked = {}
        self._verifying = threading.Lock()  # Applications side by side: one verification per commit, one keyring import at a time

    def check(self, git_args, commit, url, key_ids, subject):
        """Raise SignatureError unless ``commit`` (read with ``git <git_args>``) satisfies
        the requirement of repository ``url`` (a RepoURL or None) and ``key_ids``."""
        required = commit_trust.requirement(self.rules, url, key_ids, subject)
        if required is None:
            return False
        if not _SHA.match(commit or ""):
            raise SignatureError("cannot verify revision %r: not a commit SHA" % (commit,), subject=subject)
        memo = (tuple(git_args), commit, required)
        with self._verifying:
            if memo not in self._checked:
                self._checked[memo] = self._verify(git_args, commit, required, subject)
            reason = self._checked[memo]
        if reason:
            raise SignatureError("revision %s is not deployed: %s (trusted keys: %s)" % (commit[:12], reason, required.rule.name), subject=subject)
        return True

    def _verify(self, git_args, commit, required, subject):
        home = tempfile.mkdtemp(prefix="gitops-k8s-trust-")
        try:
            gnupg = os.path.join(home, "gnupg")
            os.mkdir(gnupg, 0o700)
            signers = os.path.join(home, "allowed_signers")
            blocks, lines = [], []
            for where, text in self._key_texts(required.rule):
                found_blocks, found_lines, wrong = split_keys(text)
                if not (found_blocks or found_lines):
                    raise SignatureError("%s holds no GPG public key block and no SSH public key" % where, subject=required.rule.name)
                if wrong:
                    lines_named = ", ".join(str(n) for n in wrong[:5])
                    raise SignatureError("%s line %s: not an SSH public key or allowed-signers line" % (where, lines_named), subject=required.rule.name)
                blocks.extend((where, b) for b in found_blocks)
                lines.extend(found_lines)
            with open(os.open(signers, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
            self._import(gnupg, blocks, required.rule.name)
            env = tool_env({"GNUPGHOME": gnupg, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "HOME": home})
            argv = ["git", *git_args]
            for pair in (
                "gpg.program=gpg",
                "gpg.ssh.program=ssh-keygen",
                "gpg.x509.program=gpgsm",
                "gpg.ssh.allowedSignersFile=" + signers,
                "gpg.ssh.revocationFile=",
            ):
                argv += ["-c", pair]
            argv += ["show", "-s", "--format=%G?%x1f%GF%x1f%GP%x1f%GS", commit]
            result = run(argv, SignatureError, subject, env=env, timeout=self.timeout)
            if result.rc != 0:
                return "git cannot read the commit: %s" % trim(result.stderr)
            fields = (result.stdout.strip().split("\x1f") + ["", "", "", ""])[:4]
            return commit_trust.verdict(required, *fields)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def _import(self, gnupg, blocks, name):
        """Import the GPG keys and give each full trust (the operator chose them)."""
        base = ["gpg", "--batch", "--no-tty", "--quiet", "--homedir", gnupg]
        env = tool_env({"GNUPGHOME": gnupg})
        for where, block in blocks:
            result = run(base + ["--import"], SignatureError, name, env=env, stdin_data=block, timeout=self.timeout)
            if result.rc != 0:
                raise SignatureError("%s: gpg cannot import its key: %s" % (where, trim(result.stderr)), subject=name)
        if not blocks:
            return
        listed = run(base + ["--with-colons", "--list-keys"], SignatureError, name, env=env, timeout=self.timeout)
        trust, primary = [], False
        for line in listed.stdout.splitlines():
            fields = line.split(":")
            if fields[0] in ("pub", "sub"):
                primary = fields[0] == "pub"
            elif fields[0] == "fpr" and primary and len(fields) > 9:
                trust.append("%s:6:\n" % fields[9])
                primary = False
        run(base + ["--import-ownertrust"], SignatureError, name, env=env, stdin_data="".join(trust), timeout=self.timeout)

    def _key_texts(self, rule):
        """(where, text) of every trusted key source of ``rule``."""
        out = [("%s.keys[%d]" % (rule.name, i), text) for i, text in enumerate(rule.keys)]
        for path in rule.key_files:
            try:
                with open(path, encoding="utf-8") as handle:
                    out.append((path, handle.read()))
            except (OSError, UnicodeDecodeError) as exc:
                raise SignatureError("cannot read the key file %s: %s" % (path, getattr(exc, "strerror", None) or exc), subject=rule.name) from exc
        for kind, namespace, name in rule.keys_from:
            out.extend(self._object_keys(rule, kind, namespace, name))
        return out

    def _object_keys(self, rule, kind, namespace, name):
        where = "%s/%s/%s" % (kind, namespace, name)
        if self.cluster is None:
            raise SignatureError("%s: no cluster to read it from" % where, subject=rule.name)
        try:
            obj = self.cluster.get(self.cluster.resolve("v1", kind), namespace, name)
        except ClusterError as exc:
            raise SignatureError("cannot read %s: %s" % (where, exc.message), subject=rule.name) from exc
        if obj is None:
            raise SignatureError("%s does not exist" % where, subject=rule.name)
        data = obj.get("data") or {}
        out = []
        for key in sorted(data):
            text = data[key]
            if kind == "Secret":
                try:
                    text = base64.b64decode(text).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    raise SignatureError("%s key %s is not text" % (where, key), subject=rule.name) from None
            out.append(("%s key %s" % (where, key), text))
        return out
