# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory inputs of ApplicationSet generators: cluster Secrets and Git trees."""

from __future__ import annotations

import base64
import posixpath

import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import applicationset


def cluster_secret(name, server, labels=None, annotations=None, project=None, secret_name=None):
    """A cluster Secret in Argo CD's declarative format."""
    data = {"name": name, "server": server, "config": '{"tlsClientConfig": {"insecure": false}}'}
    if project is not None:
        data["project"] = project
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret_name or "cluster-" + name,
            "namespace": "argocd",
            "labels": dict({"argocd.argoproj.io/secret-type": "cluster"}, **(labels or {})),
            "annotations": dict(annotations or {}),
        },
        "type": "Opaque",
        "data": dict((k, base64.b64encode(v.encode()).decode()) for k, v in data.items()),
    }


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
