# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan a sync: prepare desired objects, read the live state in as few requests as
possible, classify every object, and decide the action.

Steps:
1. prepare: default the namespace, stamp the tracking annotation, drop status,
   resolve each kind (a kind whose CRD is in the same set is accepted as pending, and so is
   one not served at all with SkipDryRunOnMissingResource=true: it is resolved when its
   turn to be applied comes), read each object's sync options (sync_options.py).
2. read live state: one LIST per (kind, namespace) over desired and previous inventory.
3. compare: cheap pure check (compare.py); suspected drift is confirmed by a
   server-side dry-run apply, so server defaults never count as drift. Missing objects
   are validated by a dry-run too: the whole plan is checked before the first write. The
   dry-runs go up to ``options.workers`` side by side; every object that fails is named.
   Applications in the render are checked first (authority.py: an Application is only
   written by its parent), then every object and hook against the Application's Project
   (project_check.py), before any dry-run.
4. extra objects: previous inventory minus desired; prunable only when the live object
   still carries this Application's tracking annotation, and its sync options allow it
   (Prune=false; Delete=false when the Application is deleted; PruneLast=true prunes
   after the applied objects are healthy; IgnoreExtraneous keeps it from making the
   Application OutOfSync, as in Argo CD it is still pruned when a sync prunes). An object
   to prune that the Project does not permit fails the plan (project_check.py).

Hooks (hooks.py: Argo CD and Helm hook annotations) are set apart first: they are not
compared, not in the inventory and never pruned; phases.py prepares and orders them.

