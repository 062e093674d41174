# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wiring of the Application modules (app, app_info, drift_info): ports from params."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import build_env, decryption, git, prometheus_query, yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.cluster_registry import ClusterRegistry
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.commit_signatures import CommitVerifier
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.lease import LOCK_TIMEOUT, LeaseLock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.run_projects import RunProjects
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.shared_reads import SharedReads
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis_providers, app_loading, commit_trust, redact, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_KIND, DEFAULT_WORKERS, HOOK_TIMEOUT, WAVE_TIMEOUT
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Ports
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings

# doc fragment: gitops.k8s.app_source
APP_SOURCE = {
    "checkout_dir": {"type": "path"},
    "git_cache_dir": {"type": "path", "default": "~/.cache/gitops-k8s/git"},
    "run_id": {"type": "str"},
    "allow_local_repos": {"type": "bool", "default": False},
    "git_timeout": {"type": "int", "default": git.DEFAULT_TIMEOUT},
    "repo_url_rewrites": {"type": "dict", "default": {}},
    "build_env": {"type": "dict", "default": {}},
    "repo_credentials": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "url": {"type": "str", "required": True},
            "ssh_key": {"type": "str", "no_log": True},
            "known_hosts": {"type": "str"},
            "username": {"type": "str"},
            "password": {"type": "str", "no_log": True},
            "token": {"type": "str", "no_log": True},
            "ca_cert": {"type": "str"},
            "tls_client_cert_data": {"type": "str"},
            "tls_client_cert_key": {"type": "str", "no_log": True},
            "insecure": {"type": "bool", "default": False},
        },
    },
    "commit_signatures": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "url": {"type": "str"},
            "keys": {"type": "list", "elements": "str", "no_log": False},  # public keys
            "key_files": {"type": "list", "elements": "path", "no_log": False},
            "keys_from": {
                "type": "list",
                "elements": "dict",
                "no_log": False,
                "options": {
                    "kind": {"type": "str", "default": "ConfigMap", "choices": ["ConfigMap", "Secret"]},
                    "namespace": {"type": "str", "required": True},
                    "name": {"type": "str", "required": True},
                },
            },
            "required": {"type": "bool", "default": True},
        },
    },
}


def credentials_by_url(items):
    """The repo_credentials option as credentials scoped by URL prefix; a wildcard, a URL
    without scheme and host, or a URL given twice fails here, before anything is fetched."""
    entries = [(item["url"], dict((k, v) for k, v in item.items() if k != "url" and v)) for item in items or []]
    return repo_urls.Credentials.from_entries(entries, what="repo_credentials")


def lease_name(spec):
    return ("gapp-" + spec.name)[:63]


def decryption_keys(module, cluster):
    """``keys(spec)``: the decryption.Keys of an Application: the operator's key files and
    vault password file, the operator's ``decryption_secret`` (``name`` in the
    Application's namespace, or ``namespace/name``; Argo CD Applications have no field for
    it) and the Secret its own ``spec.decryption.secretRef`` names. Each Secret is read
    once per run."""
    p = module.params
    operator = decryption.keys_from_files(p.get("decryption_key_files") or (), p.get("vault_password_file"), p.get("sops_binary"))
    read = {}

    def secret_keys(namespace, name):
        if (namespace, name) not in read:
            subject = format_id("Secret", namespace, name)
            secret = cluster.get(cluster.resolve("v1", "Secret"), namespace, name)
            if secret is None:
                raise RenderError("decryption Secret not found", subject=subject)
            read[(namespace, name)] = decryption.keys_from_secret(secret, subject)
            ignored = decryption.ignored_secret_keys(secret)
            if ignored:
                module.warn(
                    "%s: keys %s are not read: only *%s, *%s and *%s keys decrypt; "
                    "network key services (Flux's sops.aws-kms, sops.vault-token, ...) are never called"
                    % (subject, ", ".join(ignored), decryption.AGE_SUFFIX, decryption.PGP_SUFFIX, decryption.VAULT_SUFFIX)
                )
        return read[(namespace, name)]

    def keys(spec):
        found = operator
        if p.get("decryption_secret"):
            namespace, _sep, name = p["decryption_secret"].rpartition("/")
            found = found.merged(secret_keys(namespace or spec.namespace, name))
        if spec.decryption_secret:
            found = found.merged(secret_keys(spec.namespace, spec.decryption_secret))
        return found

    return keys


def hide_revealed(module):
    """``(on_revealed, scrub)``: values a render decrypted join the module's no_log values
    (Ansible masks them in the whole result: diff, messages, warnings) and ``scrub``
    removes them from text written to the cluster (Application status)."""
    revealed = []

    def on_revealed(values):
        values = [v for v in values if isinstance(v, str) and len(v) >= redact.MIN_TEXT_SECRET_LENGTH]
        revealed.extend(values)
        module.no_log_values.update(values)

    def scrub(value):
        if not revealed:
            return value
        if isinstance(value, str):
            return redact.redact_text(value, revealed)
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub(item) for item in value]
        return value

    return on_revealed, scrub


