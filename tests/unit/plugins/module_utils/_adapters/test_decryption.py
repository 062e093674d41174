# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SOPS (age, PGP) and ansible-vault encrypted manifests and Helm values, decrypted at
render with keys made here; the plain values never in a message or a file left behind."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import decryption
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError, RenderError
from tests.helpers import encryption

pytestmark = pytest.mark.skipif(encryption.tools_missing() is not None, reason=str(encryption.tools_missing()))

PASSWORD = "s3cr3t-db-passw0rd"
TOKEN = "tok-9f8e7d6c5b4a"
VAULT_PASSWORD = "correct horse battery staple"

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
type: Opaque
stringData:
  password: %s
data:
  token: %s
""" % (PASSWORD, base64.b64encode(TOKEN.encode()).decode())

CHART = """\
apiVersion: v2
name: shop
version: 0.1.0
"""
TEMPLATE = """\
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-db
stringData:
  password: {{ .Values.db.password | quote }}
  user: {{ .Values.db.user | quote }}
"""


@pytest.fixture
def private_tmp(monkeypatch):
    """The temporary directory every tool and helper uses: scanned after each test. Short
    (gpg-agent's socket path must fit a Unix socket's 108 characters)."""
    directory = tempfile.mkdtemp(prefix="gk-test-")
    monkeypatch.setattr(tempfile, "tempdir", directory)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def keys_dir(tmp_path):
    directory = tmp_path / "keys"
    directory.mkdir()
    return directory


@pytest.fixture
def age(keys_dir):
    return encryption.age_key(str(keys_dir))


@pytest.fixture
def pgp(keys_dir):
    key = encryption.PGPKey(str(keys_dir))
    yield key
    key.close()


def checkout(tmp_path, files):
    root = tmp_path / "checkout"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


def assert_nothing_left(private_tmp, *plain):
    """No file or directory left in the temporary directory, and no plain value in one."""
    assert os.listdir(str(private_tmp)) == []


def secret_of(result):
    return [m.obj for m in result.manifests if m.obj["kind"] == "Secret"][0]


def test_age_encrypted_secret_is_decrypted(tmp_path, age, private_tmp):
    root = checkout(tmp_path, {"app/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]])})
    assert PASSWORD not in open(os.path.join(root, "app/secret.yaml")).read()
    result = render(root, "app", RenderOptions(decryption=decryption.keys_from_files([age[0]])))
    secret = secret_of(result)
    assert secret["stringData"]["password"] == PASSWORD
    assert base64.b64decode(secret["data"]["token"]).decode() == TOKEN
    assert "sops" not in secret
    assert PASSWORD in result.revealed
    assert_nothing_left(private_tmp)


def test_pgp_encrypted_json_secret_is_decrypted_with_an_asc_key(tmp_path, pgp, keys_dir, private_tmp):
    encrypted = encryption.sops_encrypt(json.dumps(yaml.safe_load(SECRET)), kind="json", pgp=pgp)
    root = checkout(tmp_path, {"app/secret.json": encrypted})
    asc = pgp.export_secret(str(keys_dir / "sops.asc"))
    result = render(root, "app", RenderOptions(decryption=decryption.keys_from_files([asc])))
    assert secret_of(result)["stringData"]["password"] == PASSWORD
    assert_nothing_left(private_tmp)


def test_wrong_key_names_the_file_and_shows_no_value(tmp_path, age, keys_dir, private_tmp):
    other, _recipient = encryption.age_key(str(keys_dir), "other.agekey")
    root = checkout(tmp_path, {"app/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]])})
    with pytest.raises(RenderError) as caught:
        render(root, "app", RenderOptions(decryption=decryption.keys_from_files([other])))
    assert caught.value.subject == "app/secret.yaml"
    assert "cannot decrypt" in caught.value.message
    assert PASSWORD not in str(caught.value)
    assert_nothing_left(private_tmp)


def test_the_agent_environment_never_supplies_a_key(tmp_path, age, keys_dir, private_tmp, monkeypatch):
    """SOPS_AGE_KEY_FILE / SOPS_AGE_KEY of the agent's environment are not used: only
    the configured keys open a file."""
    other, _recipient = encryption.age_key(str(keys_dir), "other.agekey")
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", age[0])
    monkeypatch.setenv("SOPS_AGE_KEY", open(age[0]).read())
    root = checkout(tmp_path, {"app/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]])})
    with pytest.raises(RenderError, match="cannot decrypt"):
        render(root, "app", RenderOptions(decryption=decryption.keys_from_files([other])))


def test_a_repository_sops_config_is_not_read(tmp_path, age, private_tmp):
    """A .sops.yaml beside the file (here: an invalid one) changes nothing."""
    root = checkout(tmp_path, {"app/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]]), ".sops.yaml": "creation_rules: [{kms: 'x'}\n"})
    result = render(root, "app", RenderOptions(decryption=decryption.keys_from_files([age[0]]), exclude=(".sops.yaml",)))
    assert secret_of(result)["stringData"]["password"] == PASSWORD


def test_encrypted_file_without_keys_is_refused(tmp_path, age, private_tmp):
    root = checkout(tmp_path, {"app/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]])})
    with pytest.raises(RenderError, match="no age or PGP key is configured") as caught:
        render(root, "app")
    assert caught.value.subject == "app/secret.yaml"


def with_key_service(encrypted, local=True):
    doc = yaml.safe_load(encrypted)
    doc["sops"]["kms"] = [{"arn": "arn:aws:kms:eu-west-1:111122223333:key/abcd", "created_at": "2026-01-01T00:00:00Z", "enc": "AQID", "aws_profile": ""}]
    if not local:
        doc["sops"]["age"] = []
    return yaml.safe_dump(doc, sort_keys=False)


def test_key_service_entries_are_never_called(tmp_path, age, private_tmp):
    """A file also encrypted for AWS KMS decrypts with the age key, KMS removed first."""
    root = checkout(tmp_path, {"app/secret.yaml": with_key_service(encryption.sops_encrypt(SECRET, age=[age[1]]))})
    result = render(root, "app", RenderOptions(decryption=decryption.keys_from_files([age[0]])))
    assert secret_of(result)["stringData"]["password"] == PASSWORD


def test_a_file_only_a_key_service_opens_is_refused(tmp_path, age, private_tmp):
    root = checkout(tmp_path, {"app/secret.yaml": with_key_service(encryption.sops_encrypt(SECRET, age=[age[1]]), local=False)})
    with pytest.raises(RenderError, match=r"only for network key services \(kms\)") as caught:
        render(root, "app", RenderOptions(decryption=decryption.keys_from_files([age[0]])))
    assert caught.value.subject == "app/secret.yaml"


def test_vault_file_and_inline_vault_values(tmp_path, keys_dir, private_tmp):
    password_file = keys_dir / "vault-password"
    password_file.write_text(VAULT_PASSWORD + "\n")
    inline = SECRET.replace("password: %s" % PASSWORD, "password: %s" % encryption.inline_vault(PASSWORD, VAULT_PASSWORD))
    whole = encryption.vault_encrypt(SECRET.replace("db-credentials", "db-copy"), VAULT_PASSWORD)
    root = checkout(tmp_path, {"app/inline.yaml": inline, "app/whole.yaml": whole})
    result = render(root, "app", RenderOptions(decryption=decryption.keys_from_files(vault_password_file=str(password_file))))
    secrets = {m.obj["metadata"]["name"]: m.obj for m in result.manifests}
    assert secrets["db-credentials"]["stringData"]["password"] == PASSWORD
    assert secrets["db-copy"]["stringData"]["password"] == PASSWORD
    # what was encrypted is remembered (to be masked), never the object's names
    assert PASSWORD in result.revealed and "db-copy" not in result.revealed and "Secret" not in result.revealed
    assert_nothing_left(private_tmp)


def test_vault_format_1_2_with_a_vault_id(tmp_path):
    from ansible.parsing.vault import VaultLib, VaultSecret  # ansible-core of the test venv, as ansible-vault --vault-id

    body = VaultLib([("prod", VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(SECRET, vault_id="prod").decode()
    assert body.startswith("$ANSIBLE_VAULT;1.2;AES256;prod")
    root = checkout(tmp_path, {"app/secret.yaml": body})
    result = render(root, "app", RenderOptions(decryption=decryption.Keys(vault=("other", VAULT_PASSWORD))))
    assert secret_of(result)["stringData"]["password"] == PASSWORD


def test_wrong_vault_password_names_the_file(tmp_path, keys_dir):
    inline = SECRET.replace("password: %s" % PASSWORD, "password: %s" % encryption.inline_vault(PASSWORD, VAULT_PASSWORD))
    root = checkout(tmp_path, {"app/inline.yaml": inline})
    keys = decryption.Keys(vault=("not the password",))
    with pytest.raises(RenderError, match="cannot decrypt with the configured vault passwords") as caught:
        render(root, "app", RenderOptions(decryption=keys))
    assert caught.value.subject.startswith("app/inline.yaml")
    with pytest.raises(RenderError, match="no vault password is configured"):
        render(root, "app")


def helm_checkout(tmp_path, values_name, values_text):
    return checkout(
        tmp_path,
        {
            "chart/Chart.yaml": CHART,
            "chart/templates/secret.yaml": TEMPLATE,
            "chart/values.yaml": "db:\n  user: app\n  password: ''\n",
            "chart/" + values_name: values_text,
        },
    )


def test_sops_helm_value_file_with_helm_secrets_prefix(tmp_path, age, helm_bin, private_tmp):
    values = encryption.sops_encrypt("db:\n  password: %s\n" % PASSWORD, age=[age[1]], encrypted_regex="^password$")
    root = helm_checkout(tmp_path, "secrets.prod.yaml", values)
    options = RenderOptions(helm_binary=helm_bin, value_files=("secrets://secrets.prod.yaml",), decryption=decryption.keys_from_files([age[0]]))
    secret = secret_of(render(root, "chart", options))
    assert secret["stringData"] == {"password": PASSWORD, "user": "app"}
    assert_nothing_left(private_tmp)


def test_vault_helm_value_file_with_inline_values(tmp_path, helm_bin, private_tmp):
    values = "db:\n  password: %s\n" % encryption.inline_vault(PASSWORD, VAULT_PASSWORD)
    root = helm_checkout(tmp_path, "values-prod.yaml", values)
    options = RenderOptions(helm_binary=helm_bin, value_files=("values-prod.yaml",), decryption=decryption.Keys(vault=(VAULT_PASSWORD,)))
    assert secret_of(render(root, "chart", options))["stringData"]["password"] == PASSWORD
    assert_nothing_left(private_tmp)


def test_other_helm_secrets_schemes_are_refused(tmp_path, age, helm_bin):
    root = helm_checkout(tmp_path, "secrets.yaml", "db: {}\n")
    options = RenderOptions(
        helm_binary=helm_bin, value_files=("secrets+age-import:///keys/key.txt?secrets.yaml",), decryption=decryption.keys_from_files([age[0]])
    )
    with pytest.raises(RenderError, match="secrets\\+age-import:// is not supported"):
        render(root, "chart", options)


def kustomize_checkout(tmp_path, age):
    env = encryption.sops_encrypt("DB_PASSWORD=%s\nDB_USER=app\n" % PASSWORD, kind="dotenv", age=[age[1]], encrypted_regex=None)
    return checkout(
        tmp_path,
        {
            "base/kustomization.yaml": "resources:\n- secret.yaml\nsecretGenerator:\n- name: db-env\n  envs:\n  - db.env\n",
            "base/secret.yaml": encryption.sops_encrypt(SECRET, age=[age[1]]),
            "base/db.env": env,
            "overlays/prod/kustomization.yaml": "resources:\n- ../../base\nnamePrefix: prod-\n",
        },
    )


def test_kustomization_resources_and_generator_envs_are_decrypted(tmp_path, age, kubectl_bin, private_tmp):
    """As Flux: an encrypted resource and an encrypted env file of a secretGenerator."""
    root = kustomize_checkout(tmp_path, age)
    before = {name: open(os.path.join(root, "base", name)).read() for name in ("secret.yaml", "db.env")}
    options = RenderOptions(kustomize_binary=kubectl_bin, decryption=decryption.keys_from_files([age[0]]))
    result = render(root, "overlays/prod", options)
    secrets = {m.obj["metadata"]["name"]: m.obj for m in result.manifests}
    assert secrets["prod-db-credentials"]["stringData"]["password"] == PASSWORD
    [generated] = [obj for name, obj in secrets.items() if name.startswith("prod-db-env-")]
    assert base64.b64decode(generated["data"]["DB_PASSWORD"]).decode() == PASSWORD
    # the private copy was made of hard links: the checkout still holds the encrypted text
    assert {name: open(os.path.join(root, "base", name)).read() for name in before} == before
    assert PASSWORD in result.revealed
    assert_nothing_left(private_tmp)


def test_vault_encrypted_resource_of_a_kustomization(tmp_path, kubectl_bin, private_tmp):
    root = checkout(tmp_path, {"k/kustomization.yaml": "resources:\n- secret.yaml\n", "k/secret.yaml": encryption.vault_encrypt(SECRET, VAULT_PASSWORD)})
    result = render(root, "k", RenderOptions(kustomize_binary=kubectl_bin, decryption=decryption.Keys(vault=(VAULT_PASSWORD,))))
    assert secret_of(result)["stringData"]["password"] == PASSWORD
    assert PASSWORD in result.revealed and "db-credentials" not in result.revealed
    assert_nothing_left(private_tmp)


def test_encrypted_resource_of_a_kustomization_without_keys_is_refused(tmp_path, age, kubectl_bin):
    root = kustomize_checkout(tmp_path, age)
    with pytest.raises(RenderError, match="was not decrypted") as caught:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin))
    assert PASSWORD not in str(caught.value)


def test_a_generator_env_encrypted_without_keys_is_never_applied_as_ciphertext(tmp_path, age, kubectl_bin):
    root = kustomize_checkout(tmp_path, age)
    os.unlink(os.path.join(root, "base", "secret.yaml"))
    with open(os.path.join(root, "base", "kustomization.yaml"), "w") as handle:
        handle.write("secretGenerator:\n- name: db-env\n  envs:\n  - db.env\n")
    with pytest.raises(RenderError, match="was not decrypted") as caught:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin))
    assert caught.value.subject == "kustomize:overlays/prod"


def test_wrong_key_for_a_generator_env_names_it(tmp_path, age, keys_dir, kubectl_bin, private_tmp):
    other, _recipient = encryption.age_key(str(keys_dir), "other.agekey")
    root = kustomize_checkout(tmp_path, age)
    with pytest.raises(RenderError, match="cannot decrypt") as caught:
        render(root, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin, decryption=decryption.keys_from_files([other])))
    assert caught.value.subject in ("base/db.env", "base/secret.yaml")
    assert_nothing_left(private_tmp)


def test_keys_from_a_secret_in_flux_format(age, pgp, keys_dir):
    asc = pgp.export_secret(str(keys_dir / "sops.asc"))

    def b64(path):
        return base64.b64encode(open(path, "rb").read()).decode()

    secret = {"data": {"identity.agekey": b64(age[0]), "sops.asc": b64(asc), "vault-password": base64.b64encode(b"pw\n").decode(), "sops.aws-kms": "eA=="}}
    keys = decryption.keys_from_secret(secret, "Secret/gitops-system/sops-keys")
    assert (len(keys.age), len(keys.pgp), keys.vault) == (1, 1, ("pw",))
    assert "AGE-SECRET-KEY" not in repr(keys)


def test_a_key_file_of_unknown_kind_is_refused(keys_dir):
    path = keys_dir / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(GitOpsError, match="neither an age identity"):
        decryption.keys_from_files([str(path)])
