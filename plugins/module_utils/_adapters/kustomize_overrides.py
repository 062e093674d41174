# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's ``spec.source.kustomize`` overrides, applied as Argo CD applies them.

Argo CD runs ``kustomize edit set/add ...`` in its copy of the checkout, which edits the
kustomization of the rendered path before ``kustomize build``. Here the same edits are
made to the parsed kustomization (``apply``, pure: a mapping in, a new mapping out), and
the result is written into a private copy of the checkout (``private_copy``): exported
trees are cached and shared, never modified. Values from the spec stay data: no
``kustomize edit`` runs, so none of them can become a flag.

What each override does (the ``kustomize edit`` command Argo CD runs):

- ``namePrefix`` / ``nameSuffix`` / ``namespace``: replace the field (``edit set``).
- ``images``: ``edit set image`` strings (``name=new:tag``, ``name:tag``, ``name@digest``,
  ``*`` keeps a part of an existing entry); an entry with the same name is replaced; the
  list is sorted by name.
- ``replicas``: ``{name, count}`` merged into ``replicas`` by name.
- ``commonLabels`` / ``commonAnnotations``: added to the fields of the same name; a key
  already there is an error unless ``forceCommonLabels`` / ``forceCommonAnnotations``.
  With ``labelWithoutSelector`` the labels go to a ``labels`` entry that leaves
  selectors alone (and templates, unless ``labelIncludeTemplates``).
- ``patches``: appended to ``patches``; ``components``: appended to ``components``
  (a local one that does not exist is skipped with ``ignoreMissingComponents``).
- Label values, images and (with ``commonAnnotationsEnvsubst``) annotation values have
  Argo CD's build environment substituted (``$ARGOCD_APP_NAME``, ``${KUBE_VERSION}``,
  ``$$`` for a ``$``; an unknown variable becomes empty, as in Argo CD).
