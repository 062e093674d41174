# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIGTERM / SIGINT become an exception that unwinds (finally blocks release the Lease)
and a clear module failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import signals
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))


@pytest.mark.parametrize("signum, name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_signal_unwinds_through_finally_and_names_itself(signum, name):
    released = []
    before = signal.getsignal(signum)
    with pytest.raises(signals.Terminated, match="terminated by %s" % name):
        with signals.terminate_on_signals():
            try:
                os.kill(os.getpid(), signum)
                pytest.fail("the signal did not interrupt")
            finally:
                released.append(True)
    assert released == [True]
    assert signal.getsignal(signum) == before


def test_terminated_is_not_caught_as_an_error():
    """except GitOpsError / except Exception must not swallow it (reconcile goes on otherwise)."""
    assert not issubclass(signals.Terminated, Exception)
    assert not issubclass(signals.Terminated, GitOpsError)


def test_second_signal_does_not_interrupt_the_cleanup():
    steps = []
    with pytest.raises(signals.Terminated):
        with signals.terminate_on_signals():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            finally:
                os.kill(os.getpid(), signal.SIGTERM)  # systemd and kubelet may send it again
                steps.append("released")
    assert steps == ["released"]


MODULE = textwrap.dedent("""
    import json, os, signal, sys, time
    sys.path.insert(0, %(collections)r)
    from ansible.module_utils import basic
    basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = json.dumps({"ANSIBLE_MODULE_ARGS": {}}).encode(), "legacy"
    from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule

    def run(module):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
        finally:
            sys.stderr.write("released\\n")
        return {"changed": True}

    GitOpsModule(argument_spec={}).execute(run)
""")


def test_module_fails_with_a_clear_message_after_cleanup():
    script = MODULE % {"collections": os.path.join(REPO_ROOT, ".collections")}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20, check=False)
    result = json.loads(proc.stdout)
    assert result["failed"] is True and result["msg"] == "terminated by SIGTERM", result
    assert result["step"] == "signal"
    assert proc.stderr.strip() == "released"
    assert proc.returncode == 1
