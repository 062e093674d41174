# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kustomize_overrides as ko
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.build_env import build_env
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_kustomize import helm_version_args
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe

# The Argo CD Application's spec.source.kustomize of the end-to-end test; the fixture
# overlays/prod-as-argocd-edits-it holds what Argo CD's kustomize edit commands make of
# overlays/prod with it.
OVERRIDES = {
    "namePrefix": "eu-",
    "nameSuffix": "-v2",
    "namespace": "guestbook-prod",
    "images": ["gcr.io/heptio-images/ks-guestbook-demo=registry.example.test/guestbook:0.3"],
    "replicas": [{"name": "guestbook-ui", "count": "3"}],
    "commonLabels": {"tier": "frontend"},
    "commonAnnotations": {"deployed-by": "${ARGOCD_APP_NAME}"},
    "commonAnnotationsEnvsubst": True,
    "components": ["../../components/monitoring", "../../components/absent"],
    "ignoreMissingComponents": True,
    "patches": [{"target": {"kind": "Deployment", "name": "guestbook-ui"}, "patch": "- op: replace\n  path: /spec/revisionHistoryLimit\n  value: 5"}],
}


@pytest.fixture
def layout(tmp_path, fixtures_dir):
    root = tmp_path / "checkout"
    shutil.copytree(os.path.join(fixtures_dir, "argocd-kustomize"), str(root))
    return str(root)


def tree_digest(root):
    digest = hashlib.sha256()
    for directory, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            digest.update(path.encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def objects(result):
    return sorted((describe(m.obj), m.obj) for m in result.manifests)


def test_overrides_build_what_argocd_edits_build_and_leave_the_checkout_alone(layout, kubectl_bin):
    before = tree_digest(layout)
    env = build_env(name="guestbook-prod")
    got = render(layout, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin, kustomize_overrides=OVERRIDES, build_env=env))
    want = render(layout, "overlays/prod-as-argocd-edits-it", RenderOptions(kustomize_binary=kubectl_bin))
    assert [oid for oid, _obj in objects(got)] == [
        "ConfigMap/guestbook-prod/eu-guestbook-config-v2-" + objects(want)[0][0].rsplit("-", 1)[-1],
        "ConfigMap/guestbook-prod/eu-guestbook-dashboard-v2",
        "Deployment/guestbook-prod/eu-guestbook-ui-v2",
        "Service/guestbook-prod/eu-guestbook-ui-v2",
    ]
    assert objects(got) == objects(want)
    deploy = [m.obj for m in got.manifests if m.obj["kind"] == "Deployment"][0]
    assert deploy["spec"]["replicas"] == 3
    assert deploy["metadata"]["annotations"]["deployed-by"] == "guestbook-prod"
    assert [c["image"] for c in deploy["spec"]["template"]["spec"]["containers"]] == [
        "registry.example.test/guestbook:0.3",
        "quay.io/prometheus/statsd-exporter:v0.27.0",
    ]
    assert tree_digest(layout) == before


def test_without_overrides_the_checkout_is_built_in_place(layout, kubectl_bin):
    result = render(layout, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin, kustomize_overrides={"version": "v5"}))
    assert "Deployment/guestbook/prod-guestbook-ui" in [oid for oid, _obj in objects(result)]


def test_override_patch_path_outside_the_checkout_is_refused(layout, kubectl_bin):
    overrides = {"patches": [{"path": "../../../../etc/passwd"}]}
    with pytest.raises(RenderError) as err:
        render(layout, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin, kustomize_overrides=overrides))
    assert "resolves outside the repository" in str(err.value)


def test_override_values_never_become_flags(layout, kubectl_bin):
    overrides = {"namePrefix": "--enable-exec-", "commonLabels": {"--load-restrictor": "LoadRestrictionsNone"}}
    result = render(layout, "overlays/prod", RenderOptions(kustomize_binary=kubectl_bin, kustomize_overrides=overrides))
    deploy = [m.obj for m in result.manifests if m.obj["kind"] == "Deployment"][0]
    # written into the kustomization as data: a name and a label, never a flag of kustomize
    assert deploy["metadata"]["name"] == "--enable-exec-guestbook-ui"
    assert deploy["metadata"]["labels"]["--load-restrictor"] == "LoadRestrictionsNone"


