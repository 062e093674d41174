# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  decryption_key_files:
    description:
      - Key files on the agent that decrypt SOPS-encrypted manifests and Helm value files, as Flux names them.
      - C(*.agekey) files (or any file holding C(AGE-SECRET-KEY-) lines, such as C(age-keygen) output) are age identities;
        C(*.asc) files are armored PGP private keys without passphrase (C(gpg --export-secret-keys --armor)).
      - Network key services (AWS/GCP/HuaweiCloud KMS, Azure Key Vault, HashiCorp Vault) are never called; a file encrypted
        only for them fails with an error naming it.
      - See the secrets guide (C(docs/secrets.md)).
    type: list
    elements: path
    default: []
  decryption_secret:
    description:
      - A Secret holding decryption keys, in Flux's format (C(*.agekey), C(*.asc) keys) plus C(*vault-password) keys for
        ansible-vault; used for every Application (the way to give keys to Argo CD Applications, which have no field for it).
      - C(name) names a Secret of each Application's namespace, C(namespace/name) one Secret.
      - An Application can also name its own Secret with C(spec.decryption.secretRef.name), as a Flux Kustomization does.
    type: str
  vault_password_file:
    description:
      - File whose first line is the ansible-vault password that opens vault-encrypted files and inline C(!vault) values of
        manifests and Helm value files.
    type: path
  sops_binary:
    description:
      - The sops executable (default C(sops) on E(PATH), else beside the Python interpreter). A repository cannot choose it.
    type: path
"""
