# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sync and compare options in Argo CD's vocabulary, parsed in one place.

Where they come from:
- an Application's ``spec.syncPolicy.syncOptions`` (``Name=value`` items);
- an object's ``argocd.argoproj.io/sync-options`` and ``gitops-k8s.dev/sync-options``
  annotations (``Name=value`` comma separated, white space trimmed), and the
  ``compare-options`` annotations of both prefixes. Both prefixes are honoured so content
  written for Argo CD works unchanged; when both set the same option, ours wins.

An object's effective options are the Application's per-object options (Argo CD lets
``Prune=false``, ``Replace=true``... be set for every object at the Application level)
overridden by the object's own annotations, as in Argo CD.

Every option is either carried out or a warning: the tables below say, per option and
value, whether gitops.k8s does what Argo CD does (None) or what it does instead (the
warning). An unknown option or an unknown value of a known one is a warning naming it.
Names match case-insensitively, values are compared in lower case.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import (
    COMPARE_OPTION_KEYS,
    OPT_APPLY_OUT_OF_SYNC_ONLY,
    OPT_CREATE_NAMESPACE,
    OPT_CSA_MIGRATION,
    OPT_DELETE,
    OPT_FAIL_ON_SHARED,
    OPT_FORCE,
    OPT_IF_NOT_PRESENT,
    OPT_IGNORE_EXTRANEOUS,
    OPT_INCLUDE_MUTATION_WEBHOOK,
    OPT_PRUNE,
    OPT_PRUNE_LAST,
    OPT_PRUNE_LIMIT,
    OPT_PRUNE_LIMIT_PERCENT,
    OPT_PRUNE_PROPAGATION,
    OPT_PRUNE_PROTECTED,
    OPT_REPLACE,
    OPT_RESPECT_IGNORE,
    OPT_SERVER_SIDE_APPLY,
    OPT_SERVER_SIDE_DIFF,
    OPT_SKIP_DRY_RUN,
    OPT_SSA_FORCE,
    OPT_VALIDATE,
    PROPAGATION_POLICIES,
    SYNC_OPTION_KEYS,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import annotations

_BOOL = {"true": None, "false": None}


class _Whole:
    """The values of a numeric option: whole numbers from ``low`` to ``high``, read like
    the value tables above (``in`` accepts, indexing gives no warning, iterating names the
    range in the warning of a wrong value)."""

    def __init__(self, low, high=None):
        self.low, self.high = low, high

    def __contains__(self, value):
        return value.isdigit() and int(value) >= self.low and (self.high is None or int(value) <= self.high)

    def __getitem__(self, value):
        return None

    def __iter__(self):
        return iter(["%d..%d" % (self.low, self.high) if self.high is not None else "a whole number from %d" % self.low])


def whole(values, name, default=None):
    """The int value of a numeric option, or ``default`` when it is not set."""
    return int(values[name]) if name in values else default


# Options that apply to each object: set on the object, or for every object on the Application.
OBJECT_OPTIONS = {
    OPT_PRUNE: dict(_BOOL, confirm=("Prune=confirm (prune after a manual confirmation) is not supported: the object is not pruned, as with Prune=false")),
    OPT_DELETE: dict(
        _BOOL,
        confirm=(
            "Delete=confirm (delete after a manual confirmation) is not supported: the object is kept when its Application is deleted, as with Delete=false"
        ),
    ),
    OPT_REPLACE: _BOOL,
    OPT_FORCE: _BOOL,
    OPT_SERVER_SIDE_APPLY: {"true": None, "false": "ServerSideApply=false is not supported: gitops.k8s always applies server-side"},
    # kubectl's --validate=false turns off its client-side schema check, which gitops.k8s never
    # runs; the API server's own checks cannot be turned off (docs/sync-options.md).
    OPT_VALIDATE: _BOOL,
    OPT_SKIP_DRY_RUN: _BOOL,
    OPT_PRUNE_LAST: _BOOL,
    OPT_IF_NOT_PRESENT: _BOOL,
    OPT_RESPECT_IGNORE: _BOOL,
    # ours: a protected kind (Namespace, CRD, PV, PVC) may be pruned (prune_guard.py)
    OPT_PRUNE_PROTECTED: _BOOL,
}

# Options of the Application as a whole.
APP_OPTIONS = dict(
    OBJECT_OPTIONS,
    **{
        OPT_CREATE_NAMESPACE: _BOOL,
        OPT_APPLY_OUT_OF_SYNC_ONLY: {
            "true": None,
            "false": "ApplyOutOfSyncOnly=false is not supported: gitops.k8s never writes an object that is already in sync",
        },
        OPT_PRUNE_PROPAGATION: dict((policy, None) for policy in PROPAGATION_POLICIES),
        OPT_FAIL_ON_SHARED: _BOOL,
        OPT_SSA_FORCE: _BOOL,
        OPT_CSA_MIGRATION: {
            "false": None,
            "true": "ClientSideApplyMigration=true is not supported: managed fields of a client-side apply are not moved to gitops.k8s's field manager",
        },
        # ours: the deletion budget of one sync (prune_guard.py)
        OPT_PRUNE_LIMIT: _Whole(0),
        OPT_PRUNE_LIMIT_PERCENT: _Whole(0, 100),
    },
)

COMPARE_OPTIONS = {
    OPT_IGNORE_EXTRANEOUS: {"": None, "true": None},
    OPT_SERVER_SIDE_DIFF: {"true": None, "false": "ServerSideDiff=false is not supported: drift is always confirmed by a server-side dry-run"},
    OPT_INCLUDE_MUTATION_WEBHOOK: {
        "true": None,
        "false": "IncludeMutationWebhook=false is not supported: the server-side dry-run includes what mutating webhooks change",
    },
}


def _canonical(table):
    return dict((name.lower(), name) for name in table)


def parse(tokens, table, where):
    """({option: value}, [warning]) of ``Name=value`` tokens against ``table``; a later
    token for the same option wins. ``where`` names the source in warnings."""
    names = _canonical(table)
    values, warnings = {}, []
    for token in tokens:
        token = str(token).strip()
        if not token:
            continue
        raw_name, _sep, raw_value = token.partition("=")
        name = names.get(raw_name.strip().lower())
        value = raw_value.strip().lower()
        if name is None:
            warnings.append("%s: unknown option %s (ignored)" % (where, token))
            continue
        if value not in table[name]:
            warnings.append(
                "%s: unknown value %s of option %s (ignored; expected %s)" % (where, raw_value.strip() or "''", name, "|".join(v or "''" for v in table[name]))
            )
            continue
        if table[name][value]:
            warnings.append("%s: %s" % (where, table[name][value]))
        values[name] = value
    return values, warnings


def _split(text):
    return str(text or "").split(",")


def annotation_options(obj, keys, table, subject):
    """({option: value}, [warning]) from an object's annotations ``keys`` (later keys win)."""
    notes = annotations(obj)
    values, warnings = {}, []
    for key in keys:
        if key in notes:
            found, problems = parse(_split(notes[key]), table, "%s annotation %s" % (subject, key))
            values.update(found)
            warnings.extend(problems)
    return values, warnings


def app_options(sync_options):
    """({option: value}, [warning]) of spec.syncPolicy.syncOptions."""
    return parse(sync_options or (), APP_OPTIONS, "spec.syncPolicy.syncOptions")


def object_defaults(app_values):
    """The Application-level options that apply to each object, as sorted pairs (a
    hashable value for the frozen SyncOptions)."""
    return tuple(sorted((k, v) for k, v in app_values.items() if k in OBJECT_OPTIONS))


def object_options(obj, defaults=(), subject=""):
    """({option: value}, [warning]): an object's effective sync options, the Application's
    ``defaults`` (object_defaults) overridden by its annotations (ours over Argo CD's)."""
    values = dict(defaults)
    own, warnings = annotation_options(obj, SYNC_OPTION_KEYS, OBJECT_OPTIONS, subject)
    values.update(own)
    return values, warnings


def compare_options(obj, subject=""):
    """({option: value}, [warning]) of an object's compare-options annotations."""
    return annotation_options(obj, COMPARE_OPTION_KEYS, COMPARE_OPTIONS, subject)


def enabled(values, name):
    """Whether option ``name`` is set to true (IgnoreExtraneous: present)."""
    return name in values and values[name] in ("true", "")


def disabled(values, name):
    """Whether option ``name`` is set to false (or, for Prune and Delete, confirm: not
    supported, so the safe reading is kept)."""
    return values.get(name) in ("false", "confirm")
