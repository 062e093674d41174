# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified commits: which revisions must carry a trusted signature, and whether the one
found is accepted. Pure; the adapter (_adapters/commit_signatures.py) gathers the keys,
asks git for the signature and performs what this decides.

Who trusts what is the operator's choice, never a repository's: the trusted keys (GPG
public keys, SSH public keys or allowed-signers lines) come from the module option
``commit_signatures`` (inline, files on the agent, a ConfigMap or Secret). A rule with a
``url`` covers the repositories under that prefix (as repo_credentials do, the longest
prefix wins); a rule without one covers every repository (global). A rule with
``required: false`` only provides keys: it requires nothing until an Application asks
(spec.signatureKeys). An Application may
ask for more, never for less: ``spec.signatureKeys`` (Argo CD's AppProject field, a list
of ``keyID``) requires a signature even where no rule requires one, and narrows the
accepted keys to the ones it lists (a GPG key ID or fingerprint, an SSH key's
``SHA256:`` fingerprint); the keys still come from the operator's rule for that URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, SignatureError, SourceError

# git's %G? of a good signature by a key of the trusted set (gpg: an imported key, given
# full trust; ssh: a key of the allowed signers file). U (unknown validity) is what an
# SSH key outside the allowed signers gives: never accepted.
GOOD = "G"
_STATUS = {
    "N": "the commit is not signed",
    "B": "the signature is bad (the commit was changed after signing)",
    "U": "the signature is not by a trusted key",
    "E": "the signature is not by a trusted key (no trusted key can check it)",
    "X": "the signature has expired",
    "Y": "the signing key has expired",
    "R": "the signing key was revoked",
}


@dataclass(frozen=True)
class Rule:
    """One entry of ``commit_signatures``: where its keys come from. name: how messages
    name it (``commit_signatures[0]``); scope: the RepoURL prefix it covers, None for
    every repository."""

    name: str
    scope: Optional[repo_urls.RepoURL] = None
    keys: tuple = ()  # key texts given inline
    key_files: tuple = ()  # paths on the agent
    keys_from: tuple = ()  # ((kind, namespace, name), ...) of ConfigMaps / Secrets
    required: bool = True  # every revision it covers must be signed; False: only for Applications that ask


@dataclass(frozen=True)
class Requirement:
    """A revision must be signed by a key of ``rule``; ``key_ids`` (when not empty)
    narrows it to those keys (spec.signatureKeys)."""

    rule: Rule
    key_ids: tuple = ()


def rules_of(items, what="commit_signatures"):
    """The Rules of the module option (a list of mappings); SignatureError naming the entry
    for a wrong URL, a rule without keys, or two rules for the same scope."""
    rules, seen = [], {}
    for index, item in enumerate(items or ()):
        name = "%s[%d]" % (what, index)
        url = item.get("url")
        scope = None
        if url:
            try:
                scope = repo_urls.parse(url, allow_local=True, schemes=repo_urls.CREDENTIAL_SCHEMES)
            except SourceError as exc:
                raise SignatureError("url %s: %s" % (repo_urls.display(url), exc.message), subject=name) from exc
        sources = [tuple(item.get("keys") or ()), tuple(item.get("key_files") or ())]
        refs = tuple((r.get("kind") or "ConfigMap", r.get("namespace") or "", r.get("name") or "") for r in item.get("keys_from") or ())
        if not any(sources) and not refs:
            raise SignatureError("a rule needs trusted keys (keys, key_files or keys_from)", subject=name)
        for kind, namespace, ref_name in refs:
            if kind not in ("ConfigMap", "Secret") or not namespace or not ref_name:
                raise SignatureError("keys_from: kind ConfigMap or Secret, namespace and name are required", subject=name)
        if scope in seen:
            raise SignatureError("the same repositories as %s" % seen[scope], subject=name)
        seen[scope] = name
        rules.append(Rule(name, scope, sources[0], sources[1], refs, item.get("required") is not False))
    return tuple(rules)


def _covering(rules, url):
    """The rule of the longest prefix covering ``url`` (a RepoURL or None), else the global one."""
    best = None
    for rule in rules:
        if rule.scope is not None and url is not None and rule.scope.covers(url):
            if best is None or len(rule.scope.path) > len(best.scope.path):
                best = rule
    if best is not None:
        return best
    return next((r for r in rules if r.scope is None), None)


def normalize_key_ids(value):
    """spec.signatureKeys (Argo CD's ``[{keyID: ...}]``) as a tuple of key IDs; GPG IDs in
    upper case without spaces, SSH fingerprints as written. Raises on a wrong shape."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(k, dict) and isinstance(k.get("keyID"), str) and k["keyID"].strip() for k in value):
        raise InvalidSpec("spec.signatureKeys must be a list of {keyID: <GPG key ID or SSH SHA256 fingerprint>}")
    out = []
    for item in value:
        key = item["keyID"].strip()
        out.append(key if key.startswith("SHA256:") else key.replace(" ", "").upper())
    return tuple(out)


def requirement(rules, url, key_ids, subject):
    """The Requirement for a revision of the repository ``url`` (a RepoURL; None for a
    local checkout without origin) of an Application asking for ``key_ids``; None when
    no signature is required. SignatureError when the Application asks for one and the
    operator trusts no key for that repository."""
    rule = _covering(rules, url)
    if rule is None and key_ids:
        raise SignatureError(
            "spec.signatureKeys asks for a signed revision, but no trusted keys cover %s (the operator's commit_signatures)" % (url or "this checkout"),
            subject=subject,
        )
    if rule is None or not (rule.required or key_ids):
        return None
    return Requirement(rule, tuple(key_ids))


def _matches(key_id, fingerprint, primary):
    if key_id.startswith("SHA256:"):
        return key_id == fingerprint
    return any(f and f.upper().endswith(key_id) for f in (fingerprint, primary))


def verdict(required, status, fingerprint, primary, signer):
    """'' when git's signature check (``status`` = %G?, ``fingerprint`` = %GF, ``primary`` =
    %GP, ``signer`` = %GS) satisfies ``required``, else why not."""
    if status != GOOD:
        return _STATUS.get(status, "the signature cannot be checked (%s)" % (status or "no answer"))
    if required.key_ids and not any(_matches(k, fingerprint, primary) for k in required.key_ids):
        return "signed by %s (%s), which is not one of spec.signatureKeys" % (fingerprint, signer or "unnamed")
    return ""
