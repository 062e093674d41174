# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the git and render adapters.

External tools (git, kustomize, helm) run from argv lists, never a shell. Errors
raised here never show the argv (it may hold a URL or a file path the caller
considers private); they name the tool and what happened. Paths taken from a
repository are checked to stay inside it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

# Environment variables that would redirect git away from the repository we name.
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR")

STDERR_MAX_LINES = 20
STDERR_MAX_CHARS = 4000


@dataclass(frozen=True)
class ToolResult:
    """Exit code and decoded output of one tool run."""

    rc: int
    stdout: str
    stderr: str


def find_binary(name):
    """Absolute path of an executable: ``name`` itself when it is a path, else found on
    PATH, else beside the running Python interpreter (a venv's ``bin/``). None if absent."""
    if not name:
        return None
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    found = shutil.which(name)
    if found:
        return found
    # Not realpath: a venv's python is a symlink, its tools sit beside the link.
    beside = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), name)
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return None


def tool_env(extra=None, drop_git_location=True):
    """A copy of the environment for a tool run: C locale messages, no git location
    overrides, plus ``extra`` (a None value removes the variable)."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANGUAGE"] = "C"
    if drop_git_location:
        for name in _GIT_LOCATION_VARS:
            env.pop(name, None)
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def trim(text, max_lines=STDERR_MAX_LINES, max_chars=STDERR_MAX_CHARS):
    """The tail of a tool's output, small enough for an error message."""
    lines = [line.rstrip() for line in (text or "").strip().splitlines() if line.strip()]
    if len(lines) > max_lines:
        lines = ["[... %d lines omitted ...]" % (len(lines) - max_lines)] + lines[-max_lines:]
    out = "\n".join(lines)
    if len(out) > max_chars:
        out = "[...]" + out[-max_chars:]
    return out


def run(argv, error, subject, env=None, cwd=None, timeout=None, stdin_data=None, scrub=None):
    """Run ``argv`` (a list) and return a ToolResult, whatever the exit code.

    A missing binary, an OS error or a timeout raise ``error`` (a GitOpsError class)
    with ``subject``; ``scrub`` cleans any text that goes into a message.
    """
    clean = scrub or (lambda text: text)
    tool = os.path.basename(argv[0])
    data = stdin_data.encode("utf-8") if isinstance(stdin_data, str) else stdin_data
    try:
        # A session of its own: no controlling terminal to prompt on, and on timeout
        # the whole group (git's helpers, ssh) is killed, not only the first process.
        # This is the collection's one process spawn. AnsibleModule.run_command is not
        # usable here: it has no timeout (a hung fetch would hang the reconcile) and
        # there is no module in the lookup, which runs these renderers on the controller.
        proc = subprocess.Popen(  # pylint: disable=consider-using-with,ansible-bad-function
            argv,
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env if env is not None else tool_env(),
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        raise error(clean("cannot run %s: %s" % (tool, exc.strerror or exc)), subject=subject) from exc
    try:
        stdout, stderr = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise error("%s did not finish within %s seconds" % (tool, timeout), subject=subject) from exc
    except BaseException:
        _kill_group(proc)
        raise
    return ToolResult(
        proc.returncode,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
    )


def _kill_group(proc):
    """Kill the process group run() started, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.communicate()


def is_inside(root, candidate):
    """True when the real path ``candidate`` is ``root`` or below it (both real paths)."""
    return candidate == root or candidate.startswith(root.rstrip(os.sep) + os.sep)


def resolve_inside(root, path, error, what, source):
    """Real absolute path of ``path`` (relative to the real path ``root``).

    Refuses absolute paths and paths that leave ``root`` (``..`` or a symlink
    pointing outside) and paths that do not exist, raising ``error`` with a
    message naming ``what`` (e.g. "path") and ``source``.
    """
    if path is None or path == "":
        path = "."
    if os.path.isabs(path):
        raise error("%s must be relative to the root of %s" % (what, source), subject=path)
    joined = os.path.normpath(os.path.join(root, path))
    if not is_inside(root, joined):
        raise error("%s leaves the root of %s" % (what, source), subject=path)
    real = os.path.realpath(joined)
    if not is_inside(root, real):
        raise error("%s resolves (through a symlink) outside the root of %s" % (what, source), subject=path)
    if not os.path.exists(real):
        raise error("%s not found in %s" % (what, source), subject=path)
    return real
