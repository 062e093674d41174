"""Encrypted secrets in Git, decrypted at render and applied through ``ansible-pull``:
SOPS with age (the operator's key file) and PGP (a Secret in Flux's format named by the
Application's spec.decryption), ansible-vault files and inline ``!vault`` values, and
Helm value files of both kinds. The plain values reach the cluster and nothing else: not
the output of ``-vvv --diff``, not the Application status, not the checkout, the caches
or a temporary file. A file encrypted for another key fails naming it, and nothing of
its Application is applied or pruned."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
import yaml

from tests.helpers import encryption

from .gitops import GitRepo
from .playbook import REPO_ROOT, VENV_BIN, ansible_env

pytestmark = pytest.mark.skipif(encryption.tools_missing() is not None, reason=str(encryption.tools_missing()))

AGE_VALUE = "age-plain-Xq81-database-password"
PGP_VALUE = "pgp-plain-Wz27-api-token"
VAULT_INLINE_VALUE = "vault-inline-Jm55-smtp-password"
VAULT_FILE_VALUE = "vault-file-Kp09-signing-key"
HELM_SOPS_VALUE = "helm-sops-Rt44-admin-password"
HELM_VAULT_VALUE = "helm-vault-Ub63-license-key"
KUSTOMIZE_ENV_VALUE = "kustomize-env-Hn38-queue-password"
NEW_AGE_VALUE = "age-plain-Yy12-rotated-password"
PLAIN = (AGE_VALUE, PGP_VALUE, VAULT_INLINE_VALUE, VAULT_FILE_VALUE, HELM_SOPS_VALUE, HELM_VAULT_VALUE, KUSTOMIZE_ENV_VALUE, NEW_AGE_VALUE)
VAULT_PASSWORD = "operator vault password 7"

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: %s
type: Opaque
stringData:
  %s: %s
"""
CHART = "apiVersion: v2\nname: billing\nversion: 1.0.0\n"
CHART_TEMPLATES = {
    "secret.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-admin
stringData:
  password: {{ .Values.admin.password | quote }}
""",
    # a chart that puts a decrypted value into a ConfigMap: still never printed
    "configmap.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-license
data:
  license: {{ .Values.license | quote }}
""",
}


