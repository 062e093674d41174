# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSet generators, with sets written as Argo CD's documentation writes them."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from tests.helpers.appsets import cluster_secret

from .appset_inputs import Inputs, Tree, generated

ARGO_REPO = "https://github.com/argoproj/argo-cd.git"

LIST_GO = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
      - cluster: engineering-prod
        url: https://kubernetes.default.svc
        replicas: 3
  template:
    metadata:
      name: '{{.cluster}}-guestbook'
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: applicationset/examples/list-generator/guestbook/{{.cluster}}
      destination:
        server: '{{.url}}'
        namespace: guestbook
"""


def test_list_generator_go_template():
    apps = generated(LIST_GO, Inputs())
    assert sorted(apps) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    app = apps["engineering-dev-guestbook"]
    assert app["spec"]["source"]["path"] == "applicationset/examples/list-generator/guestbook/engineering-dev"
    assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "guestbook"}


def test_list_generator_fasttemplate_values_and_non_string_elements():
    manifest = LIST_GO.replace("  goTemplate: true\n", "").replace('  goTemplateOptions: ["missingkey=error"]\n', "").replace("{{.", "{{")
    with pytest.raises(InvalidSpec, match=r"ApplicationSet/argocd/guestbook.*elements\[1\]\.replicas must be a string"):
        generated(manifest, Inputs())
    manifest = manifest.replace("        replicas: 3\n", "        values:\n          size: large\n").replace(
        "namespace: guestbook", "namespace: 'gb-{{values.size}}'"
    )
    apps = generated(manifest, Inputs())
    assert apps["engineering-prod-guestbook"]["spec"]["destination"]["namespace"] == "gb-large"
    assert apps["engineering-dev-guestbook"]["spec"]["destination"]["namespace"] == "gb-{{values.size}}"  # unknown: left as written


CLUSTERS = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
  - clusters: {}
  template:
    metadata:
      name: '{{name}}-guestbook'
      labels:
        env: '{{metadata.labels.env}}'
    spec:
      project: "default"
      source:
        repoURL: https://github.com/argoproj/argocd-example-apps/
        targetRevision: HEAD
        path: guestbook
      destination:
        server: '{{server}}'
        namespace: guestbook
"""

SECRETS = [
    cluster_secret("staging", "https://10.0.0.1:6443", labels={"env": "staging"}),
    cluster_secret("Prod_East", "https://10.0.0.2:6443", labels={"env": "prod"}, annotations={"team": "web"}, project="team-a"),
]


def test_clusters_generator_lists_registered_clusters_and_in_cluster_last():
    apps = generated(CLUSTERS.replace("{{name}}", "{{nameNormalized}}"), Inputs(SECRETS))
    # Argo CD keys the Secrets by cluster name (in no order); here by name, the local one last
    assert list(apps) == ["prod-east-guestbook", "staging-guestbook", "in-cluster-guestbook"]


def test_clusters_generator_names_are_validated_and_parameters_are_argo_cds():
    manifest = CLUSTERS.replace("'{{name}}-guestbook'", "'{{nameNormalized}}-guestbook'")
    apps = generated(manifest, Inputs(SECRETS))
    assert sorted(apps) == ["in-cluster-guestbook", "prod-east-guestbook", "staging-guestbook"]
    assert apps["prod-east-guestbook"]["metadata"]["labels"] == {"env": "prod"}
    assert apps["prod-east-guestbook"]["spec"]["destination"]["server"] == "https://10.0.0.2:6443"
    # the local cluster has no labels: its parameter stays as written
    assert apps["in-cluster-guestbook"]["metadata"]["labels"] == {"env": "{{metadata.labels.env}}"}
    assert apps["in-cluster-guestbook"]["spec"]["destination"]["server"] == "https://kubernetes.default.svc"
    with pytest.raises(InvalidSpec, match="'Prod_East-guestbook' is not a valid Kubernetes name"):
        generated(CLUSTERS, Inputs(SECRETS))


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("{matchLabels: {env: prod}}", ["prod-east"]),
        ("{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}", ["prod-east", "staging"]),
        ("{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}", ["staging"]),
        ("{matchExpressions: [{key: env, operator: DoesNotExist}]}", []),  # the local cluster has no labels, yet a selector leaves it out
        ("{matchExpressions: [{key: env, operator: Exists}]}", ["prod-east", "staging"]),
        ("{}", ["in-cluster", "prod-east", "staging"]),
    ],
)
def test_clusters_generator_selector_and_the_local_cluster(selector, expected):
    manifest = CLUSTERS.replace("  - clusters: {}", "  - clusters:\n      selector: %s" % selector).replace("{{name}}", "{{nameNormalized}}")
    assert sorted(generated(manifest, Inputs(SECRETS))) == ["%s-guestbook" % n for n in expected]


