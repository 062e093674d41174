# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each module does, once its parameters are checked: ``run_<module>(module) -> dict``.

Modules are their documentation, argument spec and ``main()``, which hands one of these
functions to GitOpsModule.execute (kubernetes.core's ``k8s.py`` -> ``runner.run_module``).
The orchestration lives here, in the glue layer, so that every module reaches the engine
and the adapters the same way and a unit test can run a module's whole job against the
in-memory cluster.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import app_events as event_writer
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import git, lease, request_tally
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.appset_store import AppSetStore, SetInputs
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.shared_reads import SharedReads
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_pool, app_wiring, application_sets, objects_wiring, preview, results, status_output
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule
from ansible_collections.gitops.k8s.plugins.module_utils._engine import (
    app_events,
    application,
    health,
    ordering,
    parent_health,
    preview_apps,
    prune_guard,
    pushes,
    repo_urls,
    wide_lists,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync as syncer
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    API_GROUP,
    APP_KIND,
    APP_SYNCED,
    APP_UNKNOWN,
    APPSET_KIND,
    COMPARE_STATUSES,
    DEFAULT_APP_NAMESPACE,
    DEFAULT_PRUNE_LIMIT,
    DEFAULT_PRUNE_LIMIT_PERCENT,
    HEALTHY,
    HOOK_TIMEOUT,
    WAVE_TIMEOUT,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.deadline import Deadline, not_reconciled
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DeadlineError, GitOpsError, HealthTimeout
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import reconcile
from ansible_collections.gitops.k8s.plugins.module_utils._engine.versions import by_priority

GIT_TIMEOUT = git.DEFAULT_TIMEOUT  # git_source's timeout default
LOCK_TIMEOUT = lease.LOCK_TIMEOUT  # app's lock_timeout default
MAX_PASSES = 5  # app all=true: passes over the namespace (nested app-of-apps created meanwhile)


# gitops.k8s.app


def reconcile_one(module, cluster, ports, app, deadline=None, **overrides):
    """Result of one Application, with the requests it made; its wait for health ends
    with the run's ``deadline``. ``overrides``: Settings fields other than the module's."""
    settings = app_wiring.settings_of(module, **overrides)
    if deadline is not None and deadline.left() is not None:
        # hooks and waves that wait end with the run too (time_left 0 would mean unbounded)
        capped = dict(overrides, wait_timeout=deadline.cap(settings.wait_timeout), time_left=max(deadline.left(), 0.001))
        settings = app_wiring.settings_of(module, **capped)
    with request_tally.counting() as tally:  # its own requests, on every cluster, other Applications running beside it or not
        outcome = reconcile(app, ports, settings)
    outcome.requests = dict((verb, count) for verb, count in sorted(tally.items()) if count)
    # the story for kubectl describe gapp (none in check mode), on the cluster the Application lives in;
    # its requests are not the reconcile's
    outcome.warnings.extend(event_writer.record(cluster, ports.clock, app, app_events.events_of(app.get("status"), outcome, settings.dry_run)))
    result = results.outcome_result(outcome, module._diff)
    if module.params.get("report_diffs"):  # the status page shows what is out of sync (redacted)
        result["objects"] = results.object_rows(outcome.changeset, with_diff=True)
    return outcome, result


def run_all(module, cluster, store, ports, sources=None):
    """Every Application of the namespace but the excluded ones, lowest sync wave first;
    Applications created meanwhile (nested app-of-apps) are picked up by another pass.
    Before each pass the namespace's ApplicationSets are expanded (application_sets.py):
    the Applications they create, change or delete are reconciled in that pass.
    With ``push`` set, only the Applications that push changed are (pushes.changed_by).

    One Application's failure (a render error, a request that timed out) never stops
    the others. Once the run's deadline passed, the Applications not started yet are
    reported as not reconciled. The Applications of one sync wave run ``app_workers`` side
    by side (app_pool.py), their rows in name order; a wave ends before the next starts."""
    p = module.params
    deadline = Deadline(p.get("deadline"), ports.clock.now)
    failed = []
    root = run_root(module, cluster, store, ports, deadline, failed) if p.get("name") or p.get("definition") else None
    left_out = set(p["exclude"]) | ({root[0]} if root else set())
    if not store.crd_installed():
        return with_root({"changed": False, "applications": [], "requests": dict(cluster.stats)}, root, module._diff)
    push = pushes.parse_push(p["push"]) if p.get("push") else None
    done, rows, excluded = set(left_out), [], []
    app_workers, stop = max(1, p.get("app_workers") or 1), app_pool.Stop()
    ports = app_pool.stoppable(ports, stop) if app_workers > 1 else ports
    slots = app_pool.request_slots(app_wiring.workers_of(p), app_workers)
    sets = application_sets.Expansion()
    sets_store = AppSetStore(cluster)
    inputs = SetInputs(cluster, sources, p["namespace"]) if sources is not None else None
    for _pass in range(MAX_PASSES):
        if inputs is not None:
            before = set(sets.touched)
            try:
                application_sets.expand(sets_store, inputs, p["namespace"], ports.clock, dry_run=module.check_mode, result=sets)
            except GitOpsError as exc:  # listing the sets or the Applications failed: the Applications still run
                message = "cannot expand the ApplicationSets: %s" % exc
                if message not in failed:
                    failed.append(message)
            done -= sets.touched - before - left_out  # written or deleted now: reconciled (again) in this pass
        try:
            listed = store.list(p["namespace"])
        except GitOpsError as exc:
            if not rows:
                raise
            failed.append("cannot list the Applications created meanwhile: %s" % exc)  # keep what was done
            break
        if sources is not None:
            sources.listed_applications(listed)
        if isinstance(ports.reads, SharedReads):  # what its LISTs across namespaces keep
            ports.reads.expect_namespaces(wide_lists.deploy_namespaces(listed))
        excluded = [a for a in listed if a["metadata"]["name"] in left_out]
        pending = [a for a in listed if a["metadata"]["name"] not in done]
        if push is not None:  # the others are not this run's: never reconciled, in any pass
            done.update(a["metadata"]["name"] for a in pending if not pushes.changed_by(a, push))
            pending = [a for a in pending if a["metadata"]["name"] not in done]
        if not pending:
            break
        for step in ordering.app_steps(pending):  # one wave after another, its Applications side by side
            done.update(a["metadata"]["name"] for a in step)

            def one(app):
                return _reconcile_in_run(module, cluster, store, ports, app, deadline, sources, slots)

            for failure, result in app_pool.each(one, step, app_workers, stop):
                rows.append(result)
                if failure:
                    failed.append(failure)
        del listed, pending  # the next pass lists them again
        if not may_add_applications(cluster):
            break  # nothing of this run wrote an Application or a set: another pass would list the same (a no-op: 2 LISTs less)
    failed.extend(f for f in sets.failed if f not in failed)
    again = refresh_parents(module, cluster, store, ports, rows, excluded, deadline, failed)
    stats = ports.destinations.stats if ports.destinations is not None else cluster.stats
    result = {"changed": any(r["changed"] for r in rows) or sets.changed, "applications": rows, "requests": dict(stats)}
    if again:
        result["refreshed"] = dict((name, results.refreshed_fields(evaluated)) for name, evaluated in again.items())
    if root and root[0] in again and "application" in root[1]:  # the root's row as evaluated again
        results.merge_refreshed(root[1], again[root[0]], result["refreshed"][root[0]])
    if sets.rows:
        result["application_sets"] = list(sets.rows.values())
    if module._diff:
        # one diff list for the task, so ansible-playbook --diff shows every Application's changes
        result["diff"] = [d for r in rows for d in r.pop("diff", [])]
    result = with_root(result, root, module._diff)
    if p.get("status_page") or p.get("status_configmap"):
        add_status_page(module, cluster, store, result)
    if not (module._diff or getattr(module, "_verbosity", 0) >= results.FULL_ROWS_VERBOSITY):
        results.compact_run(result)  # drawn and refreshed from the full rows; returned in the size of what happened
    if failed and p["fail_on_error"]:
        raise GitOpsError("; ".join(failed), details=result)  # the task fails with every row
    return result


def may_add_applications(cluster):
    """Whether another pass of run_all may find Applications the run created: the run (its
    client and every impersonating view of it) wrote an Application or an ApplicationSet,
    or the client does not say what it wrote."""
    written = getattr(cluster, "written", None)
    return written is None or (API_GROUP, APP_KIND) in written or (API_GROUP, APPSET_KIND) in written


def run_root(module, cluster, store, ports, deadline, failed):
    """``(name, result)`` of the root Application of an all=true run (O(name) or
    O(definition)): declared (CRDs installed with O(install_crd)) and reconciled first, in
    this process, never waited for (its objects are the Applications the run reconciles
    next). A push that does not change it skips it; its failure joins ``failed``."""
    p = module.params
    name = p["name"] or ((p["definition"] or {}).get("metadata") or {}).get("name") or ""
    if p.get("push") and not _changed_by_push(store, p):
        subject = format_id(APP_KIND, p["namespace"], name)
        return name, {"changed": False, "skipped": True, "msg": "the push does not change %s" % subject}
    app, declared = app_wiring.load_app(module, store, p["name"], p["namespace"], p["definition"], p["install_crd"])
    name = app["metadata"]["name"]
    outcome, result = reconcile_one(module, cluster, ports, app, deadline, wait_timeout=0)
    result["changed"] = result["changed"] or declared
    failure = failure_of(outcome)
    if failure:
        failed.append(failure)
    return name, result


def failure_of(outcome):
    """The line of the run's failure message for ``outcome``'s error, or "" without one."""
    if outcome.error is None:
        return ""
    if isinstance(outcome.error, DeadlineError):
        return "%s: %s" % (outcome.app, outcome.error)
    return "%s: %s failed: %s" % (outcome.app, outcome.error.step, outcome.error)


def with_root(result, root, with_diff):
    """The all=true ``result`` with the root's (RV(root)) and its change; its diff first."""
    if root is None:
        return result
    result["root"] = root[1]
    result["changed"] = result["changed"] or root[1]["changed"]
    if with_diff:
        result["diff"] = root[1].pop("diff", []) + result.get("diff", [])
    return result


def add_status_page(module, cluster, store, result):
    """The run's status page (RV(status_page)) and its ConfigMap (O(status_configmap)), as
    of the Applications read after the run. A failure to read or write is RV(status_page_error)
    and a warning: the run's results stay."""
    p = module.params
    try:
        rows = [r for r in [result.get("root")] if r and "application" in r] + result["applications"]  # a root the push skipped has none
        page = status_output.draw([describe(a, True) for a in store.list(p["namespace"])], rows)
        if p.get("status_page"):
            result["status_page"] = page
        if p.get("status_configmap"):
            status_output.keep(cluster, p["namespace"], p["status_configmap"], page, module.check_mode)
    except GitOpsError as exc:
        result["status_page_error"] = "the status page: %s" % exc
        module.warn(result["status_page_error"])


def _reconcile_in_run(module, cluster, store, ports, app, deadline, sources, slots):
    """(failure line or "", row) of one Application of a run of many; not reconciled once the
    deadline passed. Beside others, its dry-runs and writes take the run's request ``slots``
    (app_pool.request_slots). Only the row is kept: the outcome (rendered and live objects,
    plans, diffs) is let go here, not when the last Application of the wave ends."""
    if deadline.passed():
        outcome = not_reconciled(app, deadline)
        return failure_of(outcome), results.outcome_result(outcome, module._diff)
    outcome, result = reconcile_one(module, cluster, ports, app, deadline, slots=slots)  # never raises: errors are in the outcome
    if sources is not None:
        sources.reconciled(app)
    store.reconciled(app)
    return failure_of(outcome), result


def refresh_parents(module, cluster, store, ports, rows, excluded, deadline, failed):
    """Evaluate again, without a sync, each Application whose status recorded a child
    Application's health that the child's reconcile later in this run changed
    (parent_health.py): the run that creates the children leaves the parents' health final.
    ``rows`` (this run's, updated in place) and ``excluded`` (the Applications of
    O(exclude) and the root, reconciled before the others, as listed). Returns {name: the
    result evaluated again} of the excluded ones; check mode evaluates nothing (it created no child)."""
    if module.check_mode:
        return {}
    table = [parent_health.row_of(a) for a in excluded]
    # a failed reconcile, or one whose Lease another run held (that run writes the status), is left alone
    table += [(r["application"], r["status"], r["health_status"], "error" in r or "lock_held_by" in r) for r in rows]
    refreshed = {}
    index = parent_health.next_stale(table, len(table))
    while index >= 0 and not deadline.passed():
        key = table[index][0]
        namespace, name = key.split("/", 1)
        app = store.get(namespace, name)
        if app is None:  # deleted meanwhile: nothing to record
            table[index] = (key, {}, "", True)
        else:
            outcome, again = reconcile_one(module, cluster, ports, app, deadline, sync=False)  # never raises
            fields = results.refreshed_fields(again)
            failure = failure_of(outcome)
            if failure:
                failed.append(failure)
            if index < len(excluded):
                refreshed[name] = again
            else:
                results.merge_refreshed(rows[index - len(excluded)], again, fields)
            table[index] = (key, outcome.status, fields["health_status"], outcome.error is not None)
        index = parent_health.next_stale(table, index)
    return refreshed


def run_app(module):
    """gitops.k8s.app: one Application (declared from ``definition`` when given), or all."""
    cluster, store, clock = app_wiring.open_store(module)
    p = module.params
    ports, sources = app_wiring.make_ports_and_sources(module, cluster, store, clock)
    if p["all"]:
        return run_all(module, cluster, store, ports, sources)
    if p.get("push") and not _changed_by_push(store, p):
        subject = format_id(APP_KIND, p["namespace"], p["name"] or ((p["definition"] or {}).get("metadata") or {}).get("name") or "")
        return {"changed": False, "skipped": True, "msg": "the push does not change %s" % subject}
    app, declared = app_wiring.load_app(module, store, p["name"], p["namespace"], p["definition"], p["install_crd"])
    outcome, result = reconcile_one(module, cluster, ports, app)
    result["changed"] = result["changed"] or declared
    if outcome.error is not None and p["fail_on_error"]:
        raise GitOpsError("%s: %s failed: %s" % (outcome.app, outcome.error.step, outcome.error), details=result, step=outcome.error.step)
    return result


def _changed_by_push(store, p):
    """True when the push changes the Application (as declared by ``definition``, else as stored; a missing one: yes,
    so its error is reported)."""
    app = {"spec": (p["definition"] or {}).get("spec") or {}} if p["definition"] else store.get(p["namespace"], p["name"]) if store.crd_installed() else None
    return app is None or pushes.changed_by(app, pushes.parse_push(p["push"]))


# gitops.k8s.sync


def run_sync(module):
    """gitops.k8s.sync: plan, execute, save the inventory, wait for health, aggregate."""
    p = module.params
    cluster = module.cluster()
    clock = objects_wiring.clock()
    store, options, plan = objects_wiring.make_plan(
        module,
        cluster,
        module.check_mode,
        prune=p["prune"],
        allow_empty=p["allow_empty"],
        prune_protected=p["prune_protected"],
        prune_limit=p.get("prune_limit", DEFAULT_PRUNE_LIMIT),
        prune_limit_percent=p.get("prune_limit_percent", DEFAULT_PRUNE_LIMIT_PERCENT),
        force_conflicts=p["force_conflicts"],
        wait_timeout=p["wait_timeout"] if p["wait"] else 0,
        hook_timeout=p.get("hook_timeout") or HOOK_TIMEOUT,
        wave_timeout=p.get("wave_timeout") or WAVE_TIMEOUT,
        workers=app_wiring.workers_of(p),
    )
    results.warn_unsupported(plan.warnings)
    if prune_guard.message(plan):  # what was not pruned (deletion budget, protected kinds): never silent
        module.warn("%s: %s" % (prune_guard.CONDITION, prune_guard.message(plan)))
    outcome = syncer.without_secret_values(syncer.execute(cluster, plan, options, clock), [i.desired for i in plan.items if i.desired])
    for note in outcome.notes:  # a hook object not deleted, a SyncFail hook that failed: never silent
        module.warn(note)
    inventory_changed = False
    if store is not None and not module.check_mode:
        inventory_changed = store.save(outcome.inventory)
    if options.wait_timeout and outcome.error is None and not module.check_mode:
        pairs = syncer.wait_healthy(cluster, outcome.plan, outcome.live, options, clock)
    else:
        pairs = syncer.assess(outcome.plan, outcome.live)
    overall = health.aggregate(pairs)
    result = results.changeset_result(outcome.changeset)
    result.update(
        objects=results.object_rows(outcome.changeset),
        health_status=overall.status,
        health_message=overall.message,
        requests=dict(cluster.stats),
        hooks=[h.to_status() for h in outcome.hooks],
    )
    result["changed"] = result["changed"] or inventory_changed
    if module._diff:
        result["diff"] = results.ansible_diff(outcome.changeset)
    if outcome.error is not None:
        raise GitOpsError(str(outcome.error), details=result, step=outcome.error.step)
    if p["wait"] and not module.check_mode and overall.status != HEALTHY:
        raise HealthTimeout("objects not healthy after %ss: %s" % (p["wait_timeout"], overall.message), details=result)
    return result


# gitops.k8s.drift_info


def drift_report(changeset, sync_status, requests):
    """drift_info's result: per-object rows with diffs, counts per comparison status."""
    rows = results.object_rows(changeset, with_diff=True)
    counts = dict((s, 0) for s in COMPARE_STATUSES)
    for row in rows:
        row.pop("action", None)
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {"changed": False, "in_sync": sync_status == APP_SYNCED, "counts": counts, "objects": rows, "requests": requests}


def run_drift_info(module):
    """gitops.k8s.drift_info: an Application's drift (a reconcile that never writes), or
    the drift of objects given directly."""
    p = module.params
    if p["children"]:  # a preview of every Application of a root (_ansible/preview.py)
        return preview.run_preview(module)
    if p["application"]:
        cluster, store, clock = app_wiring.open_store(module)
        app, _changed = app_wiring.load_app(module, store, p["application"], p["application_namespace"])
        outcome = reconcile(
            preview_apps.root_at(app, p["repo_url"], p["revision"]),
            app_wiring.make_ports(module, cluster, store, clock),
            app_wiring.settings_of(module, sync=False, dry_run=True, control_namespace=p["application_namespace"]),
        )
        if outcome.error is not None:
            raise outcome.error
        out = drift_report(outcome.changeset, outcome.sync_status, dict(cluster.stats))
        out["revision"] = outcome.revision
        return out
    cluster = module.cluster()
    _store, options, plan = objects_wiring.make_plan(module, cluster, True)
    results.warn_unsupported(plan.warnings)
    outcome = syncer.execute(cluster, plan, options, objects_wiring.clock())
    return drift_report(outcome.changeset, outcome.sync_status, dict(cluster.stats))


# gitops.k8s.app_info


def describe(app, include_inventory):
    """app_info's row of one Application (its status, never its spec beyond the source)."""
    status = app.get("status") or {}
    meta = app["metadata"]
    out = {
        "name": meta["name"],
        "namespace": meta.get("namespace"),
        "sync_status": (status.get("sync") or {}).get("status") or APP_UNKNOWN,
        "health_status": (status.get("health") or {}).get("status") or APP_UNKNOWN,
        "health_message": (status.get("health") or {}).get("message") or "",
        "revision": (status.get("sync") or {}).get("revision") or "",
        "revisions": (status.get("sync") or {}).get("revisions") or [],
        "commit_subject": (status.get("sync") or {}).get("commitSubject") or "",
        "last_synced_at": status.get("lastSyncedAt") or "",
        "conditions": status.get("conditions") or [],
        "history": status.get("history") or [],
        "resources": len(status.get("inventory") or []),
        "source": (app.get("spec") or {}).get("source") or {},
        "sources": (app.get("spec") or {}).get("sources") or [],
        "parent": application.parent_of(app) or "",
        "wave": ordering.wave_of(app),
        "rolled_back": status.get("rolledBack") or {},
        "analysis": status.get("analysis") or {},
        "sync_window": status.get("syncWindow") or {},
    }
    if include_inventory:
        out["inventory"] = status.get("inventory") or []
        out["objects"] = status.get("resources") or []  # each object's sync and health (the status tree)
        out["hooks"] = ((status.get("operationState") or {}).get("syncResult") or {}).get("resources") or []
    return out


def run_app_info(module):
    """gitops.k8s.app_info: one Application by name, or every one (of a namespace)."""
    _cluster, store, _clock = app_wiring.open_store(module)
    p = module.params
    if not store.crd_installed():
        return {"changed": False, "applications": []}
    if p["name"]:
        found = store.get(p["namespace"] or DEFAULT_APP_NAMESPACE, p["name"])
        items = [found] if found is not None else []
    else:
        items = store.list(p["namespace"])
    return {"changed": False, "applications": [describe(a, p["include_inventory"]) for a in items]}


# gitops.k8s.cluster_info


def run_cluster_info(module):
    """gitops.k8s.cluster_info: server version, served apiVersions, versions per kind."""
    cluster = module.cluster()
    raw = cluster.server_version()
    version = {"major": raw.get("major", ""), "minor": raw.get("minor", ""), "git_version": raw.get("gitVersion", "")}
    kinds = dict((kind, by_priority(cluster.kind_versions(kind))) for kind in module.params["kinds"])
    return {"changed": False, "version": version, "api_versions": cluster.served_versions(), "kinds": kinds}


# gitops.k8s.git_source


class GitSourceModule(GitOpsModule):
    """GitOpsModule whose C(path) result is a tree, not a managed file."""

    def add_path_info(self, kwargs):
        # AnsibleModule adds owner/mode/size of any returned 'path'; they mean nothing here.
        return kwargs


def run_git_source(module):
    """gitops.k8s.git_source: fetch a repository into the cache at a ref."""
    params = module.params
    credentials = {key: params[key] for key in ("ssh_key", "known_hosts", "username", "password", "token")}
    url = repo_urls.Rewrites.from_mapping(params.get("repo_url_rewrites")).apply(params["repo"])
    result = git.fetch(
        url,
        params["version"],
        params["cache_dir"],
        depth=params["depth"],
        credentials=credentials,
        run_id=params["run_id"],
        verify_commit=params["verify_commit"],
        gnupg_home=params["gnupg_home"],
        timeout=params["timeout"],
        allow_local=True,  # the operator's own input, not a repository's
        record=not module.check_mode,  # check mode: nothing recorded, the real run still sees the change
    )
    out = dict(
        changed=result.changed,
        repo=result.url if url == params["repo"] else git.redact_url(params["repo"]),
        fetched_url=result.url if url != params["repo"] else "",
        version=result.ref,
        commit=result.commit,
        previous_commit=result.previous_commit,
        path=result.tree,
        fetched=result.fetched,
        verified=result.verified,
    )
    if module._diff and result.changed:
        out["diff"] = dict(
            before="%s: %s\n" % (result.ref, result.previous_commit or "(none)"),
            after="%s: %s\n" % (result.ref, result.commit),
            before_header=result.url,
            after_header=result.url,
        )
    return out
