# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD's own manifests in a render: Applications become ours, the rest is named.

An app-of-apps written for Argo CD renders ``argoproj.io/v1alpha1`` Applications. No
Argo CD runs here to read them, so each becomes a gitops.k8s Application that the
parent applies and the same run reconciles:

- apiVersion ``gitops-k8s.dev/v1alpha1``; the spec as it is (Argo CD field names are
  ours; what is not carried out is warned about by the child itself, spec_fields.py);
- the namespace of the parent Application: Argo CD keeps Applications in its own
  namespace (``argocd``), which says nothing about where their objects go
  (``destination.namespace`` does). A namespace other than ``argocd`` or the parent's
  (Argo CD's "applications in any namespace") is mapped too, with a warning: an
  Application outside the parent's namespace would never be reconciled by the run;
- Argo CD's ``resources-finalizer.argocd.argoproj.io`` (and its ``/background`` and
  ``/foreground`` forms) becomes ours; another Argo CD finalizer is dropped with a
  warning (nothing here would ever remove it, so deletion would hang);
- the annotation ``gitops-k8s.dev/converted-from`` records where it came from;
  ``operation`` (a sync requested through Argo CD) and ``status`` are not carried over.

The converted object is an Application of ours, so the parent's tracking and the
authority rule (authority.py: an Application is only written by its parent) apply to it.

An ``AppProject`` becomes a Project of ours the same way (apiVersion, the parent's
namespace, where the run reads Projects, and the annotation); its fields are Argo CD's,
what is not carried out is warned about by each Application of the project (projects.py).
Writing it is bounded like any object: the parent's own project must allow the kind in
the control namespace.

An ``ApplicationSet`` becomes an ApplicationSet of ours the same way (apiVersion, the
parent's namespace, the annotation; its own finalizers dropped with a warning); the run
expands it (applicationset.py): the finalizers of its template are mapped when each
Application is generated. Other ``argoproj.io`` kinds (Argo Rollouts' ``Rollout``, Argo
Workflows) are ordinary objects.
"""

from __future__ import annotations

import copy

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_CONVERTED_FROM,
    APP_API_VERSION,
    APP_FINALIZER,
    APP_KIND,
    APPSET_KIND,
    PROJECT_KIND,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import object_id

ARGOCD_GROUP = "argoproj.io"
ARGOCD_NAMESPACE = "argocd"
ARGOCD_FINALIZER_SUFFIX = "argocd.argoproj.io"
RESOURCES_FINALIZERS = (
    "resources-finalizer.argocd.argoproj.io",
    "resources-finalizer.argocd.argoproj.io/background",
    "resources-finalizer.argocd.argoproj.io/foreground",
)
ARGOCD_PROJECT_KIND = "AppProject"


def is_argocd(obj):
    return str(obj.get("apiVersion") or "").split("/", 1)[0] == ARGOCD_GROUP


def convert(manifests, parent_namespace):
    """``(manifests, warnings)``: the render with Argo CD Applications converted to ours
    (in ``parent_namespace``), Argo CD projects and ApplicationSets left out, and one
    warning per thing not carried over, naming the object and its file. Argo CD
    projects become our Projects, ApplicationSets our ApplicationSets."""
    out, warnings = [], []
    for m in manifests:
        obj = m.obj
        if not isinstance(obj, dict) or not is_argocd(obj):
            out.append(m)
        elif obj.get("kind") == APP_KIND:
            out.append(Manifest(to_application(obj, parent_namespace, warnings, m.origin), m.origin))
        elif obj.get("kind") == ARGOCD_PROJECT_KIND:
            out.append(Manifest(to_project(obj, parent_namespace, warnings, m.origin), m.origin))
        elif obj.get("kind") == APPSET_KIND:
            out.append(Manifest(to_project(obj, parent_namespace, warnings, m.origin, kind=APPSET_KIND), m.origin))
        else:
            out.append(m)
    return out, tuple(warnings)


def to_application(obj, parent_namespace, warnings, origin=""):
    """Our Application of one Argo CD Application manifest (see the module docstring);
    what is not carried over is appended to ``warnings``."""
    subject = "%s (%s)" % (object_id(obj), origin) if origin else str(object_id(obj))
    app = dict((k, copy.deepcopy(v)) for k, v in obj.items() if k not in ("status", "operation"))
    if obj.get("operation"):
        warnings.append("%s: operation (a sync requested through Argo CD) is not carried out; gitops.k8s.app sync=true syncs now" % subject)
    if obj.get("kind") == APP_KIND and isinstance(obj.get("spec"), dict) and obj["spec"].get("analysis") is not None:
        warnings.append("%s: spec.analysis is not an Argo CD field (Argo CD drops it; Argo Rollouts analyses a Rollout); gitops.k8s carries it out" % subject)
    app["apiVersion"] = APP_API_VERSION
    meta = app["metadata"] = dict(app.get("metadata") or {})
    theirs = meta.get("namespace") or ""
    if theirs not in ("", ARGOCD_NAMESPACE, parent_namespace):
        warnings.append(
            "%s: placed in %s, the namespace of its parent Application, not %s (the run reconciles one namespace)" % (subject, parent_namespace, theirs)
        )
    meta["namespace"] = parent_namespace
    meta["annotations"] = dict(meta.get("annotations") or {}, **{ANN_CONVERTED_FROM: str(obj.get("apiVersion"))})
    finalizers = map_finalizers(meta.get("finalizers") or [], subject, warnings)
    if finalizers:
        meta["finalizers"] = finalizers
    else:
        meta.pop("finalizers", None)
    return app


def to_project(obj, parent_namespace, warnings, origin="", kind=PROJECT_KIND):
    """Our Project of one Argo CD AppProject manifest (or our ``kind`` of another Argo CD
    kind: ApplicationSet): same spec, our kind, the parent's namespace (where the run reads
    them). Its finalizers are dropped with a warning: Argo CD's keeps a project in use from
    being deleted, and nothing here removes it."""
    meta = obj.get("metadata") or {}
    app = to_application(dict(obj, metadata=dict((k, v) for k, v in meta.items() if k != "finalizers")), parent_namespace, warnings, origin)
    app["kind"] = kind
    for name in meta.get("finalizers") or []:
        warnings.append("%s (%s): finalizer %s dropped (nothing here would remove it)" % (object_id(obj), origin, name))
    return app


def map_finalizers(finalizers, subject, warnings):
    """Argo CD's resources finalizers become ours, another Argo CD finalizer is dropped
    (with a warning in ``warnings``); others are kept."""
    out = []
    for name in finalizers:
        if name in RESOURCES_FINALIZERS:
            name = APP_FINALIZER
        elif str(name).split("/", 1)[0].endswith(ARGOCD_FINALIZER_SUFFIX):
            warnings.append("%s: finalizer %s dropped (nothing here would remove it)" % (subject, name))
            continue
        if name not in out:
            out.append(name)
    return out
