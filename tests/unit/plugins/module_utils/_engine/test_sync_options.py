# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parse of sync and compare options: Argo CD's annotations beside ours, the
Application's options as defaults, and a warning for everything not carried out."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync_options as so


def obj(**notes):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": notes}}


ARGO = "argocd.argoproj.io/sync-options"
OURS = "gitops-k8s.dev/sync-options"


def test_argocd_annotation_is_read_with_spaces_trimmed():
    values, warnings = so.object_options(obj(**{ARGO: "Prune=false, Replace=true ,Force=true"}), subject="ConfigMap/demo/c")
    assert values == {"Prune": "false", "Replace": "true", "Force": "true"}
    assert warnings == []


def test_both_annotations_merge_ours_winning_per_option():
    values = so.object_options(obj(**{ARGO: "Prune=false,PruneLast=true", OURS: "Prune=true,Replace=true"}))[0]
    assert values == {"Prune": "true", "PruneLast": "true", "Replace": "true"}


def test_application_options_are_defaults_the_object_overrides():
    app, warnings = so.app_options(["Prune=false", "CreateNamespace=true", "PrunePropagationPolicy=orphan"])
    assert warnings == []
    defaults = so.object_defaults(app)
    assert dict(defaults) == {"Prune": "false"}  # CreateNamespace, PrunePropagationPolicy are not per object
    values = so.object_options(obj(**{ARGO: "Prune=true"}), defaults)[0]
    assert values["Prune"] == "true"
    values = so.object_options(obj(), defaults)[0]
    assert so.disabled(values, "Prune")


def test_unknown_option_is_a_warning_naming_object_and_option():
    values, warnings = so.object_options(obj(**{ARGO: "Prune=false,FooBar=true"}), subject="ConfigMap/demo/c")
    assert values == {"Prune": "false"}
    assert warnings == ["ConfigMap/demo/c annotation %s: unknown option FooBar=true (ignored)" % ARGO]


def test_unknown_value_of_a_known_option_is_a_warning():
    _values, warnings = so.app_options(["PrunePropagationPolicy=sideways", "Replace=maybe"])
    assert len(warnings) == 2
    assert "unknown value sideways of option PrunePropagationPolicy" in warnings[0]
    assert "foreground" in warnings[0] and "orphan" in warnings[0]
    assert "unknown value maybe of option Replace" in warnings[1]


@pytest.mark.parametrize(
    "token, needle",
    [
        ("ServerSideApply=false", "always applies server-side"),
        ("Prune=confirm", "not pruned"),
        ("Delete=confirm", "kept"),
    ],
)
def test_options_not_carried_out_are_warnings_saying_what_happens_instead(token, needle):
    values, warnings = so.object_options(obj(**{ARGO: token}), subject="ConfigMap/demo/c")
    assert len(warnings) == 1 and needle in warnings[0] and "ConfigMap/demo/c" in warnings[0]
    assert token.split("=")[0] in values


def test_confirm_reads_as_the_safe_false():
    values = so.object_options(obj(**{ARGO: "Prune=confirm,Delete=confirm"}))[0]
    assert so.disabled(values, "Prune") and so.disabled(values, "Delete")


@pytest.mark.parametrize(
    "token",
    [
        "ServerSideApply=true",
        "Validate=false",
        "ApplyOutOfSyncOnly=true",
        "SkipDryRunOnMissingResource=true",
        "RespectIgnoreDifferences=true",
        "FailOnSharedResource=true",
        "CreateNamespace=true",
        "PruneLast=true",
        "Replace=true",
        "ClientSideApplyMigration=false",
        "PrunePropagationPolicy=foreground",
    ],
)
def test_supported_application_options_are_quiet(token):
    assert so.app_options([token])[1] == []


def test_application_level_unsupported_and_unknown_options_are_warnings():
    _values, warnings = so.app_options(["ApplyOutOfSyncOnly=false", "Retry=true", "ClientSideApplyMigration=true"])
    assert [w.split(": ", 1)[0] for w in warnings] == ["spec.syncPolicy.syncOptions"] * 3
    assert "never writes an object that is already in sync" in warnings[0]
    assert "unknown option Retry=true" in warnings[1]


def test_option_names_match_case_insensitively():
    values, warnings = so.object_options(obj(**{ARGO: "prune=False"}))
    assert values == {"Prune": "false"} and warnings == []


def test_compare_options_ignore_extraneous_without_value():
    values, warnings = so.compare_options(obj(**{"argocd.argoproj.io/compare-options": "IgnoreExtraneous"}))
    assert so.enabled(values, "IgnoreExtraneous") and warnings == []
    values, warnings = so.compare_options(obj(**{"gitops-k8s.dev/compare-options": "IgnoreExtraneous,ServerSideDiff=false"}), "X")
    assert so.enabled(values, "IgnoreExtraneous")
    assert len(warnings) == 1 and "ServerSideDiff=false" in warnings[0]
    assert not so.enabled(so.compare_options(obj())[0], "IgnoreExtraneous")


def test_no_annotations_no_options():
    assert so.object_options(obj()) == ({}, [])
    assert so.object_options({"kind": "ConfigMap", "metadata": {}}) == ({}, [])
