# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bytecode cache for this collection's own code in the module process.

A module runs from the zip Ansible builds (AnsiballZ), and Python's zipimport keeps no
bytecode: every run compiled our ~190 module_utils files again (about 0.4 s of CPU on a
2-core machine, a third of the module process). ``install()`` puts a finder in front of
the import system that, for ``ansible_collections.gitops.k8s.*`` loaded from a zip only,
keeps the compiled code in a per-user directory and loads it with ``marshal`` next time.

Where: ``$XDG_CACHE_HOME/gitops-k8s/bytecode/<cache tag>`` (``~/.cache`` when the variable is
unset or not absolute), the cache tag being the interpreter's (``cpython-311``). A file is
named by the SHA-256 of the interpreter's magic number, its optimisation level and the source
bytes, and starts with the magic number and that hash again; a changed source is a new name,
an old name is never read for new source.

Off: ``GITOPS_K8S_BYTECODE_CACHE=0`` (or ``false``, ``no``, ``off``) in the module's
environment. Not active either when the module does not run from a zip (sanity's import test,
unit tests), on a platform without ``os.geteuid`` or ``dir_fd`` support, or when the directory
cannot be created or is not safe (a read-only home, an execution environment without a writable
home): then every file is compiled as before. Nothing is printed in any case.

Security (``marshal`` data is code, so only our own writes may ever be read):

- each missing directory level under the cache base is created ``0700``; the cache directory
  is opened once (``O_NOFOLLOW``) and used only when it is a directory owned by the effective
  user and not writable by group or others, checked on the open descriptor (no race between
  the check and the use); every file is opened relative to that descriptor;
- a file is read only when it is a regular file (``O_NOFOLLOW``), owned by the effective user
  and not writable by group or others, starts with the expected magic number and hash, and
  unmarshals to a code object; anything else is ignored and the source compiled;
- a file is written atomically: a new temporary file (``O_EXCL``, ``0600``), then a rename;
- any doubt or error, while reading or writing, means compiling as without the cache: the run
  never fails because of it, and it prints nothing;
- what enters it is only our module source shipped in the zip, keyed by its own hash: nothing
  from a repository (repositories are data, never imported), no name chosen by anyone else.

The directory is never pruned: one upgrade adds about 2 MB; delete it at any time.
"""

from __future__ import annotations

import _imp
import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import types
import zipimport

PACKAGE = "ansible_collections.gitops.k8s."
SWITCH = "GITOPS_K8S_BYTECODE_CACHE"
OFF = frozenset(("0", "false", "no", "off"))
FORMAT = b"gitops-k8s-bytecode-1\n"
_UNSAFE_MODE = stat.S_IWGRP | stat.S_IWOTH


def install(environ=None):
    """Put the cache in front of the import system when this module was imported from a zip
    and the cache directory is usable; True when it is (or already was) installed."""
    try:
        env = os.environ if environ is None else environ
        if env.get(SWITCH, "").strip().lower() in OFF or not isinstance(__loader__, zipimport.zipimporter):
            return False
        if any(isinstance(finder, CacheFinder) for finder in sys.meta_path):
            return True
        dir_fd = open_directory(directory(env))
        if dir_fd is None:
            return False
        sys.meta_path.insert(0, CacheFinder(dir_fd))
        return True
    except Exception:  # pylint: disable=broad-exception-caught  # any doubt: compile as before
        return False


def directory(environ):
    """The cache directory for this interpreter ('' when there is no absolute base)."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    tag = sys.implementation.cache_tag
    if not os.path.isabs(base) or not tag:
        return ""
    return os.path.join(base, "gitops-k8s", "bytecode", tag)


def open_directory(path):
    """A descriptor of ``path`` (its missing levels under the cache base created 0700), or None
    when it cannot be made, is a symlink, or is not a directory the effective user owns alone."""
    if not path or not hasattr(os, "geteuid") or os.open not in os.supports_dir_fd:
        return None
    levels = []
    current = path
    for _level in range(3):  # gitops-k8s/bytecode/<tag>
        levels.append(current)
        current = os.path.dirname(current)
    try:
        os.makedirs(current, mode=0o700, exist_ok=True)
        for level in reversed(levels):
            try:
                os.mkdir(level, 0o700)
            except FileExistsError:
                pass
        dir_fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if _private(os.fstat(dir_fd), stat.S_ISDIR):
            return dir_fd
    except OSError:
        pass
    os.close(dir_fd)
    return None


def _private(status, is_type):
    """Whether a file's status is of the type, owned by the effective user, and not writable by
    group or others."""
    return is_type(status.st_mode) and status.st_uid == os.geteuid() and not status.st_mode & _UNSAFE_MODE


