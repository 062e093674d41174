# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Application resource: its spec (Argo CD field names), its status, and its CRD.

Pure: parses a spec into a frozen AppSpec, decides whether to sync, and builds the
next status from a reconcile outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as syncopts
from ansible_collections.gitops.k8s.plugins.module_utils._engine import commit_trust, crds, retry, strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.analysis import AnalysisSpec, parse_analysis
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    APP_KIND,
    APP_PLURAL,
    APP_SHORT_NAME,
    APP_SYNCED,
    DEFAULT_PROJECT,
    HISTORY_LIMIT,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.messages import bounded
from ansible_collections.gitops.k8s.plugins.module_utils._engine.multi_source import parse_sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine.spec_fields import check as check_fields
from ansible_collections.gitops.k8s.plugins.module_utils._engine.tracking import owner_of

# Condition types (Argo CD's names).
COMPARISON_ERROR = "ComparisonError"
SYNC_ERROR = "SyncError"
SHARED_RESOURCE_WARNING = "SharedResourceWarning"
# Something in the Application or its objects that gitops.k8s does not carry out (an Argo CD
# field, sync option or annotation it does not support): never dropped in silence.
UNSUPPORTED_WARNING = "UnsupportedFeatureWarning"

# The cluster of the run, as Argo CD names it; any other destination is another cluster.
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
IN_CLUSTER_NAME = "in-cluster"

SUCCEEDED = "Succeeded"
FAILED = "Failed"


@dataclass(frozen=True)
class AppSpec:
    name: str
    namespace: str
    project: str = DEFAULT_PROJECT  # spec.project: the Project bounding it (projects.py)
    repo_url: str = ""
    target_revision: str = "HEAD"
    path: str = "."
    # A Helm chart of the chart repository or OCI registry repo_url (target_revision is
    # its version or semver range); "" for a Git source.
    chart: str = ""
    directory: Optional[dict] = None
    kustomize: Optional[dict] = None
    helm: Optional[dict] = None
    destination_namespace: str = ""
    # spec.destination.server / .name (one of them, or neither: the cluster of the run);
    # the cluster they select is resolved from the cluster Secrets (clusters.py)
    destination_server: str = ""
    destination_name: str = ""
    automated: bool = False
    prune: bool = False
    self_heal: bool = False
    allow_empty: bool = False
    sync_options: tuple = ()
    # spec.syncPolicy.managedNamespaceMetadata: labels/annotations of a CreateNamespace namespace
    managed_namespace_metadata: Optional[dict] = None
    ignore_differences: tuple = ()
    retry: Optional[retry.RetryPolicy] = None  # spec.syncPolicy.retry; None: a failed sync is retried on every run
    revision_history_limit: int = HISTORY_LIMIT
    # spec.signatureKeys (commit_trust.py): key IDs one of which must have signed the revision
    signature_keys: tuple = ()
    # A commit to render instead of targetRevision (a rollback in effect); set by reconcile, not by the spec.
    pinned_revision: str = ""
    # spec.sources (multi_source.py): each source a mapping; source is then ignored.
    sources: tuple = ()
    # (ref name, checkout) of the ref sources, set for the render of a multi-source
    # Application's source (Helm value files ``$ref/path``).
    refs: tuple = ()
    # spec.decryption.secretRef.name (Flux's field): the Secret of the Application's namespace
    # holding its decryption keys; "" for none (the operator's keys only).
    decryption_secret: str = ""
    # spec.analysis (analysis.AnalysisSpec, app_analysis.py): measured after a sync that changed
    # something; a failed one rolls back. None: no analysis.
    analysis: Optional[AnalysisSpec] = None
    # spec.strategy (strategy_spec.parse_app): (the default Strategy or None, {Deployment name: Strategy})
    strategy: tuple = (None, {})
    # What the spec asks for that is not carried out, one message each (naming the field):
    # recorded as an UnsupportedFeatureWarning condition and an Ansible warning.
    warnings: tuple = ()

    @property
    def key(self):
        return "%s/%s" % (self.namespace, self.name)

    def has_option(self, name, value="true"):
        return syncopts.app_options(self.sync_options)[0].get(name) == value.lower()


def _mapping(value, where):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidSpec("%s must be a mapping" % where)
    return value


def _chart(value):
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise InvalidSpec("spec.source.chart must be a string (a chart name)")
    return value


DECRYPTION_PROVIDER = "sops"


def _decryption_secret(value):
    """The Secret name of spec.decryption (``{provider: sops, secretRef: {name}}``, as Flux)."""
    decryption = _mapping(value, "spec.decryption")
    if not decryption:
        return ""
    provider = decryption.get("provider", DECRYPTION_PROVIDER)
    if provider != DECRYPTION_PROVIDER:
        raise InvalidSpec("spec.decryption.provider must be %s, got %r" % (DECRYPTION_PROVIDER, provider))
    name = _mapping(decryption.get("secretRef"), "spec.decryption.secretRef").get("name")
    if not isinstance(name, str) or not name:
        raise InvalidSpec("spec.decryption.secretRef.name must name a Secret of the Application's namespace")
    return name


