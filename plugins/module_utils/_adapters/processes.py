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
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

# Environment variables that would redirect git away from the repository we name.
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
)

STDERR_MAX_LINES = 20
STDERR_MAX_CHARS = 4000

MIB = 1024 * 1024
# What one tool run may write to stdout (a render's manifests, a git listing): above
# it the tool is killed, so a chart or kustomization cannot fill the agent's memory.
DEFAULT_MAX_OUTPUT = 64 * MIB
# Of stderr only the tail is kept: messages show its last lines (trim()), and a tool
# writing to stderr without end must not grow the agent either.
STDERR_TAIL_BYTES = 64 * 1024
_CHUNK = 65536


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
        # absolute: tools run in a working directory of their own (helm in its private home)
        return os.path.abspath(name) if os.path.isfile(name) and os.access(name, os.X_OK) else None
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


def format_size(size):
    """``64 MiB`` for whole mebibytes, else ``1234 bytes``: sizes as messages show them."""
    if size >= MIB and size % MIB == 0:
        return "%d MiB" % (size // MIB)
    return "%d bytes" % size


def run(argv, error, subject, *, timeout, env=None, cwd=None, stdin_data=None, scrub=None, max_output=DEFAULT_MAX_OUTPUT):
    """Run ``argv`` (a list) and return a ToolResult, whatever the exit code.

    ``timeout`` (seconds) is required: no tool may hang a reconcile. A missing binary,
    an OS error, a timeout, or more than ``max_output`` bytes on stdout raise ``error``
    (a GitOpsError class) with ``subject``, after the tool's whole process group was
    killed. Only the tail of stderr is kept. ``scrub`` cleans any text that goes into
    a message.
    """
    clean = scrub or (lambda text: text)
    tool = os.path.basename(argv[0])
    if not timeout or timeout <= 0:
        raise error("%s needs a timeout in seconds (got %r)" % (tool, timeout), subject=subject)
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
        stdout, stderr = _exchange(proc, data, time.monotonic() + timeout, max_output)
    except _Timeout as exc:
        _kill_group(proc)
        raise error("%s did not finish within %s seconds" % (tool, timeout), subject=subject) from exc
    except _TooMuchOutput as exc:
        _kill_group(proc)
        raise error("%s output exceeds %s" % (tool, format_size(max_output)), subject=subject) from exc
    except BaseException:
        _kill_group(proc)
        raise
    return ToolResult(
        proc.returncode,
        stdout.decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
    )


class _Timeout(Exception):
    """The deadline of a run() passed."""


class _TooMuchOutput(Exception):
    """A tool wrote more than max_output bytes to stdout."""


def _exchange(proc, data, deadline, max_output):
    """Feed ``data`` to stdin and read stdout and stderr as they come, until the tool
    exits; returns (stdout, stderr tail) as bytes.

    Unlike communicate(), this stops as soon as stdout passes ``max_output`` and keeps
    only the last STDERR_TAIL_BYTES of stderr, so a tool cannot grow the agent's memory.
    """
    stdout, stderr = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, stdout)
        selector.register(proc.stderr, selectors.EVENT_READ, stderr)
        pending = memoryview(data) if data is not None else None
        if pending is not None:
            os.set_blocking(proc.stdin.fileno(), False)
            selector.register(proc.stdin, selectors.EVENT_WRITE, None)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout()
            for key, _events in selector.select(remaining):
                if key.fileobj is proc.stdin:
                    pending = _feed(proc.stdin, pending, selector)
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                key.data.extend(chunk)
                if key.data is stdout and len(stdout) > max_output:
                    raise _TooMuchOutput()
                if key.data is stderr and len(stderr) > 2 * STDERR_TAIL_BYTES:
                    del stderr[:-STDERR_TAIL_BYTES]
    try:
        proc.wait(max(deadline - time.monotonic(), 0.001))
    except subprocess.TimeoutExpired as exc:
        raise _Timeout() from exc
    return bytes(stdout), bytes(stderr[-STDERR_TAIL_BYTES:])


def _feed(stdin, pending, selector):
    """Write what stdin takes of ``pending`` now; close it when all is written or the
    tool closed its end. Returns what is left to write."""
    try:
        written = os.write(stdin.fileno(), pending[:_CHUNK])
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        written = len(pending)
    pending = pending[written:]
    if not len(pending):
        selector.unregister(stdin)
        stdin.close()
    return pending


def _kill_group(proc):
    """Kill the process group run() started, close our ends of its pipes, then reap it.

    The pipes are closed rather than drained: a process that left the group could
    otherwise keep them open, and writing, for ever.
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    proc.wait()


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