"""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import shutil

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.build_env import envsubst

# Overrides that edit the kustomization (kubeVersion/apiVersions are build flags instead).
EDIT_FIELDS = ("namePrefix", "nameSuffix", "namespace", "images", "replicas", "commonLabels", "commonAnnotations", "patches", "components")
FIELD = "spec.source.kustomize"

_IMAGE_TAG = re.compile(r"^(.*):([a-zA-Z0-9._-]*|\*)$")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)
_PRESERVE = "*"


def has_edits(overrides):
    """Whether the overrides change the kustomization (a private copy is needed)."""
    return any(overrides.get(name) for name in EDIT_FIELDS)


def _refuse(field, why):
    return RenderError("%s.%s %s" % (FIELD, field, why), subject=FIELD)


def _string_map(overrides, field):
    value = overrides.get(field) or {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _refuse(field, "must be a mapping of strings")
    return {key: "" if v is None else str(v) for key, v in value.items()}


def parse_image(arg):
    """One ``kustomize edit set image`` argument as a kustomization ``images`` entry."""
    if not isinstance(arg, str) or not arg:
        raise _refuse("images", "entries must be non-empty strings")
    parts = arg.split("=")
    if len(parts) == 2:
        name, rest, rename = parts[0], parts[1], True
    else:
        name, rest, rename = None, arg, False
    if "@" in rest:
        new_name, _sep, digest = rest.partition("@")
        entry = {"newName": new_name, "digest": digest}
    elif _IMAGE_TAG.match(rest):
        match = _IMAGE_TAG.match(rest)
        entry = {"newName": match.group(1), "newTag": match.group(2)}
    elif rest and rename:
        entry = {"newName": rest}
    else:
        raise _refuse("images", "entry %r is not one of name=new:tag, name=new@digest, name=new, name:tag, name@digest" % arg)
    if rename:
        entry["name"] = name
    else:
        entry["name"] = entry.pop("newName")
    if not entry["name"]:
        raise _refuse("images", "entry %r names no image" % arg)
    return {key: value for key, value in entry.items() if value}


def _set_images(doc, images, env):
    existing = {i.get("name"): i for i in doc.get("images") or [] if isinstance(i, dict)}
    merged = dict(existing)
    for arg in images:
        entry = parse_image(envsubst(arg, env) if isinstance(arg, str) else arg)
        old = existing.get(entry["name"], {})
        for key in ("newName", "newTag", "digest"):
            if entry.get(key) == _PRESERVE:
                if old.get(key):
                    entry[key] = old[key]
                else:
                    del entry[key]
        merged[entry["name"]] = entry
    doc["images"] = [merged[name] for name in sorted(merged, key=str)]


def _set_replicas(doc, replicas):
    merged = {r.get("name"): r for r in doc.get("replicas") or [] if isinstance(r, dict)}
    for item in replicas:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _refuse("replicas", "entries must be {name, count}")
        try:
            count = int(str(item.get("count")))
        except ValueError:
            raise _refuse("replicas", "count of %s must be an integer, not %r" % (item["name"], item.get("count"))) from None
        merged[item["name"]] = {"name": item["name"], "count": count}
    doc["replicas"] = list(merged.values())


def _add_metadata(target, pairs, force, field):
    for key, value in pairs.items():
        if key in target and not force:
            raise _refuse(field, "%s is already in the kustomization (set force%s%s to override it)" % (key, field[0].upper(), field[1:]))
        target[key] = value


def _add_labels(doc, overrides, env):
    labels = {key: envsubst(value, env) for key, value in _string_map(overrides, "commonLabels").items()}
    force = bool(overrides.get("forceCommonLabels"))
    if overrides.get("labelWithoutSelector"):
        entry = {"pairs": {}, "includeSelectors": False}
        if overrides.get("labelIncludeTemplates"):
            entry["includeTemplates"] = True
        _add_metadata(entry["pairs"], labels, force, "commonLabels")
        doc["labels"] = list(doc.get("labels") or []) + [entry]
        return
    current = dict(doc.get("commonLabels") or {})
    _add_metadata(current, labels, force, "commonLabels")
    doc["commonLabels"] = current


def _add_annotations(doc, overrides, env):
    annotations = _string_map(overrides, "commonAnnotations")
    if overrides.get("commonAnnotationsEnvsubst"):
        annotations = {key: envsubst(value, env) for key, value in annotations.items()}
    current = dict(doc.get("commonAnnotations") or {})
    _add_metadata(current, annotations, bool(overrides.get("forceCommonAnnotations")), "commonAnnotations")
    doc["commonAnnotations"] = current


def _list(overrides, field):
    value = overrides.get(field) or []
    if not isinstance(value, list):
        raise _refuse(field, "must be a list")
    return value


def _add_components(doc, components, directory, ignore_missing):
    current = list(doc.get("components") or [])
    for component in components:
        if not isinstance(component, str) or not component:
            raise _refuse("components", "entries must be non-empty paths")
        local = not _REMOTE.match(component)
        if local and ignore_missing and not os.path.exists(os.path.join(directory, component)):
            continue
        if component not in current:
            current.append(component)
    doc["components"] = current


def apply(doc, overrides, env, directory):
    """The kustomization ``doc`` with Argo CD's ``overrides`` applied (a new mapping).

    ``env`` is the build environment (build_env), ``directory`` the kustomization's
    directory (components are relative to it). Raises a RenderError naming the field."""
    doc = copy.deepcopy(doc)
    for field in ("namePrefix", "nameSuffix", "namespace"):
        value = overrides.get(field)
        if value:
            if not isinstance(value, str):
                raise _refuse(field, "must be a string")
            doc[field] = value
    if overrides.get("images"):
        _set_images(doc, _list(overrides, "images"), env)
    if overrides.get("replicas"):
        _set_replicas(doc, _list(overrides, "replicas"))
    if overrides.get("commonLabels"):
        _add_labels(doc, overrides, env)
    if overrides.get("commonAnnotations"):
        _add_annotations(doc, overrides, env)
    if overrides.get("patches"):
        patches = _list(overrides, "patches")
        if not all(isinstance(p, dict) for p in patches):
            raise _refuse("patches", "entries must be mappings (patch or path, target, options)")
        doc["patches"] = list(doc.get("patches") or []) + copy.deepcopy(patches)
    if overrides.get("components"):
        _add_components(doc, _list(overrides, "components"), directory, bool(overrides.get("ignoreMissingComponents")))
    return doc


def _link_or_copy(src, dst):
    """Hard link a file (cheap, and the original is never written: the edited
    kustomization is a new file), or copy it across file systems."""
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(src, dst)
    return dst


def private_copy(root, home, directories):
    """A copy below ``home`` of the ``directories`` of the checkout ``root`` (each with
    its sub-tree, at its place; the kustomization graph's directories: with the load
    restrictor kustomize reads nothing else), made of hard links where the file system
    allows; returns the copy's root. Symlinks are copied as links: they were checked to
    stay inside the checkout, and the kustomization checks run on the copy again."""
    copy_root = os.path.join(home, "checkout")
    tops = []
    for directory in sorted(set(directories)):
        if not any(directory == top or directory.startswith(top + os.sep) for top in tops):
            tops.append(directory)
    try:
        os.mkdir(copy_root, 0o700)
        for top in tops:
            dest = os.path.join(copy_root, os.path.relpath(top, root)) if top != root else copy_root
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copytree(
                top, dest, symlinks=True, copy_function=_link_or_copy, dirs_exist_ok=True, ignore=lambda directory, names: [".git"] if directory == root else []
            )
    except (OSError, shutil.Error) as exc:
        raise RenderError("cannot make a private copy of the checkout for the kustomize overrides: %s" % exc, subject=FIELD) from exc
    return copy_root


def write_kustomization(path, doc):
    """Replace the (hard-linked) kustomization file by a new file holding ``doc``
    (JSON is YAML; unlink first so the shared original is never written)."""
    os.unlink(path)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        json.dump(doc, handle, sort_keys=True)