A plan is a value (frozen PlanItems in tuples): each step returns new items, and executing
a plan (sync.py) never changes it, so the plan a check-mode run reports, the one a sync
carries out and the one compared after it are the same object for everyone who holds it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import (
    authority,
    compare,
    fanout,
    hooks,
    ignore,
    inventory,
    ordering,
    project_check,
    project_request,
    prune_guard,
    strategy_owners,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    ANN_STRATEGY_OBJECT,
    ANN_TRACKING_ID,
    CONFIGURED,
    CREATED,
    CRD_KIND,
    EXTRA,
    FIELD_MANAGER,
    MISSING,
    OPT_DELETE,
    OPT_FORCE,
    OPT_IF_NOT_PRESENT,
    OPT_IGNORE_EXTRANEOUS,
    OPT_PRUNE,
    OPT_PRUNE_LAST,
    OPT_PRUNE_PROTECTED,
    OPT_RESPECT_IGNORE,
    OPT_SKIP_DRY_RUN,
    OPT_VALIDATE,
    OUT_OF_SYNC,
    PRUNE_PROTECTED_KINDS,
    PRUNED,
    SKIPPED,
    SYNCED,
    UNCHANGED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import (
    ApplyError,
    AuthorityError,
    ClusterError,
    ManifestError,
    UnknownKindError,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations, object_id, split_api_version
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import describe_owner, owner_of, tracking_id


@dataclass(frozen=True)
class PlanItem:
    """One object of the plan: its desired and live state, status and action. Frozen: a
    step that learns more about the object (its live state, its verdict, the type of a kind
    served only once its CRD exists) makes a new item with ``dataclasses.replace``."""

    entry: inventory.Entry
    rtype: ResourceType
    origin: str = ""
    desired: Optional[dict] = None
    live: Optional[dict] = None
    predicted: Optional[dict] = None
    status: str = ""
    action: str = ""
    reason: str = ""
    pending_crd: bool = False
    kind_missing: bool = False  # kind not served, SkipDryRunOnMissingResource=true: resolved at apply time
    options: dict = field(default_factory=dict)  # effective sync options (sync_options.object_options)
    prune_last: bool = False  # extra objects: PruneLast=true, pruned after the applied objects are healthy
    warnings: tuple = ()  # options of this object that are unknown or not carried out
    tracked: bool = True
    shared_with: str = ""  # another owner's tracking annotation is on the live object
    owned: bool = True  # extra objects: still carries our tracking annotation
    blocks_sync: bool = False  # extra objects: keeps the Application OutOfSync
    held: bool = False  # extra objects: its prune is held by the deletion budget (prune_guard.py)
    sort_key: tuple = field(default=())
    hook: object = None  # hooks.Hook of a hook object (run in its phases, never applied)
    create_with: Optional[ResourceType] = None  # CreateNamespace on OpenShift: the ProjectRequest type (project_request.py)

    @property
    def subject(self):
        if self.hook is not None and self.desired is not None:
            return hooks.subject_of(self.desired)
        return str(self.entry)


@dataclass(frozen=True)
class Plan:
    """What a sync will do; never changed once built (sync.execute returns the plan as
    carried out in its SyncResult)."""

    items: tuple  # desired objects in apply order
    extra: tuple  # previous-inventory objects gone from desired, in prune order
    previous: tuple  # previous inventory
    # What the objects ask for that is not carried out (an unknown sync option or
    # annotation), one message each naming the object: an UnsupportedFeatureWarning.
    warnings: tuple = ()
    hooks: tuple = ()  # hook PlanItems (phases.prepare_hooks), in phase/wave/kind order
    # Prunes held by the deletion budget (prune_guard.py): their subjects, and why.
    held_prunes: tuple = ()
    prune_hold: str = ""

    @property
    def prune_last(self):
        """Extra objects pruned only after every applied object is healthy (PruneLast)."""
        return [i for i in self.extra if i.action == PRUNED and i.prune_last]

    @property
    def desired_entries(self):
        return [i.entry for i in self.items if i.tracked]


def shared_message(plan, limit=5):
    """One line naming the objects of this plan that carry another owner's tracking
    annotation (declared by two Applications) and that owner, or '' when there are none.
    It is the SharedResourceWarning condition, the run's warning and the
    FailOnSharedResource error alike."""
    shared = sorted("%s is also managed by %s" % (i.subject, describe_owner(i.shared_with)) for i in plan.items if i.shared_with)
    message = "; ".join(shared[:limit])
    if len(shared) > limit:
        message += "; +%d more" % (len(shared) - limit)
    return message


def option_warnings(items):
    """Plan.warnings: each object's unknown or unsupported options, once each."""
    out = []
    for item in items:
        out.extend(w for w in item.warnings if w not in out)
    return tuple(out)


def recreates(item):
    """Force=true: an object the server refuses to update (an immutable field) is deleted
    and created again; with Replace=true it always is (kubectl replace --force)."""
    return syncopts.enabled(item.options, OPT_FORCE)


def _with_validate_note(item, message):
    """Validate=false cannot turn off the API server's own checks: say so where they refuse."""
    if syncopts.disabled(item.options, OPT_VALIDATE):
        return "%s (Validate=false only turns off client-side validation, which gitops.k8s never runs; the API server's own checks still apply)" % message
    return message


# -- 1. prepare ----------------------------------------------------------------------------


def _crd_types(manifests):
    """ResourceTypes defined by CRDs in this set, keyed by (group, kind)."""
    out = {}
    for m in manifests:
        obj = m.obj
        if obj.get("kind") != CRD_KIND:
            continue
        spec = obj.get("spec") or {}
        names = spec.get("names") or {}
        for ver in spec.get("versions") or [{"name": spec.get("version")}]:
            if ver.get("name"):
                out[(spec.get("group"), names.get("kind"), ver["name"])] = ResourceType(
                    spec.get("group") or "",
                    ver["name"],
                    names.get("kind") or "",
                    names.get("plural") or "",
                    spec.get("scope", "Namespaced") == "Namespaced",
                )
    return out


def prepare(cluster, manifests, options):
    """PlanItems for the rendered manifests, in apply order. Raises before any I/O write."""
    crds = _crd_types(manifests)
    items, seen = [], {}
    for m in manifests:
        obj = copy.deepcopy(m.obj)
        group, version = split_api_version(obj["apiVersion"])
        values = syncopts.object_options(obj, options.object_defaults)[0]
        pending = missing = False
        try:
            rtype = cluster.resolve(obj["apiVersion"], obj["kind"])
        except UnknownKindError as exc:
            rtype = crds.get((group, obj["kind"], version))
            if rtype is None and syncopts.enabled(values, OPT_SKIP_DRY_RUN):
                # Created by something else before this object's turn (an operator applied in
                # an earlier wave...): taken for namespaced until it is served.
                rtype, missing = ResourceType(group, version, obj["kind"], "", True), True
            elif rtype is None:
                raise UnknownKindError("%s: %s" % (m.origin, exc.message), subject=str(object_id(obj))) from None
            pending = not missing
        meta = obj.setdefault("metadata", {})
        if rtype.namespaced:
            meta["namespace"] = meta.get("namespace") or options.namespace
        else:
            meta.pop("namespace", None)
        obj.pop("status", None)
        compare.fill_list_keys(obj)
        if meta.get("creationTimestamp") is None:
            meta.pop("creationTimestamp", None)
        entry = inventory.entry_of(obj)
        if entry.id in seen:
            raise ManifestError("duplicate object %s (also defined at %s)" % (entry, seen[entry.id]), subject=m.origin)
        seen[entry.id] = m.origin
        warnings = syncopts.object_options(obj, (), str(entry))[1] + syncopts.compare_options(obj, str(entry))[1]
        _track(obj, options, entry)
        items.append(
            PlanItem(
                entry=entry,
                rtype=rtype,
                origin=m.origin,
                desired=obj,
                pending_crd=pending,
                kind_missing=missing,
                options=values,
                warnings=tuple(warnings),
                sort_key=ordering.sort_key(obj, rtype.namespaced),
            )
        )
    items.sort(key=lambda i: i.sort_key)
    return items


# -- 2. live state ----------------------------------------------------------------------


def read_live(cluster, items, extra_types, missing_namespace=None):
    """Live objects by ObjectId: one LIST per (kind, namespace). A LIST the API server
    forbids (RBAC, an impersonated ServiceAccount) fails naming the objects it was for.
    ``missing_namespace``: a namespace just read as not there (the destination that
    CreateNamespace=true creates): nothing can live in it, so nothing in it is listed."""
    groups = set()
    for rtype, namespace in [(i.rtype, i.entry.namespace) for i in items if not (i.pending_crd or i.kind_missing)] + list(extra_types):
        if rtype.namespaced and missing_namespace and namespace == missing_namespace:
            continue
        groups.add((rtype, namespace if rtype.namespaced else ""))
    live = {}
    for rtype, namespace in sorted(groups, key=lambda k: (k[0].group, k[0].kind, k[1])):
        try:
            listed = cluster.list(rtype, namespace or None)
        except ClusterError as exc:
            if exc.details.get("status_code") != 403:
                raise
            named = sorted(str(i.entry) for i in items if i.rtype == rtype and i.entry.namespace == namespace)
            raise ClusterError(
                "%s: %s" % (", ".join(named) or exc.subject, exc.message), subject=named[0] if named else exc.subject, details=exc.details
            ) from exc
        for obj in listed:
            meta = obj.get("metadata") or {}
            live[inventory.Entry(rtype.group, rtype.kind, meta.get("namespace") or "", meta.get("name") or "", rtype.version).id] = obj
    return live


# -- 3. compare -------------------------------------------------------------------------


def dry_run(cluster, item, options):
    """What the server would make of ``item`` (a server-side dry-run apply); ApplyError naming it
    and its origin when the server refuses it."""
    try:
        return cluster.apply(item.rtype, applied_form(item, options), dry_run=True, force=options.force_conflicts)
    except ClusterError as exc:
        raise ApplyError(_with_validate_note(item, "dry-run apply failed: %s" % exc.message), subject=item.subject, details={"origin": item.origin}) from exc


def applied_form(item, options):
    """The object sent to the server (ignored fields dropped if asked: the Application's
    RespectIgnoreDifferences, which an object's own option overrides either way)."""
    respect = item.options.get(OPT_RESPECT_IGNORE)
    if (respect == "true" if respect else options.respect_ignore_differences) and item.live is not None:
        return ignore.remove_pointers(item.desired, ignore.rules_for(options.ignore_differences, item.entry.id))
    return item.desired


def classify(cluster, item, options, pending_namespaces):
    """The desired ``item`` with its status, action, reason and predicted object."""
    item, verdict, suspicion = settle(item, options, pending_namespaces)
    if verdict is not None:
        return verdict
    if item.live is None:
        return replace(item, status=MISSING, action=CREATED, reason="not in the cluster", predicted=dry_run(cluster, item, options))
    try:
        predicted = dry_run(cluster, item, options)
    except ApplyError as exc:
        if not recreates(item):
            raise
        reason = "the server refuses the update (%s): Force=true deletes and recreates it" % exc.message
        return replace(item, status=OUT_OF_SYNC, action=CONFIGURED, reason=reason)
    if compare.same_object(predicted, item.live, ignore.rules_for(options.ignore_differences, item.entry.id)):
        return replace(item, status=SYNCED, action=UNCHANGED, predicted=predicted)
    return replace(item, status=OUT_OF_SYNC, action=CONFIGURED, reason=item.reason or suspicion, predicted=predicted)


def settle(item, options, pending_namespaces):
    """(item, verdict, suspicion) of what classify() decides without a request: ``verdict``
    is the item classified, or None when only a dry-run can tell (a new object the server
    can dry-run, a live one suspected of drift for ``suspicion``); ``item`` carries who
    else's it is (shared_with)."""
    if item.live is None:
        if item.kind_missing:
            reason = "not in the cluster; kind not served yet (SkipDryRunOnMissingResource=true: no dry-run)"
            return item, replace(item, status=MISSING, action=CREATED, reason=reason), ""
        if item.create_with is not None:  # a ProjectRequest cannot be dry-run (create only)
            return item, replace(item, status=MISSING, action=CREATED, reason="not in the cluster; requested as an OpenShift project (ProjectRequest)"), ""
        if item.pending_crd or item.entry.namespace in pending_namespaces:
            return item, replace(item, status=MISSING, action=CREATED, reason="not in the cluster", predicted=None), ""
        return item, None, ""
    owner = owner_of(item.live)
    if options.tracking and owner and owner != options.tracking:
        item = replace(item, shared_with=owner, reason="shared with %s" % owner)
    if syncopts.enabled(item.options, OPT_IF_NOT_PRESENT):
        return item, replace(item, status=SYNCED, action=UNCHANGED, reason="IfNotPresent: existing object left alone"), ""
    suspicion = compare.suspect_drift(item.desired, item.live, FIELD_MANAGER, ignore.rules_for(options.ignore_differences, item.entry.id))
    if suspicion is None:
        return item, replace(item, status=SYNCED, action=UNCHANGED), ""
    return item, None, suspicion


def _classify_all(cluster, items, options, pending_namespaces, known):
    """Every desired item classified: what needs no request first, in this thread; then the
    dry-runs, up to ``options.workers`` side by side (they write nothing); every object that
    fails its dry-run is named in one ApplyError."""
    settled = [_reuse(item, known) or settle(item, options, pending_namespaces)[1] for item in items]
    rest = [item for item, verdict in zip(items, settled) if verdict is None]
    outcomes = fanout.each(lambda item: classify(cluster, item, options, pending_namespaces), rest, options.workers, catch=ApplyError, slots=options.slots)
    errors = fanout.errors_of(outcomes)
    if errors:
        raise fanout.summary(errors)
    dry_run = iter(o.value for o in outcomes)
    return [verdict if verdict is not None else next(dry_run) for verdict in settled]


# -- 4. extra ---------------------------------------------------------------------------


def classify_extra(item, options):
    """An object of the previous inventory gone from desired, with its status and action."""
    expected = tracking_id(options.tracking, item.entry) if options.tracking else None
    if item.live is None:
        return replace(item, status=EXTRA, action=SKIPPED, owned=False, reason="already deleted")
    if not options.tracking or annotations(item.live).get(ANN_TRACKING_ID) != expected:
        return replace(item, status=EXTRA, action=SKIPPED, owned=False, reason="not owned by this Application (tracking annotation differs)")
    values = syncopts.object_options(item.live, options.object_defaults)[0]
    extraneous = syncopts.enabled(syncopts.compare_options(item.live)[0], OPT_IGNORE_EXTRANEOUS)
    action, blocks_sync = SKIPPED, False
    if options.deleting and syncopts.disabled(values, OPT_DELETE):
        reason = "kept when its Application is deleted (Delete=%s)" % values[OPT_DELETE]
    elif syncopts.disabled(values, OPT_PRUNE):  # kept and not counted as drift (the user said so)
        reason = "pruning disabled (Prune=%s)" % values[OPT_PRUNE]
    elif item.entry.kind in PRUNE_PROTECTED_KINDS and not (options.prune_protected or syncopts.enabled(values, OPT_PRUNE_PROTECTED)):
        blocks_sync, reason = True, prune_guard.PROTECTED_REASON % item.entry.kind
    elif not options.prune and ANN_STRATEGY_OBJECT not in annotations(item.live):  # a strategy's own object goes when it is done
        blocks_sync, reason = True, "requires pruning (prune is off)"
    else:
        blocks_sync, action, reason = True, PRUNED, "removed from Git"
    if extraneous:  # Argo CD: IgnoreExtraneous changes the sync status only; a sync still prunes it
        blocks_sync = False
        reason += " (IgnoreExtraneous: does not make the Application OutOfSync)"
    return replace(
        item, status=EXTRA, action=action, reason=reason, options=values, prune_last=syncopts.enabled(values, OPT_PRUNE_LAST), blocks_sync=blocks_sync
    )


def _resource_version(obj):
    return ((obj or {}).get("metadata") or {}).get("resourceVersion")


def _reuse(item, earlier):
    """The item with the classification of the same object from an earlier plan when
    neither the desired nor the live object changed since (saves its dry-run); else None."""
    old = earlier.get(item.entry.id)
    if old is None or old.desired != item.desired or _resource_version(old.live) != _resource_version(item.live):
        return None
    if (old.live is None) != (item.live is None) or old.pending_crd != item.pending_crd:
        return None
    return replace(item, status=old.status, action=old.action, reason=old.reason, predicted=old.predicted, shared_with=old.shared_with)


def _track(obj, options, entry):
    """Write the Application's tracking annotation on a desired object (objects and hooks
    alike), on a copy of its annotations mapping."""
    if options.tracking:
        meta = obj["metadata"]
        meta["annotations"] = dict(meta.get("annotations") or {})
        meta["annotations"][ANN_TRACKING_ID] = tracking_id(options.tracking, entry)


def build_plan(cluster, manifests, previous, options, earlier=None):
    """The full plan; raises a GitOpsError (before any write) when any object is invalid.

    ``earlier``: a plan made moments ago (before taking the lock); objects whose desired
    and live state are unchanged keep its verdict instead of being dry-run again."""
    manifests, hooked, warnings = hooks.split(manifests)
    items = prepare(cluster, manifests, options)
    hook_items = prepare_hooks(cluster, hooked, options)
    # an object of the previous inventory that became a hook leaves the inventory: its hook
    # run replaces it (BeforeHookCreation), pruning it too would delete the new hook
    desired_ids = set(i.entry.id for i in items) | set(i.entry.id for i in hook_items if i.entry.name)
    extra = []
    for entry in inventory.stale(previous, [i.entry for i in items]):
        if entry.id in desired_ids:
            continue
        try:
            rtype = cluster.resolve(entry.api_version, entry.kind)
        except UnknownKindError:
            extra.append(PlanItem(entry=entry, rtype=None, status=EXTRA, action=SKIPPED, owned=False, reason="kind no longer served"))
            continue
        key = (0, ordering.stage_of(entry.kind, rtype.namespaced), ordering.kind_rank(entry.kind), entry.kind, entry.namespace, entry.name)
        extra.append(PlanItem(entry=entry, rtype=rtype, sort_key=key))
    destination = _destination_namespace(cluster, items, options)  # read first: a missing one is not listed
    missing = options.namespace if destination is _MISSING else None
    live = read_live(cluster, items, [(e.rtype, e.entry.namespace) for e in extra if e.rtype is not None], missing)
    items = [replace(item, live=live.get(item.entry.id)) for item in items]
    pending_namespaces = set(i.entry.name for i in items if i.entry.kind == "Namespace" and i.live is None)
    authority.check(cluster, items, options.tracking, live)
    strategy_owners.check(items, options.tracking, options.strategy_steered)
    if destination is not _NOT_READ and options.namespace not in pending_namespaces:
        _ensure_namespace_item(cluster, items, options, pending_namespaces, None if destination is _MISSING else destination)
    project_check.check_items(options.bounds, items + list(hook_items))  # before any dry-run
    known = dict((i.entry.id, i) for i in (earlier.items if earlier else ()))
    items = _classify_all(cluster, items, options, pending_namespaces, known)
    extra = [classify_extra(replace(item, live=live.get(item.entry.id)), options) if item.rtype is not None else item for item in extra]
    project_check.check_prunes(options.bounds, extra)
    extra.sort(key=lambda i: i.sort_key, reverse=True)
    extra, held = _hold_prunes(extra, items, previous, options)
    return Plan(
        items=tuple(items),
        extra=tuple(extra),
        previous=tuple(previous),
        warnings=warnings + option_warnings(items),
        hooks=tuple(hook_items),
        held_prunes=tuple(sorted(i.subject for i in extra if i.held)),
        prune_hold=held,
    )


def _hold_prunes(extra, items, previous, options):
    """(extra, why its prunes are held): the deletion budget (prune_guard.py), not when the
    Application is deleted (all of it goes, by definition), nor for an empty render
    (sync.check_empty_guard refuses it outright, unless allowEmpty: an explicit allow to
    prune everything)."""
    if options.deleting or not any(i.tracked for i in items):
        return extra, ""
    # a progressive strategy's own objects (a canary done with) are not the user's: outside the budget
    ours = set(i.entry.id for i in extra if i.live is not None and ANN_STRATEGY_OBJECT in annotations(i.live))
    budget = prune_guard.Budget(options.prune_limit, options.prune_limit_percent)
    others, reason = prune_guard.hold([i for i in extra if i.entry.id not in ours], len(previous) - len(ours), budget)
    held = iter(others)
    return [i if i.entry.id in ours else next(held) for i in extra], reason


def prepare_hooks(cluster, hooked, options):
    """PlanItems of the hook objects ((Manifest, Hook) pairs): namespace defaulted, status
    dropped, tracking annotation stamped (a hook's fixed-name object is only replaced
    when it is ours), in wave/kind order. They are not read, compared nor dry-run."""
    items = []
    for m, hook in hooked:
        obj = copy.deepcopy(m.obj)
        try:
            rtype = cluster.resolve(obj["apiVersion"], obj["kind"])
        except UnknownKindError as exc:
            raise UnknownKindError("%s: hook %s" % (m.origin, exc.message), subject=hooks.subject_of(obj)) from None
        meta = obj.setdefault("metadata", {})
        if rtype.namespaced:
            meta["namespace"] = meta.get("namespace") or options.namespace
        else:
            meta.pop("namespace", None)
        obj.pop("status", None)
        entry = inventory.entry_of(obj)
        if authority.is_application(entry):  # created outside the authority check: never
            raise AuthorityError(
                "an Application cannot be a hook (%s): Applications are applied and checked as objects" % hook.source, subject=hooks.subject_of(obj)
            )
        _track(obj, options, entry)
        items.append(
            PlanItem(
                entry=entry,
                rtype=rtype,
                origin=m.origin,
                desired=obj,
                tracked=False,
                hook=hook,
                action=SKIPPED,
                sort_key=ordering.sort_key(obj, rtype.namespaced),
            )
        )
    items.sort(key=lambda i: i.sort_key)
    return items


_NOT_READ = object()  # the destination Namespace is not CreateNamespace's to read (_destination_namespace)
_MISSING = object()  # read, and not there


def _destination_namespace(cluster, items, options):
    """CreateNamespace: the live destination Namespace, _MISSING, or _NOT_READ (not
    CreateNamespace, or a Namespace of the render takes precedence, as in Argo CD)."""
    if not options.create_namespace or any(i.entry.kind == "Namespace" and i.entry.name == options.namespace for i in items):
        return _NOT_READ
    live = cluster.get(cluster.resolve("v1", "Namespace"), None, options.namespace)
    return _MISSING if live is None else live


def _ensure_namespace_item(cluster, items, options, pending_namespaces, live):
    """CreateNamespace: an untracked Namespace item when the destination (``live``, read by
    _destination_namespace) is missing, or when managedNamespaceMetadata sets
    labels/annotations on it. A missing one is created through a ProjectRequest where the
    API serves project.openshift.io (project_request.py)."""
    rtype = cluster.resolve("v1", "Namespace")
    if live is not None and not options.namespace_metadata:
        return
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": dict(options.namespace_metadata or {}, name=options.namespace)}
    entry = inventory.entry_of(obj)
    create_with = project_request.project_request_type(cluster) if live is None else None  # OpenShift: a ProjectRequest
    items.insert(
        0,
        PlanItem(
            entry=entry,
            rtype=rtype,
            origin="CreateNamespace",
            desired=obj,
            live=live,
            tracked=False,
            sort_key=ordering.sort_key(obj, False),
            create_with=create_with,
        ),
    )
    items.sort(key=lambda i: i.sort_key)
    if live is None:
        pending_namespaces.add(options.namespace)