def test_clusters_generator_go_template_metadata_and_a_secret_for_the_local_cluster():
    secrets = SECRETS + [cluster_secret("in-cluster", "https://kubernetes.default.svc", labels={"env": "local"})]
    manifest = (
        CLUSTERS.replace("spec:\n  generators", "spec:\n  goTemplate: true\n  generators", 1)
        .replace("{{name}}", "{{.nameNormalized}}")
        .replace("{{metadata.labels.env}}", "{{.metadata.labels.env}}")
        .replace("{{server}}", "{{.server}}")
    )
    apps = generated(manifest, Inputs(secrets))
    # a Secret for https://kubernetes.default.svc replaces the implicit local entry
    assert sorted(apps) == ["in-cluster-guestbook", "prod-east-guestbook", "staging-guestbook"]
    assert apps["in-cluster-guestbook"]["metadata"]["labels"] == {"env": "local"}


def test_clusters_generator_values_are_templated():
    manifest = CLUSTERS.replace("  - clusters: {}", "  - clusters:\n      values:\n        revision: 'release-{{metadata.labels.env}}'").replace(
        "targetRevision: HEAD", "targetRevision: '{{values.revision}}'"
    )
    apps = generated(manifest.replace("{{name}}", "{{nameNormalized}}"), Inputs(SECRETS))
    assert apps["staging-guestbook"]["spec"]["source"]["targetRevision"] == "release-staging"


DIRECTORIES = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cluster-addons
  namespace: argocd
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      directories:
      - path: applicationset/examples/git-generator-directory/excludes/cluster-addons/*
      - exclude: true
        path: applicationset/examples/git-generator-directory/excludes/cluster-addons/exclude-helm-guestbook
  template:
    metadata:
      name: '{{path.basename}}'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{path[4]}}-{{path.basenameNormalized}}'
      syncPolicy:
        syncOptions:
        - CreateNamespace=true
"""

ADDONS = "applicationset/examples/git-generator-directory/excludes/cluster-addons/"
ADDON_TREE = Tree(
    {
        ADDONS + "argo-workflows/kustomization.yaml": "resources: []",
        ADDONS + "exclude-helm-guestbook/Chart.yaml": "name: guestbook",
        ADDONS + "prometheus-operator/Chart.yaml": "name: prometheus",
        ADDONS + "prometheus-operator/templates/x.yaml": "kind: ConfigMap",
        ADDONS + ".hidden/x.yaml": "kind: ConfigMap",
    }
)


def test_git_directories_generator_with_exclude():
    inputs = Inputs(repos={ARGO_REPO: ADDON_TREE})
    apps = generated(DIRECTORIES, inputs)
    # '*' does not cross '/', the excluded directory and hidden ones are left out
    assert sorted(apps) == ["argo-workflows", "prometheus-operator"]
    assert apps["argo-workflows"]["spec"]["source"]["path"] == ADDONS + "argo-workflows"
    assert apps["argo-workflows"]["spec"]["destination"]["namespace"] == "cluster-addons-argo-workflows"
    assert inputs.asked == [(ARGO_REPO, "HEAD")]


def test_git_directories_go_template_segments_and_path_param_prefix():
    manifest = (
        DIRECTORIES.replace("spec:\n  generators", "spec:\n  goTemplate: true\n  generators", 1)
        .replace("      revision: HEAD\n", "      revision: HEAD\n      pathParamPrefix: addon\n")
        .replace("'{{path.basename}}'", "'{{.addon.path.basename}}'")
        .replace("'{{path}}'", "'{{.addon.path.path}}'")
        .replace("'{{path[4]}}-{{path.basenameNormalized}}'", "'{{index .addon.path.segments 4}}-{{.addon.path.basenameNormalized}}'")
    )
    apps = generated(manifest, Inputs(repos={ARGO_REPO: ADDON_TREE}))
    assert sorted(apps) == ["argo-workflows", "prometheus-operator"]
    assert apps["prometheus-operator"]["spec"]["destination"]["namespace"] == "cluster-addons-prometheus-operator"


FILES = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
    - git:
        repoURL: https://github.com/argoproj/argo-cd.git
        revision: HEAD
        files:
        - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**/config.json"
  template:
    metadata:
      name: '{{cluster.name}}-guestbook'
      annotations:
        owner: '{{cluster.owner}}'
        asset: '{{asset_id}}'
        where: '{{path}}|{{path.basename}}|{{path.filename}}|{{path[3]}}'
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: "applicationset/examples/git-generator-files-discovery/apps/guestbook"
      destination:
        server: '{{cluster.address}}'
        namespace: guestbook
