# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifests lookup in a real playbook: result shapes of lookup() and query(),
options reaching the renderers, warnings, and errors as AnsibleLookupError."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FIXTURES = os.path.join(REPO_ROOT, "tests", "unit", "fixtures", "render")

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    fixtures: "{fixtures}"
  tasks:
    - name: Lookup, one term
      ansible.builtin.set_fact:
        plain: "{{{{ lookup('gitops.k8s.manifests', 'plain', root=fixtures, recurse=true, exclude=['list.yaml']) }}}}"
    - name: Query, two terms
      ansible.builtin.set_fact:
        both: >-
          {{{{ query('gitops.k8s.manifests', 'chart/demo', 'plain/deploy.yaml', root=fixtures,
                    release_name='shop', value_files=['values-prod.yaml'], values={{'greeting': 'hi'}},
                    include_crds=false) }}}}
    - name: Escaping path
      ansible.builtin.set_fact:
        nope: "{{{{ lookup('gitops.k8s.manifests', '../..', root=fixtures) }}}}"
      register: escaped
      ignore_errors: true
    - name: Save
      ansible.builtin.copy:
        dest: "{out}"
        content: "{{{{ {{'plain': plain, 'both': both, 'escaped': escaped}} | to_json }}}}"
"""


@pytest.mark.slow
def test_lookup_and_query_in_a_playbook(tmp_path):
    playbook_bin = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "ansible-playbook")
    if not os.path.exists(playbook_bin):
        pytest.skip("ansible-playbook not beside the Python running the tests")
    play = tmp_path / "play.yml"
    play.write_text(PLAY.format(fixtures=FIXTURES, out=tmp_path / "out.json"))
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(REPO_ROOT, ".collections")
    env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    env["PATH"] = os.path.dirname(os.path.abspath(sys.executable)) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([playbook_bin, "-i", "localhost,", str(play)], env=env, capture_output=True, text=True, check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(str(tmp_path / "out.json"), encoding="utf-8") as handle:
        out = json.load(handle)
    assert [obj["metadata"]["name"] for obj in out["plain"]] == ["demo", "from-json", "web", "nested"]
    chart, deploy = out["both"]
    assert [obj["kind"] for obj in chart] == ["ConfigMap", "Deployment"]
    assert chart[0]["metadata"]["name"] == "shop-config" and chart[0]["data"] == {"greeting": "hi"}
    assert chart[1]["spec"]["replicas"] == 3
    assert [obj["kind"] for obj in deploy] == ["Deployment"]
    assert out["escaped"]["failed"] is True
    assert "gitops.k8s.manifests: ../..: path leaves the root of" in out["escaped"]["msg"]
    assert "ignored plain/local.yml:2: top level is a list" in proc.stdout + proc.stderr
