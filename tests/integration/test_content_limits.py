"""A hostile repository's content cannot exhaust the agent: an alias bomb in one
Application fails that Application quickly, with bounded memory, and the other
Applications of the same run still sync."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time

import pytest
import yaml

from tests.helpers.hostile_yaml import alias_bomb

from .gitops import Runner, application
from .playbook import VENV_BIN, ansible_env

# timed: run with no other test beside it (tests/integration/conftest.py, serial_gate)
pytestmark = pytest.mark.serial

GIB = 1024 * 1024 * 1024
# A safety net, not the bound under test: a regression fails this test with a MemoryError
# within about 2 minutes instead of taking the machine (unbounded, the bomb reached 8 GB).
ADDRESS_SPACE_LIMIT = 2 * GIB


def run_play_measured(tmp_path, task):
    """Run one registered task in a localhost play; returns (result, seconds, max RSS in bytes)
    of the whole ansible-playbook process tree (the module runs in a child of a child)."""
    out = tmp_path / "measured.json"
    play = [
        {
            "name": "measured",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "tasks": [
                dict(task, register="measured", ignore_errors=True),
                {"name": "Record the result", "ansible.builtin.copy": {"content": "{{ measured | to_json }}", "dest": str(out), "mode": "0600"}},
            ],
        }
    ]
    path = tmp_path / "measured.yml"
    path.write_text(yaml.safe_dump(play))

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))

    start = time.monotonic()
    with open(tmp_path / "measured.log", "wb") as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with,subprocess-popen-preexec-fn
            [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(path)],
            env=ansible_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_memory,
        )
        # wait4: the resource usage of this process tree alone, not of every child of pytest
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    assert out.exists(), (tmp_path / "measured.log").read_text()[-4000:]
    return json.loads(out.read_text()), seconds, usage.ru_maxrss * 1024


def test_alias_bomb_fails_its_application_fast_and_the_others_still_sync(tmp_path, kubeconfig, namespace, kubectl):
    src = tmp_path / "src"
    (src / "bomb").mkdir(parents=True)
    (src / "bomb" / "cm.yaml").write_text(alias_bomb("lol"))
    (src / "good").mkdir()
    (src / "good" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n")
    runner = Runner(kubeconfig=kubeconfig)
    for name, wave in (("bomb", "-1"), ("good", "0")):  # the bomb first: the run must go on after it
        app = application(name, namespace, name, namespace)
        app["metadata"]["annotations"] = {"gitops-k8s.dev/sync-wave": wave}
        runner.declare(app)  # declared straight into the cluster: nothing renders before the measured run
    base = {"kubeconfig": kubeconfig, "namespace": namespace, "checkout_dir": str(src)}

    result, seconds, max_rss = run_play_measured(tmp_path, {"name": "all", "gitops.k8s.app": dict(base, all=True, install_crd=False)})
    print("all=true run with an alias bomb: %.1f s, max RSS %.0f MiB" % (seconds, max_rss / 1024.0 / 1024.0))

    assert result["failed"] is True
    assert [row["application"] for row in result["applications"]] == ["%s/bomb" % namespace, "%s/good" % namespace]  # wave order
    rows = dict((row["application"], row) for row in result["applications"])
    bomb, good = rows["%s/bomb" % namespace], rows["%s/good" % namespace]
    assert bomb["error_step"] == "render"
    assert "bomb/cm.yaml:1: YAML document expands to more than 1000000 nodes (aliases?)" in bomb["error"]
    assert good["created"] == ["ConfigMap/%s/good" % namespace]
    assert kubectl("get", "cm", "good", "-n", namespace, "-o", "jsonpath={.data.a}") == "b"
    assert kubectl.run("get", "cm", "lol", "-n", namespace).returncode != 0
    assert seconds < 120
    assert max_rss < GIB