"""
CONFIG = "applicationset/examples/git-generator-files-discovery/cluster-config/"
CONFIG_TREE = Tree(
    {
        CONFIG + "engineering/dev/config.json": '{"aws_account": "123456", "asset_id": 11223344, '
        '"cluster": {"owner": "cluster-admin@company.com", "name": "engineering-dev", "address": "http://1.2.3.4"}}',
        CONFIG + "engineering/prod/config.json": '{"aws_account": "123456", "asset_id": "11223344", '
        '"cluster": {"owner": "cluster-admin@company.com", "name": "engineering-prod", "address": "http://1.2.3.4"}}',
        CONFIG + "engineering/prod/other.json": "{}",
    }
)


def test_git_files_generator_flattens_parameters_as_argo_does():
    tree = CONFIG_TREE
    apps = generated(FILES, Inputs(repos={ARGO_REPO: tree}))
    assert sorted(apps) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    meta = apps["engineering-dev-guestbook"]["metadata"]
    assert meta["annotations"] == {
        "owner": "cluster-admin@company.com",
        "asset": "11223344",  # a number printed as Go's %v prints it
        "where": CONFIG + "engineering/dev|dev|config.json|cluster-config",
    }
    assert apps["engineering-dev-guestbook"]["spec"]["destination"]["server"] == "http://1.2.3.4"
    assert CONFIG + "engineering/prod/other.json" not in tree.read_paths  # only the files named are read


def test_git_files_generator_go_template_a_yaml_list_and_exclude():
    tree = Tree(
        {
            "clusters/a/config.yaml": "- name: one\n  replicas: 2\n- name: two\n  replicas: 3\n",
            "clusters/b/config.yaml": "name: three\n",
            "clusters/skip/config.yaml": "name: skipped\n",
        }
    )
    manifest = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: from-files}
spec:
  goTemplate: true
  generators:
  - git:
      repoURL: https://git.example/config.git
      revision: main
      files:
      - path: clusters/*/config.yaml
      - path: clusters/skip/*
        exclude: true
  template:
    metadata:
      name: '{{.name}}-{{.path.basename}}'
      annotations: {file: '{{.path.filename}}', replicas: '{{.replicas | default 1}}'}
    spec:
      project: default
      destination: {server: https://kubernetes.default.svc, namespace: '{{.name}}'}
"""
    apps = generated(manifest, Inputs(repos={"https://git.example/config.git": tree}))
    assert sorted(apps) == ["one-a", "three-b", "two-a"]
    assert apps["two-a"]["metadata"]["annotations"] == {"file": "config.yaml", "replicas": "3"}
    assert apps["three-b"]["metadata"]["annotations"]["replicas"] == "1"


