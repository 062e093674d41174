"""ApplicationSets through a real `ansible-pull` of local.yml.

The platform repository's root path holds two sets, as an Argo CD user writes them:
an `argoproj.io/v1alpha1` ApplicationSet with a git directories generator (one
Application per directory of the workloads repository, one directory excluded), and
one of ours with a clusters generator (the implicit in-cluster entry and one cluster
Secret in Argo CD's declarative format, for a named control plane of this module,
``appsets-staging``, to which its Application deploys through ``{{server}}``). Then:

- the sets become ours, beside the Applications; every generated Application is owned
  by its set (ownerReference) and carries our finalizer; their objects exist;
- removing a directory from the workloads repository deletes its Application on the
  next run, and the finalizer prunes the Application's objects in that same run;
- a set with an unsupported generator fails with an error naming it (the play fails),
  and the other set still does its work.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from tests.helpers import appsets

from .gitops import GitRepo
from .playbook import ansible_pull
from .private_cluster import named
from .test_argocd_apps import release_finalizers

LOCAL_YML = """\
---
- name: Remember the checkout ansible-pull made
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Record the checkout directory
      ansible.builtin.set_fact:
        gitops_k8s_checkout_dir: "{{ gitops_k8s_checkout_dir | default(playbook_dir) }}"

- name: Reconcile every Application
  ansible.builtin.import_playbook: gitops.k8s.reconcile
"""


def configmap(name, value):
    return textwrap.dedent(
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
        data:
          value: %s
        """
        % (name, value)
    )


