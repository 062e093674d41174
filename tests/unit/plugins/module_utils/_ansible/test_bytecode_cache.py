# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module process's bytecode cache (bytecode_cache.py), with real zips built in tmp_path
and real imports: a miss stores, a hit loads, a changed source is a new entry, an unsafe
directory or file and a corrupt file are never read, the switch turns it off, and nothing
happens outside a zip."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import zipfile

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

SOURCE = "VALUE = %r\n\n\ndef twice(x):\n    return x * 2\n"


@pytest.fixture
def package(tmp_path, request):
    """(name, write(value) -> zip path) of a throwaway package imported from a zip."""
    name = "gk8s_bytecode_test_%s" % request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    made = []

    def write(value, extra=None):
        path = str(tmp_path / ("pkg%d.zip" % len(made)))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name + "/__init__.py", "")
            archive.writestr(name + "/mod.py", SOURCE % value)
            for inner, text in (extra or {}).items():
                archive.writestr(inner, text)
        made.append(path)
        return path

    yield name, write
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]
    sys.path[:] = [p for p in sys.path if p not in made]
    sys.path_importer_cache.clear()


@pytest.fixture
def cache_dir(tmp_path):
    path = str(tmp_path / "xdg" / "gitops-k8s" / "bytecode" / sys.implementation.cache_tag)
    fd = bytecode_cache.open_directory(path)
    assert fd is not None
    yield path, fd
    os.close(fd)


