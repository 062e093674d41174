# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wiring of the standalone sync and drift_info modules (objects given directly)."""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import render, yaml_io
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.inventory_store import ConfigMapInventory
from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan as planner
from ansible_collections.gitops.k8s.plugins.module_utils._engine import redact
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest, expand_lists, validate
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions

# doc fragment: gitops.k8s.objects
OBJECTS = {
    "definitions": {"type": "list", "elements": "dict"},
    "src": {"type": "path"},
    "namespace": {"type": "str", "default": "default"},
    "inventory": {"type": "dict", "options": {"name": {"type": "str", "required": True}, "namespace": {"type": "str", "default": "default"}}},
    "ignore_differences": {"type": "list", "elements": "dict", "default": []},
}


def desired_manifests(module):
    p = module.params
    if p.get("definitions") is not None:
        return validate(expand_lists([Manifest(obj, "definitions[%d]" % i) for i, obj in enumerate(p["definitions"])]))
    module.require("PyYAML", yaml_io.YAML_IMPORT_ERROR)
    options = render.RenderOptions(
        renderer=p.get("renderer") or render.AUTO, kustomize_binary=p.get("kustomize_binary"), helm_binary=p.get("helm_binary"), namespace=p.get("namespace")
    )
    return render.render(p["src"], ".", options).manifests


def open_inventory(module, cluster):
    spec = module.params.get("inventory")
    if not spec:
        return None
    return ConfigMapInventory(cluster, spec["namespace"], spec["name"])


def options_of(module, store, dry_run, **extra):
    p = module.params
    values = dict(
        namespace=p["namespace"],
        tracking=store.owner if store else "",
        dry_run=dry_run,
        ignore_differences=tuple(p.get("ignore_differences") or ()),
        salt=redact.new_salt(),
    )
    values.update(extra)
    return SyncOptions(**values)


def make_plan(module, cluster, dry_run, **extra):
    """(inventory store or None, options, plan) for the module's objects."""
    store = open_inventory(module, cluster)
    previous = store.load() if store else ()
    options = options_of(module, store, dry_run, **extra)
    return store, options, planner.build_plan(cluster, desired_manifests(module), previous, options)


def clock():
    return SystemClock()


def module_of(argument_spec):
    """The GitOpsModule of a standalone module (definitions xor src)."""
    return GitOpsModule(
        argument_spec=argument_spec, supports_check_mode=True, mutually_exclusive=[("definitions", "src")], required_one_of=[("definitions", "src")]
    )
