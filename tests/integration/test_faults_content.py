"""Fault suite, bad content: invalid YAML, an object the API server refuses for its
size, a CRD removed from Git while its custom resources stay. The repository is the
checkout ansible-pull made (checkout_dir); each case compares the namespace's objects
by uid before and after. Alias bombs and document size limits are in
test_content_limits.py, objects declared by two Applications in test_app_authority.py.
"""

from __future__ import annotations


import pytest

from .faults import CONFIGMAP, KINDS, agent, ids, lost, uids
from .gitops import GitRepo, application


@pytest.fixture
def repo(tmp_path):
    return GitRepo(tmp_path / "checkout")


def configmaps(namespace, *names):
    return ["ConfigMap/%s/%s" % (namespace, n) for n in names]


@pytest.fixture
def runner(kubeconfig, tmp_path, repo):
    return agent(kubeconfig, tmp_path, checkout_dir=repo.path)


def sync_ok(runner, namespace, name):
    outcome = runner.reconcile(namespace, name)
    assert outcome.error is None, outcome.error
    return outcome


def test_invalid_yaml_deletes_nothing_and_names_file_and_line(runner, repo, namespace, kubectl):
    for name in ("a", "b"):
        repo.write("app/%s.yaml" % name, CONFIGMAP.format(name=name, value="1"))
    repo.commit("a and b")
    runner.declare(application("bad-yaml", namespace, "app", namespace))
    sync_ok(runner, namespace, "bad-yaml")
    before = uids(kubectl, namespace)

    repo.remove("app/b.yaml")  # would be pruned by a sync that could parse the render
    repo.write("app/a.yaml", CONFIGMAP.format(name="a", value="2"))
    repo.write("app/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [unclosed\n")
    repo.commit("broken")
    outcome = runner.reconcile(namespace, "bad-yaml")
    assert outcome.error.step == "render"
    assert str(outcome.error) == "app/broken.yaml:6: invalid YAML (line 6, column 1): did not find expected ',' or ']' (while parsing a flow sequence)"
    assert lost(before, uids(kubectl, namespace)) == []
    assert kubectl("get", "cm", "a", "-n", namespace, "-o", "jsonpath={.data.value}") == "1"  # nothing applied either

    repo.remove("app/broken.yaml")
    repo.commit("fixed")
    converged = sync_ok(runner, namespace, "bad-yaml")  # the next run converges
    assert ids(converged, "configured") == configmaps(namespace, "a") and ids(converged, "pruned") == configmaps(namespace, "b")
    assert lost(before, uids(kubectl, namespace), pruned=configmaps(namespace, "b")) == []


def test_object_over_the_api_size_limit_is_named_and_nothing_else_is_lost(runner, repo, namespace, kubectl):
    for name in ("a", "old", "z"):
        repo.write("app/%s.yaml" % name, CONFIGMAP.format(name=name, value="1"))
    repo.commit("a, old, z")
    runner.declare(application("too-big", namespace, "app", namespace))
    sync_ok(runner, namespace, "too-big")
    before = uids(kubectl, namespace)

    # 1.6 MB of data: over the API server's 1 MiB limit of a ConfigMap
    repo.write("app/big.yaml", CONFIGMAP.format(name="big", value="x" * 1600 * 1024))
    repo.write("app/a.yaml", CONFIGMAP.format(name="a", value="2"))
    repo.write("app/z.yaml", CONFIGMAP.format(name="z", value="2"))
    repo.remove("app/old.yaml")
    repo.commit("a big ConfigMap")
    outcome = runner.reconcile(namespace, "too-big")
    assert outcome.error.step == "apply"
    # refused by the server-side dry-run of the plan, before the first write: nothing of this sync is applied
    assert str(outcome.error) == (
        'ConfigMap/%s/big: dry-run apply failed: dry-run failed: ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes' % namespace
    )
    after = uids(kubectl, namespace)
    assert lost(before, after) == []  # old is not pruned
    assert "ConfigMap/%s/big" % namespace not in after
    assert kubectl("get", "cm", "a", "-n", namespace, "-o", "jsonpath={.data.value}") == "1"

    repo.write("app/big.yaml", CONFIGMAP.format(name="big", value="small now"))
    repo.commit("big made small")
    converged = sync_ok(runner, namespace, "too-big")  # the next run converges
    assert ids(converged, "created") == configmaps(namespace, "big") and ids(converged, "pruned") == configmaps(namespace, "old")
    assert ids(converged, "configured") == configmaps(namespace, "a", "z")
    assert kubectl("get", "cm", "z", "-n", namespace, "-o", "jsonpath={.data.value}") == "2"
    assert lost(before, uids(kubectl, namespace), pruned=configmaps(namespace, "old")) == []


CRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.{group}
    spec:
      group: {group}
      scope: Namespaced
      names: {{plural: widgets, singular: widget, kind: Widget}}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec: {{type: object, x-kubernetes-preserve-unknown-fields: true}}
    """

WIDGET = """
    apiVersion: {group}/v1
    kind: Widget
    metadata:
      name: {name}
    spec:
      size: 1
    """


def test_crd_removed_from_git_is_not_pruned_and_its_resources_stay(runner, repo, namespace, kubectl, crd_group):
    repo.write("app/crd.yaml", CRD.format(group=crd_group))
    repo.write("app/widgets.yaml", WIDGET.format(group=crd_group, name="w1") + "---\n" + WIDGET.format(group=crd_group, name="w2"))
    repo.commit("CRD and two Widgets")
    runner.declare(application("crd-owner", namespace, "app", namespace))
    sync_ok(runner, namespace, "crd-owner")
    kinds = KINDS + ",widgets." + crd_group
    before = uids(kubectl, namespace, kinds)
    assert len([k for k in before if k.startswith("Widget/")]) == 2
    crd_uid = kubectl("get", "crd", "widgets." + crd_group, "-o", "jsonpath={.metadata.uid}")

    repo.remove("app/crd.yaml")  # the CRD leaves Git; its Widgets stay in Git and in the cluster
    repo.commit("CRD removed")
    outcome = runner.reconcile(namespace, "crd-owner")
    assert outcome.error is None, outcome.error
    assert ids(outcome, "pruned") == []
    crd_id = "CustomResourceDefinition/widgets." + crd_group
    assert ids(outcome, "skipped") == [crd_id]
    assert kubectl("get", "crd", "widgets." + crd_group, "-o", "jsonpath={.metadata.uid}") == crd_uid
    assert lost(before, uids(kubectl, namespace, kinds)) == []
    again = runner.reconcile(namespace, "crd-owner")  # stable: the next run writes nothing and deletes nothing
    assert again.error is None and not again.changeset.changed and ids(again, "pruned") == []
    assert lost(before, uids(kubectl, namespace, kinds)) == []