def application(name, namespace, path, **spec):
    body = {"source": {"path": path}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True}}}
    body.update(spec)
    return {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Application", "metadata": {"name": name, "namespace": namespace}, "spec": body}


def scan(directory, needles):
    """Files below ``directory`` holding one of ``needles`` (as text or base64)."""
    forms = [n.encode() for n in needles] + [base64.b64encode(n.encode()) for n in needles]
    found = []
    for dirpath, _dirnames, filenames in os.walk(directory):
        for filename in filenames:
            path = os.path.join(dirpath, filename)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            found.extend("%s: %s" % (path, n.decode()) for n in forms if n in data)
    return found


def pull(url, checkout, kubeconfig, tmp, *extra):
    """ansible-pull -vvv --diff with every temporary directory under ``tmp``."""
    env = ansible_env(TMPDIR=tmp, ANSIBLE_LOCAL_TEMP=os.path.join(tmp, "ansible-local"), ANSIBLE_REMOTE_TEMP=os.path.join(tmp, "ansible-remote"))
    return subprocess.run(
        [
            os.path.join(VENV_BIN, "ansible-pull"),
            "-vvv",
            "--diff",
            "-U",
            url,
            "-d",
            checkout,
            "-i",
            "localhost,",
            "-e",
            "gitops_k8s_kubeconfig=%s" % kubeconfig,
            *extra,
            "local.yml",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def key_dirs():
    return {n for n in os.listdir("/tmp") if n.startswith("gitops-k8s-decrypt-")}


def secret_value(kubectl, namespace, name, key):
    data = json.loads(kubectl("get", "secret", name, "-n", namespace, "-o", "json"))["data"]
    return base64.b64decode(data[key]).decode()


def test_sops_and_vault_secrets_through_ansible_pull(tmp_path, kubeconfig, namespace, kubectl):
    keys = tmp_path / "keys"
    keys.mkdir()
    age_file, age_recipient = encryption.age_key(str(keys), "operator.agekey")
    _other_file, other_recipient = encryption.age_key(str(keys), "someone-else.agekey")
    pgp = encryption.PGPKey(str(keys))
    try:
        asc = open(pgp.export_secret(str(keys / "team.asc")), encoding="utf-8").read()
        vault_file = keys / "vault-password"
        vault_file.write_text(VAULT_PASSWORD + "\n")
        kubectl(
            "apply",
            "-f",
            "-",
            stdin=json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops-pgp", "namespace": namespace}, "stringData": {"sops.asc": asc}}),
        )

        repo = GitRepo(tmp_path / "repo")
        repo.write("local.yml", open(os.path.join(REPO_ROOT, "examples", "local.yml"), encoding="utf-8").read())
        repo.write("age/secret.yaml", encryption.sops_encrypt(SECRET % ("db", "password", AGE_VALUE), age=[age_recipient]))
        repo.write("age/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-settings\ndata:\n  pool: '5'\n")
        repo.write("pgp/secret.json", encryption.sops_encrypt(json.dumps(yaml.safe_load(SECRET % ("api", "token", PGP_VALUE))), kind="json", pgp=pgp))
        repo.write("vault/inline.yaml", SECRET % ("smtp", "password", encryption.inline_vault(VAULT_INLINE_VALUE, VAULT_PASSWORD)))
        repo.write("vault/whole.yaml", encryption.vault_encrypt(SECRET % ("signing", "key", VAULT_FILE_VALUE), VAULT_PASSWORD))
        repo.write("billing/Chart.yaml", CHART)
        repo.write("billing/values.yaml", "admin:\n  password: ''\nlicense: ''\n")
        for name, text in CHART_TEMPLATES.items():
            repo.write("billing/templates/" + name, text)
        repo.write(
            "billing/secrets.prod.yaml",
            encryption.sops_encrypt("admin:\n  password: %s\n" % HELM_SOPS_VALUE, age=[age_recipient], encrypted_regex="^password$"),
        )
        repo.write("billing/license.prod.yaml", "license: %s\n" % encryption.inline_vault(HELM_VAULT_VALUE, VAULT_PASSWORD, indent=2))
        # Flux's layout: a kustomization whose secretGenerator reads a SOPS-encrypted env file
        repo.write("queue/kustomization.yaml", "secretGenerator:\n- name: queue\n  envs:\n  - queue.env\ngeneratorOptions:\n  disableNameSuffixHash: true\n")
        repo.write(
            "queue/queue.env", encryption.sops_encrypt("QUEUE_PASSWORD=%s\n" % KUSTOMIZE_ENV_VALUE, kind="dotenv", age=[age_recipient], encrypted_regex=None)
        )
        apps = [
            application("secrets-kustomize", namespace, "queue"),
            application("secrets-age", namespace, "age"),
            application("secrets-pgp", namespace, "pgp", decryption={"provider": "sops", "secretRef": {"name": "sops-pgp"}}),
            application("secrets-vault", namespace, "vault"),
            application(
                "secrets-helm", namespace, "billing", source={"path": "billing", "helm": {"valueFiles": ["secrets://secrets.prod.yaml", "license.prod.yaml"]}}
            ),
        ]
        for obj in apps:
            repo.write("apps/%s.yaml" % obj["metadata"]["name"], yaml.safe_dump(obj))
        repo.commit("encrypted secrets")

        checkout, tmp = str(tmp_path / "checkout"), str(tmp_path / "tmp")
        os.makedirs(tmp)
        before = key_dirs()
        extra = (
            "-e",
            "gitops_k8s_namespace=%s" % namespace,
            "-e",
            "gitops_k8s_root_name=secrets-root",
            "-e",
            json.dumps({"gitops_k8s_decryption_key_files": [age_file], "gitops_k8s_vault_password_file": str(vault_file)}),
        )
        first = pull(repo.url, checkout, kubeconfig, tmp, *extra)
        output = first.stdout + first.stderr
        assert first.returncode == 0, output[-6000:]

        # the plain values reached the cluster
        assert secret_value(kubectl, namespace, "db", "password") == AGE_VALUE
        assert secret_value(kubectl, namespace, "api", "token") == PGP_VALUE
        assert secret_value(kubectl, namespace, "smtp", "password") == VAULT_INLINE_VALUE
        assert secret_value(kubectl, namespace, "signing", "key") == VAULT_FILE_VALUE
        assert secret_value(kubectl, namespace, "secrets-helm-admin", "password") == HELM_SOPS_VALUE
        assert secret_value(kubectl, namespace, "queue", "QUEUE_PASSWORD") == KUSTOMIZE_ENV_VALUE
        license_map = json.loads(kubectl("get", "configmap", "secrets-helm-license", "-n", namespace, "-o", "json"))
        assert license_map["data"]["license"] == HELM_VAULT_VALUE

        # ... and nothing else: output of -vvv --diff (which did show diffs), status, files
        assert "secrets-helm-license" in output and "db-settings" in output
        assert [p for p in PLAIN if p in output or base64.b64encode(p.encode()).decode() in output] == []
        statuses = kubectl("get", "gapp", "-n", namespace, "-o", "json")
        assert [p for p in PLAIN if p in statuses] == []
        cache = os.path.expanduser("~/.cache/gitops-k8s")
        for directory in (checkout, tmp, cache):
            if os.path.isdir(directory):
                assert scan(directory, PLAIN) == []
        assert [n for n in os.listdir(tmp) if n.startswith("gitops-k8s-")] == []
        assert key_dirs() - before == set()  # nor the short /tmp a long TMPDIR makes the key directory use

        # a file encrypted for someone else's key: an error naming it; nothing applied or pruned
        repo.write("age/secret.yaml", encryption.sops_encrypt(SECRET % ("db", "password", NEW_AGE_VALUE), age=[other_recipient]))
        repo.remove("age/config.yaml")
        repo.commit("rotate for another key, drop a ConfigMap")
        second = pull(repo.url, checkout, kubeconfig, tmp, *extra)
        output = second.stdout + second.stderr
        assert second.returncode != 0, output[-6000:]
        assert "age/secret.yaml" in output and "cannot decrypt with the configured age/PGP keys" in output, output[-6000:]
        assert secret_value(kubectl, namespace, "db", "password") == AGE_VALUE
        kubectl("get", "configmap", "db-settings", "-n", namespace)  # not pruned
        status = json.loads(kubectl("get", "gapp", "secrets-age", "-n", namespace, "-o", "json"))["status"]
        messages = " ".join(c.get("message", "") for c in status.get("conditions", []))
        assert "age/secret.yaml" in messages and "cannot decrypt" in messages, status
        assert [p for p in PLAIN if p in output or p in json.dumps(status)] == []
        for directory in (checkout, tmp):
            assert scan(directory, PLAIN) == []
    finally:
        pgp.close()