class CacheFinder:
    """A meta path finder: a module under ``prefix`` whose parent package lies in a zip, as
    source, gets a CachingLoader; every other module is left to the next finders.

    It finds the module in the zip itself: zipimport's own ``find_spec`` compiles the module
    once only to learn its file name (``get_filename``), then ``exec_module`` compiles it
    again (CPython 3.11 and 3.12)."""

    def __init__(self, dir_fd, prefix=PACKAGE):
        self.dir_fd = dir_fd
        self.prefix = prefix
        self.importers = {}
        self.hits = 0
        self.misses = 0

    def find_spec(self, fullname, path=None, target=None):  # pylint: disable=unused-argument
        if not fullname.startswith(self.prefix) or not path:
            return None
        for entry in path:
            importer = self._importer(entry)
            if importer is None:
                return None  # not a zip: the usual finders
            try:
                package = importer.is_package(fullname)
            except ImportError:
                continue  # not in this entry
            location = os.path.join(importer.archive, importer.prefix + fullname.rpartition(".")[2])
            origin = os.path.join(location, "__init__.py") if package else location + ".py"
            try:
                source = importer.get_data(origin)
            except OSError:
                return None  # bytecode only, or no such file: the usual finders
            spec = importlib.machinery.ModuleSpec(fullname, CachingLoader(importer, origin, source, self), origin=origin, is_package=package)
            spec.has_location = True
            if package:
                spec.submodule_search_locations.append(location)
            return spec
        return None

    def _importer(self, entry):
        """The zipimporter of a path entry, or None."""
        if entry not in self.importers:
            importer = sys.path_importer_cache.get(entry)
            if not isinstance(importer, zipimport.zipimporter):
                try:
                    importer = zipimport.zipimporter(entry)
                except (ImportError, OSError, TypeError):
                    importer = None
            self.importers[entry] = importer
        return self.importers[entry]


class CachingLoader:
    """Loads a module's code from the cache, or compiles its source from the zip (as zipimport
    does) and stores the result; everything else is the zipimporter's."""

    def __init__(self, zip_loader, origin, source, finder):
        self.zip_loader = zip_loader
        self.origin = origin
        self.source = source
        self.finder = finder

    def __getattr__(self, name):
        return getattr(self.zip_loader, name)

    def create_module(self, spec):  # pylint: disable=unused-argument
        return None  # the default module

    def exec_module(self, module):
        exec(self.get_code(module.__name__), module.__dict__)  # pylint: disable=exec-used

    def get_filename(self, fullname):  # pylint: disable=unused-argument
        return self.origin

    def get_code(self, fullname):  # pylint: disable=unused-argument
        source, self.source = self.source or self.zip_loader.get_data(self.origin), None
        key = hashlib.sha256(_salt() + source).digest()
        name = key.hex()
        code = _read(self.finder.dir_fd, name, key, self.origin)
        if code is not None:
            self.finder.hits += 1
            return code
        self.finder.misses += 1
        code = compile(source, self.origin, "exec", dont_inherit=True)
        _write(self.finder.dir_fd, name, key, code)
        return code


def _salt():
    """What compiled code depends on besides the source: the interpreter's magic number and its
    optimisation level (``python -O`` drops asserts: its code is never loaded without it)."""
    return importlib.util.MAGIC_NUMBER + b"O%d" % sys.flags.optimize


def _read(dir_fd, name, key, origin):
    """The cached code of ``name`` (its file names fixed to ``origin``), or None."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        with open(fd, "rb") as handle:
            if not _private(os.fstat(handle.fileno()), stat.S_ISREG):
                return None
            data = handle.read()
        header = FORMAT + importlib.util.MAGIC_NUMBER + key
        if not data.startswith(header):
            return None
        code = marshal.loads(memoryview(data)[len(header) :])
        if not isinstance(code, types.CodeType):
            return None
        _imp._fix_co_filename(code, origin)  # pylint: disable=protected-access  # as importlib does for __pycache__
        return code
    except Exception:  # pylint: disable=broad-exception-caught  # corrupt, unreadable: compile instead
        return None


def _write(dir_fd, name, key, code):
    """Store ``code`` as ``name`` atomically: a new private temporary file, then a rename."""
    temporary = "%s.%s.tmp" % (name, os.urandom(6).hex())
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    except OSError:
        return
    try:
        with open(fd, "wb") as handle:
            handle.write(FORMAT + importlib.util.MAGIC_NUMBER + key + marshal.dumps(code))
        os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except Exception:  # pylint: disable=broad-exception-caught  # a full disk, a race: no cache entry
        try:
            os.unlink(temporary, dir_fd=dir_fd)
        except OSError:
            pass
