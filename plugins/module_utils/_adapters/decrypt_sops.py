# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SOPS-encrypted YAML / JSON documents, decrypted with age and PGP keys only.

A document is SOPS-encrypted when it is a mapping whose ``sops`` key holds the
metadata SOPS writes (a mapping with ``mac``), as Flux's kustomize-controller
detects it. ``sops`` runs with ``--disable-version-check`` (no call home), with an
empty configuration file of ours (``--config``: a repository's ``.sops.yaml`` is
never read), in a private directory (its HOME too, so no key file of the agent's
user is picked up) and with the key material in files of that directory named by
environment variables, never argv. Network key services (AWS/GCP/HuaweiCloud KMS,
Azure Key Vault, HashiCorp Vault) are never called: their entries are removed from
the metadata before sops reads it (the MAC covers the values, not the metadata),
and a document encrypted only for them is refused.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import find_binary, run, tool_env, trim
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import dump_all

METADATA_KEY = "sops"
# Metadata entries naming a network key service, as SOPS writes them.
KEY_SERVICES = ("kms", "gcp_kms", "hckms", "azure_kv", "hc_vault")
# Metadata entries naming keys decrypted on the agent itself.
LOCAL_KEYS = ("age", "pgp")
KEY_GROUPS = "key_groups"
# sops' stores by file extension (as sops chooses them); any other file is "binary".
FILE_TYPES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".env": "dotenv", ".ini": "ini"}
# Environment of the agent that would make sops use other keys or key services.
_SOPS_ENV_PREFIXES = ("SOPS_", "AWS_", "GOOGLE_", "AZURE_", "VAULT_", "HUAWEICLOUD_", "GNUPGHOME", "GPG_")


def is_encrypted(value):
    """True for a document SOPS encrypted (a mapping with ``sops.mac``)."""
    return isinstance(value, dict) and isinstance(value.get(METADATA_KEY), dict) and "mac" in value[METADATA_KEY]


def _groups(meta):
    """The key groups of a metadata mapping: the top level and each of ``key_groups``."""
    groups = [meta]
    extra = meta.get(KEY_GROUPS)
    if isinstance(extra, list):
        groups.extend(group for group in extra if isinstance(group, dict))
    return groups


def key_services(meta):
    """Sorted names of the network key services a metadata mapping names."""
    return sorted({name for group in _groups(meta) for name in KEY_SERVICES if group.get(name)})


def has_local_keys(meta):
    """True when an age or PGP key can open the document."""
    return any(group.get(name) for group in _groups(meta) for name in LOCAL_KEYS)


def without_key_services(meta):
    """The metadata with every network key service entry removed."""
    out = {key: value for key, value in meta.items() if key not in KEY_SERVICES}
    if isinstance(meta.get(KEY_GROUPS), list):
        out[KEY_GROUPS] = [
            {key: value for key, value in group.items() if key not in KEY_SERVICES} if isinstance(group, dict) else group for group in meta[KEY_GROUPS]
        ]
    return out


def sops_input(text, documents, shown):
    """(text, sops input type) to decrypt: ``text`` itself when no document names a key
    service; else the documents rewritten without them. Raises RenderError when a
    document can only be opened by a key service."""
    metas = [value[METADATA_KEY] for value in documents if is_encrypted(value)]
    services = sorted({name for meta in metas for name in key_services(meta)})
    if not services:
        return text, "yaml"
    if not all(has_local_keys(meta) for meta in metas):
        raise RenderError(
            "is encrypted only for network key services (%s): decryption never calls one; add an age or PGP recipient (sops updatekeys)" % ", ".join(services),
            subject=shown,
        )
    stripped = [dict(value, **{METADATA_KEY: without_key_services(value[METADATA_KEY])}) for value in documents]
    if len(stripped) == 1:
        return json.dumps(stripped[0]), "json"
    return dump_all(stripped), "yaml"


def sops_command(binary):
    """Absolute path of sops (the operator's ``sops_binary`` or ``sops``)."""
    name = binary or "sops"
    path = find_binary(name)
    if path is None:
        raise RenderError(
            "sops binary %s not found (looked on PATH and beside the Python interpreter); install sops "
            "(the node_agent and agent roles do) or set the sops_binary option" % name,
            subject=name,
        )
    return path


def sops_env(home, age_key_file, gnupg_home):
    """Environment for sops: no SOPS_/cloud/Vault/GPG variable of the agent, HOME and
    XDG homes in the private directory, our age key file and GnuPG home."""
    extra = {name: None for name in os.environ if name.startswith(_SOPS_ENV_PREFIXES)}
    extra.update(
        {
            "HOME": home,
            "XDG_CONFIG_HOME": home,
            "SOPS_AGE_KEY_FILE": age_key_file,
            # sops 3.10+ also tries ~/.ssh/id_ed25519 for age: point it at nothing
            "SOPS_AGE_SSH_PRIVATE_KEY_FILE": os.path.join(home, "no-ssh-key"),
            "GNUPGHOME": gnupg_home,
            "SOPS_DECRYPTION_ORDER": "age,pgp",
        }
    )
    return tool_env(extra)


def file_type(path):
    """sops' store for a file, from its extension as sops picks it (others: binary)."""
    return FILE_TYPES.get(os.path.splitext(path)[1].lower(), "binary")


def named_key_services(text):
    """Key services named by the ``sops_*`` metadata lines of a dotenv or INI file."""
    return sorted({name for name in KEY_SERVICES if re.search(r"^\s*sops_%s__list_" % name, text, re.MULTILINE)})


def decrypt(sops, text, input_type, shown, home, env, timeout, output_type="yaml"):
    """Plain text of a SOPS-encrypted text of the sops store ``input_type`` (yaml, json,
    dotenv, ini, binary), in the store ``output_type``.

    The encrypted text is read from stdin; the output is never written to disk.
    sops' own error (which never quotes a value) is trimmed into the message."""
    config = os.path.join(home, "sops-config.yaml")
    if not os.path.exists(config):
        with open(os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write("creation_rules: []\n")
    argv = [
        sops,
        "--disable-version-check",
        "--config=%s" % config,
        "decrypt",
        "--input-type=%s" % input_type,
        "--output-type=%s" % output_type,
        "--filename-override=input.%s" % input_type,
        "/dev/stdin",
    ]
    result = run(argv, RenderError, shown, env=env, cwd=home, timeout=timeout, stdin_data=text)
    if result.rc != 0:
        raise RenderError("cannot decrypt with the configured age/PGP keys (sops exit %d): %s" % (result.rc, trim(result.stderr)), subject=shown)
    return result.stdout
