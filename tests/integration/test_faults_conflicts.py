"""Fault suite, conflicts: another field manager takes a managed field; a mutating
admission webhook makes the live object differ from Git forever.

The webhook is real: an HTTPS server on 127.0.0.1 (tests/helpers/webhooks.py) registered with a MutatingWebhookConfiguration. A webhook applies to the whole API
server, so this module runs on its own control plane (`private_cluster`).
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import webhooks

from .faults import agent, ids, lost, uids
from .gitops import GitRepo, application

FIELD_MANAGER = "gitops-k8s"
MUTATE_LABEL = "faults.example.test/mutate"

CONFIGMAP = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {name}
      labels:
        tier: web
        {label}
    data:
      value: "1"
    """


@pytest.fixture
def repo(tmp_path):
    return GitRepo(tmp_path / "checkout")


@pytest.fixture
def runner(private_cluster, tmp_path, repo):
    return agent(private_cluster.kubeconfig, tmp_path, checkout_dir=repo.path)


def writes(outcome):
    """Object writes a reconcile made, by verb (what gitops.k8s.app returns as `requests`)."""
    return dict((verb, n) for verb, n in outcome.requests.items() if verb in ("apply", "create", "replace", "patch", "delete") and n)


def managers(kubectl, namespace, name, field):
    """Field managers owning data.FIELD of ConfigMap NAME."""
    obj = json.loads(kubectl("get", "cm", name, "-n", namespace, "-o", "json", "--show-managed-fields"))
    return sorted(m["manager"] for m in obj["metadata"]["managedFields"] if "f:" + field in ((m.get("fieldsV1") or {}).get("f:data") or {}))


def test_foreign_field_manager_is_reverted(runner, repo, private_cluster):
    namespace = private_cluster.namespace("foreign-manager")
    kubectl = private_cluster.kubectl
    repo.write("app/cm.yaml", CONFIGMAP.format(name="owned", label=""))
    repo.commit("owned")
    runner.declare(application("owner", namespace, "app", namespace))
    assert ids(runner.reconcile(namespace, "owner"), "created") == ["ConfigMap/%s/owned" % namespace]
    before = uids(kubectl, namespace)

    kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=intruder",
        "-f",
        "-",
        stdin=json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned", "namespace": namespace}, "data": {"value": "hacked"}}),
    )
    assert managers(kubectl, namespace, "owned", "value") == ["intruder"]

    outcome = runner.reconcile(namespace, "owner")
    assert outcome.error is None, outcome.error
    assert ids(outcome, "configured") == ["ConfigMap/%s/owned" % namespace]
    assert kubectl("get", "cm", "owned", "-n", namespace, "-o", "jsonpath={.data.value}") == "1"
    assert managers(kubectl, namespace, "owned", "value") == [FIELD_MANAGER]
    assert lost(before, uids(kubectl, namespace)) == []
    again = runner.reconcile(namespace, "owner")  # converged: nothing to write
    assert not again.changeset.changed and writes(again) == {}


@pytest.fixture
def relabel_webhook(tmp_path, private_cluster):
    """A mutating admission webhook (tests/helpers/webhooks.py) registered for ConfigMaps
    labelled faults.example.test/mutate=true: it sets their label `tier` to `mutated`;
    yields its list of calls, (operation, dry run)."""
    calls = []

    def relabel(request):
        calls.append((request["operation"], bool(request.get("dryRun"))))
        return webhooks.review_response(request, patch=[{"op": "replace", "path": "/metadata/labels/tier", "value": "mutated"}])

    with webhooks.serving(relabel, tmp_path) as client:
        rule = {"apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}
        config = webhooks.configuration("MutatingWebhookConfiguration", "faults-relabel", client, rule, {MUTATE_LABEL: "true"}, timeout=5)
        private_cluster.kubectl("apply", "-f", "-", stdin=json.dumps(config))
        try:
            yield calls
        finally:
            private_cluster.kubectl.run("delete", "mutatingwebhookconfiguration", "faults-relabel")


def test_admission_mutation_that_differs_forever_is_not_rewritten_every_run(runner, repo, private_cluster, relabel_webhook):
    namespace = private_cluster.namespace("mutated")
    kubectl = private_cluster.kubectl
    repo.write("app/cm.yaml", CONFIGMAP.format(name="relabelled", label='%s: "true"' % MUTATE_LABEL))
    repo.commit("relabelled")
    runner.declare(application("mutated", namespace, "app", namespace))
    first = runner.reconcile(namespace, "mutated")
    assert first.error is None, first.error
    assert ids(first, "created") == ["ConfigMap/%s/relabelled" % namespace]
    assert kubectl("get", "cm", "relabelled", "-n", namespace, "-o", "jsonpath={.metadata.labels.tier}") == "mutated"
    assert ("CREATE", False) in relabel_webhook
    before = uids(kubectl, namespace)

    # Git says tier=web, the live object says tier=mutated, forever. The suspected drift is
    # confirmed by a server-side dry-run apply, which runs the webhook too: the predicted
    # object equals the live one, so there is nothing to write and nothing out of sync.
    second = runner.reconcile(namespace, "mutated")
    third = runner.reconcile(namespace, "mutated")
    for run in (second, third):
        assert run.error is None, run.error
        assert not run.changeset.changed and run.sync_status == "Synced"
        assert writes(run) == {}, run.requests
    assert second.requests.get("dry-run") == third.requests.get("dry-run") == 1
    assert relabel_webhook.count(("UPDATE", True)) == 2  # one dry-run per run, never a real update
    assert ("UPDATE", False) not in relabel_webhook
    assert lost(before, uids(kubectl, namespace)) == []