def fresh_import(name, zip_path, finder):
    """Import ``name.mod`` from ``zip_path`` through ``finder`` as a new process would."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]
    sys.path[:] = [p for p in sys.path if not p.endswith(".zip")]
    sys.path.insert(0, zip_path)
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(name + ".mod")
    finally:
        sys.meta_path.remove(finder)


def entries(path):
    return sorted(n for n in os.listdir(path) if not n.endswith(".tmp"))


def test_a_miss_stores_and_the_next_import_loads_from_the_cache(package, cache_dir):
    name, write = package
    path, fd = cache_dir
    zip_path = write(1)
    first = bytecode_cache.CacheFinder(fd, prefix=name + ".")
    module = fresh_import(name, zip_path, first)
    assert (module.VALUE, module.twice(21)) == (1, 42)
    assert (first.hits, first.misses) == (0, 1)  # the module (the package itself is not under the prefix)
    stored = entries(path)
    assert len(stored) == 1
    for entry in stored:
        mode = os.stat(os.path.join(path, entry)).st_mode
        assert mode & 0o077 == 0
    second = bytecode_cache.CacheFinder(fd, prefix=name + ".")
    module = fresh_import(name, zip_path, second)
    assert (module.VALUE, module.twice(4)) == (1, 8)
    assert (second.hits, second.misses) == (1, 0)
    assert entries(path) == stored
    # tracebacks and inspect name the zip of this run, not the one the code was cached from
    assert module.twice.__code__.co_filename == os.path.join(zip_path, name, "mod.py")
    assert module.__loader__.get_source(name + ".mod") == SOURCE % 1


def test_a_changed_source_is_a_new_entry_never_the_old_code(package, cache_dir):
    name, write = package
    path, fd = cache_dir
    fresh_import(name, write(1), bytecode_cache.CacheFinder(fd, prefix=name + "."))
    before = entries(path)
    finder = bytecode_cache.CacheFinder(fd, prefix=name + ".")
    module = fresh_import(name, write(2), finder)
    assert module.VALUE == 2
    assert (finder.hits, finder.misses) == (0, 1)
    assert len(entries(path)) == len(before) + 1


def test_the_directory_is_created_private(tmp_path):
    path = str(tmp_path / "base" / "gitops-k8s" / "bytecode" / "tag")
    fd = bytecode_cache.open_directory(path)
    assert fd is not None
    os.close(fd)
    for level in (path, os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
        assert os.stat(level).st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_group_or_other_writable_directory_is_refused(tmp_path, mode):
    path = tmp_path / "cache"
    path.mkdir()
    path.chmod(mode)
    assert bytecode_cache.open_directory(str(path)) is None


def test_a_symlinked_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert bytecode_cache.open_directory(str(tmp_path / "link")) is None
    assert bytecode_cache.open_directory(str(real)) is not None


def test_a_directory_of_another_user_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    path.mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    assert bytecode_cache.open_directory(str(path)) is None


def test_an_uncreatable_directory_is_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert bytecode_cache.open_directory(str(blocker / "gitops-k8s" / "bytecode" / "tag")) is None


def _entry_for(name, write, cache_dir):
    """(zip path, path of the one cache entry of ``name.mod``) after a first import."""
    path, fd = cache_dir
    zip_path = write(1)
    fresh_import(name, zip_path, bytecode_cache.CacheFinder(fd, prefix=name + "."))
    entry = os.path.join(path, hashlib.sha256(importlib.util.MAGIC_NUMBER + b"O0" + (SOURCE % 1).encode()).hexdigest())
    assert os.path.isfile(entry)
    return zip_path, entry


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda f: os.chmod(f, 0o666), id="other-writable"),
        pytest.param(lambda f: os.chmod(f, 0o620), id="group-writable"),
        pytest.param(lambda f: open(f, "r+b").truncate(os.path.getsize(f) - 10), id="truncated"),
        pytest.param(lambda f: open(f, "r+b").write(b"junk"), id="bad-header"),
    ],
)
def test_an_unsafe_or_corrupt_file_is_never_read(package, cache_dir, spoil):
    name, write = package
    zip_path, entry = _entry_for(name, write, cache_dir)
    spoil(entry)
    finder = bytecode_cache.CacheFinder(cache_dir[1], prefix=name + ".")
    module = fresh_import(name, zip_path, finder)
    assert module.twice(3) == 6
    assert (finder.hits, finder.misses) == (0, 1)


def test_a_file_of_another_user_is_never_read(package, cache_dir, monkeypatch):
    name, write = package
    zip_path, entry = _entry_for(name, write, cache_dir)
    owner = os.stat(entry).st_uid
    real_fstat = os.fstat

    def fstat(fd):
        status = real_fstat(fd)
        if status.st_size == os.path.getsize(entry):
            return os.stat_result((status.st_mode, status.st_ino, status.st_dev, status.st_nlink, owner + 1, *tuple(status)[5:]))
        return status

    monkeypatch.setattr(os, "fstat", fstat)
    finder = bytecode_cache.CacheFinder(cache_dir[1], prefix=name + ".")
    assert fresh_import(name, zip_path, finder).VALUE == 1
    assert finder.misses == 1


def test_a_symlinked_file_is_never_read(package, cache_dir, tmp_path):
    name, write = package
    zip_path, entry = _entry_for(name, write, cache_dir)
    target = tmp_path / "elsewhere"
    os.rename(entry, target)
    os.symlink(target, entry)
    finder = bytecode_cache.CacheFinder(cache_dir[1], prefix=name + ".")
    assert fresh_import(name, zip_path, finder).VALUE == 1
    assert finder.misses == 1


def test_a_syntax_error_in_the_source_is_raised_as_without_the_cache(package, cache_dir):
    name, write = package
    zip_path = write(1, extra={name + "/broken.py": "def (:\n"})
    sys.path.insert(0, zip_path)
    sys.meta_path.insert(0, bytecode_cache.CacheFinder(cache_dir[1], prefix=name + "."))
    try:
        with pytest.raises(SyntaxError):
            importlib.import_module(name + ".broken")
    finally:
        del sys.meta_path[0]


def test_other_modules_are_left_to_the_next_finders(cache_dir):
    finder = bytecode_cache.CacheFinder(cache_dir[1], prefix="gk8s_nothing_here.")
    assert finder.find_spec("json", None) is None
    assert finder.find_spec("gk8s_nothing_here.mod", None) is None


def test_not_active_outside_a_zip(tmp_path):
    # this process imported bytecode_cache from the file system (as sanity's import test does)
    assert bytecode_cache.install({"XDG_CACHE_HOME": str(tmp_path)}) is False
    assert not any(isinstance(f, bytecode_cache.CacheFinder) for f in sys.meta_path)
    assert not os.listdir(tmp_path)


def _zipped_cache_module(name, write):
    """bytecode_cache.py itself imported from a zip, as in a module process."""
    with open(bytecode_cache.__file__, "r", encoding="utf-8") as handle:
        zip_path = write(1, extra={name + "/zipped_cache.py": handle.read()})
    sys.path.insert(0, zip_path)
    return importlib.import_module(name + ".zipped_cache")


def _remove_installed(zipped):
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, zipped.CacheFinder)]


def test_installed_from_a_zip_in_front_of_the_import_system(package, tmp_path):
    zipped = _zipped_cache_module(*package)
    try:
        assert zipped.install({"XDG_CACHE_HOME": str(tmp_path / "xdg")}) is True
        assert isinstance(sys.meta_path[0], zipped.CacheFinder)
        assert zipped.install({"XDG_CACHE_HOME": str(tmp_path / "xdg")}) is True  # once
        assert sum(isinstance(f, zipped.CacheFinder) for f in sys.meta_path) == 1
        assert sys.meta_path[0].prefix == "ansible_collections.gitops.k8s."
        assert os.path.isdir(tmp_path / "xdg" / "gitops-k8s" / "bytecode" / sys.implementation.cache_tag)
    finally:
        _remove_installed(zipped)


@pytest.mark.parametrize("value", ["0", "false", "No", "off "])
def test_the_switch_turns_it_off(package, tmp_path, value):
    zipped = _zipped_cache_module(*package)
    try:
        environ = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), bytecode_cache.SWITCH: value}
        assert zipped.install(environ) is False
        assert not any(isinstance(f, zipped.CacheFinder) for f in sys.meta_path)
        assert not os.path.exists(tmp_path / "xdg")
    finally:
        _remove_installed(zipped)


def test_an_unusable_cache_directory_is_no_cache_and_no_error(package, tmp_path):
    zipped = _zipped_cache_module(*package)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    try:
        assert zipped.install({"XDG_CACHE_HOME": str(blocker)}) is False
        assert not any(isinstance(f, zipped.CacheFinder) for f in sys.meta_path)
    finally:
        _remove_installed(zipped)


def test_the_directory_follows_xdg_cache_home_or_home(tmp_path, monkeypatch):
    tag = sys.implementation.cache_tag
    assert bytecode_cache.directory({"XDG_CACHE_HOME": "/c"}) == os.path.join("/c", "gitops-k8s", "bytecode", tag)
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = os.path.join(str(tmp_path), ".cache", "gitops-k8s", "bytecode", tag)
    assert bytecode_cache.directory({"XDG_CACHE_HOME": "relative/ignored"}) == expected
    assert bytecode_cache.directory({}) == expected
