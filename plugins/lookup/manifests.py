# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: manifests
short_description: Render a path of a checkout (YAML/JSON directory, Kustomize, Helm) into Kubernetes objects
version_added: 1.0.0
author:
  - gitops.k8s contributors (@gitops-k8s)
description:
  - Renders each term, a path relative to O(root), into the list of Kubernetes objects it describes.
  - "The renderer is detected like Argo CD does: a directory holding C(Chart.yaml) is a Helm chart
    (C(helm template)), one holding C(kustomization.yaml), C(kustomization.yml) or C(Kustomization)
    is a kustomization (C(kustomize build) or C(kubectl kustomize)), anything else is a directory
    of C(*.yaml), C(*.yml) and C(*.json) files. O(renderer) overrides the detection."
  - "In a directory, documents that are not Kubernetes objects (a YAML list such as an Ansible
    playbook, a mapping with neither C(apiVersion) nor C(kind)) are skipped with a warning;
    a mapping with only one of the two is an error naming the file and line. C(kind: List)
    documents are expanded. Every object must have a C(metadata.name), and no object may be
    defined twice."
  - Paths may not leave O(root), neither with C(..) nor through a symbolic link.
  - Runs on the controller. C(kustomize), C(kubectl) and C(helm) are looked up on E(PATH) and
    beside the Python interpreter running Ansible (a virtualenv's C(bin/)).
options:
  _terms:
    description: Paths to render, relative to O(root) (V(.) for the root itself).
    type: list
    elements: str
    required: true
  root:
    description:
      - Directory the terms are relative to, usually the RV(gitops.k8s.git_source#module:path)
        of a fetched repository. Nothing outside it is read.
      - Defaults to the current working directory (the checkout, under C(ansible-pull)).
    type: path
  renderer:
    description: Renderer to use; V(auto) detects it from the files of the path.
    type: str
    default: auto
    choices: [auto, directory, kustomize, helm]
  timeout:
    description: Seconds allowed to C(kustomize) or C(helm).
    type: int
    default: 90
  recurse:
    description: Directory renderer; also read sub-directories (hidden ones, charts and kustomizations excepted).
    type: bool
    default: false
  include:
    description:
      - Directory renderer; only read files matching one of these globs. Globs match the path
        relative to the term; a glob without C(/) also matches the file name alone.
    type: list
    elements: str
    default: []
  exclude:
    description: Directory renderer; skip files matching one of these globs (as O(include)).
    type: list
    elements: str
    default: []
  kustomize_binary:
    description:
      - Kustomize renderer; C(kustomize) or C(kubectl) executable (a name or a path).
      - Defaults to C(kustomize) when found, else C(kubectl kustomize).
    type: str
  enable_helm:
    description: Kustomize renderer; allow C(helmCharts) (C(--enable-helm), with O(helm_binary)).
    type: bool
    default: false
  kustomize_args:
    description: Kustomize renderer; extra arguments for the build.
    type: list
    elements: str
    default: []
  helm_binary:
    description: Helm renderer (and O(enable_helm)); C(helm) executable, a name or a path.
    type: str
    default: helm
  release_name:
    description: Helm renderer; release name. Defaults to the chart's name.
    type: str
  namespace:
    description: Helm renderer; release namespace.
    type: str
    default: default
  value_files:
    description: Helm renderer; value files, relative to the chart directory and inside O(root).
    type: list
    elements: str
    default: []
  values:
    description: Helm renderer; inline values, applied after O(value_files).
    type: dict
  include_crds:
    description: Helm renderer; render the chart's C(crds/) directory too.
    type: bool
    default: true
  kube_version:
    description: Helm renderer; Kubernetes version for C(.Capabilities.KubeVersion).
    type: str
  api_versions:
    description: Helm renderer; extra API versions for C(.Capabilities.APIVersions).
    type: list
    elements: str
    default: []
  skip_tests:
    description: Helm renderer; leave out the chart's test hooks.
    type: bool
    default: true
notes:
  - The lookup returns one list of objects per term. C(lookup()) with one term gives that list;
    C(query()) (or C(lookup(..., wantlist=true)))
    gives a list of such lists, one per term.
  - Helm runs with its cache, configuration and data directories in a temporary directory;
    charts with dependencies must have them vendored in C(charts/).
seealso:
  - module: gitops.k8s.git_source
"""

EXAMPLES = r"""
- name: Render a plain directory of manifests of the current checkout
  ansible.builtin.set_fact:
    web_objects: "{{ lookup('gitops.k8s.manifests', 'apps/web') }}"

- name: Render a Helm chart of a fetched repository with values
  ansible.builtin.set_fact:
    redis_objects: >-
      {{ lookup('gitops.k8s.manifests', 'charts/redis', root=source.path,
                release_name='cache', namespace='cache',
                value_files=['values-prod.yaml'], values={'replicas': 3}) }}

- name: Render two kustomize overlays at once (one list per term)
  ansible.builtin.debug:
    msg: "{{ query('gitops.k8s.manifests', 'overlays/dev', 'overlays/prod', root=source.path) | map('length') }}"

- name: Only some files of a directory, recursively
  ansible.builtin.set_fact:
    crds: "{{ lookup('gitops.k8s.manifests', 'platform', recurse=true, include=['crds/*.yaml']) }}"
"""

RETURN = r"""
_raw:
  description:
    - One list per term of the rendered Kubernetes objects, in a stable order (files sorted by path,
      documents in file order; tool output order for Kustomize and Helm).
  type: list
  elements: list
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.yaml_io import HAS_YAML

display = Display()


class LookupModule(LookupBase):
    def _render_options(self):
        return RenderOptions(
            renderer=self.get_option("renderer"),
            timeout=self.get_option("timeout"),
            recurse=self.get_option("recurse"),
            include=tuple(self.get_option("include") or ()),
            exclude=tuple(self.get_option("exclude") or ()),
            kustomize_binary=self.get_option("kustomize_binary"),
            kustomize_enable_helm=self.get_option("enable_helm"),
            kustomize_args=tuple(self.get_option("kustomize_args") or ()),
            helm_binary=self.get_option("helm_binary"),
            release_name=self.get_option("release_name"),
            namespace=self.get_option("namespace"),
            value_files=tuple(self.get_option("value_files") or ()),
            values=self.get_option("values"),
            include_crds=self.get_option("include_crds"),
            kube_version=self.get_option("kube_version"),
            api_versions=tuple(self.get_option("api_versions") or ()),
            skip_tests=self.get_option("skip_tests"),
        )

    def run(self, terms, variables=None, **kwargs):
        if not HAS_YAML:
            raise AnsibleLookupError("the gitops.k8s.manifests lookup needs the PyYAML Python library")
        self.set_options(var_options=variables, direct=kwargs)
        root = self.get_option("root") or "."
        results = []
        try:
            options = self._render_options()
            for term in terms:
                result = render(root, str(term), options)
                for warning in result.warnings:
                    display.warning("gitops.k8s.manifests: %s" % warning)
                results.append([manifest.obj for manifest in result.manifests])
        except GitOpsError as exc:
            raise AnsibleLookupError("gitops.k8s.manifests: %s" % exc) from exc
        return results
