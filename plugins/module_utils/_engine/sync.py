# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Execute a plan: apply what is missing or out of sync, in order; then prune.

- Unchanged objects are never written.
- A CRD created in this sync is waited for (Established) before its custom resources.
- The objects of one kind group of one wave (phases.kind_groups) are written up to
  ``options.workers`` side by side (fanout.py); the groups, waves and phases keep their
  order. The first failed write stops the sync (no further write starts; those already
  sent finish, and every failure is reported); nothing is pruned after a failure, and the
  inventory keeps every object that may exist (previous plus applied).
- Each object is written the way its sync options ask (object_write.py: apply, or
  Replace / Force as in Argo CD).
- Pruning deletes only planned objects (previous inventory, gone from Git, carrying
  our tracking annotation), with a uid precondition, in reverse apply order, with the
  Application's PrunePropagationPolicy. Objects with PruneLast=true (or every one, when the
  Application sets it) are pruned last, once every applied object is healthy (Argo CD's
  implicit last wave); until then they are not pruned and the sync fails with a health error,
  so the next run tries again.
- An empty desired set never prunes unless allow_empty is set.
- With FailOnSharedResource, an object also managed by another owner stops the sync
  before its first write.
- Under a lock, ``held.check()`` is asked before every write: a lock lost meanwhile
  (renewal found another holder) stops the sync at that object, like a failed write.