MATRIX = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cluster-git
spec:
  generators:
  - matrix:
      generators:
        - git:
            repoURL: https://github.com/argoproj/argo-cd.git
            revision: HEAD
            directories:
            - path: applicationset/examples/matrix/cluster-addons/*
        - clusters:
            selector:
              matchLabels:
                argocd.argoproj.io/secret-type: cluster
  template:
    metadata:
      name: '{{path.basename}}-{{nameNormalized}}'
    spec:
      project: '{{metadata.labels.environment}}'
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: '{{server}}'
        namespace: '{{path.basename}}'
"""
MATRIX_TREE = Tree(
    {"applicationset/examples/matrix/cluster-addons/argo-workflows/k.yaml": "", "applicationset/examples/matrix/cluster-addons/prometheus/k.yaml": ""}
)


def test_matrix_of_git_directories_and_clusters():
    secrets = [
        cluster_secret("staging", "https://10.0.0.1", labels={"environment": "staging"}),
        cluster_secret("prod", "https://10.0.0.2", labels={"environment": "prod"}),
    ]
    apps = generated(MATRIX, Inputs(secrets, {ARGO_REPO: MATRIX_TREE}))
    assert sorted(apps) == ["argo-workflows-prod", "argo-workflows-staging", "prometheus-prod", "prometheus-staging"]
    assert apps["prometheus-prod"]["spec"]["project"] == "prod"
    assert apps["prometheus-prod"]["spec"]["destination"] == {"server": "https://10.0.0.2", "namespace": "prometheus"}


def test_matrix_second_generator_uses_the_first_ones_parameters():
    tree = Tree({"clusters/staging/config.json": '{"replicas": "2"}', "clusters/prod/config.json": '{"replicas": "5"}'})
    manifest = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: per-cluster}
spec:
  generators:
  - matrix:
      generators:
      - clusters: {selector: {matchLabels: {argocd.argoproj.io/secret-type: cluster}}}
      - git:
          repoURL: https://git.example/config.git
          files: [{path: 'clusters/{{name}}/config.json'}]
  template:
    metadata: {name: 'web-{{name}}', annotations: {replicas: '{{replicas}}'}}
    spec: {project: default, destination: {server: '{{server}}', namespace: web}}
"""
    secrets = [cluster_secret("staging", "https://10.0.0.1"), cluster_secret("prod", "https://10.0.0.2")]
    apps = generated(manifest, Inputs(secrets, {"https://git.example/config.git": tree}))
    assert dict((n, a["metadata"]["annotations"]["replicas"]) for n, a in apps.items()) == {"web-prod": "5", "web-staging": "2"}


def test_matrix_needs_two_children_and_conflicting_parameters_are_an_error():
    manifest = MATRIX.replace(
        "        - clusters:\n            selector:\n              matchLabels:\n                argocd.argoproj.io/secret-type: cluster\n", ""
    )
    with pytest.raises(InvalidSpec, match=r"ApplicationSet/argocd/cluster-git: .*matrix needs exactly two generators, found 1"):
        generated(manifest, Inputs())
    clash = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: clash}
spec:
  generators:
  - matrix:
      generators:
      - list: {elements: [{env: a}]}
      - list: {elements: [{env: b}]}
  template: {metadata: {name: '{{env}}'}, spec: {}}
"""
    with pytest.raises(InvalidSpec, match="both generators set 'env'"):
        generated(clash, Inputs())


MERGE = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: merge-clusters-and-list
spec:
  generators:
    - merge:
        mergeKeys:
          - server
        generators:
          - clusters:
              values:
                kafka: 'true'
                redis: 'false'
          # For clusters with a specific label, enable Kafka.
          - clusters:
              selector:
                matchLabels:
                  use-kafka: 'false'
              values:
                kafka: 'false'
          # For a specific cluster, enable Redis.
          - list:
              elements:
                - server: https://some-specific-cluster
                  values.redis: 'true'
  template:
    metadata:
      name: '{{name}}'
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argocd-example-apps/
        targetRevision: HEAD
        path: helm-guestbook
        helm:
          parameters:
            - name: kafka
              value: '{{values.kafka}}'
            - name: redis
              value: '{{values.redis}}'
      destination:
        server: '{{server}}'
        namespace: default
"""


def test_merge_generator_overrides_by_merge_key():
    secrets = [
        cluster_secret("specific", "https://some-specific-cluster"),
        cluster_secret("no-kafka", "https://no-kafka", labels={"use-kafka": "false"}),
    ]
    apps = generated(MERGE, Inputs(secrets))
    params = dict((n, [p["value"] for p in a["spec"]["source"]["helm"]["parameters"]]) for n, a in apps.items())
    assert params == {"specific": ["true", "true"], "no-kafka": ["false", "false"], "in-cluster": ["true", "false"]}


def test_merge_keys_must_be_unique_in_each_generator():
    manifest = MERGE.replace(
        "                - server: https://some-specific-cluster\n", "                - server: https://x\n                - server: https://x\n"
    )
    with pytest.raises(InvalidSpec, match="same merge key"):
        generated(manifest, Inputs([cluster_secret("a", "https://a")]))


@pytest.mark.parametrize("generator", ["scmProvider", "pullRequest", "clusterDecisionResource", "plugin"])
def test_unsupported_generators_are_an_error_naming_the_set(generator):
    manifest = CLUSTERS.replace("  - clusters: {}", "  - %s: {}" % generator)
    with pytest.raises(InvalidSpec) as caught:
        generated(manifest, Inputs())
    assert "ApplicationSet/argocd/guestbook" in str(caught.value) and "the %s generator is not supported" % generator in str(caught.value)


def test_unknown_generator_and_two_generators_in_one_item():
    with pytest.raises(InvalidSpec, match="unknown generator 'lists'"):
        generated(CLUSTERS.replace("  - clusters: {}", "  - lists: {}"), Inputs())
    with pytest.raises(InvalidSpec, match="exactly one generator"):
        generated(CLUSTERS.replace("  - clusters: {}", "  - clusters: {}\n    list: {elements: []}"), Inputs())


def test_a_generator_selector_filters_its_parameters():
    manifest = LIST_GO.replace("  - list:\n", "  - selector: {matchLabels: {cluster: engineering-prod}}\n    list:\n")
    assert sorted(generated(manifest, Inputs())) == ["engineering-prod-guestbook"]
