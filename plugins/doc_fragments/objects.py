# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  definitions:
    description:
      - The desired objects (for example from the P(gitops.k8s.manifests#lookup) lookup).
      - Mutually exclusive with O(src).
    type: list
    elements: dict
  src:
    description:
      - A directory to render (plain YAML/JSON, Kustomize or Helm, see O(renderer)).
      - Mutually exclusive with O(definitions).
    type: path
  namespace:
    description: Namespace for namespaced objects that set none.
    type: str
    default: default
  inventory:
    description:
      - Where the set of applied objects is remembered (a ConfigMap), so objects that leave the
        desired set can be reported as C(Extra) and pruned.
      - Without it objects are applied without an owner and nothing is ever pruned.
    type: dict
    suboptions:
      name:
        description: Name of the inventory ConfigMap.
        type: str
        required: true
      namespace:
        description: Namespace of the inventory ConfigMap.
        type: str
        default: default
  ignore_differences:
    description:
      - Fields to leave out of drift detection, in Argo CD's format
        (C(group), C(kind), optional C(name) and C(namespace), C(jsonPointers)).
    type: list
    elements: dict
    default: []
"""