- The plan is never changed: an item whose kind is resolved while the sync runs (a CRD
  created in it, SkipDryRunOnMissingResource) becomes a new item, and the plan as carried
  out (``SyncResult.plan``) is what the inventory, the health waits and the status use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import authority, compare, crds, fanout, health, hook_run, phases, redact
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_OUT_OF_SYNC,
    APP_SYNCED,
    CONFIGURED,
    CREATED,
    EXTRA,
    HEALTHY,
    HOOK_POLL_INTERVAL,
    PHASE_POST_DELETE,
    PHASE_POST_SYNC,
    PHASE_PRE_DELETE,
    PRUNE_LAST_TIMEOUT,
    PRUNED,
    SKIPPED,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import (
    ApplyError,
    ClusterError,
    GitOpsError,
    HealthTimeout,
    LockError,
    PruneError,
    SafetyError,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.object_write import resolve_missing_kind, write_object
from ansible_collections.gitops.k8s.plugins.module_utils._engine.plan import dry_run, shared_message


@dataclass
class SyncResult:
    changeset: ChangeSet
    inventory: tuple
    sync_status: str
    error: Optional[GitOpsError] = None
    live: dict = field(default_factory=dict)  # ObjectId -> latest known live object
    hooks: tuple = ()  # hook_run.HookResult of every hook run, in order
    notes: tuple = ()  # what went wrong without failing the sync (a hook not deleted, a SyncFail hook failed)
    # the plan as carried out: the given one, with the items whose kind was resolved during
    # the sync replaced by their resolved form (the given plan is never changed)
    plan: Any = None


def check_empty_guard(plan, options):
    """Refuse to prune everything because the desired set came out empty."""
    to_prune = [i for i in plan.extra if i.action == PRUNED]
    if not plan.desired_entries and to_prune and not options.allow_empty:
        raise SafetyError(
            "the render produced no objects; refusing to prune %d object(s) of the previous inventory "
            "(set syncPolicy.automated.allowEmpty to allow)" % len(to_prune),
            subject=options.tracking or "sync",
        )


def check_shared_guard(plan, options):
    """FailOnSharedResource=true: refuse to write anything when an object of the plan is
    also managed by another owner (by default it is applied, with a warning)."""
    shared = shared_message(plan) if options.fail_on_shared_resource else ""
    if shared:
        raise SafetyError("FailOnSharedResource=true: refusing to sync: %s" % shared, subject=options.tracking or "sync")


def _wait_crd_established(cluster, item, options, clock):
    """Wait until the CRD serving item's kind is Established, then refresh discovery;
    returns ``item`` with the type the server now serves its kind as."""
    name = "%s.%s" % (item.rtype.plural, item.rtype.group)
    if not crds.wait_established(cluster, clock, name, options.crd_timeout):
        raise ApplyError("CustomResourceDefinition %s not Established after %ss" % (name, options.crd_timeout), subject=item.subject)
    return replace(item, rtype=cluster.resolve(item.desired["apiVersion"], item.desired["kind"]), pending_crd=False)


def _resolved(cluster, item, options, clock):
    """``item`` with its kind resolved when the plan could not (its CRD created earlier in
    this sync, or SkipDryRunOnMissingResource); ``item`` itself otherwise."""
    if item.pending_crd:
        return _wait_crd_established(cluster, item, options, clock)
    if item.kind_missing:
        return resolve_missing_kind(cluster, item)
    return item


def _entry(item, salt, after=None):
    before = None
    if item.action not in (CREATED, CONFIGURED, PRUNED):  # an unchanged or skipped object carries no before/after
        after = None
    else:  # copies made only for what is shown (a no-op of 5,000 objects copied each live object here)
        before = compare.strip_volatile(item.live, keep_status=False) if item.live is not None else None
        after = after if after is not None else item.predicted
        if after is not None:
            after = compare.strip_volatile(after, keep_status=False)
        elif item.action == CREATED:
            after = item.desired
    return ChangeSetEntry(
        subject=item.subject,
        action=item.action,
        status=item.status,
        reason=item.reason,
        before=redact.redact(before, salt) if before is not None else None,
        after=redact.redact(after, salt) if after is not None else None,
    )


def _app_status(plan, error, pruned=()):
    if error is not None:
        return APP_OUT_OF_SYNC
    if any(i.blocks_sync and i.entry.id not in pruned for i in plan.extra):
        return APP_OUT_OF_SYNC
    return APP_SYNCED


def planned_status(plan):
    """Application sync status of a plan before acting (drift report)."""
    if any(i.action in (CREATED, CONFIGURED) for i in plan.items):
        return APP_OUT_OF_SYNC
    return _app_status(plan, None)


def _still_held(held):
    """Raise LockError when the lock this sync runs under was lost (no request)."""
    if held is not None:
        held.check()


def secret_scrubber(objects):
    """A function removing every value of the Secrets among ``objects`` from a text (the
    API server's or a webhook's message may quote what it refused); None without any."""
    secrets = [value for obj in objects for value in redact.secret_values(obj)]
    if not secrets:
        return None
    return lambda text: redact.redact_text(text, secrets)


def scrub_error(error, objects):
    """``error`` without the value of any Secret among ``objects``."""
    scrub = secret_scrubber(objects)
    return error.scrubbed(scrub) if error is not None and scrub else error


def without_secret_values(result, objects):
    """A SyncResult without the value of any Secret among ``objects`` (the rendered ones)
    in its error or in the reasons of its change set."""
    scrub = secret_scrubber(objects)
    if scrub is None:
        return result
    changeset = result.changeset
    if changeset is not None:
        changeset = ChangeSet(tuple(replace(e, reason=scrub(e.reason)) if e.reason else e for e in changeset.entries))
    return replace(result, error=result.error.scrubbed(scrub) if result.error is not None else None, changeset=changeset)


def execute(cluster, plan, options, clock, held=None):
    """Carry out the plan (or, with options.dry_run, report it). Never raises for a
    failed write or a lost lock: the error is returned with what was done before it.
    ``held``: the lock handle (``check()``), or None when not writing under a lock.

    Steps (phases.py): PreSync hooks, the Sync waves (each wave healthy before the next),
    pruning, PostSync hooks once everything is healthy; SyncFail hooks after a failure.
    Hooks run only when the sync writes something (Argo CD runs them per sync operation)."""
    check_empty_guard(plan, options)
    salt = options.salt
    if options.dry_run:
        entries = [_entry(i, salt) for i in plan.items] + [_entry(i, salt) for i in plan.extra]
        return SyncResult(
            ChangeSet(tuple(entries)),
            plan.previous,
            planned_status(plan),
            live=dict((i.entry.id, i.live) for i in plan.items if i.live is not None),
            plan=plan,
        )
    check_shared_guard(plan, options)
    run = _Run(cluster, plan, options, clock, held)
    with_hooks = _writes(plan)
    all_steps = phases.steps(plan, with_hooks=with_hooks)
    for index, step in enumerate(all_steps):
        if step.phase == PHASE_POST_SYNC and not run.pruned_done:
            run.prune()
            if run.error is None:
                run.wait_healthy(plan.items, "before the PostSync hooks")
        if run.error is None:
            run.step(step)
        if run.error is None and phases.later_sync_wave(all_steps, index):
            run.wait_healthy(step.objects, "before wave %d" % all_steps[index + 1].wave)
        if run.error is not None:
            break
    if not run.pruned_done:
        run.prune()
    if run.error is not None and with_hooks:
        for step in phases.fail_steps(plan):
            run.hooks(step, failing=True)
    entries = run.entries + [_skipped_hook_entry(i) for i in plan.hooks if not i.hook.phases]
    return run.result(entries)


def execute_deletion(cluster, plan, options, clock, held=None):
    """A deleted Application's plan (every object extra): PreDelete hooks, pruning, then
    PostDelete hooks, as Argo CD's deletion hooks. A failed PreDelete hook prunes nothing
    (the finalizer stays: the next run tries again)."""
    if options.dry_run or not plan.hooks:
        return execute(cluster, plan, options, clock, held=held)
    check_empty_guard(plan, options)
    run = _Run(cluster, plan, options, clock, held)
    for step in phases.hook_steps(plan, PHASE_PRE_DELETE):
        if run.error is None:
            run.hooks(step)
    run.prune()
    for step in phases.hook_steps(plan, PHASE_POST_DELETE):
        if run.error is None:
            run.hooks(step)
    return run.result(run.entries)


def _awaits_namespace(item, namespaces):
    """Whether ``item`` is to be created in one of ``namespaces`` and was not dry-run when
    planned (a kind not served yet cannot be: its CRD comes first; a ProjectRequest never)."""
    return (
        item.action == CREATED
        and item.live is None
        and item.predicted is None
        and item.entry.namespace in namespaces
        and not (item.pending_crd or item.kind_missing or item.create_with is not None)
    )


def _writes(plan):
    return any(i.action in (CREATED, CONFIGURED) for i in plan.items) or any(i.action == PRUNED for i in plan.extra)


def _skipped_hook_entry(item):
    why = "%s: Skip" % item.hook.source if item.hook.skip else "%s: no phase a sync runs" % item.hook.source
    return ChangeSetEntry(subject=item.subject, action=SKIPPED, reason="hook not applied (%s)" % why)


class _Run:
    """The state of one sync while it runs: entries so far, live objects, what was applied
    and pruned, hook outcomes, the first error, and the items resolved on the way (the
    plan itself is never changed)."""

    def __init__(self, cluster, plan, options, clock, held):
        self.cluster, self.plan, self.options, self.clock, self.held = cluster, plan, options, clock, held
        self.entries, self.applied, self.pruned = [], [], set()
        self.resolved = {}  # ObjectId as planned -> the item with its kind resolved
        # what the plan read of the live objects: a sync that stops early (a failed PreSync
        # hook) still reports the health of the objects it left untouched, not "Missing"
        self.live = dict((i.entry.id, i.live) for i in plan.items if i.live is not None)
        self.hook_results, self.notes, self.error = [], [], None
        self.pruned_done = False
        self._ends = clock.now() + options.time_left if options.time_left else None

    def current(self, item):
        """The latest form of a planned item: resolved during this sync, or as planned."""
        return self.resolved.get(item.entry.id, item)

    def executed(self):
        """The plan as carried out so far (the resolved items in place of the planned)."""
        if not self.resolved:
            return self.plan
        return replace(self.plan, items=tuple(self.current(i) for i in self.plan.items))

    def result(self, entries):
        """The SyncResult of this run with the change set ``entries``."""
        plan = self.executed()
        return SyncResult(
            ChangeSet(tuple(entries)),
            _next_inventory(plan, self.applied, self.pruned, self.error),
            _app_status(plan, self.error, self.pruned),
            self.error,
            self.live,
            hooks=tuple(self.hook_results),
            notes=tuple(self.notes),
            plan=plan,
        )

    def left(self):
        """Seconds left of the sync's time (the run's deadline), or None without one."""
        return None if self._ends is None else max(0.0, self._ends - self.clock.now())

    def step(self, step):
        for group in phases.kind_groups(step.objects):
            if not self.write_group(group):
                return
        if step.hooks:
            self.hooks(step)

    def write_group(self, items):
        """Apply the objects of one kind group (one wave, one kind) to write, up to
        ``options.workers`` side by side, and record the unchanged ones; False after a
        failure. The kinds are resolved first, in order (a CRD created earlier in this sync
        is waited for once); after a failed write no further write of the group starts, the
        ones already sent finish, and every failure is in the sync's error."""
        pending = [item for item in items if item.action in (CREATED, CONFIGURED)]
        try:
            for index, item in enumerate(pending):
                resolved = _resolved(self.cluster, item, self.options, self.clock)
                if resolved is not item:
                    self.resolved[item.entry.id] = pending[index] = resolved
        except (LockError, ClusterError) as exc:
            self.error = self._write_error(exc, item)
            return False
        outcomes = iter(
            fanout.each(self._write_one, pending, self.options.workers, catch=(LockError, ClusterError), stop_on_error=True, slots=self.options.slots)
        )
        errors, created_namespaces = [], set()
        for item in items:
            if item.action not in (CREATED, CONFIGURED):
                self.entries.append(_entry(item, self.options.salt))
                if item.live is not None:
                    self.live[item.entry.id] = item.live
                continue
            outcome = next(outcomes)
            item = outcome.item
            if outcome.error is not None:
                errors.append(self._write_error(outcome.error, item))
            elif outcome.ran:
                self.entries.append(_entry(item, self.options.salt, after=outcome.value))
                self.live[item.entry.id] = outcome.value
                self.applied.append(item.entry)
                if item.entry.kind == "Namespace" and item.live is None:
                    created_namespaces.add(item.entry.name)
        if errors:
            locks = [e for e in errors if isinstance(e, LockError)]
            self.error = locks[0] if locks else fanout.summary(errors)
            return False
        return self.validate_in(created_namespaces)

    def validate_in(self, namespaces):
        """Dry-run the objects of the plan that wait for one of ``namespaces``, just created by
        this sync (the API server cannot dry-run into a namespace that does not exist, so the
        plan could not), before any of them is written. False, with every invalid object
        named in the sync's error, when one is refused: none of them is written."""
        waiting = [item for item in map(self.current, self.plan.items) if _awaits_namespace(item, namespaces)]
        if not waiting:
            return True
        options = self.options
        outcomes = fanout.each(lambda item: dry_run(self.cluster, item, options), waiting, options.workers, catch=ApplyError, slots=options.slots)
        errors = fanout.errors_of(outcomes)
        if errors:
            self.error = fanout.summary(errors)
            return False
        return True

    def _write_one(self, item):
        """Write one object of the plan (a worker of write_group): what the server returned.
        The lock is asked before each write, so a lost lock stops the writes not yet sent."""
        _still_held(self.held)
        return write_object(self.cluster, item, self.options, self.clock)

    @staticmethod
    def _write_error(exc, item):
        """The sync's error for a failed write of ``item``: a lost lock as it is, a refused
        request as an ApplyError naming the object and where it came from."""
        if isinstance(exc, LockError):
            return exc
        return ApplyError("apply failed: %s" % exc.message, subject=item.subject, details={"origin": item.origin})

    def hooks(self, step, failing=False):
        """Run the hooks of a step; a failure is the sync's error (a SyncFail hook's only a
        note: the sync already failed)."""
        try:
            _still_held(self.held)
        except LockError as exc:
            self.error = self.error or exc
            return
        results, error, notes = hook_run.run(self.cluster, step.hooks, step.phase, self.options, self.clock, self.left)
        self.hook_results.extend(results)
        self.notes.extend(notes)
        for result in results:
            if result.name:
                self.entries.append(
                    ChangeSetEntry(
                        subject=result.subject,
                        action=CREATED,
                        reason="%s hook: %s%s" % (step.phase, result.status, " (%s)" % result.message if result.message else ""),
                    )
                )
        if error is not None and failing:
            self.notes.append(str(error))
        elif error is not None:
            self.error = error

    def wait_healthy(self, items, when):
        """Wait until every tracked object of ``items`` is healthy (Argo CD's waves), for
        at most wave_timeout; else a HealthTimeout naming the unhealthy objects.

        Our own Applications are not waited for: the run reconciles them after their
        parent, in wave order (Argo CD does not assess Application health by default either)."""
        tracked = [self.current(i) for i in items if i.tracked and not authority.is_application(i.entry)]
        seconds = self.options.wave_timeout if self.left() is None else min(self.options.wave_timeout, self.left())
        ends = self.clock.now() + seconds
        while True:
            pending = [(i.subject, health.assess(self.live.get(i.entry.id))) for i in tracked]
            pending = [(s, h) for s, h in pending if h.status != HEALTHY]
            if not pending:
                return
            if self.clock.now() >= ends:
                self.error = HealthTimeout(
                    "not healthy after %gs (wave_timeout) %s: %s" % (seconds, when, health.aggregate(pending).message), subject=pending[0][0]
                )
                return
            self.clock.sleep(HOOK_POLL_INTERVAL)
            for item in tracked:
                if health.assess(self.live.get(item.entry.id)).status != HEALTHY:
                    self.live[item.entry.id] = self.cluster.get(item.rtype, item.entry.namespace or None, item.entry.name)

    def prune(self):
        """Prune the planned extra objects (nothing after an error); PruneLast ones only
        once every applied object is healthy."""
        self.pruned_done = True
        plan, options = self.plan, self.options
        first = [i for i in plan.extra if not (i.action == PRUNED and i.prune_last)]
        self.error = _prune(self.cluster, first, options, self.held, self.entries, self.pruned, self.error)
        if plan.prune_last:
            if self.error is None:
                self.error = _healthy_before_prune_last(self.cluster, self.executed(), self.live, options, self.clock)
            self.error = _prune(self.cluster, plan.prune_last, options, self.held, self.entries, self.pruned, self.error)


def _healthy_before_prune_last(cluster, plan, live, options, clock):
    """PruneLast: None once every applied object is healthy, else the HealthTimeout that
    keeps the PruneLast objects (the next run tries again)."""
    timeout = options.prune_last_timeout or options.wait_timeout or PRUNE_LAST_TIMEOUT
    pairs = wait_healthy(cluster, plan, live, replace(options, wait_timeout=timeout), clock)
    unhealthy = ["%s (%s)" % (subject, h.status) for subject, h in pairs if h.status != HEALTHY]
    if not unhealthy:
        return None
    names = ", ".join(str(i.entry) for i in plan.prune_last)
    return HealthTimeout("PruneLast: %s not pruned: %s not healthy after %ss" % (names, ", ".join(unhealthy[:5]), timeout), subject=unhealthy[0].split(" ")[0])


def _prune(cluster, items, options, held, entries, pruned, error):
    """Prune the planned ones of ``items`` (nothing after an error); returns the error."""
    salt = options.salt
    for item in items:
        if error is None and item.action == PRUNED:
            try:
                _still_held(held)
                cluster.delete(
                    item.rtype,
                    item.entry.namespace or None,
                    item.entry.name,
                    uid=(item.live.get("metadata") or {}).get("uid"),
                    propagation=options.prune_propagation,
                )
                pruned.add(item.entry.id)
            except LockError as exc:
                error = exc
                entries.append(ChangeSetEntry(subject=item.subject, action=SKIPPED, status=EXTRA, reason="not pruned: %s" % exc))
                continue
            except ClusterError as exc:
                error = PruneError("prune failed: %s" % exc.message, subject=item.subject)
                entries.append(ChangeSetEntry(subject=item.subject, action=SKIPPED, status=EXTRA, reason="prune failed: %s" % exc.message))
                continue
            entries.append(_entry(item, salt))
        elif item.action == PRUNED:
            entries.append(ChangeSetEntry(subject=item.subject, action=SKIPPED, status=EXTRA, reason="not pruned: the sync failed"))
        else:
            entries.append(_entry(item, salt))
    return error


def _next_inventory(plan, applied, pruned, error):
    """Objects this Application may own after the sync."""
    keep_extra = [i.entry for i in plan.extra if i.owned and i.entry.id not in pruned]
    if error is None:
        return tuple(sorted(set(plan.desired_entries + keep_extra)))
    existing = [i.entry for i in plan.items if i.tracked and i.live is not None]
    return tuple(sorted(set(list(plan.previous) + existing + applied) - set(e for e in plan.previous if e.id in pruned)))


def assess(plan, live):
    """(ObjectId, Health) of every tracked desired object, from the latest live state."""
    out = []
    for item in plan.items:
        if item.tracked:
            out.append((item.subject, health.assess(live.get(item.entry.id))))
    return out


def wait_healthy(cluster, plan, live, options, clock):
    """Poll unhealthy objects until all are Healthy or the timeout passes; returns the
    final (subject, Health) list. Objects are read with GET (only the unhealthy ones)."""
    deadline = clock.now() + options.wait_timeout
    while True:
        pending = [i for i in plan.items if i.tracked and health.assess(live.get(i.entry.id)).status != HEALTHY]
        if not pending or clock.now() >= deadline:
            return assess(plan, live)
        clock.sleep(1.0)
        for item in pending:
            obj = cluster.get(item.rtype, item.entry.namespace or None, item.entry.name)
            live[item.entry.id] = obj
