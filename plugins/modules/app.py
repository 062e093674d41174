#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app
short_description: Reconcile one GitOps Application end to end
version_added: 1.0.0
description:
  - Reconciles one C(Application) (API group C(gitops-k8s.dev)) in a single process, the way
    Argo CD's application controller does, in this order
    fetch the source, render it, compare it with the cluster, sync when the policy says so,
    assess health, record the status.
  - Comparing makes one LIST per kind and namespace; suspected drift is confirmed by a
    server-side dry-run apply, so fields the API server defaults never count as drift.
  - Syncing uses server-side apply with the field manager C(gitops-k8s), in the order
    Namespaces, CRDs (waited for until Established), other cluster-scoped objects, namespaced
    objects (per sync wave, annotation C(gitops-k8s.dev/sync-wave)). Unchanged objects are not written.
  - Pruning deletes only objects of the previous inventory (kept in the Application status) that
    left Git and still carry this Application's tracking annotation. An empty render never prunes
    unless C(spec.syncPolicy.automated.allowEmpty) is set. Namespaces, CRDs, PersistentVolumes and
    PersistentVolumeClaims are not pruned unless O(prune_protected=true).
  - A failure to fetch, render, parse or validate (including an unknown kind) applies and prunes
    nothing and is recorded as a C(ComparisonError) condition. A failed write stops the sync, prunes
    nothing, and is recorded as a C(SyncError) condition.
  - Each reconcile that did something records Kubernetes Events on the Application (C(SyncSucceeded), C(SyncFailed),
    C(ComparisonError), C(DriftDetected), C(DriftCorrected), C(Pruned), C(HealthChanged), C(HookSucceeded), C(HookFailed)),
    a repeat counting up one Event, so C(kubectl describe gapp) tells the story; check mode records none.
  - Writes happen under a per-Application C(Lease) (C(gapp-<name>) in the Application's namespace), so two
    reconciles never write at once; a reconcile with nothing to do writes nothing at all (not even its status).
    The Lease lasts 30 seconds and is renewed every 10 seconds while the sync runs, so it outlives a killed
    holder by 30 seconds at most; on SIGTERM or SIGINT it is released and the task fails with
    C(terminated by SIGTERM). A Lease whose holder ran on this host and no longer runs (its pid is gone, or
    was reused) is taken over at once. A sync whose Lease was taken over meanwhile stops before its next write.
  - Secret values never appear in diffs or results; each changed key shows a salted hash.
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.workers
  - gitops.k8s.kube_auth
  - gitops.k8s.render
  - gitops.k8s.decryption
  - gitops.k8s.app_source
  - gitops.k8s.attributes
  - gitops.k8s.attributes.writes
attributes:
  check_mode:
    details:
      - Check mode computes the same plan (server-side dry-run) and writes nothing, not even the status.
  diff_mode:
    details:
      - One before/after pair per object that is (or would be) created, configured or pruned; Secret values redacted.
options:
  name:
    description:
      - Name of the Application. Required unless O(definition) names it or O(all=true).
      - With O(all=true), the root Application, reconciled first (see O(all)).
    type: str
  namespace:
    description:
      - Namespace of the Application.
      - It is also the control namespace the Projects (C(spec.project)) are read from; see docs/projects.md.
    type: str
    default: gitops-system
  definition:
    description:
      - An Application manifest to declare (server-side apply) before reconciling it, for example the root
        Application of an app-of-apps repository. C(apiVersion), C(kind), C(metadata.name) and
        C(metadata.namespace) default to this module's values.
      - With O(all=true), the root Application, declared and reconciled first (see O(all)).
    type: dict
  install_crd:
    description: Install or update the Application, Project and ApplicationSet CRDs (and the Application namespace for O(definition)) when missing.
    type: bool
    default: true
  sync:
    description:
      - V(null) follows the Application's sync policy (automated, selfHeal).
      - V(true) syncs now when out of sync (a manual sync).
      - V(false) only compares and records status; nothing else is written.
    type: bool
  rollback:
    description:
      - Sync an earlier revision from the Application's history (like C(argocd app rollback)), named by its history
        C(id) (see RV(status.history)) or its revision (a full commit SHA or a prefix of at least 7 characters).
        This is a manual sync (sync windows with C(manualSync) let it through).
      - Afterwards automated sync (and selfHeal) stays suspended, recorded in C(status.rolledBack) and an
        C(AutomatedSyncSuspended) condition; every run renders the rolled-back revision, so drift from it is still
        reported, and a new commit does not sync. O(resume=true), or a manual sync (O(sync=true)), ends it.
      - The revision is fetched from C(spec.source.repoURL) (or the declaring Application's); an Application
        synced from the local checkout cannot roll back.
      - "One-liner: C(ansible localhost -m gitops.k8s.app -a 'name=guestbook rollback=3')."
    type: str
  resume:
    description:
      - End the suspension a O(rollback) left, or an automatic rollback after a failed C(spec.analysis)
        (docs/progressive-delivery.md); this run follows C(targetRevision) and the sync policy again
        (an automated Application syncs the branch now).
    type: bool
    default: false
  promote:
    description:
      - Pass the pause without a duration that a canary of this Application waits at, or switch a blue-green
        preview that waits for it (C(autoPromotionEnabled=false)); one promote passes one such pause. The run
        then syncs the next steps. See docs/progressive-delivery.md.
    type: bool
    default: false
  abort:
    description:
      - Abort the canaries and blue-green previews of this Application in progress, each canary or preview
        Deployment is removed; a stable Deployment keeps its template and gets its replicas back, an active
        Service goes back to the stable's Pods. The Application stays Degraded with a
        C(RolloutAborted) condition until Git renders another template (or the stable's again).
    type: bool
    default: false
  pause_wait:
    description:
      - Seconds. A canary's timed pause step (or a blue-green rollback window) with at most this much left is
        waited for within the run (then the next steps are synced in the same run); a longer one ends in a later
        run. V(0) never waits.
      - The run's O(deadline) bounds it too.
    type: int
    default: 15
  analysis_providers:
    description:
      - The Prometheus base URLs (C(http://host:port/path)) that an analysis may query (C(spec.analysis) of an
        Application, a canary C(analysis) step, a blue-green C(prePromotionAnalysis)). The Prometheus C(address) of a
        metric comes from the repository, so the agent queries only the addresses the operator lists here (no requests
        to cloud metadata endpoints or internal services that a repository names).
      - An address is allowed when its scheme, host and port equal an entry's and its path starts with the entry's path,
        whole segments (V(http://prometheus.monitoring:9090) allows V(http://prometheus.monitoring:9090/) and
        V(http://prometheus.monitoring:9090/sub); V(http://prom:9090/a) does not allow V(http://prom:9090/ab)). Host names are
        compared without case in their IDNA form, default ports filled in. An address with user-info, a query, a fragment
        or a C(.) or C(..) path segment is never allowed; an entry with one is an error.
      - An Application whose analysis names an address that is not allowed fails before anything is written, in check
        mode too, with an error naming the Application, the metric, the address and this option. The analysis is never
        skipped.
      - The default, an empty list, allows no address. The playbook C(gitops.k8s.reconcile) passes
        C(gitops_k8s_analysis_providers). See docs/progressive-delivery.md.
      - A Project narrows this list for its Applications with the annotation C(gitops-k8s.dev/analysis-providers), a
        JSON list of base URLs read as these entries are; an address must then be allowed by both. A Project without
        the annotation leaves this list as it is.
    type: list
    elements: str
    default: []
  sync_windows:
    description:
      - Argo CD sync windows (the C(syncWindows) of an AppProject, same field names) that apply to this run, until the
        Project kind holds them. A window covers an Application when one of O(sync_windows[].applications),
        O(sync_windows[].namespaces) (destination namespace) or O(sync_windows[].clusters) matches (all of the given
        ones with O(sync_windows[].andOperator)); globs as in Argo CD.
      - Argo CD's rules. An active C(deny) window holds every sync. When C(allow) windows cover the Application,
        it syncs only inside an active one. A manual sync (O(sync=true), O(rollback)) passes a deny window when
        every active deny window has O(sync_windows[].manualSync), and passes outside allow windows when one has it.
      - A held sync writes nothing, reports the drift (objects C(skipped)), and records when a sync may happen
        next in C(status.syncWindow.opensAt) and a C(SyncWindowClosed) condition. The next run after that time syncs.
      - An invalid window (schedule, duration, unknown time zone) is a C(ComparisonError); nothing syncs.
    type: list
    elements: dict
    default: []
    suboptions:
      kind:
        description: V(allow) or V(deny).
        type: str
        required: true
        choices: [allow, deny]
      schedule:
        description:
          - When the window opens, a 5-field cron schedule (minute hour day-of-month month day-of-week) with
            C(*), lists, ranges, steps and month and day names, or C(@hourly), C(@daily), C(@weekly), C(@monthly),
            C(@yearly).
          - On the wall clock of O(sync_windows[].timeZone); a time skipped when daylight saving time starts never
            opens the window, a time repeated when it ends opens it once.
        type: str
        required: true
      duration:
        description: How long the window stays open, a Go duration such as C(30m), C(1h), C(1h30m).
        type: str
        required: true
      timeZone:
        description: IANA time zone of the schedule, for example C(Europe/Paris).
        type: str
        default: UTC
      applications:
        description: Application name globs.
        type: list
        elements: str
      namespaces:
        description: Destination namespace globs.
        type: list
        elements: str
      clusters:
        description:
          - Cluster globs, matched against the name and the server of the Application's destination cluster.
          - The cluster of the run is C(in-cluster) and C(https://kubernetes.default.svc).
        type: list
        elements: str
      manualSync:
        description: Let manual syncs through this window.
        type: bool
        default: false
      andOperator:
        description: Cover only Applications that match every selector given, not any one.
        type: bool
        default: false
      description:
        description: What the window is for; messages about it quote it.
        type: str
      syncOverrun:
        description:
          - Accepted for Argo CD compatibility. Each run decides once, when it starts, and a sync that started
            always finishes (a run takes seconds), which is what V(true) means in Argo CD; V(false) cannot stop a
            sync already running.
        type: bool
        default: false
  prune:
    description: Prune in this sync (default C(spec.syncPolicy.automated.prune)).
    type: bool
  prune_protected:
    description:
      - Allow pruning Namespaces, CRDs, PersistentVolumes and PersistentVolumeClaims.
      - Without it, an Application allows it with C(PruneProtected=true) in C(spec.syncPolicy.syncOptions), and one
        object with C(PruneProtected=true) in its C(gitops-k8s.dev/sync-options) annotation. A protected object
        not pruned is listed in a C(PruneHeldWarning) condition and a warning.
    type: bool
    default: false
  prune_limit:
    description:
      - The deletion budget of a sync, in objects. A sync that would prune more applies what Git declares but
        prunes nothing, with a C(PruneHeldWarning) condition and a warning listing what would have gone.
      - V(0) sets no count limit. An Application's C(PruneLimit=N) sync option overrides it
        (see C(docs/prune-guards.md)).
    type: int
    default: 0
  prune_limit_percent:
    description:
      - The deletion budget of a sync, in percent of the Application's objects (its inventory). By default a sync
        that would prune more than half of them prunes nothing until allowed.
      - V(100) sets no limit, V(0) holds every prune. An Application's C(PruneLimitPercent=P) sync option
        overrides it.
    type: int
    default: 50
  wait:
    description: Wait until every object is healthy (or O(wait_timeout) passes), after the sync if one happened.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for health when O(wait=true).
    type: int
    default: 300
  hook_timeout:
    description:
      - Seconds one hook (an object with the C(argocd.argoproj.io/hook) or C(helm.sh/hook) annotation) may run
        before the sync fails naming it. A Job runs until Complete or Failed, a Pod until Succeeded or Failed,
        anything else until healthy.
      - Hooks run only when a sync writes something; see the hooks and waves guide (C(docs/hooks-and-waves.md)).
      - The run's O(deadline) ends the wait too.
    type: int
    default: 300
  wave_timeout:
    description:
      - Seconds the objects of a sync wave may take to become healthy before the next wave (or the PostSync hooks)
        start, as Argo CD waits between waves. An unhealthy wave stops the sync with an error naming the objects.
      - A sync with one wave and no PostSync hook does not wait. The run's O(deadline) ends the wait too.
    type: int
    default: 300
  lock:
    description:
      - When another reconcile holds this Application's Lease, V(wait) for it (up to O(lock_timeout)) or V(skip) this sync.
      - Either way, a sync that could not take the Lease writes nothing (not even the status, which the holder writes),
        reports the objects it would have written with the action C(skipped), names the holder in RV(lock_held_by) and
        RV(reason), and warns. A wait that ran out is a failure (step C(lock); see O(fail_on_error)); a skip is not.
    type: str
    default: wait
    choices: [wait, skip]
  lock_timeout:
    description:
      - Seconds to wait for the Lease. The default is a bit over the Lease's 30-second duration, so the Lease of a
        holder that died without releasing it (on another host) has always expired before the wait ends; a live
        holder renews its Lease and may keep it longer.
    type: int
    default: 45
  all:
    description:
      - Reconcile every Application of O(namespace) (but those in O(exclude)) in this one module run,
        lowest sync wave (annotation C(gitops-k8s.dev/sync-wave)) first, then by name. Applications
        created meanwhile (nested app-of-apps) are reconciled too.
      - Before each pass the ApplicationSets of O(namespace) are expanded, as C(docs/applicationsets.md) describes.
        The Applications they generate are created or updated, those no longer generated are deleted (their
        finalizer prunes their objects in the same run). Results in RV(application_sets).
      - One process for all Applications; the results are in RV(applications).
      - At the end, an Application whose status recorded the health of a child Application that changed
        later in this run (the run that created the children) is evaluated again without a sync, so a
        converged run leaves its health final and the next run writes nothing. So is an Application of
        O(exclude) (the root, reconciled before), reported in RV(refreshed).
      - With O(name) or O(definition), that Application is the root of the run, in the same process (one module
        start, one API client, one discovery for the whole run). It is declared (from O(definition), with
        O(install_crd)) and reconciled first, never waited for (O(wait) is for the others), then left out
        like O(exclude) and evaluated again at the end. Its result is RV(root); its failure fails the task
        under O(fail_on_error) after all the others ran, like theirs. An Application it cannot declare fails the task at once.
    type: bool
    default: false
  exclude:
    description: Names of Applications O(all=true) leaves out (for example the root, reconciled before).
    type: list
    elements: str
    default: []
  app_workers:
    description:
      - With O(all=true), how many Applications of one sync wave are reconciled side by side (Argo CD's
        controller processes Applications in parallel too). The waves of the Application objects stay in
        order (every Application of wave -1 is done before wave 0 starts); rows come back in name order.
      - >-
        The run's requests stay bounded. With several Applications at once, their dry-runs and writes
        share O(workers) requests in flight for the whole run; one Application may use every one the
        others leave free (while they plan, take their Lease or record their status).
      - >-
        One Application's failure never stops the others. SIGTERM or the end of O(deadline) starts no
        further Application; on SIGTERM the running ones stop before their next write and release their Lease.
      - V(1) reconciles them one after another.
    type: int
    default: 4
  deadline:
    description:
      - With O(all=true), seconds the whole run may take; V(0) sets no deadline.
      - >-
        Applications not started when it passes are not reconciled; each is reported with the error
        C(not reconciled: the run deadline of N s passed) and fails the task under O(fail_on_error),
        after all the others ran. The next run reconciles them.
      - A wait for health (O(wait_timeout)) ends when the deadline does. An Application already started
        is not cut short otherwise; each of its API requests is bounded by O(request_timeout).
      - Set it below the interval of the schedule that starts runs (CronJob, systemd timer), so a slow run
        never delays the next one.
    type: int
    default: 0
  push:
    description:
      - A git push, as the C(gitops.k8s.git_push) rulebook passes it (C(docs/webhooks.md)). Reconcile only the
        Applications it changed, those with a source whose C(repoURL) names one of O(push.repo_urls) (scheme and
        user ignored, the path case-insensitive) and whose C(targetRevision) is O(push.branch) (C(refs/heads/) optional),
        or C(HEAD) while O(push.branch) is O(push.default_branch) or that is unknown.
      - With O(all=true), the other Applications are left alone, in every pass. With O(name) or O(definition), an
        Application the push does not change is not reconciled (nor declared) and the task is skipped.
      - The push comes from the network, so its values are checked (URLs as C(repoURL) is, branch names as git's) and
        only compared, never used as a path, a flag or a template.
    type: dict
    suboptions:
      repo_urls:
        description: The URLs of the pushed repository (clone, SSH and web URLs); 1 to 10.
        type: list
        elements: str
        required: true
      branch:
        description: The pushed branch (C(main) or C(refs/heads/main)).
        type: str
        required: true
      default_branch:
        description: The repository's default branch, which C(HEAD) follows; empty when unknown.
        type: str
        default: ""
  status_page:
    description:
      - With O(all=true), draw the status page after the run and return it as RV(status_page), the page
        P(gitops.k8s.status_page#filter) draws from M(gitops.k8s.app_info) (O(gitops.k8s.app_info#module:include_inventory=true))
        and this run's results, as of the newest sync. Set O(report_diffs=true) for the diffs of what is out of sync.
      - Drawn in this module process, so a run keeps its page without starting M(gitops.k8s.app_info) and M(gitops.k8s.sync).
    type: bool
    default: false
  status_configmap:
    description:
      - With O(all=true), keep the status page (see O(status_page)) in this ConfigMap of O(namespace), key C(index.html),
        labelled C(app.kubernetes.io/component=status-page); written (server-side apply) only when the page or its labels
        changed, never in check mode. Writing it does not make the task changed (bookkeeping, like the Application status).
      - A failure to draw or write the page is a warning and RV(status_page_error); the Applications' results stay.
    type: str
  report_diffs:
    description:
      - Add to each row of RV(objects) its C(diff), the unified diff (Secret values redacted) of what differs
        between the live object and Git, without diff mode; what P(gitops.k8s.status_page#filter) shows.
    type: bool
    default: false
  fail_on_error:
    description:
      - Fail the task when the reconcile failed. V(false) returns the error in RV(error) instead, so a
        playbook can reconcile every Application and report at the end.
      - A sync that was due but could not take the Application's Lease within O(lock_timeout) is a failure
        (nothing was synced); with O(lock=skip) it is a warning.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Reconcile the root Application from the checkout ansible-pull made
  gitops.k8s.app:
    checkout_dir: "{{ gitops_checkout }}"
    definition:
      metadata:
        name: root
      spec:
        source:
          path: apps
        syncPolicy:
          automated:
            prune: true
            selfHeal: true

- name: Sync one Application by hand (like argocd app sync)
  gitops.k8s.app:
    name: guestbook
    sync: true
    prune: true
    wait: true

- name: Reconcile every Application but the root, in one process
  gitops.k8s.app:
    all: true
    exclude: [root]
    fail_on_error: false
  register: gitops_apps

- name: The root Application first, then every other one, in one process; the status page kept in a ConfigMap
  gitops.k8s.app:
    all: true
    name: root  # or a definition to declare it from, as the reconcile playbook does
    report_diffs: true
    status_configmap: gitops-k8s-status
    fail_on_error: false
  register: gitops_run  # gitops_run.root, gitops_run.applications

- name: Roll back to history entry 3 (automated sync is suspended afterwards)
  gitops.k8s.app:
    name: guestbook
    rollback: "3"

- name: Resume automated sync after a rollback
  gitops.k8s.app:
    name: guestbook
    resume: true

- name: Promote a canary waiting at a pause without a duration (docs/progressive-delivery.md)
  gitops.k8s.app:
    name: shop
    promote: true

- name: Abort a canary in progress; the stable Deployment keeps its Pods
  gitops.k8s.app:
    name: shop
    abort: true

- name: Reconcile every Application; no automated sync on weekday nights, except by hand
  gitops.k8s.app:
    all: true
    sync_windows:
      - kind: deny
        schedule: "0 22 * * mon-fri"
        duration: 10h
        timeZone: Europe/Paris
        applications: ["*"]
        manualSync: true

- name: Show what a sync would do
  gitops.k8s.app:
    name: guestbook
    sync: true
  check_mode: true
  diff: true
"""

RETURN = r"""
application_sets:
  description: With O(all=true), one row per ApplicationSet of O(namespace), for the whole run.
  returned: when O(all=true) and the namespace holds ApplicationSets
  type: list
  elements: dict
  contains:
    name:
      description: The ApplicationSet's name.
      type: str
    namespace:
      description: Its namespace.
      type: str
    generated:
      description: Names of the Applications it generates (empty when it failed).
      type: list
      elements: str
    created:
      description: Applications created (in check mode, that would be created).
      type: list
      elements: str
    updated:
      description: Applications whose template output changed and were written.
      type: list
      elements: str
    deleted:
      description: Applications deleted because no generator produces them any more (not in check mode).
      type: list
      elements: str
    kept:
      description: Applications its C(syncPolicy.applicationsSync) policy keeps from being updated or deleted.
      type: list
      elements: str
    warnings:
      description: Fields of the set that are not carried out.
      type: list
      elements: str
    error:
      description: Why the set failed (nothing of it was written or deleted).
      type: str
      returned: on failure
    error_step:
      description: The step that failed.
      type: str
      returned: on failure
  sample:
    - {"name": "addons", "namespace": "gitops-system", "generated": ["addon-alpha", "addon-beta"], "created": ["addon-beta"],
       "updated": [], "deleted": ["addon-gamma"], "kept": [], "warnings": []}
root:
  description:
    - With O(all=true) and O(name) or O(definition), the root Application's result, with the keys documented here
      for one Application, as evaluated again at the end of the run (its health, status and RV(status_updated),
      its duration and requests added up); C(skipped) and C(msg) instead when O(push) does not change it.
  returned: when O(all=true) and O(name) or O(definition)
  type: dict
  sample: {"application": "gitops-system/root", "sync_status": "Synced", "health_status": "Healthy", "synced": false,
           "changed": false, "status_updated": false, "duration": 0.412, "requests": {"list": 2}}
status_page:
  description: The status page of the run (self-contained HTML), see O(status_page).
  returned: when O(all=true) and O(status_page=true)
  type: str
status_page_error:
  description: Why the status page could not be drawn or kept in O(status_configmap) (the task does not fail for it).
  returned: when O(status_page) or O(status_configmap) failed
  type: str
refreshed:
  description:
    - With O(all=true), the Applications of O(exclude) evaluated again at the end (no sync) because
      a child Application's health changed in this run, by name, each with its new C(health_status),
      C(health_message), C(status) and C(status_updated) (and C(error), C(error_step) on failure).
  returned: when O(all=true) evaluated an Application of O(exclude) again
  type: dict
  sample: {"root": {"health_status": "Healthy", "health_message": "", "status": {}, "status_updated": true}}
applications:
  description:
    - With O(all=true), one result per Application in the order reconciled, each with the keys documented
      here for one Application (RV(application), RV(sync_status), RV(health_status), RV(synced), RV(reason),
      RV(summary), RV(objects), RV(status), RV(status_updated), RV(duration), RV(requests), RV(hooks), RV(triggers),
      and RV(error) and RV(error_step) on failure).
    - In the size of what happened (also RV(root) and RV(refreshed)), unless in diff mode or with a verbosity of 2
      (C(-vv)) or more. RV(objects) lists the objects written, skipped, out of sync or with a reason; objects unchanged
      and in sync are counted in RV(summary) only. RV(status) leaves out its per-object lists C(inventory) and
      C(resources) (kept on the cluster whole; M(gitops.k8s.app_info) with O(gitops.k8s.app_info#module:include_inventory=true)
      returns them). A no-op of 5,000 objects returned 1.9 MB to the controller otherwise.
  returned: when O(all=true)
  type: list
  elements: dict
  contains:
    application:
      description: The Application, C(namespace/name).
      type: str
  sample:
    - {"application": "gitops-system/root", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "sync_status": "Synced",
       "health_status": "Healthy", "health_message": "", "synced": false, "deleted": false, "reason": "in sync",
       "summary": {"created": 0, "configured": 0, "unchanged": 3, "pruned": 0, "skipped": 0},
       "created": [], "configured": [], "pruned": [], "objects": [], "status": {}, "status_updated": false,
       "duration": 0.412, "requests": {"list": 2}}
    - {"application": "gitops-system/shop", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "sync_status": "OutOfSync",
       "health_status": "Missing", "health_message": "ConfigMap/shop/cart: object not found", "synced": true,
       "deleted": false, "reason": "new revision 3f9c0b1d2e4a", "summary": {"created": 0, "configured": 0, "unchanged": 0,
       "pruned": 0, "skipped": 0}, "created": [], "configured": [], "pruned": [], "objects": [], "status": {},
       "status_updated": true, "duration": 1.03, "requests": {"list": 1, "dry-run": 1},
       "error": "ConfigMap/shop/cart: namespaces \"shop\" not found", "error_step": "apply"}
application:
  description: The Application reconciled, C(namespace/name).
  returned: unless O(all=true)
  type: str
  sample: gitops-system/guestbook
revision:
  description: The commit rendered.
  returned: unless O(all=true)
  type: str
  sample: 3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c
sync_status:
  description: C(Synced), C(OutOfSync) or C(Unknown) (the comparison failed) after this reconcile.
  returned: unless O(all=true)
  type: str
health_status:
  description: Worst health of the Application's objects (C(Healthy), C(Suspended), C(Progressing), C(Missing), C(Degraded), C(Unknown)).
  returned: unless O(all=true)
  type: str
health_message:
  description: The objects that make the health what it is.
  returned: unless O(all=true)
  type: str
synced:
  description: Whether this reconcile synced (in check mode, whether it would).
  returned: unless O(all=true)
  type: bool
deleted:
  description: The Application is being deleted; with the finalizer C(gitops-k8s.dev/resources-finalizer) its objects were pruned.
  returned: unless O(all=true)
  type: bool
reason:
  description: "Why it synced or not, for example C(not synced: Lease gitops-system/gapp-web is held by node-1/4242/9f3c2a1b)."
  returned: unless O(all=true)
  type: str
lock_held_by:
  description:
    - The holder (C(host/pid/nonce)) of the Application's Lease when this reconcile could not take it; nothing was synced.
  returned: when the Lease was held by another reconcile
  type: str
  sample: node-1/4242/9f3c2a1b
summary:
  description: Number of objects per action.
  returned: unless O(all=true)
  type: dict
  contains:
    created:
      description: Objects created.
      type: int
    configured:
      description: Objects changed.
      type: int
    unchanged:
      description: Objects left as they were (already in sync).
      type: int
    pruned:
      description: Objects deleted (gone from the desired set).
      type: int
    skipped:
      description: Objects not written (a policy, C(Prune=false), a protected kind, a sync not allowed).
      type: int
  sample: {"created": 1, "configured": 1, "unchanged": 12, "pruned": 0, "skipped": 0}
created:
  description: Ids (C(Kind/namespace/name)) of the objects created.
  returned: unless O(all=true)
  type: list
  elements: str
  sample: ["ConfigMap/shop/cart-settings"]
configured:
  description: Ids of the objects changed.
  returned: unless O(all=true)
  type: list
  elements: str
  sample: ["Deployment/shop/cart"]
pruned:
  description: Ids of the objects deleted.
  returned: unless O(all=true)
  type: list
  elements: str
  sample: ["Service/shop/cart-legacy"]
objects:
  description: One entry per object, in apply order (previous inventory's extra objects last).
  returned: unless O(all=true)
  type: list
  elements: dict
  contains:
    id:
      description: C(Kind/namespace/name) (C(Kind/name) when cluster-scoped).
      type: str
    action:
      description: C(created), C(configured), C(unchanged), C(pruned) or C(skipped).
      type: str
    status:
      description: Comparison status before the sync, C(Synced), C(OutOfSync), C(Missing) or C(Extra).
      type: str
    reason:
      description: Why (the first differing field, why it was skipped, the error); absent when there is nothing to say.
      type: str
      returned: when there is a reason
    diff:
      description: Unified diff of the live object against Git (Secret values redacted).
      type: str
      returned: with O(report_diffs), for an object that differs
  sample:
    - {"id": "Namespace/shop", "action": "unchanged", "status": "Synced"}
    - {"id": "Deployment/shop/cart", "action": "configured", "status": "OutOfSync", "reason": "spec.replicas: 3 != 2"}
status:
  description: The Application status as recorded (Argo CD's field names).
  returned: unless O(all=true)
  type: dict
  contains:
    sync:
      description: The last comparison.
      type: dict
      contains:
        status:
          description: C(Synced), C(OutOfSync) or C(Unknown) (the comparison failed).
          type: str
        revision:
          description: Commit compared.
          type: str
        repoURL:
          description: Repository rendered, as the Application names it (without credentials).
          type: str
        fetchedURL:
          description: The URL fetched instead of RV(status.sync.repoURL) when a O(repo_url_rewrites) rule applied (without credentials).
          type: str
        path:
          description: Directory rendered.
          type: str
      sample: {"status": "Synced", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "repoURL": "https://git.example.com/shop.git", "path": "deploy"}
    health:
      description: Worst health of the objects.
      type: dict
      contains:
        status:
          description: C(Healthy), C(Suspended), C(Progressing), C(Missing), C(Degraded) or C(Unknown).
          type: str
        message:
          description: The objects that make the health what it is (at most 1,024 characters).
          type: str
          returned: unless healthy
      sample: {"status": "Progressing", "message": "Deployment/shop/cart: 1 of 2 replicas updated"}
    summary:
      description: Object counts.
      type: dict
      contains:
        resources:
          description: Objects desired.
          type: int
        outOfSync:
          description: Objects not in sync after this run.
          type: int
      sample: {"resources": 2, "outOfSync": 0}
    inventory:
      description: The objects applied; the only input of pruning.
      type: list
      elements: dict
      contains:
        group:
          description: API group (empty for the core group).
          type: str
        version:
          description: API version the object was applied with.
          type: str
        kind:
          description: Kind.
          type: str
        namespace:
          description: Namespace (empty when cluster-scoped).
          type: str
        name:
          description: Name.
          type: str
      sample:
        - {"group": "", "version": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "cart-settings"}
        - {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "shop", "name": "cart"}
    operationState:
      description: The last sync.
      type: dict
      returned: once the Application synced
      contains:
        revision:
          description: Commit synced.
          type: str
        phase:
          description: C(Succeeded) or C(Failed).
          type: str
        startedAt:
          description: When the sync started.
          type: str
        finishedAt:
          description: When the sync finished.
          type: str
        message:
          description: Why it synced, or what failed (at most 1,024 characters).
          type: str
        retryCount:
          description:
            - After a failed sync, the automated retries of this revision made so far (0 after the first failure; a new
              revision or a manual sync starts again at 0).
          type: int
          returned: after a failed sync
        nextRetryAt:
          description:
            - After a failed sync with C(spec.syncPolicy.retry), when the next automated attempt may happen
              (C(backoff.duration) * C(backoff.factor)^retryCount, at most C(backoff.maxDuration)). Absent once
              C(retry.limit) retries failed; then only a new commit or a manual sync syncs this Application.
          type: str
          returned: after a failed sync with retries left
      sample: {"revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "phase": "Succeeded", "startedAt": "2026-11-22T10:00:00Z",
               "finishedAt": "2026-11-22T10:00:02Z", "message": "new revision 3f9c0b1d2e4a"}
    lastSyncedAt:
      description: Time of the last successful sync.
      type: str
      returned: once the Application synced successfully
      sample: "2026-11-22T10:00:02Z"
    conditions:
      description: Errors and warnings.
      type: list
      elements: dict
      returned: when there is an error or a warning
      contains:
        type:
          description:
            - C(ComparisonError), C(SyncError), C(SharedResourceWarning), C(UnsupportedFeatureWarning),
              C(AutomatedSyncSuspended) (a rollback is in effect), C(SyncWindowClosed) (a sync window held a sync)
              or C(RolloutAborted) (a canary was aborted).
          type: str
        message:
          description: What happened (at most 1,024 characters).
          type: str
        lastTransitionTime:
          description: When this message first appeared.
          type: str
      sample:
        - {"type": "SharedResourceWarning", "message": "ConfigMap/shop/common is also managed by Application gitops-system/billing",
           "lastTransitionTime": "2026-11-22T10:00:02Z"}
    rolledBack:
      description: The rollback in effect (O(rollback)); automated sync is suspended until O(resume=true) or a manual sync.
      type: dict
      returned: while rolled back
      sample: {"id": 3, "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "at": "2026-11-22T10:00:02Z"}
    strategy:
      description:
        - The progressive strategy of each Deployment that has one, keyed C(namespace/name)
          (docs/progressive-delivery.md).
        - C(phase) is C(Healthy), C(Progressing), C(Paused) (until O(promote)), C(Switched) (blue-green, the
          active Service on the new version), C(Promoting) or C(Aborted); C(step) (from 0) and C(weight) (percent
          of the replicas on the canary) say where a canary is; C(canaryHash), C(stableHash), C(previewHash) and
          C(activeHash) name the pod templates; C(stepStartedAt) and C(switchedAt) say when a step began.
      type: dict
      returned: when a Deployment has a strategy
      sample: {"shop/web": {"strategy": "canary", "phase": "Paused", "step": 1, "weight": 25, "canaryHash": "5d41402abc",
               "stableHash": "7d793037a0", "stepStartedAt": "2026-11-22T10:00:02Z", "message": "step 2/4 (pause): paused until promoted"}}
    syncWindow:
      description: Why a due sync was held by a sync window (C(message)) and when a sync may happen next (C(opensAt), empty when never).
      type: dict
      returned: when a sync window held a sync
      sample: {"message": "automated sync held by a sync window: deny window deny '0 22 * * *' for 1h (UTC) is active; it may sync
               from 2026-11-22T23:00:00Z", "opensAt": "2026-11-22T23:00:00Z"}
    history:
      description: The last syncs (C(spec.revisionHistoryLimit), default 10), newest first.
      type: list
      elements: dict
      returned: once the Application synced
      contains:
        id:
          description: Number of this entry, one above the previous one (what O(rollback) names).
          type: int
        revision:
          description: Commit synced.
          type: str
        startedAt:
          description: When the sync started.
          type: str
        syncedAt:
          description: When the sync finished.
          type: str
        result:
          description: C(Succeeded) or C(Failed).
          type: str
        created:
          description: Objects created.
          type: int
        configured:
          description: Objects changed.
          type: int
        pruned:
          description: Objects deleted.
          type: int
      sample:
        - {"id": 4, "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "startedAt": "2026-11-22T10:00:00Z", "syncedAt": "2026-11-22T10:00:02Z",
           "result": "Succeeded", "created": 1, "configured": 1, "pruned": 0}
    metrics:
      description:
        - What the Prometheus metrics of the Application need (docs/metrics.md); read by kube-state-metrics and the node agent's
          textfile.
        - C(syncs) (by result) and C(driftCorrected) are cumulative counters since C(since); they start at 0 when the
          status has no C(metrics) (a new Application, a cleared status).
      type: dict
      contains:
        since:
          description: When the counters started.
          type: str
        syncs:
          description: Syncs by result, C(Succeeded), C(Failed) and C(Error) (the reconcile failed before it could sync).
          type: dict
        driftCorrected:
          description: Syncs that reverted drift (objects written at the revision already synced).
          type: int
        resources:
          description: The objects counted by sync status (C(sync)) and by health status (C(health)).
          type: dict
        lastSync:
          description: The last sync run or tried, C(startedAt), C(finishedAt), C(durationSeconds), C(result), C(revision), C(changes).
          type: dict
        deployedRevision:
          description: The last revision synced and then found Healthy.
          type: str
      sample:
        since: "2026-11-20T08:00:00Z"
        syncs: {"Succeeded": 4, "Failed": 1, "Error": 0}
        driftCorrected: 1
        resources: {"sync": {"Synced": 1}, "health": {"Healthy": 1}}
        lastSync: {"startedAt": "2026-11-22T10:00:00Z", "finishedAt": "2026-11-22T10:00:02Z", "durationSeconds": 1.82,
                   "result": "Succeeded", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "changes": 1}
        deployedRevision: 3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c
  sample:
    sync: {"status": "Synced", "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "repoURL": "https://git.example.com/shop.git", "path": "deploy"}
    health: {"status": "Healthy"}
    summary: {"resources": 1, "outOfSync": 0}
    inventory:
      - {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "shop", "name": "cart"}
    operationState: {"revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "phase": "Succeeded", "startedAt": "2026-11-22T10:00:00Z",
                     "finishedAt": "2026-11-22T10:00:02Z", "message": "new revision 3f9c0b1d2e4a"}
    lastSyncedAt: "2026-11-22T10:00:02Z"
    history:
      - {"id": 4, "revision": "3f9c0b1d2e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c", "startedAt": "2026-11-22T10:00:00Z", "syncedAt": "2026-11-22T10:00:02Z",
         "result": "Succeeded", "created": 0, "configured": 1, "pruned": 0}
status_updated:
  description:
    - Whether the Application status was written (sync or health changed). Status writes alone do not make
      the task C(changed).
  returned: unless O(all=true)
  type: bool
requests:
  description:
    - API requests made, by verb; verbs not used are absent. A map with one key per verb, not
      fixed keys. C(list) is one per kind and namespace; C(get) counts discovery, health waits and single
      reads; C(dry-run) counts server-side dry-run applies (drift confirmation, validation); C(apply)
      server-side applies; C(patch) Application status and finalizer patches; C(create) Leases; C(replace)
      Lease renewals and releases; C(delete) pruning.
    - Read a verb with the bracket notation, for example C(result.requests['dry-run']).
  returned: always
  type: dict
  sample: {"list": 4, "get": 2, "dry-run": 1, "apply": 1}
duration:
  description: Seconds the reconcile took.
  returned: unless O(all=true)
  type: float
error:
  description: What failed (only when the reconcile failed; C(not reconciled) when O(deadline) left it out).
  returned: on failure
  type: str
hooks:
  description:
    - Every hook this sync ran, in order, in Argo CD's C(syncResult.resources) shape (also written to
      C(status.operationState.syncResult.resources)).
    - C(hookType) is the phase (PreSync, Sync, PostSync, SyncFail), C(hookPhase) the outcome (Succeeded, Failed),
      C(name) the name the server gave (C(generateName)).
  returned: always
  type: list
  elements: dict
  sample:
    - {"group": "batch", "version": "v1", "kind": "Job", "namespace": "shop", "name": "db-migrate-x7k2q",
       "hookType": "PreSync", "hookPhase": "Succeeded", "syncPhase": "PreSync", "status": "Synced", "message": ""}
triggers:
  description:
    - The notification triggers this reconcile fired, named as Argo CD Notifications' (C(on-sync-failed),
      C(on-sync-succeeded) for a sync that wrote objects, C(on-drift-corrected), C(on-health-degraded),
      C(on-deployed) once per revision synced and Healthy), plus C(on-analysis-failed) (O(name)'s C(spec.analysis) failed after a sync)
      and C(on-rolled-back) (a rollback began, automatic or asked for). Each fires on a change, not while a state holds.
    - Empty in check mode. The gitops.k8s.notify callback plugin sends them (docs/notifications.md).
  returned: unless O(all=true)
  type: list
  elements: str
  sample: ["on-sync-succeeded", "on-deployed"]
error_step:
  description: The step that failed (fetch, render, spec, cluster, apply, prune, hook, health, safety, lock; V(reconcile) when O(deadline) left it out).
  returned: on failure
  type: str
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring, arg_specs, runner
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule


def main():
    spec = arg_specs.compose(
        arg_specs.KUBE_AUTH,
        arg_specs.RENDER,
        arg_specs.DECRYPTION,
        app_wiring.APP_SOURCE,
        name={"type": "str"},
        namespace={"type": "str", "default": runner.DEFAULT_APP_NAMESPACE},
        definition={"type": "dict"},
        install_crd={"type": "bool", "default": True},
        sync={"type": "bool"},
        rollback={"type": "str"},
        resume={"type": "bool", "default": False},
        promote={"type": "bool", "default": False},
        abort={"type": "bool", "default": False},
        pause_wait={"type": "int", "default": 15},
        analysis_providers={"type": "list", "elements": "str", "default": []},
        sync_windows={
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "kind": {"type": "str", "required": True, "choices": ["allow", "deny"]},
                "schedule": {"type": "str", "required": True},
                "duration": {"type": "str", "required": True},
                "timeZone": {"type": "str", "default": "UTC"},
                "applications": {"type": "list", "elements": "str"},
                "namespaces": {"type": "list", "elements": "str"},
                "clusters": {"type": "list", "elements": "str"},
                "manualSync": {"type": "bool", "default": False},
                "andOperator": {"type": "bool", "default": False},
                "description": {"type": "str"},
                "syncOverrun": {"type": "bool", "default": False},
            },
        },
        prune={"type": "bool"},
        prune_protected={"type": "bool", "default": False},
        prune_limit={"type": "int", "default": 0},
        prune_limit_percent={"type": "int", "default": 50},
        wait={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        hook_timeout={"type": "int", "default": 300},
        wave_timeout={"type": "int", "default": 300},
        workers={"type": "int", "default": 8},
        lock={"type": "str", "default": "wait", "choices": ["wait", "skip"]},
        lock_timeout={"type": "int", "default": runner.LOCK_TIMEOUT},
        fail_on_error={"type": "bool", "default": True},
        report_diffs={"type": "bool", "default": False},
        status_page={"type": "bool", "default": False},
        status_configmap={"type": "str"},
        all={"type": "bool", "default": False},
        exclude={"type": "list", "elements": "str", "default": []},
        app_workers={"type": "int", "default": 4},
        push={
            "type": "dict",
            "options": {
                "repo_urls": {"type": "list", "elements": "str", "required": True},
                "branch": {"type": "str", "required": True},
                "default_branch": {"type": "str", "default": ""},
            },
        },
        deadline={"type": "int", "default": 0},
    )
    module = GitOpsModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_one_of=[("name", "definition", "all")],
        mutually_exclusive=[
            ("all", "rollback"),
            ("all", "resume"),
            ("rollback", "resume"),
            ("all", "promote"),
            ("all", "abort"),
            ("promote", "abort"),
        ],
    )
    module.execute(runner.run_app)


if __name__ == "__main__":
    main()
