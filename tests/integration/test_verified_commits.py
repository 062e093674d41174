"""Verified commits against the real API server, through the real git, gpg and
ssh-keygen: GPG and SSH keys made in the test, signed, unsigned and wrongly signed
commits; trusted keys from the module option, a ConfigMap and a Secret; global, per
repository and per Application requirements. A refused revision applies nothing and
prunes nothing, and the revision synced before stays live."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.helpers import signing

from .gitops import Runner, application
from .playbook import run_tasks

pytestmark = pytest.mark.skipif(not (shutil.which("gpg") and shutil.which("ssh-keygen")), reason="gpg and ssh-keygen are needed")

STOREFRONT = """apiVersion: v1
kind: ConfigMap
metadata:
  name: storefront
  labels:
    app.kubernetes.io/name: storefront
data:
  release: "{release}"
"""

FEATURE_FLAGS = """apiVersion: v1
kind: ConfigMap
metadata:
  name: feature-flags
data:
  checkout-v2: "true"
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    base = tmp_path_factory.mktemp("signing-keys")
    release, stranger = signing.gpg_key("Release Bot"), signing.gpg_key("Stranger")
    yield {"release": release, "stranger": stranger, "alice": signing.ssh_key(base, "alice"), "mallory": signing.ssh_key(base, "mallory")}
    for key in (release, stranger):
        signing.stop_agents(key)
        shutil.rmtree(key.home, ignore_errors=True)


def make_repo(path):
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / "deploy").mkdir()
    return path


def release(repo, version, key, flags=True):
    (repo / "deploy" / "storefront.yaml").write_text(STOREFRONT.format(release=version))
    flag_file = repo / "deploy" / "feature-flags.yaml"
    if flags:
        flag_file.write_text(FEATURE_FLAGS)
    elif flag_file.exists():
        flag_file.unlink()
    return signing.commit(repo, "storefront %s" % version, key)


def live_release(kubectl, namespace):
    return json.loads(kubectl("get", "configmap", "storefront", "-n", namespace, "-o", "json"))["data"]["release"]


def status(runner, namespace, name):
    return runner.get(namespace, name)["status"]


def refused(runner, namespace, name, words):
    outcome = runner.reconcile(namespace, name)
    assert outcome.error is not None and outcome.error.step == "verify", outcome.error
    assert words in str(outcome.error)
    message = [c["message"] for c in status(runner, namespace, name)["conditions"] if c["type"] == "ComparisonError"][0]
    assert message.startswith("verify failed:") and words in message
    return outcome


def test_guards_gpg_signed_revisions_deploy_unsigned_and_untrusted_ones_do_not(tmp_path, kubeconfig, namespace, kubectl, keys):
    repo = make_repo(tmp_path / "storefront")
    good = release(repo, "1.0", keys["release"])
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), commit_signatures=[{"keys": [keys["release"].public]}])  # global
    runner.declare(application("guards-storefront", namespace, "deploy", namespace, repo_url="file://%s" % repo))
    assert runner.reconcile(namespace, "guards-storefront").error is None
    assert live_release(kubectl, namespace) == "1.0"

    release(repo, "2.0", None, flags=False)  # unsigned, and it would prune feature-flags
    refused(runner, namespace, "guards-storefront", "the commit is not signed")
    assert live_release(kubectl, namespace) == "1.0"  # the last good revision stays live
    assert kubectl("get", "configmap", "feature-flags", "-n", namespace, "-o", "name")  # nothing pruned
    assert status(runner, namespace, "guards-storefront")["sync"]["revision"] == good

    release(repo, "2.1", keys["stranger"], flags=False)  # signed, by a key nobody trusts
    refused(runner, namespace, "guards-storefront", "not by a trusted key")
    assert live_release(kubectl, namespace) == "1.0"

    fixed = release(repo, "2.2", keys["release"], flags=False)
    outcome = runner.reconcile(namespace, "guards-storefront")
    assert outcome.error is None, outcome.error
    assert live_release(kubectl, namespace) == "2.2" and outcome.changeset.by_action("pruned") == ["ConfigMap/%s/feature-flags" % namespace]
    app_status = status(runner, namespace, "guards-storefront")
    assert app_status["sync"]["revision"] == fixed and not [c for c in app_status.get("conditions") or [] if c["type"] == "ComparisonError"]


def test_guards_ssh_signatures_with_allowed_signers_from_a_configmap_per_repository(tmp_path, kubeconfig, namespace, kubectl, keys):
    kubectl(
        "create", "configmap", "guards-allowed-signers", "-n", namespace,
        "--from-literal=platform-team=alice@example.test %s" % keys["alice"].public,
    )  # fmt: skip
    platform = make_repo(tmp_path / "platform" / "storefront")
    other = make_repo(tmp_path / "sandbox")
    rules = [{"url": "file://%s" % (tmp_path / "platform"), "keys_from": [{"kind": "ConfigMap", "namespace": namespace, "name": "guards-allowed-signers"}]}]
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), commit_signatures=rules)
    runner.declare(application("guards-platform", namespace, "deploy", namespace, repo_url="file://%s" % platform))

    release(platform, "1.0", keys["alice"])
    assert runner.reconcile(namespace, "guards-platform").error is None
    release(platform, "1.1", keys["mallory"])
    refused(runner, namespace, "guards-platform", "not by a trusted key")
    assert live_release(kubectl, namespace) == "1.0"

    # a repository outside the prefix needs no signature
    release(other, "9.0", None)
    runner.declare(application("guards-sandbox", namespace, "deploy", namespace, repo_url="file://%s" % other, automated=False))
    assert runner.reconcile(namespace, "guards-sandbox", sync=False).error is None


