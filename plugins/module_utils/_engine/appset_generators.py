# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSet generators: lists of parameter sets, as Argo CD makes them.

Supported: ``list``, ``clusters``, ``git`` (``directories``, ``files``), ``matrix`` (two
children) and ``merge`` (``mergeKeys``), each with an optional ``selector`` over its
(flattened) parameters. ``scmProvider``, ``pullRequest``, ``clusterDecisionResource`` and
``plugin`` are refused with an error naming the set: they need services or credentials
this collection does not hold.

What a generator reads comes through ``inputs`` (the adapters fill it):
- ``inputs.cluster_secrets()``: the Secrets labelled ``argocd.argoproj.io/secret-type:
  cluster`` of the set's namespace (Argo CD's declarative cluster format);
- ``inputs.repo(repo_url, revision)``: a checkout with ``directories`` (every directory
  but hidden ones, sorted), ``files`` (every file, sorted) and ``read(path)`` (the parsed
  JSON or YAML content of one file).
"""

from __future__ import annotations

import copy
import json
import posixpath
import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine import appset_template, globs
from ansible_collections.gitops.k8s.plugins.module_utils._engine.appset_template import go_string, sanitize_name
from ansible_collections.gitops.k8s.plugins.module_utils._engine.clusters import loose_text
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"
CLUSTER_SECRET_VALUE = "cluster"
IN_CLUSTER_NAME = "in-cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
SUPPORTED = ("list", "clusters", "git", "matrix", "merge")
UNSUPPORTED = {
    "scmProvider": "it needs an SCM provider's API and its token",
    "pullRequest": "it needs an SCM provider's API and its token",
    "clusterDecisionResource": "it needs a placement controller's custom resources",
    "plugin": "it runs an external plugin service",
}
# the fields of each generator (the ones carried out; the others are refused where they are read)
FIELDS = {
    "list": ("elements", "elementsYaml", "template"),
    "clusters": ("selector", "values", "template", "flatList"),
    "git": ("repoURL", "revision", "directories", "files", "pathParamPrefix", "values", "template", "requeueAfterSeconds"),
    "matrix": ("generators", "template"),
    "merge": ("generators", "mergeKeys", "template"),
}
MAX_NESTING = 3  # matrix/merge inside matrix/merge
_GLOB_CHARS = re.compile(r"[*?\[]")


class GeneratorError(InvalidSpec):
    """A generator the run cannot carry out (unsupported, invalid, or failing)."""


class Context:
    """What every generator of one set shares: its name (for messages), template mode and inputs."""

    def __init__(self, subject, go_template, missingkey, inputs):
        self.subject = subject
        self.go_template = go_template
        self.missingkey = missingkey
        self.inputs = inputs

    def fail(self, message):
        return GeneratorError(message, subject=self.subject)


def generate(ctx, generator, where, depth=0):
    """The parameter sets of one generator (a dict with exactly one generator key)."""
    if not isinstance(generator, dict):
        raise ctx.fail("%s must be a mapping" % where)
    keys = [k for k in generator if k != "selector"]
    for key in keys:
        if key == "template":
            raise ctx.fail("%s.template: a generator's template goes inside it (list.template, git.template, ...)" % where)
        if key in UNSUPPORTED:
            raise ctx.fail("%s: the %s generator is not supported (%s)" % (where, key, UNSUPPORTED[key]))
        if key not in SUPPORTED:
            raise ctx.fail("%s: unknown generator %r (supported: %s)" % (where, key, ", ".join(SUPPORTED)))
    if len(keys) != 1:
        raise ctx.fail("%s must name exactly one generator, found %s" % (where, ", ".join(keys) or "none"))
    kind = keys[0]
    body = generator[kind]
    if not isinstance(body, dict):
        raise ctx.fail("%s.%s must be a mapping" % (where, kind))
    if kind in ("matrix", "merge") and depth >= MAX_NESTING:
        raise ctx.fail("%s: matrix and merge nest at most %d levels" % (where, MAX_NESTING))
    for key in body:
        if key not in FIELDS[kind]:
            raise ctx.fail("%s.%s.%s is not supported (known: %s)" % (where, kind, key, ", ".join(FIELDS[kind])))
    params = _GENERATORS[kind](ctx, body, "%s.%s" % (where, kind), depth)
    selector = generator.get("selector")
    if selector:
        params = [p for p in params if selector_matches(selector, dict((k, go_string(v)) for k, v in flatten(p).items()), ctx, where + ".selector")]
    return params


def _values(ctx, body, params, where):
    """A generator's ``values``, templated with its parameters (Argo CD's appendTemplatedValues)."""
    values = body.get("values") or {}
    if not isinstance(values, dict):
        raise ctx.fail("%s.values must be a mapping of strings" % where)
    rendered = {}
    for key, value in values.items():
        if not isinstance(value, str):
            raise ctx.fail("%s.values.%s must be a string" % (where, key))
        rendered[key] = appset_template.replace(value, params, ctx.go_template, ctx.missingkey, "%s.values.%s" % (where, key))
    if not rendered:
        return params
    if ctx.go_template:
        return dict(params, values=rendered)
    return dict(params, **dict(("values." + k, v) for k, v in rendered.items()))


# list


def generate_list(ctx, body, where, _depth=0):
    if body.get("elementsYaml"):
        raise ctx.fail("%s.elementsYaml is not supported: write the elements as a list" % where)
    elements = body.get("elements") or []
    if not isinstance(elements, list):
        raise ctx.fail("%s.elements must be a list" % where)
    out = []
    for i, element in enumerate(elements):
        if not isinstance(element, dict):
            raise ctx.fail("%s.elements[%d] must be a mapping" % (where, i))
        if ctx.go_template:
            out.append(copy.deepcopy(element))
            continue
        params = {}
        for key, value in element.items():
            if key == "values":
                if not isinstance(value, dict):
                    raise ctx.fail("%s.elements[%d].values must be a mapping" % (where, i))
                for k, v in value.items():
                    if not isinstance(v, str):
                        raise ctx.fail("%s.elements[%d].values.%s must be a string (goTemplate: false)" % (where, i, k))
                    params["values." + k] = v
            elif not isinstance(value, str):
                raise ctx.fail("%s.elements[%d].%s must be a string (goTemplate: false); quote it, or use goTemplate: true" % (where, i, key))
            else:
                params[key] = value
        out.append(params)
    return out


# clusters


def clusters_of(secrets):
    """Registered clusters of Argo CD's cluster Secrets: dicts of name, server, project,
    labels and annotations (data decoded; the connection ``config`` is not read here)."""
    out = []
    for secret in secrets:
        meta = secret.get("metadata") or {}
        out.append(
            {
                "name": loose_text(secret, "name"),
                "server": loose_text(secret, "server"),
                "project": loose_text(secret, "project"),
                "labels": dict(meta.get("labels") or {}),
                "annotations": dict(meta.get("annotations") or {}),
                "secret": meta.get("name") or "",
            }
        )
    return out


def generate_clusters(ctx, body, where, _depth=0):
    if body.get("flatList"):
        raise ctx.fail("%s.flatList is not supported" % where)
    selector = body.get("selector") or {}
    clusters = clusters_of(ctx.inputs.cluster_secrets())
    by_name = {}
    for cluster in clusters:
        by_name[cluster["name"]] = cluster  # Argo CD keys them by name: the last one wins
    out = []
    for cluster in sorted(by_name.values(), key=lambda c: c["name"]):
        if selector and not selector_matches(selector, cluster["labels"], ctx, where + ".selector"):
            continue
        out.append(_values(ctx, body, _cluster_params(ctx, cluster), where))
    ignore_local = bool(selector.get("matchLabels") or selector.get("matchExpressions"))
    if not ignore_local and not any(c["server"] == IN_CLUSTER_SERVER for c in clusters):
        local = {"name": IN_CLUSTER_NAME, "nameNormalized": IN_CLUSTER_NAME, "server": IN_CLUSTER_SERVER, "project": ""}
        out.append(_values(ctx, body, local, where))
    return out


def _cluster_params(ctx, cluster):
    params = {"name": cluster["name"], "nameNormalized": sanitize_name(cluster["name"]), "server": cluster["server"], "project": cluster["project"]}
    if ctx.go_template:
        meta = {}
        if cluster["annotations"]:
            meta["annotations"] = cluster["annotations"]
        if cluster["labels"]:
            meta["labels"] = cluster["labels"]
        params["metadata"] = meta
    else:
        for key, value in cluster["annotations"].items():
            params["metadata.annotations." + key] = value
        for key, value in cluster["labels"].items():
            params["metadata.labels." + key] = value
    return params


def selector_matches(selector, labels, ctx, where):
    """A Kubernetes label selector (matchLabels, matchExpressions) against ``labels``."""
    if not isinstance(selector, dict):
        raise ctx.fail("%s must be a mapping" % where)
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            ok = key in labels and labels[key] in values
        elif op == "NotIn":
            ok = key not in labels or labels[key] not in values
        elif op == "Exists":
            ok = key in labels
        elif op == "DoesNotExist":
            ok = key not in labels
        else:
            raise ctx.fail("%s.matchExpressions[%d]: operator %r is not one of In, NotIn, Exists, DoesNotExist" % (where, i, op))
        if not ok:
            return False
    return True


# git


def _path_params(ctx, prefix, directory, filename=None):
    base = posixpath.basename(directory)
    if ctx.go_template:
        info = {"path": directory, "basename": base, "basenameNormalized": sanitize_name(base), "segments": directory.split("/")}
        if filename is not None:
            info["filename"] = filename
            info["filenameNormalized"] = sanitize_name(filename)
        return {prefix: {"path": info}} if prefix else {"path": info}
    name = prefix + ".path" if prefix else "path"
    params = {name: directory, name + ".basename": base, name + ".basenameNormalized": sanitize_name(base)}
    if filename is not None:
        params[name + ".filename"] = filename
        params[name + ".filenameNormalized"] = sanitize_name(filename)
    for i, segment in enumerate(directory.split("/")):
        if segment:
            params["%s[%d]" % (name, i)] = segment
    return params


def generate_git(ctx, body, where, _depth=0):
    repo_url, revision = body.get("repoURL"), body.get("revision") or "HEAD"
    if not repo_url or not isinstance(repo_url, str):
        raise ctx.fail("%s.repoURL is required" % where)
    directories, files = body.get("directories"), body.get("files")
    if bool(directories) == bool(files):
        raise ctx.fail("%s needs exactly one of directories and files" % where)
    for field in ("requeueAfterSeconds",):
        if field in body:
            raise ctx.fail("%s.%s is not supported: every run reads the repository" % (where, field))
    prefix = body.get("pathParamPrefix") or ""
    repo = ctx.inputs.repo(repo_url, revision)
    if directories:
        items = _items(ctx, directories, where + ".directories")
        chosen = [d for d in repo.directories if _included(items, d, lambda p, v: globs.match(p, v, "/"))]
        return [_values(ctx, body, _path_params(ctx, prefix, d), where) for d in chosen]
    items = _items(ctx, files, where + ".files")
    out = []
    for path in repo.files:
        if not _included(items, path, _pathspec_match):
            continue
        content = repo.read(path)
        objects = content if isinstance(content, list) else [content if content is not None else {}]
        for i, obj in enumerate(objects):
            if not isinstance(obj, dict):
                raise ctx.fail("%s: %s (item %d) is not a mapping of parameters" % (where, path, i))
            if ctx.go_template:
                params = dict(copy.deepcopy(obj), **_path_params(ctx, prefix, posixpath.dirname(path), posixpath.basename(path)))
            else:
                params = dict((k, go_string(v)) for k, v in flatten(obj).items())
                params.update(_path_params(ctx, prefix, posixpath.dirname(path), posixpath.basename(path)))
            out.append(_values(ctx, body, params, where))
    return out


def _items(ctx, items, where):
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("path"), str) for i in items):
        raise ctx.fail("%s must be a list of {path, exclude}" % where)
    return [(i["path"], bool(i.get("exclude"))) for i in items]


def _included(items, value, match):
    """Included by one item and excluded by none (an exclude wins)."""
    included = excluded = False
    for pattern, exclude in items:
        if match(pattern, value):
            excluded = excluded or exclude
            included = included or not exclude
    return included and not excluded


def _pathspec_match(pattern, path):
    """git ls-files' pathspec: ``*`` and ``?`` also match ``/``; a plain path names itself
    and everything under it."""
    if not _GLOB_CHARS.search(pattern):
        plain = pattern.rstrip("/")
        return path == plain or path.startswith(plain + "/")
    return globs.match(pattern, path, "")


def flatten(params, prefix=""):
    """Nested maps and lists as dotted keys (Argo CD's flatten, DotStyle)."""
    out = {}
    if isinstance(params, dict) and params:
        for key, value in params.items():
            out.update(flatten(value, "%s.%s" % (prefix, key) if prefix else str(key)))
    elif isinstance(params, list) and params:
        for i, value in enumerate(params):
            out.update(flatten(value, "%s.%d" % (prefix, i) if prefix else str(i)))
    elif prefix:
        out[prefix] = params
    return out


# matrix and merge


def _children(ctx, body, where):
    children = body.get("generators")
    if not isinstance(children, list):
        raise ctx.fail("%s.generators must be a list" % where)
    return children


def generate_matrix(ctx, body, where, depth=0):
    children = _children(ctx, body, where)
    if len(children) != 2:
        raise ctx.fail("%s needs exactly two generators, found %d" % (where, len(children)))
    out = []
    for first in generate(ctx, children[0], where + ".generators[0]", depth + 1):
        second_spec = _interpolated(ctx, children[1], first, where + ".generators[1]")
        for second in generate(ctx, second_spec, where + ".generators[1]", depth + 1):
            out.append(_combine(ctx, first, second, where))
    return out


def _interpolated(ctx, generator, params, where):
    """The second child of a matrix with the first child's parameters templated in."""
    if not params:
        return generator
    return appset_template.render(generator, params, ctx.go_template, ctx.missingkey, where)


def _combine(ctx, first, second, where):
    if ctx.go_template:
        return _deep_merge(copy.deepcopy(second), first)
    out = dict(first)
    for key, value in second.items():
        if key in out and out[key] != value:
            raise ctx.fail("%s: both generators set %r, to %r and %r" % (where, key, out[key], value))
        out[key] = value
    return out


def _deep_merge(base, override):
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(dict(base[key]), value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def generate_merge(ctx, body, where, depth=0):
    children = _children(ctx, body, where)
    if len(children) < 2:
        raise ctx.fail("%s needs at least two generators" % where)
    keys = body.get("mergeKeys") or []
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise ctx.fail("%s.mergeKeys must be a non-empty list of parameter names" % where)
    sets = [generate(ctx, child, "%s.generators[%d]" % (where, i), depth + 1) for i, child in enumerate(children)]
    base = _by_merge_key(ctx, keys, sets[0], where + ".generators[0]")
    for i, others in enumerate(sets[1:], start=1):
        overrides = _by_merge_key(ctx, keys, others, "%s.generators[%d]" % (where, i))
        for key, params in base.items():
            if key in overrides:
                base[key] = _deep_merge(params, overrides[key]) if ctx.go_template else dict(params, **overrides[key])
    return list(base.values())


def _by_merge_key(ctx, keys, param_sets, where):
    out = {}
    for params in param_sets:
        key = json.dumps(dict((k, params.get(k)) for k in sorted(set(keys))), sort_keys=True)
        if key in out:
            raise ctx.fail("%s: two parameter sets have the same merge key %s" % (where, key))
        out[key] = params
    return out


_GENERATORS = {
    "list": generate_list,
    "clusters": generate_clusters,
    "git": generate_git,
    "matrix": generate_matrix,
    "merge": generate_merge,
}
