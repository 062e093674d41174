# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSets: the Applications a set generates, and what to write for them.

An ApplicationSet (our kind ``gitops-k8s.dev/v1alpha1``, or Argo CD's converted by
argocd_application.py) holds generators (appset_generators.py) and an Application
template. Each parameter set renders the template (appset_template.py) into one
Application, as Argo CD's ApplicationSet controller does:

- a generator's own ``template`` is merged over the set's (its non-empty fields win);
- every string (and map key) of the template is templated; a set without parameters
  gives the template as it is;
- the Application gets Argo CD's resources finalizer (ours) unless the template names
  finalizers or ``syncPolicy.preserveResourcesOnDeletion`` is true; then deleting it
  leaves its objects in place;
- it lives in the set's namespace and is owned by the set: an ownerReference
  (``controller: true``, ``blockOwnerDeletion: true``), so deleting the set deletes its
  Applications through Kubernetes' garbage collector.

``plan()`` compares the generated Applications with the live ones: create, update
(only when they differ) or delete (owned by the set, no longer generated), as
``syncPolicy.applicationsSync`` allows. An Application of that name that the set does
not own (another set's, one declared by an Application, or made by hand) is a conflict:
the set fails with an error naming both, and nothing of it is written or deleted.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ansible_collections.gitops.k8s.plugins.module_utils._engine import appset_generators, appset_template, argocd_application, compare, crds
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_API_VERSION,
    APP_FINALIZER,
    APP_KIND,
    APPSET_KIND,
    APPSET_PLURAL,
    APPSET_SHORT_NAME,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id

POLICIES = ("sync", "create-only", "create-update", "create-delete")
TEMPLATE_METADATA = ("name", "namespace", "labels", "annotations", "finalizers")
# spec fields: carried out, or warned about (with why), or refused (with why)
CARRIED_OUT = ("generators", "template", "goTemplate", "goTemplateOptions", "syncPolicy", "applyNestedSelectors", "preservedFields")
WARNED = {
    "ignoreApplicationDifferences": "the fields a template sets are always written back (fields it does not set are left alone)",
}
REFUSED = {
    "templatePatch": "templatePatch is not supported: put the fields in spec.template (or a generator's template)",
    "strategy": "strategy (progressive syncs) is not supported: every generated Application is reconciled in the same run",
}
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


@dataclass(frozen=True)
class SetSpec:
    """One ApplicationSet, checked."""

    namespace: str
    name: str
    uid: str
    go_template: bool
    missingkey: str
    generators: tuple
    template: dict
    preserve_resources: bool
    policy: str
    warnings: tuple = ()

    @property
    def key(self):
        return format_id(APPSET_KIND, self.namespace, self.name)


@dataclass
class SetPlan:
    """What one set writes: Applications to create, update and delete (names), and the
    desired objects by name."""

    spec: SetSpec
    desired: dict = field(default_factory=dict)
    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    delete: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # not generated any more, kept by the policy


def parse(obj):
    """SetSpec of an ApplicationSet object; InvalidSpec naming the set for what is refused."""
    meta = obj.get("metadata") or {}
    subject = format_id(APPSET_KIND, meta.get("namespace") or "", meta.get("name") or "")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise InvalidSpec("spec must be a mapping", subject=subject)
    warnings = []
    for key in spec:
        if key in REFUSED:
            raise InvalidSpec(REFUSED[key], subject=subject)
        if key in WARNED:
            warnings.append("%s: spec.%s is not carried out: %s" % (subject, key, WARNED[key]))
        elif key not in CARRIED_OUT:
            warnings.append("%s: spec.%s is not known and is not carried out" % (subject, key))
    generators = spec.get("generators")
    if not isinstance(generators, list) or not generators:
        raise InvalidSpec("spec.generators must be a non-empty list", subject=subject)
    template = spec.get("template")
    if not isinstance(template, dict):
        raise InvalidSpec("spec.template must be a mapping (metadata, spec)", subject=subject)
    go_template = spec.get("goTemplate", False)
    if not isinstance(go_template, bool):
        raise InvalidSpec("spec.goTemplate must be true or false", subject=subject)
    missingkey = appset_template.missing_key_mode(spec.get("goTemplateOptions"), subject)
    policy_spec = spec.get("syncPolicy") or {}
    if not isinstance(policy_spec, dict):
        raise InvalidSpec("spec.syncPolicy must be a mapping", subject=subject)
    for key in policy_spec:
        if key not in ("preserveResourcesOnDeletion", "applicationsSync"):
            raise InvalidSpec("spec.syncPolicy.%s is not supported" % key, subject=subject)
    policy = policy_spec.get("applicationsSync") or "sync"
    if policy not in POLICIES:
        raise InvalidSpec("spec.syncPolicy.applicationsSync must be one of %s, not %r" % (", ".join(POLICIES), policy), subject=subject)
    return SetSpec(
        namespace=meta.get("namespace") or "",
        name=meta.get("name") or "",
        uid=meta.get("uid") or "",
        go_template=go_template,
        missingkey=missingkey,
        generators=tuple(generators),
        template=template,
        preserve_resources=bool(policy_spec.get("preserveResourcesOnDeletion")),
        policy=policy,
        warnings=tuple(warnings),
    )


def merged_template(set_template, generator_template):
    """A generator's template over the set's: the generator's non-empty values win."""
    if not generator_template:
        return copy.deepcopy(set_template)
    return _merge_over(copy.deepcopy(generator_template), set_template)


def _merge_over(dest, src):
    for key, value in (src or {}).items():
        if isinstance(value, dict) and isinstance(dest.get(key), dict):
            dest[key] = _merge_over(dest[key], value)
        elif dest.get(key) in (None, "", [], {}, False, 0):
            dest[key] = copy.deepcopy(value)
    return dest


def generate(spec, inputs):
    """The Applications the set generates, by name (each one checked)."""
    ctx = appset_generators.Context(spec.key, spec.go_template, spec.missingkey, inputs)
    apps = {}
    for i, generator in enumerate(spec.generators):
        where = "spec.generators[%d]" % i
        template = merged_template(spec.template, _generator_template(generator))
        for params in appset_generators.generate(ctx, generator, where):
            app = application_of(spec, template, params, where)
            name = app["metadata"]["name"]
            if name in apps:
                raise InvalidSpec("generates two Applications named %s" % name, subject=spec.key)
            apps[name] = app
    return apps


def _generator_template(generator):
    """The ``template`` inside a generator (``list.template``, ``git.template``, ...)."""
    if not isinstance(generator, dict):
        return None
    for key, body in generator.items():
        if key != "selector" and isinstance(body, dict) and isinstance(body.get("template"), dict):
            return body["template"]
    return None


def application_of(spec, template, params, where):
    """One generated Application (ours), owned by the set."""
    rendered = appset_template.render(template, params, spec.go_template, spec.missingkey, "%s %s" % (spec.key, where)) if params else copy.deepcopy(template)
    tmeta = rendered.get("metadata") or {}
    for key in tmeta:
        if key not in TEMPLATE_METADATA:
            raise InvalidSpec("template.metadata.%s is not supported (only %s)" % (key, ", ".join(TEMPLATE_METADATA)), subject=spec.key)
    name = tmeta.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidSpec("%s: the template gives an Application no name" % where, subject=spec.key)
    if len(name) > 253 or not _NAME.match(name):
        raise InvalidSpec("%s: the generated name %r is not a valid Kubernetes name" % (where, name), subject=spec.key)
    subject = format_id(APP_KIND, spec.namespace, name)
    warnings = []
    if tmeta.get("namespace") not in (None, "", spec.namespace, argocd_application.ARGOCD_NAMESPACE):
        raise InvalidSpec(
            "%s: generates %s in namespace %s; Applications are generated in the set's namespace" % (where, subject, tmeta["namespace"]), subject=spec.key
        )
    finalizers = argocd_application.map_finalizers(tmeta.get("finalizers") or [], subject, warnings)
    if warnings:
        raise InvalidSpec("; ".join(warnings), subject=spec.key)
    if not finalizers and not spec.preserve_resources and params:
        finalizers = [APP_FINALIZER]
    meta = {"name": name, "namespace": spec.namespace}
    for key in ("labels", "annotations"):
        if tmeta.get(key):
            meta[key] = dict((str(k), str(v)) for k, v in tmeta[key].items())
    if finalizers:
        meta["finalizers"] = finalizers
    meta["ownerReferences"] = [owner_reference(spec)]
    body = rendered.get("spec")
    if not isinstance(body, dict):
        raise InvalidSpec("%s: template.spec must be a mapping" % where, subject=spec.key)
    return {"apiVersion": APP_API_VERSION, "kind": APP_KIND, "metadata": meta, "spec": body}


def owner_reference(spec):
    return {"apiVersion": APP_API_VERSION, "kind": APPSET_KIND, "name": spec.name, "uid": spec.uid, "controller": True, "blockOwnerDeletion": True}


def controller_of(app):
    """(kind, name, uid) of an Application's controlling owner, or None."""
    for ref in (app.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("kind") or "", ref.get("name") or "", ref.get("uid") or ""
    return None


def owned_by(app, spec):
    owner = controller_of(app)
    return owner is not None and owner[0] == APPSET_KIND and owner[2] == spec.uid


def duplicates(generated_by_set):
    """{application name: [set keys]} for names more than one set generates."""
    seen = {}
    for key, names in generated_by_set.items():
        for name in names:
            seen.setdefault(name, []).append(key)
    return dict((name, sorted(keys)) for name, keys in seen.items() if len(keys) > 1)


def plan(spec, desired, live_apps):
    """The SetPlan of one set: its generated Applications against the live ones of its
    namespace. An Application of a generated name that the set does not own is refused."""
    live = dict((a["metadata"]["name"], a) for a in live_apps)
    result = SetPlan(spec=spec, desired=desired)
    conflicts = []
    for name in sorted(desired):
        current = live.get(name)
        if current is None:
            result.create.append(name)
            continue
        if not owned_by(current, spec):
            owner = controller_of(current)
            who = "owned by %s/%s" % (owner[0], owner[1]) if owner else "not generated by this set (declared by an Application or made by hand)"
            conflicts.append("%s exists and is %s" % (format_id(APP_KIND, spec.namespace, name), who))
            continue
        if compare.suspect_drift(desired[name], current) is None:
            result.unchanged.append(name)
        elif spec.policy in ("create-only", "create-delete"):
            result.kept.append(name)
        else:
            result.update.append(name)
    if conflicts:
        raise InvalidSpec("; ".join(conflicts) + ": delete it or stop generating that name", subject=spec.key)
    for name in sorted(live):
        if name not in desired and owned_by(live[name], spec):
            if spec.policy in ("create-only", "create-update"):
                result.kept.append(name)
            elif not (live[name]["metadata"].get("deletionTimestamp")):
                result.delete.append(name)
    return result


def crd():
    """The ApplicationSet CustomResourceDefinition (apiextensions.k8s.io/v1). The spec
    keeps every field: what is not carried out is warned about or refused by parse()."""
    any_object = crds.ANY_OBJECT
    spec = dict(
        any_object,
        properties={
            "generators": {"type": "array", "items": any_object},
            "template": any_object,
            "goTemplate": {"type": "boolean"},
            "goTemplateOptions": {"type": "array", "items": {"type": "string"}},
            "syncPolicy": any_object,
        },
    )
    columns = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
    description = "Applications generated from a template and generators (Argo CD's ApplicationSet)."
    return crds.definition(APPSET_KIND, APPSET_PLURAL, APPSET_SHORT_NAME, description, spec, columns, status_subresource=True)