def test_guards_an_application_asks_for_signatures_with_keys_the_operator_trusts(tmp_path, kubeconfig, namespace, kubectl, keys):
    kubectl("create", "secret", "generic", "guards-keys", "-n", namespace, "--from-literal=alice.pub=%s" % keys["alice"].public)
    repo = make_repo(tmp_path / "storefront")
    rules = [{"keys_from": [{"kind": "Secret", "namespace": namespace, "name": "guards-keys"}], "required": False}]
    runner = Runner(kubeconfig=kubeconfig, cache_dir=str(tmp_path / "cache"), commit_signatures=rules)
    url = "file://%s" % repo

    release(repo, "1.0", None)
    runner.declare(application("guards-lenient", namespace, "deploy", namespace, repo_url=url))
    assert runner.reconcile(namespace, "guards-lenient", sync=False).error is None  # keys only: nothing required

    strict = application("guards-strict", namespace, "deploy", namespace, repo_url=url, signatureKeys=[{"keyID": keys["alice"].fingerprint}])
    runner.declare(strict)
    refused(runner, namespace, "guards-strict", "the commit is not signed")
    release(repo, "1.1", keys["alice"])
    assert runner.reconcile(namespace, "guards-strict").error is None
    assert live_release(kubectl, namespace) == "1.1"

    strict["spec"]["signatureKeys"] = [{"keyID": keys["release"].fingerprint[-16:]}]  # another key: alice's signature no longer counts
    runner.declare(strict)
    refused(runner, namespace, "guards-strict", "not one of spec.signatureKeys")


def test_guards_the_local_checkout_is_verified_too(tmp_path, kubeconfig, namespace, kubectl, keys):
    checkout = make_repo(tmp_path / "checkout")
    release(checkout, "1.0", None)
    runner = Runner(kubeconfig=kubeconfig, checkout_dir=str(checkout), commit_signatures=[{"keys": [keys["release"].public]}])
    runner.declare(application("guards-root", namespace, "deploy", namespace))
    refused(runner, namespace, "guards-root", "the commit is not signed")
    release(checkout, "1.1", keys["release"])
    assert runner.reconcile(namespace, "guards-root").error is None
    assert live_release(kubectl, namespace) == "1.1"


def test_guards_the_app_module_options_commit_signatures_and_prune_limit_percent(tmp_path, kubeconfig, namespace, kubectl, keys):
    """The module options through a real ansible-playbook run: a refused unsigned revision,
    then a signed one over the deletion budget held with a warning, then allowed."""
    checkout = make_repo(tmp_path / "checkout")
    for name in ("cart", "checkout", "search"):
        (checkout / "deploy" / ("%s.yaml" % name)).write_text(FEATURE_FLAGS.replace("feature-flags", name))
    release(checkout, "1.0", keys["release"])
    spec = {"source": {"path": "deploy"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}}
    app = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": str(checkout),
        "commit_signatures": [{"keys": [keys["release"].public]}],
        "fail_on_error": False,
        "definition": {"metadata": {"name": "guards-module"}, "spec": spec},
    }
    _rc, res = run_tasks(tmp_path, [{"name": "signed", "gitops.k8s.app": app}])
    assert res["signed"]["sync_status"] == "Synced", res["signed"]

    for name in ("cart", "checkout", "search"):
        (checkout / "deploy" / ("%s.yaml" % name)).unlink()
    release(checkout, "2.0", None)
    _rc, res = run_tasks(tmp_path, [{"name": "unsigned", "gitops.k8s.app": app}])
    assert "the commit is not signed" in res["unsigned"]["error"] and res["unsigned"].get("pruned", []) == []
    assert kubectl("get", "configmap", "cart", "-n", namespace, "-o", "name")  # nothing pruned

    release(checkout, "2.0", keys["release"])  # 3 of 5 objects go: over the default budget
    _rc, res = run_tasks(tmp_path, [{"name": "held", "gitops.k8s.app": app}, {"name": "allowed", "gitops.k8s.app": dict(app, prune_limit_percent=100)}])
    assert any("PruneHeldWarning: prune held: 3 of 5 objects (60%)" in w for w in res["held"]["warnings"]), res["held"].get("warnings")
    assert live_release(kubectl, namespace) == "2.0"
    assert sorted(res["allowed"]["pruned"]) == ["ConfigMap/%s/%s" % (namespace, n) for n in ("cart", "checkout", "search")]