def make_ports(module, cluster, store, clock):
    """The Ports of the run (make_ports_and_sources without its Sources)."""
    return make_ports_and_sources(module, cluster, store, clock)[0]


def make_ports_and_sources(module, cluster, store, clock):
    """The reconcile Ports and the Sources behind them (ApplicationSet generators read
    Git through the same cache); objects go to each Application's destination cluster
    (``ports.destinations``, a ClusterRegistry), its status and Lease stay on ``cluster``."""
    p = module.params
    on_revealed, scrub = hide_revealed(module)
    destinations = ClusterRegistry(cluster)
    sources = Sources(
        store,
        checkout_dir=p.get("checkout_dir"),
        cache_dir=p.get("git_cache_dir"),
        run_id=p.get("run_id"),
        credentials=credentials_by_url(p.get("repo_credentials")),
        allow_local_repos=p.get("allow_local_repos", False),
        git_timeout=p.get("git_timeout") or git.DEFAULT_TIMEOUT,
        rewrites=repo_urls.Rewrites.from_mapping(p.get("repo_url_rewrites")),
        render_defaults={
            "renderer": p.get("renderer"),
            "kustomize_binary": p.get("kustomize_binary"),
            "helm_binary": p.get("helm_binary"),
            "build_env": build_env.operator_env(p.get("build_env")),
        },
        discovery=lambda spec: destinations.connect(destinations.select(spec)).capabilities(),
        verifier=CommitVerifier(commit_trust.rules_of(p.get("commit_signatures")), cluster),
        decryption=decryption_keys(module, cluster),
        on_revealed=on_revealed,
    )

    def lock(spec):
        return LeaseLock(cluster, clock, spec.namespace, lease_name(spec), mode=p.get("lock", "wait"), timeout=p.get("lock_timeout", LOCK_TIMEOUT)).hold()

    ports = Ports(
        cluster=cluster,
        source=sources.source,
        render=sources.render,
        lock=lock,
        write_status=lambda app, status: store.write_status(app, scrub(status)),
        clock=clock,
        remove_finalizer=store.remove_finalizer,
        reads=SharedReads(cluster),
        destinations=destinations,
        metrics=prometheus_query.query,
        projects=RunProjects(cluster).catalog,
    )
    return ports, sources


def workers_of(params):
    """The ``workers`` option: DEFAULT_WORKERS when not given, at least 1."""
    value = params.get("workers")
    return DEFAULT_WORKERS if value is None else max(1, value)


def settings_of(module, **overrides):
    p = module.params
    values = dict(
        sync=p.get("sync"),
        prune=p.get("prune"),
        dry_run=module.check_mode,
        wait_timeout=p.get("wait_timeout", 0) if p.get("wait") else 0,
        prune_protected=p.get("prune_protected", False),
        prune_limit=p.get("prune_limit"),
        prune_limit_percent=p.get("prune_limit_percent"),
        salt=redact.new_salt(),
        rollback=p.get("rollback"),
        resume=bool(p.get("resume")),
        promote=bool(p.get("promote")),
        abort=bool(p.get("abort")),
        pause_wait=max(0, p.get("pause_wait") or 0),
        sync_windows=tuple(p.get("sync_windows") or ()),
        hook_timeout=p.get("hook_timeout") or HOOK_TIMEOUT,
        wave_timeout=p.get("wave_timeout") or WAVE_TIMEOUT,
        workers=workers_of(p),
        control_namespace=p.get("namespace") or "",  # Projects live beside the Applications of the run
        analysis_providers=analysis_providers.parse(p.get("analysis_providers")),  # InvalidSpec naming a bad entry
    )
    values.update(overrides)
    return Settings(**values)


def open_store(module):
    module.require("PyYAML", yaml_io.YAML_IMPORT_ERROR)
    cluster = module.cluster()
    clock = SystemClock()
    return cluster, AppStore(cluster, clock), clock


def load_app(module, store, name, namespace, definition=None, install_crd=False):
    """The Application object to reconcile (declared from definition when given);
    returns (app, changed). What check mode may write is the engine's decision
    (app_loading); this performs it."""
    check = module.check_mode
    changed = False
    step = app_loading.crd_step(install_crd, check)
    if step == app_loading.PROBE_CRD:
        changed = not store.crd_installed()
    elif step == app_loading.INSTALL_CRD:
        changed = store.ensure_crd()
    if not store.crd_installed():
        declared = app_loading.definition_without_crd(check, definition)
        return app_loading.normalized_definition(definition, name, namespace), declared
    if definition:
        obj = app_loading.normalized_definition(definition, name, namespace)
        if install_crd and store.ensure_namespace(obj["metadata"]["namespace"], dry_run=check):
            changed = True
            if app_loading.ends_at_new_namespace(check, True):
                return obj, True
        app, declared = store.declare(obj, dry_run=check)
        return app, changed or declared
    app = store.get(namespace, name)
    if app is None:
        raise GitOpsError("Application not found", subject="%s/%s/%s" % (APP_KIND, namespace, name))
    return app, changed
