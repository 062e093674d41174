# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wiring of the Application modules (app, app_info, drift_info): ports from params."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import git, yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.lease import LOCK_TIMEOUT, LeaseLock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_loading, redact, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_KIND, HOOK_TIMEOUT, WAVE_TIMEOUT
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError
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
}


def credentials_by_url(items):
    """The repo_credentials option as credentials scoped by URL prefix; a wildcard, a URL
    without scheme and host, or a URL given twice fails here, before anything is fetched."""
    entries = [(item["url"], dict((k, v) for k, v in item.items() if k != "url" and v)) for item in items or []]
    return repo_urls.Credentials.from_entries(entries, what="repo_credentials")


def lease_name(spec):
    return ("gapp-" + spec.name)[:63]


def make_ports(module, cluster, store, clock):
    p = module.params
    sources = Sources(
        store,
        checkout_dir=p.get("checkout_dir"),
        cache_dir=p.get("git_cache_dir"),
        run_id=p.get("run_id"),
        credentials=credentials_by_url(p.get("repo_credentials")),
        allow_local_repos=p.get("allow_local_repos", False),
        git_timeout=p.get("git_timeout") or git.DEFAULT_TIMEOUT,
        rewrites=repo_urls.Rewrites.from_mapping(p.get("repo_url_rewrites")),
        render_defaults={"renderer": p.get("renderer"), "kustomize_binary": p.get("kustomize_binary"), "helm_binary": p.get("helm_binary")},
        discovery=cluster.capabilities,
    )

    def lock(spec):
        return LeaseLock(cluster, clock, spec.namespace, lease_name(spec), mode=p.get("lock", "wait"), timeout=p.get("lock_timeout", LOCK_TIMEOUT)).hold()

    return Ports(
        cluster=cluster,
        source=sources.source,
        render=sources.render,
        lock=lock,
        write_status=store.write_status,
        clock=clock,
        remove_finalizer=store.remove_finalizer,
    )


def settings_of(module, **overrides):
    p = module.params
    values = dict(
        sync=p.get("sync"),
        prune=p.get("prune"),
        dry_run=module.check_mode,
        wait_timeout=p.get("wait_timeout", 0) if p.get("wait") else 0,
        prune_protected=p.get("prune_protected", False),
        salt=redact.new_salt(),
        rollback=p.get("rollback"),
        resume=bool(p.get("resume")),
        sync_windows=tuple(p.get("sync_windows") or ()),
        hook_timeout=p.get("hook_timeout") or HOOK_TIMEOUT,
        wave_timeout=p.get("wave_timeout") or WAVE_TIMEOUT,
        control_namespace=p.get("namespace") or "",  # Projects live beside the Applications of the run
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
