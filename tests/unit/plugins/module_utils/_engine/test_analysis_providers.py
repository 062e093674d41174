# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operator's allow-list of Prometheus addresses (analysis_providers.py): hostile
addresses from a repository are refused, equal ones in another spelling are allowed,
and a reconcile whose analysis names an address not allowed fails before any write."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, analysis_providers
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec, SafetyError

from .test_app_analysis import MeteredWorld, analysed_app
from .test_rollback import R1
from .test_strategies import ANALYSIS, CanaryWorld, deployment

ALLOWED = analysis_providers.parse(["http://prometheus.monitoring:9090", "https://metrics.example.com/prom/", "http://[::1]:9090"])


@pytest.mark.parametrize(
    "address",
    [
        "http://prometheus.monitoring:9090",
        "http://prometheus.monitoring:9090/",
        "HTTP://Prometheus.Monitoring:9090",
        "http://prometheus.monitoring.:9090",
        "https://metrics.example.com/prom",
        "https://metrics.example.com:443/prom/",
        "https://METRICS.example.com/prom/sub",
        "https://metrics.example.com//prom",
        "http://[0:0::1]:9090",
    ],
)
def test_an_allowed_base_url_in_any_spelling(address):
    assert analysis_providers.allowed(address, ALLOWED)


@pytest.mark.parametrize(
    "address",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://prometheus.monitoring:9091",  # another port
        "http://prometheus.monitoring",  # default port 80, not 9090
        "https://prometheus.monitoring:9090",  # another scheme
        "http://prometheus.monitoring.evil.com:9090",  # a longer host
        "http://evil.com/prometheus.monitoring:9090",
        "http://prometheus.monitoring:9090@169.254.169.254/",  # user-info: the host is the metadata endpoint
        "http://user:pw@prometheus.monitoring:9090",
        "http://169.254.169.254#@prometheus.monitoring:9090",
        "http://prometheus.monitoring:9090?x=1",
        "http://prometheus.monitoring:9090#frag",
        "https://metrics.example.com/promx",  # a prefix as a string, not as a path
        "https://metrics.example.com/",
        "https://metrics.example.com/prom/../admin",
        "https://metrics.example.com/prom/%2e%2e/admin",
        "https://metrics.example.com/prom/./x",
        "https://metrics.example.com\\@evil.com/prom",
        "http://prometheus.monitoring:9090\r\nHost: evil",
        "http://prometheus.monitoring:99999",
        "http://prometheus.monitoring:-1",
        "http://%70rometheus.monitoring:9090",  # a percent-encoded host
        "ftp://prometheus.monitoring:9090",
        "file:///etc/passwd",
        "//prometheus.monitoring:9090",
        "prometheus.monitoring:9090",
        "http://[::2]:9090",
        "http://127.0.0.1:9090",
        "",
        None,
        42,
    ],
)
def test_a_hostile_or_other_address_is_refused(address):
    assert not analysis_providers.allowed(address, ALLOWED)


def test_an_idna_host_is_compared_in_its_ascii_form():
    providers = analysis_providers.parse(["http://bücher.example:9090"])
    assert providers[0].host == "xn--bcher-kva.example"
    assert analysis_providers.allowed("http://xn--bcher-kva.example:9090", providers)
    assert analysis_providers.allowed("http://BÜCHER.example:9090/", providers)
    assert not analysis_providers.allowed("http://bucher.example:9090", providers)


def test_the_default_allows_nothing():
    assert analysis_providers.parse([]) == () and analysis_providers.parse(None) == ()
    assert not analysis_providers.allowed("http://127.0.0.1:9090", ())


@pytest.mark.parametrize(
    "entry, why",
    [
        ("http://user:secret@prom:9090", "user-info"),
        ("http://prom:9090/?q=1", "query"),
        ("http://prom:9090/#x", "query or a fragment"),
        ("http://prom:9090/a/../b", "'..'"),
        ("prom:9090", "not an http or https URL"),
        ("http://:9090", "no host"),
        ("http://prom:x", "port"),
        ("", "non-empty"),
    ],
)
def test_a_bad_entry_is_an_error_naming_the_option(entry, why):
    with pytest.raises(InvalidSpec) as err:
        analysis_providers.parse(["http://ok:9090", entry])
    assert "analysis_providers[1]" in str(err.value) and why in str(err.value)
    assert "secret" not in str(err.value)


def metric_spec(address):
    raw = {"metrics": [{"name": "error-rate", "provider": {"prometheus": {"address": address, "query": "up"}}}]}
    return analysis.parse_analysis(raw, "t")


def test_check_names_the_application_metric_address_and_variable():
    with pytest.raises(SafetyError) as err:
        analysis_providers.check(metric_spec("http://169.254.169.254/latest").metrics, ALLOWED, "spec.analysis", "Application/ns/app")
    text = str(err.value)
    for part in ("Application/ns/app", "spec.analysis", "error-rate", "http://169.254.169.254/latest", "gitops_k8s_analysis_providers", "analysis_providers"):
        assert part in text, text
    analysis_providers.check(metric_spec("http://prometheus.monitoring:9090").metrics, ALLOWED, "spec.analysis", "Application/ns/app")


def test_a_refused_application_fails_before_any_write_and_queries_nothing():
    world, obj = MeteredWorld(), analysed_app()
    world.analysis_providers = ()  # the default
    world.commit(R1, "one")
    world.cluster.reset_calls()
    for dry_run in (True, False):
        outcome = world.run(obj, dry_run=dry_run)
        assert isinstance(outcome.error, SafetyError) and "gitops_k8s_analysis_providers" in str(outcome.error)
        assert str(outcome.error).startswith("Application/ops/a: spec.analysis metric error-rate: the Prometheus address http://127.0.0.1:9090")
        assert not outcome.synced or dry_run
        assert world.cluster.writes() == [] and world.queries == []
    assert "gitops_k8s_analysis_providers" in obj["status"]["conditions"][0]["message"]


def test_a_refused_canary_analysis_step_fails_before_any_write():
    world = CanaryWorld()
    world.analysis_providers = analysis_providers.parse(["http://127.0.0.1:9090"])  # not the step's port 9
    world.objects = [deployment("v1", steps=[{"setWeight": 50}, {"analysis": ANALYSIS}])]
    before = copy.deepcopy(world.cluster.objects)
    world.cluster.reset_calls()
    outcome = world.run_app("demo", "a")
    assert isinstance(outcome.error, SafetyError), outcome.error
    assert "Deployment/demo/web canary steps[1].analysis metric errors" in str(outcome.error)
    assert "http://127.0.0.1:9" in str(outcome.error)
    assert [c for c in world.cluster.writes() if c[1] != "Application"] == [] and world.queries == []
    assert {k: v for k, v in world.cluster.objects.items() if "Deployment" in str(k)} == {k: v for k, v in before.items() if "Deployment" in str(k)}
