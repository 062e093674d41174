# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``spec.analysis`` of an Application: when it runs, what it leaves in the status, and
which revision a failed one rolls back to.

After a sync that succeeded and changed something (never after a no-op, a check-mode
run or a rollback's own sync), reconcile() records the status with a Running
``status.analysis``, measures the analysis (analysis.run_analysis) within the run and
records its verdict (the revision analysed and when). A run that ended before the verdict
leaves Running for the next run, which measures again. Then:

- Successful: nothing more; the revision may be announced as deployed.
- Failed: the Application is rolled back to its last healthy revision through the
  rollback machinery (rollback.py), so automated sync is suspended exactly as after a
  manual rollback; ``status.rolledBack`` records ``automatic: true`` and the
  ``failedRevision``. The AnalysisFailed condition names the metric, query and value.
- Inconclusive or Error (Prometheus unreachable, no condition held): no rollback and no
  promotion (``status.metrics.deployedRevision`` stays where it was); an
  AnalysisInconclusive condition says why.

The conditions follow ``status.analysis``: they stay until another analysis replaces it
or ``spec.analysis`` is removed. With ``spec.analysis.rollback.resumeOnNewRevision: true``
a commit other than the failed one ends an automatic rollback's suspension (reconcile
checks it before fetching the rolled-back revision); by default only the user does
(``resume=true`` or a manual sync).

