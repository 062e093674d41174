# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory inputs of ApplicationSet generators: cluster Secrets (tests/helpers/appsets.py) and Git trees."""

from __future__ import annotations

import posixpath

import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import applicationset


class Tree:
    """A Git tree: {path: text}; directories are the parents of its files."""

    def __init__(self, files):
        self.contents = dict(files)
        self.files = sorted(self.contents)
        dirs = set()
        for path in self.files:
            parent = posixpath.dirname(path)
            while parent:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.directories = sorted(d for d in dirs if not any(p.startswith(".") for p in d.split("/")))
        self.read_paths = []

    def read(self, path):
        self.read_paths.append(path)
        return yaml.safe_load(self.contents[path])


class Inputs:
    def __init__(self, secrets=(), repos=None):
        self.secrets = list(secrets)
        self.repos = repos or {}
        self.asked = []

    def cluster_secrets(self):
        return self.secrets

    def repo(self, repo_url, revision):
        self.asked.append((repo_url, revision))
        return self.repos[repo_url]


def generated(manifest, inputs, namespace="argocd", uid="uid-1"):
    """The Applications of one ApplicationSet manifest (YAML text), by name."""
    obj = yaml.safe_load(manifest)
    obj["metadata"].setdefault("namespace", namespace)
    obj["metadata"].setdefault("uid", uid)
    spec = applicationset.parse(obj)
    return applicationset.generate(spec, inputs)