def parse(app):
    """AppSpec of an Application object; raises InvalidSpec naming the bad field."""
    meta = app.get("metadata") or {}
    spec = _mapping(app.get("spec"), "spec")
    source = _mapping(spec.get("source"), "spec.source")
    dest = _mapping(spec.get("destination"), "spec.destination")
    policy = _mapping(spec.get("syncPolicy"), "spec.syncPolicy")
    automated = policy.get("automated")
    auto = _mapping(automated, "spec.syncPolicy.automated")
    options = policy.get("syncOptions") or []
    ignores = spec.get("ignoreDifferences") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise InvalidSpec("spec.syncPolicy.syncOptions must be a list of strings")
    if not isinstance(ignores, list) or not all(isinstance(i, dict) and i.get("kind") for i in ignores):
        raise InvalidSpec("spec.ignoreDifferences must be a list of {group, kind, name, namespace, jsonPointers}")
    path = source.get("path") or "."
    retry_policy, retry_warnings = retry.parse(policy.get("retry"))
    history_limit = spec.get("revisionHistoryLimit", HISTORY_LIMIT)
    if isinstance(history_limit, bool) or not isinstance(history_limit, int) or history_limit < 0:
        raise InvalidSpec("spec.revisionHistoryLimit must be an integer of at least 0, got %r" % (history_limit,))
    if not isinstance(path, str) or path.startswith("/"):
        raise InvalidSpec("spec.source.path must be a relative path, got %r" % (path,))
    _check_destination(dest)
    project = spec.get("project") or DEFAULT_PROJECT
    if not isinstance(project, str):
        raise InvalidSpec("spec.project must be the name of a Project, got %r" % (project,))
    sources = parse_sources(spec.get("sources"))
    ignored = ("spec.source is ignored: spec.sources is set (as in Argo CD)",) if sources and source else ()
    warnings = check_fields(spec)
    analysed = parse_analysis(spec["analysis"], "spec.analysis") if spec.get("analysis") is not None else None
    return AppSpec(
        name=meta.get("name") or "",
        namespace=meta.get("namespace") or "",
        project=project,
        repo_url=source.get("repoURL") or "",
        target_revision=str(source.get("targetRevision") or "HEAD"),
        path=path,
        chart=_chart(source.get("chart")),
        directory=_mapping(source.get("directory"), "spec.source.directory"),
        kustomize=_mapping(source.get("kustomize"), "spec.source.kustomize"),
        helm=_mapping(source.get("helm"), "spec.source.helm"),
        destination_namespace=dest.get("namespace") or "",
        destination_server=str(dest.get("server") or "").rstrip("/"),
        destination_name=str(dest.get("name") or ""),
        automated=automated is not None and auto.get("enabled") is not False,  # Argo CD: enabled null means on
        prune=bool(auto.get("prune")),
        self_heal=bool(auto.get("selfHeal")),
        allow_empty=bool(auto.get("allowEmpty")),
        sync_options=tuple(options),
        managed_namespace_metadata=_namespace_metadata(policy),
        ignore_differences=tuple(ignores),
        retry=retry_policy,
        revision_history_limit=history_limit,
        signature_keys=commit_trust.normalize_key_ids(spec.get("signatureKeys")),
        sources=sources,
        decryption_secret=_decryption_secret(spec.get("decryption")),
        strategy=strategy_spec.parse_app(spec.get("strategy")),
        analysis=analysed,
        warnings=warnings + tuple(syncopts.app_options(options)[1]) + tuple(retry_warnings) + ignored + (analysed.warnings if analysed else ()),
    )


def _check_destination(dest):
    """server or name, not both (Argo CD's rule); each a string. Which cluster they select
    is decided from the cluster Secrets when the Application is reconciled (clusters.py)."""
    server = dest.get("server") or ""
    name = dest.get("name") or ""
    if not isinstance(server, str) or not isinstance(name, str):
        raise InvalidSpec("spec.destination.server and spec.destination.name must be strings")
    if server and name:
        raise InvalidSpec("spec.destination sets both server and name (set one, as Argo CD requires)")


def _namespace_metadata(policy):
    """{labels, annotations} of spec.syncPolicy.managedNamespaceMetadata (string maps)."""
    meta = _mapping(policy.get("managedNamespaceMetadata"), "spec.syncPolicy.managedNamespaceMetadata")
    out = {}
    for key in ("labels", "annotations"):
        values = _mapping(meta.get(key), "spec.syncPolicy.managedNamespaceMetadata.%s" % key)
        if not all(isinstance(v, str) for v in values.values()):
            raise InvalidSpec("spec.syncPolicy.managedNamespaceMetadata.%s must map names to strings" % key)
        if values:
            out[key] = dict(values)
    return out


