# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jsonnet files of a directory Application (Argo CD's ``directory.jsonnet``).

Evaluated with go-jsonnet (the ``gojsonnet`` Python package, Google's maintained
implementation) in a child Python process run by tools.run: a Jsonnet program can loop
or grow without end, and the child is killed at the render timeout and when its output
passes the tools' output bound. One child evaluates every ``.jsonnet`` file of a render.

``import`` / ``importstr`` / ``importbin`` go through our own import callback: the
importing file's directory, then the application path, then each of ``libs`` (relative to
the repository root, as in Argo CD) is searched; a path that is absolute, or that
resolves (symlinks followed) outside the checkout or into its ``.git``, is refused, even
when a later directory would hold it. Imported files are bounded in size.

``extVars`` and ``tlas`` (``code: true`` for Jsonnet code, else a string) have Argo CD's
build environment substituted (build_env). A file evaluates to an object or a list of
objects (a ``kind: List`` is expanded later, like any other).
"""

from __future__ import annotations

import json
import os
import sys

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.build_env import envsubst
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.containment import inside_repository
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import resolve_inside, run, tool_env, trim

EXTENSION = ".jsonnet"
FIELD = "spec.source.directory.jsonnet"
MAX_IMPORT_BYTES = 4 * 1024 * 1024
MISSING_LIBRARY_RC = 3

# The child: stdlib and _gojsonnet only (it runs as ``python -c``, also from an
# AnsiballZ payload whose files are not on disk). Request on stdin, JSON on stdout.
_WORKER = r"""
import json, os, sys
request = json.load(sys.stdin)
try:
    import _gojsonnet
except ImportError:
    sys.stderr.write("the gojsonnet Python package is not installed")
    sys.exit(%(rc)d)
root = request["root"]
git_dir = os.path.join(root, ".git")
search = request["search"]

def inside(path):
    within = lambda top: path == top or path.startswith(top + os.sep)
    return within(root) and not within(git_dir)

refused = []

def refuse(message):
    # gojsonnet can return a callback's error text with stray bytes after it, so the
    # reason is also kept here and reported from here.
    refused.append(message)
    raise RuntimeError(message)

def importer(base, rel):
    if os.path.isabs(rel):
        refuse("import %%s: absolute paths are not allowed" %% json.dumps(rel))
    for directory in [base] + search:
        full = os.path.join(directory, rel)
        real = os.path.realpath(full)
        if not inside(real):
            refuse("import %%s resolves outside the repository" %% json.dumps(rel))
        if os.path.isfile(real):
            if os.path.getsize(real) > %(max_bytes)d:
                refuse("import %%s is larger than %(max_bytes)d bytes" %% json.dumps(rel))
            with open(real, "rb") as handle:
                return full, handle.read()
    refuse("import %%s: not found" %% json.dumps(rel))

results = {}
for shown, path in request["files"]:
    with open(path, "r", encoding="utf-8") as handle:
        source = handle.read()
    try:
        results[shown] = json.loads(_gojsonnet.evaluate_snippet(
            path, source, import_callback=importer, ext_vars=request["ext_vars"], ext_codes=request["ext_codes"],
            tla_vars=request["tla_vars"], tla_codes=request["tla_codes"], max_stack=500))
    except (RuntimeError, UnicodeDecodeError) as exc:
        reason = refused[0] if refused else str(exc).replace(root + os.sep, "")
        sys.stderr.write("%%s: %%s" %% (shown, reason))
        sys.exit(1)
json.dump(results, sys.stdout)
""" % {"rc": MISSING_LIBRARY_RC, "max_bytes": MAX_IMPORT_BYTES}


def _variables(entries, field, env):
    """(strings, codes) of Argo CD's ``[{name, value, code}]`` list, values substituted."""
    strings, codes = {}, {}
    if entries is None:
        return strings, codes
    if not isinstance(entries, list):
        raise RenderError("%s.%s must be a list of {name, value, code}" % (FIELD, field), subject=FIELD)
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise RenderError("%s.%s entries need a name" % (FIELD, field), subject=FIELD)
        value = envsubst("" if entry.get("value") is None else str(entry["value"]), env)
        (codes if entry.get("code") else strings)[entry["name"]] = value
    return strings, codes


def request(root, target, files, jsonnet, env, source):
    """The child's request: files, variables and the import search path (checked)."""
    jsonnet = jsonnet or {}
    ext_vars, ext_codes = _variables(jsonnet.get("extVars"), "extVars", env)
    tla_vars, tla_codes = _variables(jsonnet.get("tlas"), "tlas", env)
    app_dir = target if os.path.isdir(target) else os.path.dirname(target)
    search = [app_dir]
    for lib in jsonnet.get("libs") or []:
        if not isinstance(lib, str) or os.path.isabs(lib):
            raise RenderError("%s.libs entries are paths relative to the repository root, not %r" % (FIELD, lib), subject=FIELD)
        real = resolve_inside(root, lib, RenderError, "%s.libs" % FIELD, source)
        if not inside_repository(root, real):
            raise RenderError("%s.libs %r is in the .git directory" % (FIELD, lib), subject=FIELD)
        search.append(real)
    return {"root": root, "search": search, "files": files, "ext_vars": ext_vars, "ext_codes": ext_codes, "tla_vars": tla_vars, "tla_codes": tla_codes}


def evaluate(root, target, files, options, source):
    """Evaluate ``files`` ([(shown path, absolute path)], inside ``root``); returns
    {shown path: list of (value, where)}."""
    if not files:
        return {}
    data = request(root, target, files, options.jsonnet, dict(options.build_env or {}), source)
    shown = files[0][0] if len(files) == 1 else "%d Jsonnet files" % len(files)
    result = run(
        [sys.executable, "-c", _WORKER],
        RenderError,
        shown,
        env=tool_env({"PYTHONDONTWRITEBYTECODE": "1"}),
        cwd=root,
        timeout=options.timeout,
        stdin_data=json.dumps(data),
    )
    if result.rc == MISSING_LIBRARY_RC:
        raise RenderError("Jsonnet needs the gojsonnet Python package (pip install gojsonnet) on the Python running the agent", subject=shown)
    if result.rc != 0:
        message = trim(result.stderr) or "no error output"
        failed = message.split(":", 1)[0] if ":" in message else shown
        raise RenderError("Jsonnet evaluation failed in %s: %s" % (source, message), subject=failed)
    try:
        values = json.loads(result.stdout)
    except ValueError as exc:
        raise RenderError("Jsonnet evaluation returned no JSON: %s" % exc, subject=shown) from exc
    return {name: documents(value, name) for name, value in values.items()}


def documents(value, shown):
    """(object, where) of what one file evaluated to: an object, or a list of objects."""
    items = value if isinstance(value, list) else [value]
    out = []
    for index, item in enumerate(items):
        where = shown if not isinstance(value, list) else "%s[%d]" % (shown, index)
        if not isinstance(item, dict):
            raise ManifestError("Jsonnet output is a %s, not an object" % type(item).__name__, subject=where)
        out.append((item, where))
    return out
