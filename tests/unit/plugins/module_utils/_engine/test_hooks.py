# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hook recognition (Argo CD and Helm annotations), waves, and generateName validation."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import hooks, manifests, ordering
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError


def job(annotations=None, name="migrate", generate_name=None):
    meta = {"annotations": annotations or {}}
    if generate_name:
        meta["generateName"] = generate_name
    else:
        meta["name"] = name
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}},
    }


@pytest.mark.parametrize(
    "value, phases",
    [
        ("PreSync", ("PreSync",)),
        ("Sync", ("Sync",)),
        ("PostSync", ("PostSync",)),
        ("SyncFail", ("SyncFail",)),
        ("PostSync, PreSync", ("PreSync", "PostSync")),
    ],
)
def test_argocd_hook_phases(value, phases):
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": value}))
    assert hook.phases == phases and not hook.skip and warnings == ()
    assert hook.delete_policies == ("BeforeHookCreation",)  # Argo CD's default


def test_ordinary_object_is_no_hook():
    assert hooks.classify(job({"argocd.argoproj.io/sync-wave": "1"})) == (None, ())


def test_skip_is_never_applied():
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": "Skip"}))
    assert hook.skip and hook.phases == () and warnings == ()


def test_unknown_hook_type_is_a_warning():
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": "PreSync,Presync"}))
    assert hook.phases == ("PreSync",)
    assert warnings == ("Job/migrate: unknown argocd.argoproj.io/hook type 'Presync' ignored",)


def test_only_unknown_types_never_run_and_say_so():
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": "BeforeSync"}))
    assert hook.phases == () and len(warnings) == 1 and "BeforeSync" in warnings[0]


def test_deletion_hooks_run_only_on_deletion():
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": "PostDelete,PreDelete"}))
    assert hook.phases == ("PreDelete", "PostDelete") and warnings == ()


@pytest.mark.parametrize(
    "value, phases",
    [
        ("pre-install", ("PreSync",)),
        ("pre-upgrade", ("PreSync",)),
        ("post-install", ("PostSync",)),
        ("post-upgrade", ("PostSync",)),
        ("pre-install,pre-upgrade", ("PreSync",)),
        ("post-install,post-upgrade,pre-upgrade", ("PreSync", "PostSync")),
    ],
)
def test_helm_hooks_map_as_argocd_maps_them(value, phases):
    hook, warnings = hooks.classify(job({"helm.sh/hook": value}))
    assert hook.phases == phases and warnings == () and hook.source == "helm.sh/hook"


@pytest.mark.parametrize("value", ["test", "test-success", "pre-delete", "post-rollback"])
def test_helm_hooks_argocd_never_runs_are_noted(value):
    hook, warnings = hooks.classify(job({"helm.sh/hook": value}))
    assert hook.phases == ()
    assert warnings == ("Job/migrate: helm.sh/hook %s is not run (as in Argo CD)" % value,)


def test_helm_delete_policies_are_mapped():
    hook, _warnings = hooks.classify(job({"helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "hook-succeeded,before-hook-creation"}))
    assert hook.delete_policies == ("BeforeHookCreation", "HookSucceeded")


def test_argocd_policies_and_unknown_policy():
    hook, warnings = hooks.classify(job({"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "HookFailed,HookSucceded"}))
    assert hook.delete_policies == ("HookFailed",)
    assert warnings == ("Job/migrate: unknown argocd.argoproj.io/hook-delete-policy 'HookSucceded' ignored",)


def test_argocd_annotation_wins_over_helm():
    hook, _warnings = hooks.classify(job({"argocd.argoproj.io/hook": "Sync", "helm.sh/hook": "pre-install"}))
    assert hook.phases == ("Sync",) and hook.source == "argocd.argoproj.io/hook"


@pytest.mark.parametrize(
    "annotations, wave",
    [
        ({}, 0),
        ({"argocd.argoproj.io/sync-wave": "-2"}, -2),
        ({"helm.sh/hook-weight": "5"}, 5),
        ({"argocd.argoproj.io/sync-wave": "3", "helm.sh/hook-weight": "5"}, 3),
        ({"gitops-k8s.dev/sync-wave": "1", "argocd.argoproj.io/sync-wave": "3"}, 1),
    ],
)
def test_wave_annotations_ours_then_argocd_then_helm(annotations, wave):
    assert ordering.wave_of(job(annotations)) == wave


def test_generate_name_is_accepted_on_hooks():
    ms = [
        manifests.Manifest(job({"argocd.argoproj.io/hook": "PreSync"}, generate_name="migrate-"), "hooks.yaml:1"),
        manifests.Manifest(job({"helm.sh/hook": "post-install"}, generate_name="migrate-"), "hooks.yaml:2"),
    ]
    assert manifests.validate(ms) == ms


def test_generate_name_on_an_ordinary_object_is_a_clear_error():
    with pytest.raises(ManifestError, match="generateName works on hooks only") as err:
        manifests.validate([manifests.Manifest(job(generate_name="migrate-"), "job.yaml:1")])
    assert err.value.subject == "job.yaml:1"


def test_split_keeps_order_and_collects_warnings():
    ordinary = job(name="plain")
    pre = job({"argocd.argoproj.io/hook": "PreSync"}, generate_name="pre-")
    test = job({"helm.sh/hook": "test"}, name="chart-test")
    ms = [manifests.Manifest(o, "f.yaml:%d" % i) for i, o in enumerate((ordinary, pre, test))]
    kept, hooked, warnings = hooks.split(ms)
    assert [m.obj for m in kept] == [ordinary]
    assert [(m.obj["metadata"].get("name") or m.obj["metadata"]["generateName"]) for m, _hook in hooked] == ["pre-", "chart-test"]
    assert warnings == ("Job/chart-test: helm.sh/hook test is not run (as in Argo CD)",)
