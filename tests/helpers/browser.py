"""Headless Chromium (Debian's chromium) for tests of the status page: the DOM it builds
and a screenshot, from a local file (no network)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def chromium():
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        pytest.fail("chromium not found: install the Debian package chromium (hack/apt-deps.sh chromium)", pytrace=False)
    return binary


def browse(profile_dir, *args):
    """Run headless Chromium with its profile in ``profile_dir``; returns stdout."""
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=%s" % profile_dir, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def dump_dom(profile_dir, path):
    """The DOM Chromium built from the file, serialised (after any script would have run)."""
    return browse(profile_dir, "--dump-dom", path.as_uri())


def screenshot(profile_dir, path, png, size="1280,2400"):
    browse(profile_dir, "--screenshot=%s" % png, "--window-size=%s" % size, path.as_uri())
    return png
