# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Closed vocabularies of gitops.k8s, declared once.

Annotation keys, the field manager, the Application API, per-object actions and
statuses, health codes and the kind order live here and nowhere else.
"""

from __future__ import annotations

# The Application custom resource (our own API group, never under k8s.io).
API_GROUP = "gitops-k8s.dev"
API_VERSION = "v1alpha1"
APP_API_VERSION = API_GROUP + "/" + API_VERSION
APP_KIND = "Application"
APP_PLURAL = "applications"
APP_SHORT_NAME = "gapp"
APP_CRD_NAME = APP_PLURAL + "." + API_GROUP
# Kubernetes' own CustomResourceDefinition API (the Application CRD and CRDs in a sync).
CRD_API_VERSION = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
# How long to wait for a CRD to become Established, and how often to look.
CRD_TIMEOUT = 60
CRD_POLL_INTERVAL = 0.5
DEFAULT_APP_NAMESPACE = "gitops-system"
# The Project custom resource (Argo CD's AppProject, projects.py): who may deploy what,
# where. Projects live in the namespace of the run (the control namespace); an Application
# without spec.project belongs to "default", built in and permissive unless a Project
# named default exists.
PROJECT_KIND = "Project"
PROJECT_PLURAL = "projects"
PROJECT_SHORT_NAME = "gproj"
PROJECT_CRD_NAME = PROJECT_PLURAL + "." + API_GROUP
DEFAULT_PROJECT = "default"
# The ApplicationSet custom resource (Argo CD's, applicationset.py): Applications generated
# from a template, owned by the set (ownerReference) and deleted when no longer generated.
APPSET_KIND = "ApplicationSet"
APPSET_PLURAL = "applicationsets"
APPSET_SHORT_NAME = "gappset"
APPSET_CRD_NAME = APPSET_PLURAL + "." + API_GROUP
# On an Application: deleting it first prunes every object of its inventory (Argo CD's
# resources-finalizer). Without it, deleting an Application leaves its objects in place.
APP_FINALIZER = API_GROUP + "/resources-finalizer"
HISTORY_LIMIT = 10
# Longest chain of declaring Applications walked (root -> child -> ...): a deeper or looping
# chain of tracking annotations is not followed further.
APP_MAX_DEPTH = 10
# Longest message written to an Application's status (health, conditions, operationState):
# longer ones keep their head and end with "... (N more characters)" (messages.bounded).
STATUS_MESSAGE_LIMIT = 1024

# Server-side apply field manager: one, fixed, so ownership is stable across runs.
FIELD_MANAGER = "gitops-k8s"

# Per-object annotations (user-facing knobs and our ownership mark).
ANNOTATION_PREFIX = API_GROUP + "/"
ANN_TRACKING_ID = ANNOTATION_PREFIX + "tracking-id"
ANN_SYNC_WAVE = ANNOTATION_PREFIX + "sync-wave"
ANN_SYNC_OPTIONS = ANNOTATION_PREFIX + "sync-options"
ANN_COMPARE_OPTIONS = ANNOTATION_PREFIX + "compare-options"
# On an Application converted from another tool's manifest (argocd_application.py): the
# apiVersion it was written as.
ANN_CONVERTED_FROM = ANNOTATION_PREFIX + "converted-from"
# on the objects a progressive strategy adds (canary.py; not rendered from Git): pruned when
# the strategy no longer wants them, whatever the Application's prune policy
ANN_STRATEGY_OBJECT = ANNOTATION_PREFIX + "strategy-object"
# on a Project (or an Argo CD AppProject): a JSON list of Prometheus base URLs that narrows
# the operator's analysis_providers for the project's Applications (analysis_providers.py)
ANN_ANALYSIS_PROVIDERS = ANNOTATION_PREFIX + "analysis-providers"
# Argo CD's own keys for the same per-object options, honoured beside ours (ours win per
# option when both set one): content written for Argo CD works unchanged.
ARGOCD_PREFIX = "argocd.argoproj.io/"
ARGOCD_SYNC_OPTIONS = ARGOCD_PREFIX + "sync-options"
ARGOCD_COMPARE_OPTIONS = ARGOCD_PREFIX + "compare-options"
SYNC_OPTION_KEYS = (ARGOCD_SYNC_OPTIONS, ANN_SYNC_OPTIONS)  # later keys win
COMPARE_OPTION_KEYS = (ARGOCD_COMPARE_OPTIONS, ANN_COMPARE_OPTIONS)

# Sync option names (Argo CD's vocabulary; ``Name=value``, comma separated in the
# annotations, one per item in spec.syncPolicy.syncOptions). Meanings: docs/sync-options.md.
OPT_PRUNE = "Prune"
OPT_DELETE = "Delete"
OPT_REPLACE = "Replace"
OPT_FORCE = "Force"
OPT_SERVER_SIDE_APPLY = "ServerSideApply"
OPT_VALIDATE = "Validate"
OPT_SKIP_DRY_RUN = "SkipDryRunOnMissingResource"
OPT_PRUNE_LAST = "PruneLast"
OPT_IF_NOT_PRESENT = "IfNotPresent"  # ours: create the object when missing, never update it
OPT_RESPECT_IGNORE = "RespectIgnoreDifferences"
OPT_CREATE_NAMESPACE = "CreateNamespace"
OPT_APPLY_OUT_OF_SYNC_ONLY = "ApplyOutOfSyncOnly"
OPT_PRUNE_PROPAGATION = "PrunePropagationPolicy"
OPT_FAIL_ON_SHARED = "FailOnSharedResource"
OPT_SSA_FORCE = "ServerSideApplyForce"  # ours: =false stops taking fields other managers own
OPT_CSA_MIGRATION = "ClientSideApplyMigration"
# Ours, prune guards (prune_guard.py, docs/prune-guards.md): the deletion budget of one sync
# (PruneLimit=<count>, PruneLimitPercent=<0..100> of the Application's objects), and
# PruneProtected=true to let a protected kind (PRUNE_PROTECTED_KINDS) be pruned.
OPT_PRUNE_LIMIT = "PruneLimit"
OPT_PRUNE_LIMIT_PERCENT = "PruneLimitPercent"
OPT_PRUNE_PROTECTED = "PruneProtected"
# Compare option names (the compare-options annotations).
OPT_IGNORE_EXTRANEOUS = "IgnoreExtraneous"
OPT_SERVER_SIDE_DIFF = "ServerSideDiff"
OPT_INCLUDE_MUTATION_WEBHOOK = "IncludeMutationWebhook"
# Values of the one-word options written the way Argo CD writes them (kept for callers).
OPT_PRUNE_DISABLED = OPT_PRUNE + "=false"
OPT_SSA_IF_NOT_PRESENT = OPT_IF_NOT_PRESENT + "=true"
# PrunePropagationPolicy values (lower case, as Argo CD documents them) -> DELETE's
# propagationPolicy. Argo CD prunes in the foreground by default; gitops.k8s in the
# background (the DELETE returns at once; the garbage collector removes the dependents
# either way, so both reach the same end state).
PROPAGATION_POLICIES = {"foreground": "Foreground", "background": "Background", "orphan": "Orphan"}
DEFAULT_PRUNE_PROPAGATION = "Background"
# Kinds that Replace=true updates in place (PUT) and Force=true never deletes: recreating
# them would delete every custom resource of the CRD or everything in the namespace
# (gitops-engine makes the same exception).
NEVER_RECREATED_KINDS = ("Namespace", "CustomResourceDefinition")
# How long a Force=true recreate waits for the deleted object to be gone.
RECREATE_TIMEOUT = 60
# How long PruneLast waits for the applied objects to be healthy when no wait_timeout is set.
PRUNE_LAST_TIMEOUT = 60

# Argo CD's and Helm's hook and wave annotations, honoured as they are (ours win where both are set).
ANN_ARGOCD_SYNC_WAVE = ARGOCD_PREFIX + "sync-wave"
ANN_ARGOCD_HOOK = ARGOCD_PREFIX + "hook"
ANN_ARGOCD_HOOK_DELETE_POLICY = ARGOCD_PREFIX + "hook-delete-policy"
ANN_HELM_HOOK = "helm.sh/hook"
ANN_HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
ANN_HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"

# Sync phases (Argo CD hook types) in the order a sync runs them; SyncFail runs only when
# the sync failed, Skip marks an object never applied. PreDelete / PostDelete are Argo
# CD's deletion hooks (Application deleted).
PHASE_PRE_SYNC = "PreSync"
PHASE_SYNC = "Sync"
PHASE_POST_SYNC = "PostSync"
PHASE_SYNC_FAIL = "SyncFail"
HOOK_SKIP = "Skip"
PHASE_PRE_DELETE = "PreDelete"
PHASE_POST_DELETE = "PostDelete"
SYNC_PHASES = (PHASE_PRE_SYNC, PHASE_SYNC, PHASE_POST_SYNC)
# Hook delete policies (Argo CD's names); BeforeHookCreation when none is set.
POLICY_BEFORE_CREATION = "BeforeHookCreation"
POLICY_SUCCEEDED = "HookSucceeded"
POLICY_FAILED = "HookFailed"
DELETE_POLICIES = (POLICY_BEFORE_CREATION, POLICY_SUCCEEDED, POLICY_FAILED)
# A hook's outcome (Argo CD's hookPhase values).
HOOK_RUNNING = "Running"
HOOK_SUCCEEDED = "Succeeded"
HOOK_FAILED = "Failed"
# Seconds a hook may run, and a wave may take to become healthy, unless told otherwise.
HOOK_TIMEOUT = 300
WAVE_TIMEOUT = 300
# Requests sent side by side by one sync (dry-runs of its plan, writes of one kind group):
# the API server accepts about 2.5x more server-side applies per second from 8 parallel
# clients than from one, and 8 stays well below its default max-requests-inflight (400).
DEFAULT_WORKERS = 8
# How often a running hook or a waiting wave is looked at.
HOOK_POLL_INTERVAL = 1.0

# Two vocabularies share the words "Synced" and "OutOfSync" (as in Argo CD) but answer
# different questions, so each is declared on its own:
# - per-object comparison status: how one desired object compares with the live one
#   (drift_info's ``objects[].status``, PlanItem.status);
# - Application sync status: whether the whole Application matches Git
#   (``status.sync.status``, drift_info's ``in_sync``), which also knows Unknown.
# "Missing" likewise is a comparison status (not in the cluster) and, separately, a health
# code (HEALTH_MISSING: the object to assess does not exist).

# Per-object comparison status (drift_info).
SYNCED = "Synced"
OUT_OF_SYNC = "OutOfSync"
MISSING = "Missing"
EXTRA = "Extra"
COMPARE_STATUSES = (SYNCED, OUT_OF_SYNC, MISSING, EXTRA)

# Application-level sync status.
APP_SYNCED = "Synced"
APP_OUT_OF_SYNC = "OutOfSync"
APP_UNKNOWN = "Unknown"

# Per-object actions of a change set (sync).
CREATED = "created"
CONFIGURED = "configured"
UNCHANGED = "unchanged"
PRUNED = "pruned"
SKIPPED = "skipped"
ACTIONS = (CREATED, CONFIGURED, UNCHANGED, PRUNED, SKIPPED)
WRITE_ACTIONS = (CREATED, CONFIGURED, PRUNED)

# Health codes, from most healthy to least healthy (gitops-engine's healthOrder).
HEALTHY = "Healthy"
SUSPENDED = "Suspended"
PROGRESSING = "Progressing"
HEALTH_MISSING = "Missing"
DEGRADED = "Degraded"
UNKNOWN = "Unknown"
HEALTH_ORDER = (HEALTHY, SUSPENDED, PROGRESSING, HEALTH_MISSING, DEGRADED, UNKNOWN)

# Apply order by kind inside one wave (Namespaces and CRDs first, webhooks last).
KIND_ORDER = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)

# Kinds never pruned unless the Application opts in (data loss guards).
PRUNE_PROTECTED_KINDS = ("Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume")
# The deletion budget by default: a sync may prune at most this percentage of the
# Application's objects (more than half is held), and any number of them (0: no count limit).
DEFAULT_PRUNE_LIMIT_PERCENT = 50
DEFAULT_PRUNE_LIMIT = 0
# Most objects a held prune's condition names (the rest are counted).
PRUNE_HOLD_LIST_LIMIT = 20

# repo_credentials keys for HTTPS to Helm chart repositories and OCI registries (Argo CD's
# repository Secret tlsClientCertData / tlsClientCertKey / insecure, and a CA as its
# argocd-tls-certs-cm gives it); git fetches refuse them rather than ignore them.
TLS_CREDENTIAL_KEYS = ("ca_cert", "tls_client_cert_data", "tls_client_cert_key", "insecure")
