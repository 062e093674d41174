# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The prometheus_textfile filter: app results in the text exposition format; checked by
Prometheus' own promtool when it is installed (make test-deps)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gitops.k8s.plugins.filter.metrics import prometheus_textfile

STATUS = {
    "sync": {"status": "Synced", "revision": "c0ffee", "repoURL": 'https://git.example.com/a "quoted"\\repo'},
    "health": {"status": "Progressing"},
    "metrics": {
        "since": "2026-11-26T03:00:00Z",
        "syncs": {"Succeeded": 3, "Failed": 1, "Error": 0},
        "driftCorrected": 2,
        "resources": {"sync": {"Synced": 4}, "health": {"Healthy": 3, "Progressing": 1}},
        "lastSync": {"startedAt": "2026-11-26T03:00:00Z", "finishedAt": "2026-11-26T03:00:02Z", "durationSeconds": 1.5, "result": "Succeeded"},
    },
}


def results():
    return [
        {"application": "gitops-system/shop", "status": STATUS},
        {"application": "gitops-system/gone", "status": STATUS, "deleted": True},
        {"application": "gitops-system/late", "status": {}},
        {"application": "team/root", "status": {"sync": {"status": "Unknown"}}},
    ]


def samples(text):
    return dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_samples_of_each_application_and_nothing_of_the_deleted_or_unrecorded():
    got = samples(prometheus_textfile(results()))
    assert got['gitops_k8s_app_sync_total{namespace="gitops-system",name="shop",phase="Succeeded"}'] == "3"
    assert got['gitops_k8s_app_drift_corrected_total{namespace="gitops-system",name="shop"}'] == "2"
    assert got['gitops_k8s_app_last_sync_duration_seconds{namespace="gitops-system",name="shop"}'] == "1.5"
    assert got['gitops_k8s_app_last_sync_timestamp_seconds{namespace="gitops-system",name="shop"}'] == "1795662002"
    assert got['gitops_k8s_app_health_status{namespace="gitops-system",name="shop",health_status="Progressing"}'] == "1"
    assert got['gitops_k8s_app_health_status{namespace="gitops-system",name="shop",health_status="Healthy"}'] == "0"
    assert got['gitops_k8s_app_resources_by_health_status{namespace="gitops-system",name="shop",health_status="Healthy"}'] == "3"
    assert got['gitops_k8s_app_sync_status{namespace="team",name="root",sync_status="Unknown"}'] == "1"
    assert not [k for k in got if 'name="gone"' in k or 'name="late"' in k]
    # an Application without status.metrics yet has its info and states, no counters
    assert not [k for k in got if 'name="root"' in k and "_total" in k]


def test_label_values_are_escaped():
    text = prometheus_textfile(results())
    assert 'repo="https://git.example.com/a \\"quoted\\"\\\\repo"' in text


def test_an_application_given_twice_is_written_once():
    text = prometheus_textfile(results() + [{"application": "gitops-system/shop", "status": STATUS}])
    assert text.count('gitops_k8s_app_drift_corrected_total{namespace="gitops-system",name="shop"}') == 1


def test_no_application_is_an_empty_file():
    assert prometheus_textfile([]) == ""


def test_not_a_list_is_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="list of gitops.k8s.app results"):
        prometheus_textfile({"application": "a/b"})


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian prometheus) not installed: make test-deps")
def test_promtool_accepts_the_text():
    run = subprocess.run(["promtool", "check", "metrics"], input=prometheus_textfile(results()), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
