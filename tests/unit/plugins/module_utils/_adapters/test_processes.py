# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""processes.run(): the one process spawn, with its time and output bounds, on real processes."""

from __future__ import annotations

import os
import stat
import sys
import time

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import processes
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render import RenderOptions, render
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError, SourceError

PY = sys.executable


def python(code):
    return [PY, "-c", code]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too: it only waits for its parent (pytest's reaper or init)
    with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end and pid_alive(pid):
        time.sleep(0.05)
    return not pid_alive(pid)


def test_output_and_exit_code_are_returned():
    result = processes.run(python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"), RenderError, "s", timeout=30)
    assert (result.rc, result.stdout, result.stderr) == (3, "out\n", "err\n")


def test_stdout_over_the_bound_kills_the_tool_with_a_clear_error(tmp_path):
    # 80 MiB then exit: without a bound the whole of it would be returned
    code = "import os\nfor _ in range(1280):\n    os.write(1, b'x' * 65536)\n"
    start = time.monotonic()
    with pytest.raises(RenderError) as err:
        processes.run(python(code), RenderError, "charts/big", timeout=60)
    assert str(err.value) == "charts/big: %s output exceeds 64 MiB" % os.path.basename(PY)
    assert time.monotonic() - start < 30


def test_endless_output_is_cut_at_max_output_and_the_whole_group_killed(tmp_path):
    pid_file = tmp_path / "child.pid"
    # the tool starts a child in its group that writes for ever, then writes itself
    code = (
        "import os, subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import os\\nwhile True: os.write(1, b\"y\" * 4096)'])\n"
        "open(%r, 'w').write(str(child.pid))\n"
        "while True: os.write(1, b'x' * 4096)\n" % str(pid_file)
    )
    with pytest.raises(SourceError, match=r"output exceeds 1 MiB$"):
        processes.run(python(code), SourceError, "s", timeout=60, max_output=processes.MIB)
    assert wait_gone(int(pid_file.read_text()))


def test_only_the_tail_of_stderr_is_kept():
    code = "import os\nfor _ in range(160):\n    os.write(2, b'e' * 65536)\nos.write(2, b'\\nthe last line\\n')\n"
    result = processes.run(python(code), RenderError, "s", timeout=60)
    assert result.rc == 0
    assert len(result.stderr) <= processes.STDERR_TAIL_BYTES
    assert result.stderr.endswith("the last line\n")


def test_timeout_kills_the_process_group(tmp_path):
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "open(%r, 'w').write(str(child.pid))\n"
        "time.sleep(120)\n" % str(pid_file)
    )
    start = time.monotonic()
    with pytest.raises(SourceError, match="did not finish within 2 seconds"):
        processes.run(python(code), SourceError, "s", timeout=2)
    assert time.monotonic() - start < 10
    assert wait_gone(int(pid_file.read_text()))


def test_a_tool_closing_its_output_but_not_exiting_still_times_out():
    code = "import os, time\nos.close(1)\nos.close(2)\ntime.sleep(120)\n"
    with pytest.raises(RenderError, match="did not finish within 1 seconds"):
        processes.run(python(code), RenderError, "s", timeout=1)


@pytest.mark.parametrize("timeout", [None, 0, -5])
def test_a_timeout_is_mandatory(timeout):
    with pytest.raises(RenderError, match="needs a timeout in seconds"):
        processes.run(python("pass"), RenderError, "s", timeout=timeout)


def test_timeout_has_no_default():
    with pytest.raises(TypeError):
        processes.run(python("pass"), RenderError, "s")  # pylint: disable=missing-kwoa


def test_stdin_larger_than_a_pipe_buffer_is_fed_while_output_is_read():
    data = "line of input\n" * 200000  # 2.8 MB: more than the pipe buffers on both sides
    result = processes.run(["cat"], RenderError, "s", timeout=30, stdin_data=data)
    assert result.rc == 0 and result.stdout == data


def test_a_tool_that_ignores_its_stdin_does_not_block_the_feed():
    result = processes.run(python("print('done')"), RenderError, "s", timeout=30, stdin_data="x" * (4 * processes.MIB))
    assert result.rc == 0 and result.stdout == "done\n"


def test_missing_binary_is_an_error_of_the_callers_class(tmp_path):
    with pytest.raises(SourceError, match="cannot run nope"):
        processes.run([str(tmp_path / "nope")], SourceError, "s", timeout=5)


def test_format_size():
    assert processes.format_size(64 * processes.MIB) == "64 MiB"
    assert processes.format_size(1000) == "1000 bytes"


def test_helm_output_over_the_bound_fails_the_render(tmp_path):
    """The renderers take run()'s default bound: a chart whose output has no end fails its
    render (a stand-in helm writes for ever: real helm would need gigabytes to get there)."""
    chart = tmp_path / "repo" / "chart"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 1.0.0\n")
    helm = tmp_path / "bin" / "helm"
    helm.parent.mkdir()
    helm.write_text("#!%s\nimport os\nwhile True:\n    os.write(1, b'# filler\\n' * 4096)\n" % PY)
    helm.chmod(helm.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(RenderError) as err:
        render(str(tmp_path / "repo"), "chart", RenderOptions(helm_binary=str(helm), timeout=60))
    assert str(err.value) == "chart: helm output exceeds 64 MiB"


def test_find_binary_makes_a_relative_path_absolute(tmp_path, monkeypatch):
    """Tools run in a working directory of their own (helm in its private home): a
    relative binary path must still name the same file there."""
    tool = tmp_path / "bin" / "mytool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    assert processes.find_binary(os.path.join("bin", "mytool")) == str(tool)
