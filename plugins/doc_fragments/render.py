# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  renderer:
    description:
      - How to render the source path.
      - V(auto) detects C(Chart.yaml) (Helm), a kustomization file (Kustomize), else a directory of YAML/JSON files.
    type: str
    default: auto
    choices: [auto, directory, kustomize, helm]
  kustomize_binary:
    description:
      - Kustomize command, for example C(kustomize) or C(kubectl kustomize).
      - Default C(kustomize) when on E(PATH), else C(kubectl kustomize).
    type: str
  helm_binary:
    description: Helm 3 binary (default C(helm) on E(PATH)).
    type: str
"""
