# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import shutil

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, detect, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe
from tests.helpers.hostile_yaml import alias_bomb, nested


def write(base, name, text):
    path = os.path.join(str(base), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: demo\n"

# Written by the test: ansible-test sanity allows one document per *.yaml file in the repo.
MULTI_DOC = """\
# The web Service, then an empty document, then a ConfigMap.
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  selector: {app: web}
  ports:
    - port: 80
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-env, namespace: demo}
"""


@pytest.fixture
def plain_root(tmp_path, fixtures_dir):
    """A copy of the plain fixture plus a multi-document file, as a checkout: <root>/apps/plain."""
    root = tmp_path / "checkout"
    shutil.copytree(os.path.join(fixtures_dir, "plain"), str(root / "apps" / "plain"), symlinks=True)
    write(root, "apps/plain/web.yaml", MULTI_DOC)
    return str(root)


def test_directory_renders_sorted_files_documents_and_lists(plain_root):
    result = render(plain_root, "apps/plain")
    assert result.renderer == "directory"
    assert result.path == "apps/plain"
    assert [describe(m.obj) for m in result.manifests] == [
        "Namespace/demo",
        "ConfigMap/demo/from-json",
        "Deployment/demo/web",
        "ConfigMap/demo/listed-a",
        "ConfigMap/demo/listed-b",
        "Service/demo/web",
        "ConfigMap/demo/web-env",
    ]
    assert [m.origin for m in result.manifests] == [
        "apps/plain/10-namespace.yaml:1",
        "apps/plain/config.json:1",
        "apps/plain/deploy.yaml:3",
        "apps/plain/list.yaml:1 (item 0)",
        "apps/plain/list.yaml:1 (item 1)",
        "apps/plain/web.yaml:3",
        "apps/plain/web.yaml:14",
    ]
    # Kubernetes reads timestamps as strings; results stay JSON-serialisable.
    deploy = result.manifests[2].obj
    assert deploy["metadata"]["annotations"]["built"] == "2024-05-01T10:00:00Z"
    json.dumps([m.obj for m in result.manifests])


def test_non_manifest_documents_are_ignored_with_a_warning(plain_root):
    result = render(plain_root, "apps/plain")
    assert result.warnings == [
        "ignored apps/plain/local.yml:2: top level is a list, not a Kubernetes object",
        "ignored apps/plain/notes.yaml:1: neither apiVersion nor kind",
    ]


def test_hidden_directories_and_other_extensions_are_skipped(plain_root):
    names = [m.obj["metadata"]["name"] for m in render(plain_root, "apps/plain", RenderOptions(recurse=True)).manifests]
    assert "hidden" not in names
    assert "nested" in names


def test_recurse_is_off_by_default(plain_root):
    names = [m.obj["metadata"]["name"] for m in render(plain_root, "apps/plain").manifests]
    assert "nested" not in names


def test_recurse_reads_subdirectories_in_path_order(plain_root):
    result = render(plain_root, "apps/plain", RenderOptions(recurse=True))
    assert [m.origin for m in result.manifests][-3:] == ["apps/plain/sub/nested.yaml:1", "apps/plain/web.yaml:3", "apps/plain/web.yaml:14"]


def test_include_and_exclude_match_relative_paths_and_names(plain_root):
    only_yaml = render(plain_root, "apps/plain", RenderOptions(recurse=True, include=["*.yaml"], exclude=["list.yaml"]))
    assert [m.origin.split(":")[0] for m in only_yaml.manifests] == [
        "apps/plain/10-namespace.yaml",
        "apps/plain/deploy.yaml",
        "apps/plain/sub/nested.yaml",
        "apps/plain/web.yaml",
        "apps/plain/web.yaml",
    ]
    sub_only = render(plain_root, "apps/plain", RenderOptions(recurse=True, include=["sub/*"]))
    assert [m.obj["metadata"]["name"] for m in sub_only.manifests] == ["nested"]
    no_sub = render(plain_root, "apps/plain", RenderOptions(recurse=True, exclude=["sub/*", "*.json"]))
    names = [m.obj["metadata"]["name"] for m in no_sub.manifests]
    assert "nested" not in names and "from-json" not in names


def test_single_file_path(plain_root):
    result = render(plain_root, "apps/plain/web.yaml")
    assert [m.origin for m in result.manifests] == ["apps/plain/web.yaml:3", "apps/plain/web.yaml:14"]


def test_root_itself_renders_with_dot(tmp_path):
    write(tmp_path, "cm.yaml", CM % "a")
    result = render(str(tmp_path), ".")
    assert [m.origin for m in result.manifests] == ["cm.yaml:1"]
    assert result.path == "."


def test_half_object_is_an_error_naming_file_and_line(tmp_path):
    write(tmp_path, "app/bad.yaml", CM % "ok" + "---\nkind: ConfigMap\nmetadata:\n  name: nope\n")
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert err.value.subject == "app/bad.yaml:7"
    assert "kind but no apiVersion" in str(err.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    write(tmp_path, "app/a.yaml", CM % "a")
    write(tmp_path, "app/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n")
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert err.value.subject.startswith("app/b.yaml:")
    assert "invalid YAML" in str(err.value)


def test_duplicate_ids_name_both_origins(tmp_path):
    write(tmp_path, "app/a.yaml", CM % "same")
    write(tmp_path, "app/b.yaml", "# again\n" + CM % "same")
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert err.value.subject == "app/b.yaml:2"
    assert "duplicate object ConfigMap/demo/same (also defined at app/a.yaml:1)" in str(err.value)


def test_object_without_name_is_an_error(tmp_path):
    write(tmp_path, "app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert err.value.subject == "app/a.yaml:1"


def test_missing_path_names_the_source(tmp_path):
    with pytest.raises(RenderError) as err:
        render(str(tmp_path), "apps/nope", source="https://git.example.com/r.git@abc123")
    assert str(err.value) == "apps/nope: path not found in https://git.example.com/r.git@abc123"


@pytest.mark.parametrize("path", ["..", "../outside", "apps/../../outside", "/etc"])
def test_paths_leaving_the_root_are_refused(tmp_path, path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    with pytest.raises(RenderError) as err:
        render(str(root), path)
    assert "root" in str(err.value)


def test_symlinked_path_leaving_the_root_is_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    write(tmp_path, "outside/cm.yaml", CM % "secret")
    os.symlink(str(tmp_path / "outside"), str(root / "escape"))
    with pytest.raises(RenderError) as err:
        render(str(root), "escape")
    assert "outside the root" in str(err.value)


def test_symlinked_file_leaving_the_root_is_refused(tmp_path):
    root = tmp_path / "root"
    write(root, "app/cm.yaml", CM % "a")
    write(tmp_path, "outside.yaml", CM % "b")
    os.symlink(str(tmp_path / "outside.yaml"), str(root / "app" / "link.yaml"))
    with pytest.raises(RenderError) as err:
        render(str(root), "app")
    assert err.value.subject == "app/link.yaml"


def test_symlink_inside_the_root_is_followed(tmp_path):
    root = tmp_path / "root"
    write(root, "shared/cm.yaml", CM % "shared")
    os.makedirs(str(root / "app"))
    os.symlink(os.path.join("..", "shared", "cm.yaml"), str(root / "app" / "cm.yaml"))
    assert [m.obj["metadata"]["name"] for m in render(str(root), "app").manifests] == ["shared"]


def test_recurse_skips_charts_and_kustomizations_with_a_warning(tmp_path):
    write(tmp_path, "app/cm.yaml", CM % "a")
    write(tmp_path, "app/chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
    write(tmp_path, "app/chart/templates/x.yaml", "{{ broken yaml")
    write(tmp_path, "app/kust/kustomization.yaml", "resources: [cm.yaml]\n")
    result = render(str(tmp_path), "app", RenderOptions(recurse=True))
    assert [m.obj["metadata"]["name"] for m in result.manifests] == ["a"]
    assert result.warnings == [
        "skipped app/chart/: a Helm chart or kustomization needs its own path",
        "skipped app/kust/: a Helm chart or kustomization needs its own path",
    ]


def test_explicit_directory_renderer_overrides_detection(tmp_path):
    write(tmp_path, "app/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    write(tmp_path, "app/cm.yaml", CM % "a")
    result = render(str(tmp_path), "app", RenderOptions(renderer="directory"))
    assert result.renderer == "directory"
    assert [m.obj["metadata"]["name"] for m in result.manifests] == ["a"]
    assert result.warnings == ["ignored app/kustomization.yaml: renderer configuration, not a manifest"]


def test_detect(tmp_path, fixtures_dir):
    assert detect(os.path.join(fixtures_dir, "chart", "demo")) == "helm"
    assert detect(os.path.join(fixtures_dir, "kustomize", "overlays", "dev")) == "kustomize"
    assert detect(os.path.join(fixtures_dir, "plain")) == "directory"
    write(tmp_path, "k/Kustomization", "resources: []\n")
    assert detect(str(tmp_path / "k")) == "kustomize"


def test_unknown_renderer_is_refused():
    with pytest.raises(RenderError):
        RenderOptions(renderer="jsonnet")


def test_empty_directory_renders_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    result = render(str(tmp_path), "empty")
    assert result.manifests == [] and result.warnings == []


def test_non_utf8_file_is_an_error(tmp_path):
    path = tmp_path / "app" / "latin1.yaml"
    path.parent.mkdir()
    path.write_bytes(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n")
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert err.value.subject == "app/latin1.yaml"


# Limits on repository content (yaml_io, manifests.validate): every file of a directory, JSON too.


def test_a_file_over_16_mib_is_refused_unread(tmp_path):
    write(tmp_path, "app/a.yaml", CM % "a")
    with open(os.path.join(str(tmp_path), "app", "big.json"), "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert str(err.value) == "app/big.json: file is larger than 16 MiB"


def test_the_files_of_one_render_are_bounded_together(tmp_path):
    filler = ("# " + "x" * 1022 + "\n") * (15 * 1024)  # 15 MiB of comments, under the limit of one file
    for name in "abcde":
        write(tmp_path, "app/%s.yaml" % name, filler + CM % name)
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert str(err.value) == "app/e.yaml:1: a render may load at most 64 MiB of YAML/JSON text"


def test_an_alias_bomb_in_a_json_file_is_refused_naming_the_file(tmp_path):
    write(tmp_path, "app/a.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}))
    write(tmp_path, "app/b.json", alias_bomb("b"))  # JSON files are read as YAML: aliases work there too
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert str(err.value) == "app/b.json:1: YAML document expands to more than 1000000 nodes (aliases?)"


def test_deeply_nested_json_is_refused_naming_the_file(tmp_path):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": nested(150)}
    write(tmp_path, "app/deep.json", json.dumps(obj))
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert str(err.value) == "app/deep.json:1: YAML document is nested more than 100 levels deep"


def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(tmp_path):
    write(tmp_path, "app/a.yaml", CM % "a")
    os.mkfifo(os.path.join(str(tmp_path), "app", "b.yaml"))
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "app")
    assert str(err.value) == "app/b.yaml: not a regular file"


def test_more_objects_than_the_limit_is_an_error_naming_the_path(tmp_path):
    items = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-%d" % index}} for index in range(20001)]
    write(tmp_path, "apps/many/list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    with pytest.raises(ManifestError) as err:
        render(str(tmp_path), "apps/many")
    assert str(err.value) == "apps/many: renders 20001 objects, more than the limit of 20000"
    write(tmp_path, "apps/fewer/list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": items[:20000]}))
    assert len(render(str(tmp_path), "apps/fewer").manifests) == 20000