@pytest.mark.parametrize(
    "arg, entry",
    [
        ("nginx:1.25", {"name": "nginx", "newTag": "1.25"}),
        ("nginx=registry.example.test:5000/nginx:1.25", {"name": "nginx", "newName": "registry.example.test:5000/nginx", "newTag": "1.25"}),
        ("nginx=registry.example.test/nginx", {"name": "nginx", "newName": "registry.example.test/nginx"}),
        ("alpine@sha256:24a0c4b4", {"name": "alpine", "digest": "sha256:24a0c4b4"}),
        ("my-app=my-registry/my-app@sha256:24a0", {"name": "my-app", "newName": "my-registry/my-app", "digest": "sha256:24a0"}),
    ],
)
def test_image_arguments_parse_as_kustomize_edit_set_image(arg, entry):
    assert ko.parse_image(arg) == entry


def test_image_without_tag_or_new_name_is_refused():
    with pytest.raises(RenderError, match="is not one of"):
        ko.parse_image("nginx")


def test_images_replace_by_name_keep_star_parts_and_sort():
    doc = {"images": [{"name": "nginx", "newName": "mirror/nginx", "newTag": "1.0"}, {"name": "redis", "newTag": "7"}]}
    out = ko.apply(doc, {"images": ["nginx=*:1.1", "alpine:3"]}, {}, ".")
    assert out["images"] == [{"name": "alpine", "newTag": "3"}, {"name": "nginx", "newName": "mirror/nginx", "newTag": "1.1"}, {"name": "redis", "newTag": "7"}]
    assert doc["images"][0]["newTag"] == "1.0"  # the input is not modified


def test_existing_label_needs_force():
    doc = {"commonLabels": {"team": "a"}}
    with pytest.raises(RenderError, match="team is already in the kustomization"):
        ko.apply(doc, {"commonLabels": {"team": "b"}}, {}, ".")
    assert ko.apply(doc, {"commonLabels": {"team": "b"}, "forceCommonLabels": True}, {}, ".")["commonLabels"] == {"team": "b"}


def test_label_without_selector_goes_to_labels():
    out = ko.apply({}, {"commonLabels": {"env": "$ARGOCD_APP_NAMESPACE"}, "labelWithoutSelector": True}, {"ARGOCD_APP_NAMESPACE": "shop"}, ".")
    assert out["labels"] == [{"pairs": {"env": "shop"}, "includeSelectors": False}]
    assert "commonLabels" not in out


def test_annotations_substituted_only_with_envsubst():
    env = {"ARGOCD_APP_NAME": "web"}
    assert ko.apply({}, {"commonAnnotations": {"a": "$ARGOCD_APP_NAME"}}, env, ".")["commonAnnotations"] == {"a": "$ARGOCD_APP_NAME"}
    out = ko.apply({}, {"commonAnnotations": {"a": "${ARGOCD_APP_NAME}-$$-$UNKNOWN"}, "commonAnnotationsEnvsubst": True}, env, ".")
    assert out["commonAnnotations"] == {"a": "web-$-"}


def test_replicas_merge_by_name_and_need_an_integer():
    out = ko.apply({"replicas": [{"name": "web", "count": 1}, {"name": "db", "count": 1}]}, {"replicas": [{"name": "web", "count": "4"}]}, {}, ".")
    assert out["replicas"] == [{"name": "web", "count": 4}, {"name": "db", "count": 1}]
    with pytest.raises(RenderError, match="count of web must be an integer"):
        ko.apply({}, {"replicas": [{"name": "web", "count": "many"}]}, {}, ".")


def test_private_copy_holds_only_the_kustomization_graph(layout, tmp_path):
    root = os.path.realpath(layout)
    home = tmp_path / "home"
    home.mkdir()
    copy_root = ko.private_copy(root, str(home), [os.path.join(root, "overlays", "prod"), os.path.join(root, "base")])
    assert sorted(os.listdir(copy_root)) == ["base", "overlays"]
    assert os.listdir(os.path.join(copy_root, "overlays")) == ["prod"]
    copied = os.path.join(copy_root, "base", "deployment.yaml")
    assert os.stat(copied).st_ino == os.stat(os.path.join(root, "base", "deployment.yaml")).st_ino  # a hard link


def test_kube_version_and_api_versions_reach_the_helm_charts_of_a_kustomization():
    options = RenderOptions(kube_version="1.30.2", api_versions=("monitoring.coreos.com/v1",))
    assert helm_version_args(options) == ["--helm-kube-version=1.30.2", "--helm-api-versions=monitoring.coreos.com/v1"]
    with pytest.raises(RenderError, match="not a valid Kubernetes version"):
        helm_version_args(RenderOptions(kube_version="--post-renderer=/bin/sh"))