def sets_yaml(workloads_url, namespace):
    return textwrap.dedent(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata:
          name: addons
          namespace: argocd
        spec:
          goTemplate: true
          goTemplateOptions: ["missingkey=error"]
          generators:
          - git:
              repoURL: {url}
              revision: HEAD
              directories:
              - path: addons/*
              - path: addons/excluded
                exclude: true
          template:
            metadata:
              name: 'addon-{{{{.path.basename}}}}'
              finalizers: [resources-finalizer.argocd.argoproj.io]
            spec:
              project: default
              source:
                repoURL: {url}
                targetRevision: HEAD
                path: '{{{{.path.path}}}}'
              destination:
                server: https://kubernetes.default.svc
                namespace: {ns}
              syncPolicy:
                automated: {{prune: true, selfHeal: true}}
        ---
        apiVersion: gitops-k8s.dev/v1alpha1
        kind: ApplicationSet
        metadata:
          name: per-cluster
        spec:
          generators:
          - clusters: {{}}
          template:
            metadata:
              name: 'cluster-{{{{nameNormalized}}}}'
              labels:
                cluster: '{{{{nameNormalized}}}}'
              annotations:
                cluster-env: '{{{{metadata.labels.env}}}}'
            spec:
              project: default
              source:
                repoURL: {url}
                targetRevision: HEAD
                path: 'clusters/{{{{name}}}}'
              destination:
                server: '{{{{server}}}}'
                namespace: {ns}
              syncPolicy:
                automated: {{prune: true}}
                syncOptions: [CreateNamespace=true]
        """
    ).format(url=workloads_url, ns=namespace)


@pytest.fixture(scope="module")
def staging():
    """The cluster the clusters generator's ``staging`` entry names: a control plane of this
    module's own (a named hack/cluster.sh instance), stopped at the end."""
    with named("appsets-staging") as started:
        yield started["appsets-staging"]


def cluster_secret(namespace, staging):
    """The staging cluster's Secret, with the bearer token and CA of its kubeconfig."""
    with open(staging.kubeconfig, encoding="utf-8") as handle:
        kubeconfig = yaml.safe_load(handle)
    tls = {"caData": kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"]}
    config = {"bearerToken": kubeconfig["users"][0]["user"]["token"], "tlsClientConfig": tls}
    return json.dumps(appsets.cluster_secret("staging", staging.server, labels={"env": "staging"}, namespace=namespace, config=config))


def apps_of(kubectl, namespace):
    return dict((a["metadata"]["name"], a) for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"])


def configmaps(kubectl, namespace):
    return sorted(
        c["metadata"]["name"] for c in json.loads(kubectl("get", "cm", "-n", namespace, "-o", "json"))["items"] if c["metadata"]["name"] != "kube-root-ca.crt"
    )


def test_application_sets_generate_own_and_prune_applications(tmp_path, kubeconfig, namespace, kubectl, staging):
    workloads = GitRepo(tmp_path / "workloads")
    workloads.write("addons/alpha/cm.yaml", configmap("alpha", "a"))
    workloads.write("addons/beta/cm.yaml", configmap("beta", "b"))
    workloads.write("addons/excluded/cm.yaml", configmap("excluded", "x"))
    workloads.write("clusters/in-cluster/cm.yaml", configmap("local-cluster", "here"))
    workloads.write("clusters/staging/cm.yaml", configmap("staging-cluster", "there"))
    workloads.commit("workloads")
    platform = GitRepo(tmp_path / "platform")
    platform.write("local.yml", LOCAL_YML)
    platform.write("apps/sets.yaml", sets_yaml(workloads.url, namespace))
    platform.commit("platform")
    kubectl("apply", "-f", "-", stdin=cluster_secret(namespace, staging))
    extra = json.dumps({"gitops_k8s_namespace": namespace, "gitops_k8s_allow_local_repos": True, "gitops_k8s_git_timeout": 60})
    checkout = str(tmp_path / "checkout")
    try:
        first = ansible_pull(platform.url, checkout, kubeconfig, "-e", extra)
        output = first.stdout + first.stderr
        assert first.returncode == 0, output[-6000:]
        apps = apps_of(kubectl, namespace)
        assert sorted(apps) == ["addon-alpha", "addon-beta", "cluster-in-cluster", "cluster-staging", "root"], output[-6000:]
        sets = dict((s["metadata"]["name"], s) for s in json.loads(kubectl("get", "applicationsets.gitops-k8s.dev", "-n", namespace, "-o", "json"))["items"])
        assert sorted(sets) == ["addons", "per-cluster"]
        assert sets["addons"]["metadata"]["annotations"]["gitops-k8s.dev/converted-from"] == "argoproj.io/v1alpha1"
        for name in ("addon-alpha", "addon-beta", "cluster-in-cluster", "cluster-staging"):
            app = apps[name]
            owner = app["metadata"]["ownerReferences"][0]
            expected_set = "addons" if name.startswith("addon-") else "per-cluster"
            assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
                "ApplicationSet",
                expected_set,
                sets[expected_set]["metadata"]["uid"],
                True,
            )
            assert app["metadata"]["finalizers"] == ["gitops-k8s.dev/resources-finalizer"]
            assert app["status"]["sync"]["status"] == "Synced", (name, app["status"])
        assert apps["cluster-staging"]["metadata"]["labels"] == {"cluster": "staging"}
        assert apps["cluster-staging"]["metadata"]["annotations"]["cluster-env"] == "staging"
        # the local cluster has no labels: the parameter is left as written (as in Argo CD)
        assert apps["cluster-in-cluster"]["metadata"]["annotations"]["cluster-env"] == "{{metadata.labels.env}}"
        assert configmaps(kubectl, namespace) == ["alpha", "beta", "local-cluster"]
        assert configmaps(staging.kubectl, namespace) == ["staging-cluster"]  # {{server}}: the Secret's cluster
        conditions = dict((c["type"], c) for c in sets["addons"]["status"]["conditions"])
        assert conditions["ParametersGenerated"]["status"] == "True" and conditions["ErrorOccurred"]["status"] == "False"

        # a directory removed from Git: its Application goes, and its objects with it, in one run
        workloads.remove("addons/beta")
        workloads.commit("beta retired")
        second = ansible_pull(platform.url, checkout, kubeconfig, "-e", extra)
        output = second.stdout + second.stderr
        assert second.returncode == 0, output[-6000:]
        assert sorted(apps_of(kubectl, namespace)) == ["addon-alpha", "cluster-in-cluster", "cluster-staging", "root"], output[-6000:]
        assert configmaps(kubectl, namespace) == ["alpha", "local-cluster"]
        assert configmaps(staging.kubectl, namespace) == ["staging-cluster"]

        # an unsupported generator: that set fails by name (the play fails), the other works on
        platform.write("apps/sets.yaml", sets_yaml(workloads.url, namespace).replace("  - clusters: {}", "  - pullRequest: {github: {owner: acme, repo: web}}"))
        workloads.write("addons/gamma/cm.yaml", configmap("gamma", "g"))
        workloads.commit("gamma")
        platform.commit("pull requests")
        third = ansible_pull(platform.url, checkout, kubeconfig, "-e", extra)
        output = third.stdout + third.stderr
        assert third.returncode != 0, output[-6000:]
        assert "ApplicationSet/%s/per-cluster" % namespace in output and "the pullRequest generator is not supported" in output, output[-6000:]
        apps = apps_of(kubectl, namespace)
        assert sorted(apps) == ["addon-alpha", "addon-gamma", "cluster-in-cluster", "cluster-staging", "root"], output[-6000:]
        failed_set = json.loads(kubectl("get", "applicationsets.gitops-k8s.dev", "per-cluster", "-n", namespace, "-o", "json"))
        error = dict((c["type"], c) for c in failed_set["status"]["conditions"])["ErrorOccurred"]
        assert error["status"] == "True" and "pullRequest" in error["message"]
    finally:
        release_finalizers(kubectl, namespace)
