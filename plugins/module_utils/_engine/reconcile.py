# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile one Application end to end, in one process:

1. Parse the spec.
2. Resolve the source (fetch, or the checkout of the declaring Application).
3. Render the path into manifests.
4. Plan: compare desired with live (reads only).
5. Decide (automated / selfHeal / manual) and, when writing, take the Application's
   lock and plan again under it, then execute (apply, prune).
6. Assess health (optionally wait).
7. Record status (only when it changed: a no-op reconcile writes nothing).

Any error before step 5 leaves the cluster untouched and is recorded as a condition.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import (
    analysis,
    analysis_providers,
    app_analysis,
    app_metrics,
    app_status,
    application,
    argocd_application,
    clusters,
    health,
    hooks,
    inventory,
    messages,
    multi_source,
    project_check,
    projects,
    prune_guard,
    rollback,
    strategies,
    strategy_sync,
    sync_gate,
    sync_windows,
    triggers,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan as planner
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync as syncer
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_FINALIZER,
    APP_KIND,
    APP_UNKNOWN,
    DEFAULT_PRUNE_PROPAGATION,
    HEALTHY,
    HOOK_TIMEOUT,
    OPT_PRUNE_PROPAGATION,
    PROPAGATION_POLICIES,
    SKIPPED,
    WAVE_TIMEOUT,
    WRITE_ACTIONS,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError, LockError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions


@dataclass(frozen=True)
class Settings:
    """Per-run choices of the caller (module parameters)."""

    sync: Optional[bool] = None  # None: follow the policy; True: sync now; False: never write
    prune: Optional[bool] = None  # None: spec.syncPolicy.automated.prune
    dry_run: bool = False
    wait_timeout: int = 0
    prune_protected: bool = False
    prune_limit: Optional[int] = None  # the deletion budget (prune_guard.py); None: the default, an Application's syncOptions win
    prune_limit_percent: Optional[int] = None
    salt: str = ""
    default_namespace: str = "default"
    rollback: Optional[str] = None  # a history id or revision to sync (rollback.py); automated sync is then suspended
    resume: bool = False  # end a rollback's suspension
    rollback_cause: Optional[dict] = None  # recorded with a rollback that is not the user's (app_analysis.cause)
    sync_windows: tuple = ()  # Argo CD syncWindows entries (dicts), sync_windows.py
    hook_timeout: float = HOOK_TIMEOUT  # seconds one hook may run
    wave_timeout: float = WAVE_TIMEOUT  # seconds a sync wave may take to become healthy
    time_left: float = 0  # seconds the sync's waits may take in all (the run's deadline); 0: unbounded
    workers: int = 1  # dry-runs and writes of one kind group sent side by side (fanout.py); the modules pass DEFAULT_WORKERS
    slots: Optional[object] = None  # the run's semaphore of those requests in flight, shared by the Applications side by side
    control_namespace: str = ""  # where Projects live (the namespace of the run); "": the Application's own
    promote: bool = False  # pass the current ``pause: {}`` of a canary (strategies.py)
    abort: bool = False  # abort a canary in progress: the canary removed, the stable untouched
    pause_wait: float = 0  # seconds: the longest timed canary pause waited for within the run
    # the Prometheus base URLs an analysis may query (analysis_providers.Provider); (): none
    analysis_providers: tuple = ()


@dataclass
class Outcome:
    """What one reconcile did; the modules turn it into a result."""

    app: str
    revision: str = ""
    sync_status: str = APP_UNKNOWN
    health: object = None
    synced: bool = False
    deleted: bool = False  # the Application is being deleted (finalizer: its objects were pruned)
    reason: str = ""
    changeset: object = None
    error: Optional[GitOpsError] = None
    status: dict = field(default_factory=dict)
    status_written: bool = False
    duration: float = 0.0
    requests: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    lock_holder: str = ""  # who held the Lease when this reconcile could not take it (nothing synced)
    hooks: list = field(default_factory=list)  # each hook run: Argo CD's syncResult.resources shape
    triggers: list = field(default_factory=list)  # notification triggers fired (triggers.py)
    analysis: Optional[analysis.Verdict] = None  # the verdict of spec.analysis after this run's sync (app_analysis.py)
    # an automatic rollback's reconcile carries the one whose analysis failed (its sync's events are told too)
    before_rollback: Optional["Outcome"] = None
    resume_on_new_revision: bool = False  # the policy of a failed strategy analysis, recorded with its rollback
    strategy_objects: frozenset = frozenset()  # subjects of the strategies' objects: their writes are steps, not drift


def _bounds(app_spec, ports, settings):
    """The project_check.Bounds of the Application: its Project from the control
    namespace (one LIST, or the run's: ports.projects); raises ProjectError when the
    project is missing or invalid."""
    control = settings.control_namespace or app_spec.namespace
    catalog = ports.projects(control) if ports.projects is not None else projects.load(ports.cluster, control)
    return project_check.Bounds(catalog.get(app_spec.project), catalog, control)


def _destination(spec, ports, bounds):
    """(record, bounds): the cluster ``spec.destination`` selects (clusters.py), the
    bounds checked against its server and name."""
    record = clusters.RUN_CLUSTER if ports.destinations is None else ports.destinations.select(spec)
    return record, replace(bounds, server=record.server, cluster_name=record.name)


def _at_destination(ports, record):
    """The ports whose cluster is the destination's: the Projects, the Application's
    status and its Lease stay on the cluster of the run (``ports.lock`` and
    ``ports.write_status`` keep theirs)."""
    if ports.destinations is None or record.in_cluster:
        return ports
    return ports.with_changes(cluster=ports.destinations.connect(record), reads=None)  # the shared reads are of the run's cluster


def _signature_keys(spec, bounds):
    """The key IDs every revision of the Application must be signed by: its own
    spec.signatureKeys and its project's (projects.signature_keys)."""
    return projects.signature_keys(bounds.project, spec.signature_keys, bounds.project.subject)


def _as_service_account(ports, bounds, app_spec, settings):
    """The ports of the sync: with a ``destinationServiceAccounts`` entry in the project,
    every read and write of the sync (plan, apply, prune, hooks, health) goes through
    Kubernetes impersonation of that ServiceAccount, so the API server's RBAC is the final
    word; the Application's own status, Lease and Projects stay the agent's."""
    user = project_check.service_account(bounds.project, app_spec.destination_namespace or settings.default_namespace, bounds.server)
    # the shared reads are the agent's: a ServiceAccount's plan reads through its own RBAC
    return ports if user is None else ports.with_changes(cluster=ports.cluster.impersonating(user), reads=None)


def _options(spec, settings, syncing, bounds=None, rollouts=None):
    prune = spec.prune if settings.prune is None else settings.prune
    app_options = syncopts.app_options(spec.sync_options)[0]  # its warnings are the spec's (application.parse)
    budget = prune_guard.budget_of(app_options, settings.prune_limit, settings.prune_limit_percent)
    return SyncOptions(
        namespace=spec.destination_namespace or settings.default_namespace,
        tracking=spec.key,
        prune=bool(prune),
        allow_empty=spec.allow_empty,
        prune_protected=settings.prune_protected,
        prune_limit=budget.count,
        prune_limit_percent=budget.percent,
        force_conflicts=not spec.has_option("ServerSideApplyForce", "false"),
        create_namespace=spec.has_option("CreateNamespace"),
        dry_run=not syncing or settings.dry_run,
        ignore_differences=spec.ignore_differences,
        respect_ignore_differences=spec.has_option("RespectIgnoreDifferences"),
        salt=settings.salt,
        fail_on_shared_resource=spec.has_option("FailOnSharedResource"),
        object_defaults=syncopts.object_defaults(app_options),
        prune_propagation=PROPAGATION_POLICIES.get(app_options.get(OPT_PRUNE_PROPAGATION), DEFAULT_PRUNE_PROPAGATION),
        namespace_metadata=spec.managed_namespace_metadata or {},
        wait_timeout=settings.wait_timeout,
        hook_timeout=settings.hook_timeout,
        wave_timeout=settings.wave_timeout,
        time_left=settings.time_left,
        bounds=bounds,
        workers=settings.workers,
        slots=settings.slots,
        strategy_steered=rollouts.steered if rollouts is not None else frozenset(),
    )


def reconcile(app, ports, settings):
    """Reconcile one Application object through ``ports`` (ports.Ports); never raises a
    GitOpsError (it is returned)."""
    started = time.monotonic()
    now = ports.clock.iso()
    previous = app.get("status") or {}
    meta = app.get("metadata") or {}
    outcome = Outcome(app="%s/%s" % (meta.get("namespace"), meta.get("name")))
    if meta.get("deletionTimestamp"):
        _finalize(app, ports, settings, outcome)
        outcome.duration = time.monotonic() - started
        return outcome
    manifests = None
    base_ports = ports  # the run's own: an automatic rollback reconciles through them again
    try:
        spec = application.parse(app)
        bounds = _bounds(spec, ports, settings)
        record, bounds = _destination(spec, ports, bounds)
        spec = replace(spec, warnings=tuple(spec.warnings) + bounds.project.warnings + record.warnings, signature_keys=_signature_keys(spec, bounds))
        windows = sync_windows.parse(tuple(settings.sync_windows) + bounds.project.sync_windows)
        held = rollback.decide(previous, settings.rollback, settings.resume, settings.sync, now, settings.rollback_cause)
        destination = spec.destination_namespace or settings.default_namespace
        declared = [s.get("repoURL") for s in spec.sources] if spec.sources else [spec.repo_url]
        project_check.check_application(bounds, spec.namespace, destination, declared)  # before anything is fetched
        ports = _as_service_account(_at_destination(ports, record), bounds, spec, settings)  # only a permitted cluster is reached
        held, sourced = _resumed(app, spec, ports, held)
        if held.revision:
            spec = replace(spec, pinned_revision=held.revision)
        sourced = sourced or multi_source.fetch(app, spec, ports.source)  # every source of spec.sources, or the one source
        project_check.check_application(bounds, spec.namespace, destination, [f.repo_url for f in sourced.fetched])  # inherited URLs too
        revision = outcome.revision = sourced.revision
        manifests = multi_source.render(sourced, ports.render)
        # an app-of-apps written for Argo CD: its Applications become ours (argocd_application.py)
        manifests, left_out = argocd_application.convert(manifests, spec.namespace)
        spec = replace(spec, warnings=tuple(spec.warnings) + left_out)
        # a repository names the addresses: only the operator's are queried, checked before any query or write
        analysis_providers.check_all(spec, manifests, destination, settings.analysis_providers, format_id(APP_KIND, spec.namespace, spec.name), bounds.project)
        controls = _controls(settings, ports, started)
        rollouts = strategies.prepare(ports.cluster, manifests, spec.strategy, previous.get(strategies.FIELD), controls, ports.clock, destination)
        manifests = list(rollouts.manifests)
        outcome.strategy_objects = rollouts.objects
        prev_inventory = inventory.from_status(previous.get("inventory"))
        report_options = _options(spec, settings, False, bounds, rollouts)
        plan = planner.build_plan(ports.reads or ports.cluster, manifests, prev_inventory, report_options)
        syncer.check_empty_guard(plan, report_options)
    except GitOpsError as exc:
        outcome.error = exc = syncer.scrub_error(exc, [m.obj for m in manifests or ()])
        outcome.sync_status = APP_UNKNOWN
        outcome.status = status = application.next_status(
            previous,
            sync=dict(previous.get("sync") or {}, status=APP_UNKNOWN),
            conditions=[application.condition(application.COMPARISON_ERROR, "%s failed: %s" % (exc.step, exc), previous.get("conditions"), now)],
            metrics=app_metrics.after_error(previous, now, ports.clock.iso(), time.monotonic() - started, outcome.revision),
        )
        _triggers(previous, outcome, settings)
        _record(ports, app, previous, status, settings, outcome)
        outcome.duration = time.monotonic() - started
        return outcome

    planned = syncer.planned_status(plan)
    gate = sync_gate.decide(spec, previous, revision, planned, settings, held, windows, ports.clock.now(), (record.name, record.server), rollouts.progressing)
    if gate.strategies_only and not strategy_sync.writes(plan, rollouts.objects):
        gate = replace(gate, do_sync=False, reason=gate.policy, strategies_only=False)  # nothing of theirs to write
    do_sync, outcome.reason = gate.do_sync, gate.reason
    result = blocked = None
    if do_sync and not settings.dry_run:
        try:
            with ports.lock(spec) as held:
                options = _options(spec, settings, True, bounds, rollouts)
                plan = planner.build_plan(ports.cluster, manifests, prev_inventory, options, earlier=plan)
                result = _execute(ports, plan, options, held, gate, rollouts, report_options)
        except LockError as exc:
            blocked = exc
            do_sync = False
        except GitOpsError as exc:
            result = syncer.SyncResult(changeset=None, inventory=prev_inventory, sync_status=planned, error=exc, plan=plan)
    if result is None and do_sync:  # check mode: what the sync would do (the strategies' objects alone, when only they need it)
        result = _execute(ports, plan, report_options, None, gate, rollouts, report_options)
    if result is None:  # report only: in sync, policy says no, or lock held
        result = syncer.execute(ports.cluster, plan, report_options, ports.clock)
    if blocked is not None:
        result = _lock_blocked(result, blocked, outcome)
    elif not do_sync and not settings.dry_run:
        result = _not_synced(result, outcome.reason)
    result = syncer.without_secret_values(result, [m.obj for m in manifests])
    outcome.changeset = result.changeset
    outcome.sync_status = result.sync_status
    outcome.synced = do_sync
    outcome.error = result.error
    outcome.hooks = [h.to_status() for h in result.hooks]
    outcome.warnings.extend(result.notes)
    plan = result.plan  # as carried out: kinds resolved during the sync under their real ids

    if settings.wait_timeout and not settings.dry_run and result.error is None:
        pairs = syncer.wait_healthy(ports.cluster, plan, result.live, _options(spec, settings, True), ports.clock)
    else:
        pairs = syncer.assess(plan, result.live)
    outcome.health = _overall_health(pairs, rollouts)
    report = app_status.Report(
        spec=spec,
        sourced=sourced,
        plan=plan,
        result=result,
        health=outcome.health,
        reason=outcome.reason,
        synced=do_sync and not settings.dry_run,
        started=now,
        finished=ports.clock.iso(),
        hooks=tuple(outcome.hooks),
        healths=tuple(pairs),
        gate=replace(gate, clock=ports.clock.now()),  # a retry's backoff counts from the end of the failed attempt
        seconds=time.monotonic() - started,
        rollouts=None if settings.dry_run else rollouts,  # check mode advances no strategy
    )
    outcome.status, warnings = app_status.next_status(previous, report)
    outcome.warnings.extend(warnings)
    analyse = app_analysis.due(spec, spec.pinned_revision, settings.dry_run, do_sync, result)
    unfinished = app_analysis.unfinished_rollback(previous, revision, settings.dry_run, spec.pinned_revision)
    if (rollouts.failed or unfinished) and not settings.dry_run and blocked is None and result.error is None:
        _strategy_failed(spec, rollouts, outcome, previous, now, ports, unfinished)  # rolled back below, as a failed spec.analysis
    elif blocked is None and result.error is None and (analyse or app_analysis.interrupted(spec, previous, revision, settings.dry_run)):
        _analyse(spec, ports, app, settings, outcome, previous, started)
    _triggers(previous, outcome, settings)
    if blocked is None:  # else the Lease's holder is writing this status: leave it to it
        _record(ports, app, previous, outcome.status, settings, outcome)
    if outcome.analysis is not None and outcome.analysis.phase == analysis.FAILED and outcome.error is None:
        outcome = _roll_back(app, base_ports, settings, outcome, previous)
    outcome.duration = time.monotonic() - started
    return outcome


def _execute(ports, plan, options, held, gate, rollouts, report_options):
    """Carry out the plan; a run only the strategies need (automated without selfHeal, no
    new revision) writes their objects alone and reports the other objects' drift."""
    if not gate.strategies_only:
        return syncer.execute(ports.cluster, plan, options, ports.clock, held=held)
    skipped = strategy_sync.left_out(plan, rollouts.objects)
    result = syncer.execute(ports.cluster, strategy_sync.narrow(plan, rollouts.objects, gate.policy), options, ports.clock, held=held)
    report = syncer.execute(ports.cluster, plan, report_options, ports.clock)
    return strategy_sync.merged(result, report, skipped, gate.policy)


def _resumed(app, spec, ports, held):
    """(held, sourced): an automatic rollback whose policy lets a new commit end it
    (spec.analysis.rollback.resumeOnNewRevision) ends when targetRevision has moved past
    the failed revision; then the commit fetched is the one to render. Otherwise
    ``held`` as it is and None (the rolled-back revision is fetched as usual)."""
    if not app_analysis.may_resume(held, spec):
        return held, None
    latest = multi_source.fetch(app, spec, ports.source)
    if app_analysis.resumed_by(held, latest.revision):
        return rollback.Decision(), latest
    return held, None


def _analyse(spec, ports, app, settings, outcome, previous, started):
    """Measure spec.analysis after this run's sync and put its verdict in the status; the
    sync is recorded first, with the analysis Running (app_analysis.interrupted)."""
    begun = ports.clock.iso()
    outcome.status = app_analysis.running(outcome.status, outcome.revision, begun)
    _record(ports, app, previous, outcome.status, settings, outcome)
    left = max(settings.time_left - (time.monotonic() - started), 0.001) if settings.time_left else 0
    verdict = app_analysis.measure(spec, ports.metrics, ports.clock, left)
    outcome.analysis = verdict
    outcome.status = app_analysis.record(outcome.status, previous, verdict, outcome.revision, begun, ports.clock.iso())
    if verdict.phase != analysis.SUCCESSFUL:
        outcome.warnings.append(verdict.message)


def _strategy_failed(spec, rollouts, outcome, previous, started, ports, unfinished):
    """A strategy's analysis failed in this run (the strategy aborted), or in an earlier
    one whose rollback did not happen (``unfinished``: its verdict and policy): the
    verdict is the run's, recorded as status.analysis (source: strategy) with its
    AnalysisFailed condition, and reconcile() rolls the Application back as after a failed
    spec.analysis; the rollback records the analysis's own resumeOnNewRevision policy."""
    verdict, resume = app_analysis.strategy_failure(rollouts.failed, spec) if rollouts.failed else unfinished
    outcome.analysis, outcome.resume_on_new_revision = verdict, resume
    source = app_analysis.SOURCE_STRATEGY
    outcome.status = app_analysis.record(outcome.status, previous, verdict, outcome.revision, started, ports.clock.iso(), source, resume)
    if not rollouts.failed:  # the verdict as it was measured
        outcome.status[app_analysis.FIELD] = previous[app_analysis.FIELD]
    outcome.warnings.append(verdict.message)


def _roll_back(app, ports, settings, failed, previous):
    """The analysis of ``failed``'s sync failed: reconcile again, rolling back to the last
    healthy revision (rollback.py: automated sync is then suspended); the outcome of that
    reconcile, carrying ``failed``. Without an earlier revision, ``failed`` as it is."""
    verdict, revision = failed.analysis, failed.revision
    target = app_analysis.rollback_target(failed.status, revision)
    if target is None:
        failed.reason = app_analysis.no_target_message(verdict)
        return failed
    cause = app_analysis.cause(verdict, revision, failed.resume_on_new_revision)
    again = reconcile(dict(app, status=failed.status), ports, replace(settings, rollback=str(target["id"]), rollback_cause=cause, sync=None, resume=False))
    again.analysis, again.before_rollback = verdict, failed
    again.warnings = failed.warnings + again.warnings
    if again.error is None:
        again.reason = app_analysis.rolled_back_message(verdict, target)
    _triggers(previous, again, settings)
    return again


def _triggers(previous, outcome, settings):
    """The notification triggers of a real run (check mode tells no one)."""
    if not settings.dry_run:
        outcome.triggers = triggers.fired(previous, outcome.status)


def _overall_health(pairs, rollouts=None):
    """Worst health of the objects and of the strategies in progress (a canary stepping is
    Progressing, paused Suspended, aborted Degraded); its message bounded (it quotes the
    objects' status)."""
    overall = health.aggregate(pairs) if pairs else health.Health(HEALTHY, "no objects")
    overall = strategies.worst(overall, rollouts)
    return replace(overall, message=messages.bounded(overall.message))


def _controls(settings, ports, started):
    """The strategies' Controls of this run: check mode waits for no pause and measures no
    analysis step; the run's deadline bounds both."""
    if settings.dry_run:
        return strategies.Controls(promote=settings.promote, abort=settings.abort)
    wait = min(settings.pause_wait, settings.time_left) if settings.time_left else settings.pause_wait

    def analyze(spec):
        if ports.metrics is None:
            return analysis.Verdict(analysis.INCONCLUSIVE, "analysis Inconclusive: this run has no metrics provider")
        deadline = ports.clock.now() + max(settings.time_left - (time.monotonic() - started), 0.001) if settings.time_left else None
        return analysis.run_analysis(spec, ports.metrics, ports.clock.sleep, ports.clock.now, deadline)

    return strategies.Controls(promote=settings.promote, abort=settings.abort, pause_wait=wait, analyze=analyze)


def _not_synced(result, reason):
    """A real run whose policy said no (manual, selfHeal off, sync=false): the drift is
    reported, its diffs kept, but no write is claimed (the task is not changed and the
    summary counts nothing as created or pruned). Check mode keeps the planned actions:
    there they are what would happen."""
    if result.changeset is None:
        return result
    return replace(result, changeset=_skip_writes(result.changeset, reason, keep_diff=True))


def _lock_blocked(result, exc, outcome):
    """Another reconcile holds the Lease: report the drift, claim no action.

    The planned writes become 'skipped' (a summary must not count what was not done). A
    wait for the lock that ran out is an error (the module fails: a due sync did not
    happen); a skip chosen with ``lock: skip`` is a warning only."""
    outcome.reason = "not synced: %s" % exc.message
    outcome.lock_holder = exc.details.get("holder") or "another reconcile"
    outcome.warnings.append(outcome.reason)
    changeset = _skip_writes(result.changeset, outcome.reason, keep_diff=False)
    return replace(result, changeset=changeset, error=None if exc.details.get("skipped") else exc)


def _skip_writes(changeset, reason, keep_diff):
    """The change set with every planned write (create, configure, prune) turned into
    'skipped' for ``reason`` (an entry's own reason is kept); ``keep_diff`` keeps what
    the write would have changed."""
    entries = []
    for e in changeset.entries:
        if e.action not in WRITE_ACTIONS:
            entries.append(e)
        elif keep_diff:
            entries.append(replace(e, action=SKIPPED, reason=e.reason or reason))
        else:
            entries.append(replace(e, action=SKIPPED, reason=reason, before=None, after=None))
    return ChangeSet(tuple(entries))


def _finalize(app, ports, settings, outcome):
    """A deleted Application: with our finalizer, prune every object of its inventory
    (protected kinds and objects no longer ours excepted), then let it go."""
    meta = app["metadata"]
    if APP_FINALIZER not in (meta.get("finalizers") or []):
        outcome.reason = "being deleted without the %s finalizer: its objects stay" % APP_FINALIZER
        return
    try:
        spec = application.parse(app)
        bounds = _bounds(spec, ports, settings)
        record, bounds = _destination(spec, ports, bounds)
        spec = replace(spec, signature_keys=_signature_keys(spec, bounds))  # its PreDelete hooks come from a verified revision too
        ports = _as_service_account(_at_destination(ports, record), bounds, spec, settings)
        options = replace(_options(spec, settings, not settings.dry_run, bounds), prune=True, allow_empty=True, deleting=True)
        prev_inventory = inventory.from_status((app.get("status") or {}).get("inventory"))
        deletion_hooks = [] if settings.dry_run else _deletion_hooks(app, spec, ports, outcome)
        if settings.dry_run:
            result = syncer.execute(ports.cluster, planner.build_plan(ports.cluster, [], prev_inventory, options), options, ports.clock)
        else:
            with ports.lock(spec) as held:
                plan = planner.build_plan(ports.cluster, deletion_hooks, prev_inventory, options)
                result = syncer.execute_deletion(ports.cluster, plan, options, ports.clock, held=held)
    except GitOpsError as exc:
        outcome.error = exc
        return
    outcome.changeset, outcome.error, outcome.synced, outcome.deleted = result.changeset, result.error, True, True
    outcome.hooks = [h.to_status() for h in result.hooks]
    outcome.warnings.extend(result.notes)
    outcome.revision = ((app.get("status") or {}).get("sync") or {}).get("revision") or ""
    outcome.reason = "Application deleted: pruning its objects"
    if result.error is None and not settings.dry_run and ports.remove_finalizer is not None:
        ports.remove_finalizer(app)


def _deletion_hooks(app, spec, ports, outcome):
    """The PreDelete / PostDelete hooks (manifests) of the Application's render. A source or
    render failing now only skips them, with a warning: deleting an Application must not
    depend on its repository still being there."""
    try:
        manifests = multi_source.render(multi_source.fetch(app, spec, ports.source), ports.render)
    except GitOpsError as exc:
        outcome.warnings.append("deletion hooks not run: %s failed: %s" % (exc.step, exc))
        return []
    _ordinary, hooked, _warnings = hooks.split(manifests)
    return [m for m, hook in hooked if any(phase in hooks.DELETION_PHASES for phase in hook.phases)]


def _record(ports, app, previous, status, settings, outcome):
    """Write the status when it changed. A failed write (API server gone mid-run) is this
    Application's error, or a warning beside the error it already has: reconcile() never
    raises, so one Application cannot end a run of many."""
    if settings.dry_run or status == previous:
        return
    try:
        ports.write_status(app, status)
    except GitOpsError as exc:
        if outcome.error is None:
            outcome.error = exc
        else:
            outcome.warnings.append("cannot record status: %s" % exc)
        return
    outcome.status_written = True
