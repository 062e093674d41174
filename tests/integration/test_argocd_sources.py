"""Argo CD sources end to end through ``ansible-pull``: Kustomize overrides on an
upstream-style base + overlay, a multi-source Application (a chart from one repository,
its values from another through ``$values/...``) and a Jsonnet directory with extVars,
TLAs and libs; each compared with what ``kubectl kustomize`` / ``helm template`` give for
the same inputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import yaml

from .gitops import GitRepo
from .playbook import REPO_ROOT, VENV_BIN, ansible_pull

FIXTURES = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "render")


def contains(got, want):
    """``want`` is ``got`` without the fields the API server defaults."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(contains(got.get(key), value) for key, value in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(contains(g, w) for g, w in zip(got, want))
    return got == want


def app(name, namespace, spec):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": dict(spec, destination={"namespace": namespace}, syncPolicy={"automated": {"prune": True}}),
    }


def kustomize_app(namespace):
    return app(
        "argo-kustomize",
        namespace,
        {
            "source": {
                "path": "guestbook/overlays/prod",
                "kustomize": {
                    "namePrefix": "eu-",
                    "nameSuffix": "-v2",
                    "namespace": namespace,
                    "images": ["gcr.io/heptio-images/ks-guestbook-demo=registry.example.test/guestbook:0.3"],
                    "replicas": [{"name": "guestbook-ui", "count": 3}],
                    "commonLabels": {"tier": "frontend"},
                    "commonAnnotations": {"deployed-by": "$ARGOCD_APP_NAME"},
                    "commonAnnotationsEnvsubst": True,
                    "components": ["../../components/monitoring"],
                    "patches": [
                        {"target": {"kind": "Deployment", "name": "guestbook-ui"}, "patch": "- op: replace\n  path: /spec/revisionHistoryLimit\n  value: 5"}
                    ],
                },
            }
        },
    )


def multi_source_app(namespace, charts_url, config_url):
    return app(
        "argo-multi",
        namespace,
        {
            "sources": [
                {
                    "repoURL": charts_url,
                    "targetRevision": "main",
                    "path": "charts/demo",
                    "helm": {"releaseName": "multi", "valueFiles": ["$values/envs/prod/values.yaml"]},
                },
                {"repoURL": config_url, "targetRevision": "main", "ref": "values"},
            ]
        },
    )


def jsonnet_app(namespace):
    return app(
        "argo-jsonnet",
        namespace,
        {
            "source": {
                "path": "jsonnet/apps/guestbook",
                "directory": {
                    "jsonnet": {
                        "extVars": [{"name": "env", "value": "prod"}, {"name": "app", "value": "$ARGOCD_APP_NAME"}],
                        "tlas": [{"name": "replicas", "value": "1 + 1", "code": True}, {"name": "tag", "value": "0.3"}],
                        "libs": ["jsonnet/vendor"],
                    }
                },
            }
        },
    )


def test_kustomize_overrides_multi_source_and_jsonnet_through_ansible_pull(tmp_path, kubeconfig, namespace, kubectl):
    charts = GitRepo(tmp_path / "charts")
    shutil.copytree(os.path.join(FIXTURES, "chart"), os.path.join(charts.path, "charts"))
    charts_commit = charts.commit("demo chart")

    config = GitRepo(tmp_path / "config")
    shutil.copytree(os.path.join(FIXTURES, "argocd-kustomize"), os.path.join(config.path, "guestbook"))
    shutil.copytree(os.path.join(FIXTURES, "jsonnet-app"), os.path.join(config.path, "jsonnet"))
    shutil.rmtree(os.path.join(config.path, "jsonnet", "hostile"))
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), config.path)
    config.write("envs/prod/values.yaml", "replicas: 2\ngreeting: hello from the config repository\n")
    for obj in (kustomize_app(namespace), multi_source_app(namespace, charts.url, config.url), jsonnet_app(namespace)):
        config.write("apps/%s.yaml" % obj["metadata"]["name"], yaml.safe_dump(obj))
    config_commit = config.commit("apps")

    pulled = ansible_pull(
        config.url,
        str(tmp_path / "checkout"),
        kubeconfig,
        "-e",
        "gitops_k8s_namespace=%s" % namespace,
        "-e",
        "gitops_k8s_root_name=argo-root",
        "-e",
        "gitops_k8s_allow_local_repos=true",
    )
    assert pulled.returncode == 0, pulled.stdout[-5000:] + pulled.stderr[-3000:]
    apps = {a["metadata"]["name"]: a for a in json.loads(kubectl("get", "gapp", "-n", namespace, "-o", "json"))["items"]}
    for name in ("argo-kustomize", "argo-multi", "argo-jsonnet"):
        assert apps[name]["status"]["sync"]["status"] == "Synced", (name, apps[name]["status"])
    assert apps["argo-multi"]["status"]["sync"]["revisions"] == [charts_commit, config_commit]

    def live(kind, name):
        return json.loads(kubectl("get", kind, name, "-n", namespace, "-o", "json"))

    # Kustomize: what kubectl kustomize builds from the overlay as Argo CD's edits leave it
    expected_dir = os.path.join(config.path, "guestbook", "overlays", "prod-as-argocd-edits-it")
    kustomization = yaml.safe_load(open(os.path.join(expected_dir, "kustomization.yaml"), encoding="utf-8"))
    kustomization["namespace"] = namespace
    kustomization["commonAnnotations"]["deployed-by"] = "argo-kustomize"
    with open(os.path.join(expected_dir, "kustomization.yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(kustomization, handle)
    built = list(yaml.safe_load_all(kubectl("kustomize", expected_dir)))
    for want in built:
        got = live(want["kind"], want["metadata"]["name"])
        for key in ("data", "spec"):
            assert contains(got.get(key), want.get(key)), (want["kind"], key, got.get(key), want.get(key))
        assert contains(got["metadata"], {k: want["metadata"][k] for k in ("labels", "annotations") if k in want["metadata"]})

    # multi-source: what helm template renders from the chart with the other repository's values
    template = subprocess.run(
        [
            os.path.join(VENV_BIN, "helm"),
            "template",
            "multi",
            os.path.join(charts.path, "charts", "demo"),
            "--namespace",
            namespace,
            "-f",
            os.path.join(config.path, "envs", "prod", "values.yaml"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rendered = {d["kind"]: d for d in yaml.safe_load_all(template) if d}
    assert live("configmap", rendered["ConfigMap"]["metadata"]["name"])["data"] == rendered["ConfigMap"]["data"]
    assert live("deployment", rendered["Deployment"]["metadata"]["name"])["spec"]["replicas"] == 2 == rendered["Deployment"]["spec"]["replicas"]

    # Jsonnet: extVars (with the build environment), a TLA as code, a vendored library
    deploy = live("deployment", "guestbook-ui")
    assert deploy["spec"]["replicas"] == 2
    assert deploy["metadata"]["annotations"]["example.test/app"] == "argo-jsonnet"
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "gcr.io/heptio-images/ks-guestbook-demo:0.3"
    assert live("service", "guestbook-ui")["spec"]["ports"][0]["port"] == 80

    second = ansible_pull(
        config.url,
        str(tmp_path / "checkout"),
        kubeconfig,
        "-e",
        "gitops_k8s_namespace=%s" % namespace,
        "-e",
        "gitops_k8s_root_name=argo-root",
        "-e",
        "gitops_k8s_allow_local_repos=true",
    )
    assert second.returncode == 0, second.stdout[-5000:]
    assert "changed=0" in second.stdout, second.stdout[-5000:]