A progressive strategy's analysis (a canary ``analysis`` step, a blue-green
``prePromotionAnalysis``, strategies.py) that fails aborts the strategy and takes the same
road: its verdict is recorded as ``status.analysis`` with ``source: strategy`` and the
Application is rolled back. Its policy is its own ``rollback.resumeOnNewRevision`` (or
spec.analysis's), recorded in ``status.rolledBack`` when the rollback begins: the
rolled-back revision may not render that strategy at all. Its verdict and condition stay
while the rollback it caused holds (there is no spec to forget them with).
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, app_metrics, application, messages

FIELD = "analysis"
SOURCE_STRATEGY = "strategy"  # status.analysis.source of a strategy's analysis (spec.analysis's has none)
RESUME_FIELD = "resumeOnNewRevision"  # a strategy's rollback policy, in status.analysis and status.rolledBack
FAILED_CONDITION = "AnalysisFailed"
INCONCLUSIVE_CONDITION = "AnalysisInconclusive"
_HOLD = (analysis.INCONCLUSIVE, analysis.ERROR)


def due(spec, pinned, dry_run, synced, result):
    """Whether this reconcile analyses: spec.analysis is set, the run wrote (not check
    mode), the sync succeeded and changed something, and it was not a rollback's sync
    (``pinned``: the revision rendered was not targetRevision's)."""
    if spec.analysis is None or pinned or dry_run or not synced or result.error is not None:
        return False
    return bool(result.changeset is not None and result.changeset.changed)


def interrupted(spec, previous, revision, dry_run):
    """Whether the analysis of ``revision`` began in an earlier run that ended before its
    verdict (the agent killed meanwhile): ``status.analysis`` is still Running for it.
    This run measures it again, so a sync is never left unanalysed."""
    analysed = (previous or {}).get(FIELD) or {}
    if spec.analysis is None or dry_run or spec.pinned_revision:
        return False
    return analysed.get("phase") == analysis.RUNNING and bool(revision) and analysed.get("revision") == revision


def running(status, revision, started):
    """``status`` with a Running ``status.analysis`` of ``revision`` (recorded before the
    measurements, so a run that ends meanwhile leaves it for the next one)."""
    return application.next_status(status, **{FIELD: {"phase": analysis.RUNNING, "revision": revision, "startedAt": started}})


def measure(spec, query, clock, time_left):
    """The Verdict of spec.analysis, measured now (``query``: the metrics port; None when
    the run has none, which is an Inconclusive verdict). ``time_left``: seconds the run
    may still take (0: unbounded); a measurement due after it ends the analysis
    Inconclusive."""
    if query is None:
        return analysis.Verdict(analysis.INCONCLUSIVE, "analysis Inconclusive: this run has no metrics provider")
    deadline = clock.now() + time_left if time_left else None
    return analysis.run_analysis(spec.analysis, query, clock.sleep, clock.now, deadline)


def record(status, previous, verdict, revision, started, finished, source="", resume=False):
    """``status`` with ``status.analysis`` of ``verdict`` (for ``revision``, measured from
    ``started`` to ``finished``; ``source``: SOURCE_STRATEGY for a strategy's, ``resume``
    its rollback policy) and its condition; a verdict other than Successful keeps the
    deployed revision where it was (no promotion)."""
    analysed = dict(verdict.to_status(), revision=revision, startedAt=started, finishedAt=finished)
    if source:
        analysed["source"] = source
    if resume:
        analysed[RESUME_FIELD] = True
    status = application.next_status(status, **{FIELD: analysed})
    if verdict.phase != analysis.SUCCESSFUL:
        metrics = dict(status.get(app_metrics.FIELD) or {})
        deployed = ((previous or {}).get(app_metrics.FIELD) or {}).get("deployedRevision")
        if deployed:
            metrics["deployedRevision"] = deployed
        else:
            metrics.pop("deployedRevision", None)
        status[app_metrics.FIELD] = metrics
    kept = [c for c in status.get("conditions") or [] if c.get("type") not in (FAILED_CONDITION, INCONCLUSIVE_CONDITION)]
    status["conditions"] = kept + conditions(status, previous, finished)
    if not status["conditions"]:
        status.pop("conditions")
    return status


def kept(spec, analysed, rolled_back):
    """Whether the last verdict (``analysed``: status.analysis) stays in the status:
    spec.analysis's while spec.analysis is set, a strategy's while the rollback it caused
    (``rolled_back``: this run's status.rolledBack) holds."""
    if not isinstance(analysed, dict):
        return False
    if analysed.get("source") == SOURCE_STRATEGY:
        return bool(analysed.get("revision")) and (rolled_back or {}).get("failedRevision") == analysed.get("revision")
    return spec.analysis is not None


def conditions(status, previous, now):
    """The AnalysisFailed or AnalysisInconclusive condition of ``status.analysis`` ([] when
    it passed or there is none); lastTransitionTime kept from ``previous`` while unchanged."""
    analysed = (status or {}).get(FIELD)
    if not isinstance(analysed, dict):
        return []
    phase = analysed.get("phase")
    revision = str(analysed.get("revision") or "")[:12]
    if phase == analysis.FAILED:
        ctype, text = FAILED_CONDITION, "%s (revision %s)" % (analysed.get("message"), revision)
    elif phase in _HOLD:
        ctype = INCONCLUSIVE_CONDITION
        text = "%s (revision %s: not rolled back, not promoted)" % (analysed.get("message"), revision)
    else:
        return []
    return [application.condition(ctype, text, (previous or {}).get("conditions"), now)]


def rollback_target(status, revision):
    """The history entry a failed analysis of ``revision`` rolls back to: the last
    revision found Healthy after its sync (``status.metrics.deployedRevision``), else the
    newest other revision synced successfully; None when there is none (a first deploy)."""
    history = [h for h in status.get("history") or [] if isinstance(h, dict) and h.get("result") == application.SUCCEEDED and h.get("revision") != revision]
    deployed = (status.get(app_metrics.FIELD) or {}).get("deployedRevision")
    for entry in history:
        if entry.get("revision") == deployed:
            return entry
    return history[0] if history else None


def cause(verdict, revision, resume=False):
    """The fields an automatic rollback adds to ``status.rolledBack`` (``resume``: a new
    commit ends it, the policy of a strategy's analysis, recorded with it)."""
    out = {"automatic": True, "failedRevision": revision, "reason": messages.bounded(verdict.message, 300)}
    if resume:
        out[RESUME_FIELD] = True
    return out


def strategy_failure(failed, spec):
    """(verdict, resume) of the first strategy analysis that failed in this run (strategies.
    Rollouts.failed: (analysis.Verdict, AnalysisSpec) pairs); ``resume``: its
    ``rollback.resumeOnNewRevision``, or spec.analysis's."""
    verdict, measured = failed[0]
    return verdict, bool(measured.resume_on_new_revision or (spec.analysis is not None and spec.analysis.resume_on_new_revision))


def unfinished_rollback(previous, revision, dry_run, pinned):
    """(verdict, resume) of a strategy's failed analysis of ``revision`` recorded by an
    earlier run whose rollback did not happen (the agent ended before it, or a sync window
    held it): this run rolls back; None otherwise."""
    analysed = (previous or {}).get(FIELD) or {}
    if dry_run or pinned or not revision or (previous or {}).get("rolledBack"):
        return None
    if analysed.get("source") != SOURCE_STRATEGY or analysed.get("phase") != analysis.FAILED or analysed.get("revision") != revision:
        return None
    return analysis.Verdict(analysis.FAILED, str(analysed.get("message") or "")), bool(analysed.get(RESUME_FIELD))


def may_resume(held, spec):
    """Whether a new commit could end this suspension: an automatic rollback, and
    spec.analysis.rollback.resumeOnNewRevision (or the failed strategy analysis's, recorded
    in the rollback)."""
    record_ = held.record or {}
    policy = record_.get(RESUME_FIELD) or (spec.analysis is not None and spec.analysis.resume_on_new_revision)
    return bool(held.suspended and not held.requested and record_.get("automatic") and policy)


def resumed_by(held, revision):
    """Whether ``revision`` (targetRevision's commit now) is a new commit that ends the
    automatic rollback ``held`` (may_resume was true)."""
    return bool(revision) and revision != (held.record or {}).get("failedRevision")


def no_target_message(verdict):
    return "%s; not rolled back: no earlier revision synced successfully" % verdict.message


def rolled_back_message(verdict, entry):
    return "%s; rolled back to history id %s (revision %s)" % (verdict.message, entry.get("id"), str(entry.get("revision"))[:12])
