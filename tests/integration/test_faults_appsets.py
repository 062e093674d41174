"""Fault suite, ApplicationSets: a write of a generated Application that the API server
refuses after its dry-run passed (a validating webhook that denies real writes only).

The set is not half-applied in silence: its other Applications are still written, the
ones it no longer generates are kept (never deleted while a write of the set fails), the
run fails naming the refused Application, and so does the set's ErrorOccurred condition.
Once the webhook is gone, the next run writes the Application and deletes the old one.
A webhook applies to the whole API server, so this runs on its own control plane.
"""

from __future__ import annotations

import json

from tests.helpers import appsets, webhooks

from ansible_collections.gitops.k8s.plugins.module_utils._engine import application, applicationset

from .faults import CONFIGMAP
from .gitops import GitRepo
from .playbook import reconcile_all

DENY_LABEL = "faults.example.test/deny"
REFUSAL = "writes of this Application are refused"


def appset(namespace, elements):
    """Applications web-<env>, each labelled deny=<deny>: ((env, deny), ...)."""
    return appsets.list_set("web", namespace, [{"env": env, "deny": deny} for env, deny in elements], labels={DENY_LABEL: "{{deny}}"})


def test_a_refused_write_fails_the_set_by_name_and_deletes_nothing(tmp_path, private_cluster):
    kubectl = private_cluster.kubectl
    namespace = private_cluster.namespace("appset-refused")
    for crd in (application.crd(), applicationset.crd()):
        kubectl("apply", "-f", "-", stdin=json.dumps(crd))
        kubectl("wait", "--for=condition=Established", "crd/" + crd["metadata"]["name"], "--timeout=60s")
    repo = GitRepo(tmp_path / "checkout")
    for env in ("dev", "old", "prod", "qa"):
        repo.write("%s/cm.yaml" % env, CONFIGMAP.format(name="cm-" + env, value=env))
    repo.commit("one ConfigMap per environment")

    def apps():
        return sorted(a["metadata"]["name"] for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"])

    kubectl("apply", "-f", "-", stdin=json.dumps(appset(namespace, [("dev", "no"), ("old", "no")])))
    first = reconcile_all(tmp_path, private_cluster.kubeconfig, namespace, repo.path)
    assert not first.get("failed"), first.get("msg")
    assert apps() == ["web-dev", "web-old"]

    def deny_real_writes(request):
        if request.get("dryRun"):
            return webhooks.review_response(request)
        return webhooks.review_response(request, allowed=False, message=REFUSAL)

    kubectl("apply", "-f", "-", stdin=json.dumps(appset(namespace, [("dev", "no"), ("prod", "yes"), ("qa", "no")])))
    with webhooks.serving(deny_real_writes, tmp_path) as client:
        rule = {"apiGroups": ["gitops-k8s.dev"], "apiVersions": ["*"], "resources": ["applications"]}
        config = webhooks.configuration("ValidatingWebhookConfiguration", "faults-deny-applications", client, rule, {DENY_LABEL: "yes"})
        kubectl("apply", "-f", "-", stdin=json.dumps(config))
        try:
            refused = reconcile_all(tmp_path, private_cluster.kubeconfig, namespace, repo.path)
        finally:
            kubectl("delete", "validatingwebhookconfiguration", "faults-deny-applications")

    row = refused["application_sets"][0]
    assert REFUSAL in row["error"] and "Application/%s/web-prod" % namespace in row["error"], row
    assert "kept until every write of the set succeeds: Application/%s/web-old" % namespace in row["error"], row["error"]
    # the other Application is written (and reconciled), the old one is kept
    assert apps() == ["web-dev", "web-old", "web-qa"]
    assert row["created"] == ["web-qa"] and row["deleted"] == []
    assert "%s/web-qa" % namespace in [r["application"] for r in refused["applications"]]
    status = json.loads(kubectl("get", "applicationsets.gitops-k8s.dev", "web", "-n", namespace, "-o", "json"))["status"]
    conditions = dict((c["type"], c) for c in status["conditions"])
    assert conditions["ErrorOccurred"]["status"] == "True" and "web-prod" in conditions["ErrorOccurred"]["message"], conditions
    assert conditions["ResourcesUpToDate"]["status"] == "False"

    # the webhook is gone: web-prod is written, then web-old deleted (its finalizer prunes cm-old in the same run)
    healed = reconcile_all(tmp_path, private_cluster.kubeconfig, namespace, repo.path)
    assert not healed.get("failed"), healed.get("msg")
    assert healed["application_sets"][0]["created"] == ["web-prod"] and healed["application_sets"][0]["deleted"] == ["web-old"]
    assert apps() == ["web-dev", "web-prod", "web-qa"]
