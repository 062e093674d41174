# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kube-state-metrics CustomResourceStateMetrics configuration the agent role ships:
valid, about our Application kind, the same metric names as the node agent's textfile,
and every path it reads found in a status the engine really produces."""

from __future__ import annotations

import datetime
import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_status, prometheus_text
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import API_GROUP, API_VERSION, APP_KIND

from tests.helpers.app_reports import APP, report

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CONFIG = os.path.join(REPO_ROOT, "roles", "agent", "files", "kube-state-metrics.yaml")


def load():
    with open(CONFIG, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def synced_application():
    """An Application as the engine leaves it after one sync."""
    return dict(APP, status=app_status.next_status({}, report())[0])


def at(obj, path):
    for key in path:
        assert isinstance(obj, dict) and key in obj, "%s not in the status the engine writes" % ".".join(path)
        obj = obj[key]
    return obj


def is_value(value):
    """What kube-state-metrics turns into a sample value: a number, a bool or an RFC 3339 time."""
    if isinstance(value, (int, float)):
        return True
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return False
    return True


def test_the_config_is_for_our_application_kind():
    config = load()
    assert config["kind"] == "CustomResourceStateMetrics"
    (resource,) = config["spec"]["resources"]
    assert resource["groupVersionKind"] == {"group": API_GROUP, "version": API_VERSION, "kind": APP_KIND}
    assert resource["metricNamePrefix"] + "_" == prometheus_text.PREFIX


def test_the_metric_names_are_the_textfile_names():
    names = [m["name"] for m in load()["spec"]["resources"][0]["metrics"]]
    assert names == [f[0] for f in prometheus_text.FAMILIES]


def metrics():
    return [(m["name"], m["each"]) for m in load()["spec"]["resources"][0]["metrics"]]


@pytest.mark.parametrize("name,each", metrics(), ids=[m[0] for m in metrics()])
def test_every_path_is_in_a_status_the_engine_writes(name, each):
    app = synced_application()
    for path in load()["spec"]["resources"][0]["labelsFromPath"].values():
        assert isinstance(at(app, path), str)
    kind = each["type"]
    if kind == "Info":
        for path in each["info"]["labelsFromPath"].values():
            assert isinstance(at(app, path), str) and at(app, path)
    elif kind == "StateSet":
        value = at(app, each["stateSet"]["path"])
        assert value in each["stateSet"]["list"] and each["stateSet"]["labelName"]
    else:
        assert kind == "Gauge"
        target = at(app, each["gauge"]["path"])
        if "labelFromKey" in each["gauge"]:
            assert isinstance(target, dict) and target and all(is_value(v) for v in target.values()), name
        elif "valueFrom" in each["gauge"]:
            assert is_value(at(target, each["gauge"]["valueFrom"])), name
        else:
            assert is_value(target), name


def test_every_state_the_engine_writes_is_listed():
    sets = dict(
        (m["each"]["stateSet"]["labelName"], m["each"]["stateSet"]["list"])
        for m in load()["spec"]["resources"][0]["metrics"]
        if m["each"]["type"] == "StateSet"
    )
    assert sets["sync_status"] == list(prometheus_text.SYNC_STATUSES)
    assert sets["health_status"] == list(prometheus_text.HEALTH_STATUSES)
    assert sets["result"] == ["Succeeded", "Failed", "Error"]