def parent_of(app):
    """``namespace/name`` of the Application that declared this one (from our tracking
    annotation), or None for a root Application."""
    owner = owner_of(app)
    return owner if owner and "/" in owner and ":" not in owner else None


def should_sync(spec, status, revision, plan_status, requested, now=0.0):
    """(bool, reason): whether this reconcile writes to the cluster.

    requested: True forces a sync (manual sync), False forbids it, None follows the
    policy. Automated: sync when out of sync and either the revision was not synced
    yet (a new commit preempts any retry), the last attempt failed and its retry is
    due (retry.decide: spec.syncPolicy.retry's backoff and limit at epoch ``now``; without
    it, on every run), or selfHeal is on (Argo CD semantics)."""
    if requested is False:
        return False, "sync disabled for this run"
    if plan_status == APP_SYNCED:
        return False, "in sync"
    if requested:
        return True, "sync requested"
    if not spec.automated:
        return False, "out of sync; automated sync is off"
    last = (status or {}).get("operationState") or {}
    if last.get("revision") != revision:
        return True, "new revision %s" % revision[:12]
    if last.get("phase") == FAILED:
        return retry.decide(spec.retry, last, revision, now)
    if spec.self_heal:
        return True, "selfHeal: reverting drift"
    return False, "out of sync; selfHeal is off (drift is reported, not reverted)"


def condition(ctype, message, previous, now):
    """A condition dict, keeping lastTransitionTime when the message is unchanged.
    The message is bounded (messages.bounded): errors quote tools and the API server."""
    message = bounded(message)
    for old in previous or []:
        if old.get("type") == ctype and old.get("message") == message:
            return dict(old)
    return {"type": ctype, "message": message, "lastTransitionTime": now}


def next_status(previous, **changes):
    """New status: previous updated with changes (None values remove keys)."""
    status = dict(previous or {})
    for key, value in changes.items():
        if value is None:
            status.pop(key, None)
        else:
            status[key] = value
    return status


def history_entry(revision, finished, phase, summary, started):
    """One sync in status.history; push_history gives it its ``id``."""
    return {
        "revision": revision,
        "syncedAt": finished,
        "result": phase,
        "created": summary.get("created", 0),
        "configured": summary.get("configured", 0),
        "pruned": summary.get("pruned", 0),
        "startedAt": started,
    }


def push_history(history, entry, limit=HISTORY_LIMIT):
    """Newest first, bounded to ``limit`` (spec.revisionHistoryLimit). The entry gets an
    ``id`` one above the highest so far (Argo CD's history ids, what a rollback names):
    ids are never reused, even once older entries are dropped."""
    history = list(history or [])
    ids = [h.get("id") for h in history if isinstance(h, dict) and isinstance(h.get("id"), int)]
    entry = dict(entry, id=max(ids) + 1 if ids else len(history))
    return ([entry] + history)[:limit]


def crd():
    """The Application CustomResourceDefinition (apiextensions.k8s.io/v1)."""
    any_object = crds.ANY_OBJECT
    open_object = any_object  # an object with known properties that keeps unknown ones too
    string = {"type": "string"}
    # Every object under spec keeps the fields it does not list: an Argo CD field
    # (destination.name, project, sources, ...) or a typo must reach parse(), which warns
    # about it or refuses it; a pruning API server would drop it in silence.
    spec = dict(
        open_object,
        properties={
            "project": string,
            "source": dict(
                open_object,
                properties={
                    "repoURL": string,
                    "targetRevision": string,
                    "path": string,
                    "chart": string,
                    "directory": any_object,
                    "kustomize": any_object,
                    "helm": any_object,
                },
            ),
            "destination": dict(open_object, properties={"namespace": string, "server": string, "name": string}),
            "syncPolicy": dict(
                open_object,
                properties={
                    "automated": dict(
                        open_object,
                        properties={
                            "enabled": {"type": "boolean"},
                            "prune": {"type": "boolean"},
                            "selfHeal": {"type": "boolean"},
                            "allowEmpty": {"type": "boolean"},
                        },
                    ),
                    "syncOptions": {"type": "array", "items": string},
                    "managedNamespaceMetadata": any_object,
                    "retry": any_object,
                },
            ),
            "ignoreDifferences": {"type": "array", "items": any_object},
            "revisionHistoryLimit": {"type": "integer"},
            "signatureKeys": {"type": "array", "items": dict(open_object, properties={"keyID": string})},
            "sources": {"type": "array", "items": any_object},
            "decryption": any_object,
            "analysis": any_object,
            "strategy": any_object,
        },
    )
    columns = [
        {"name": "Sync", "type": "string", "jsonPath": ".status.sync.status"},
        {"name": "Health", "type": "string", "jsonPath": ".status.health.status"},
        {"name": "Revision", "type": "string", "jsonPath": ".status.sync.revision"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]
    description = "A set of Kubernetes objects rendered from a Git path and kept in sync by gitops.k8s."
    return crds.definition(APP_KIND, APP_PLURAL, APP_SHORT_NAME, description, spec, columns, status_subresource=True)
