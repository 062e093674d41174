# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one team's repository may make the agent do through progressive delivery:
a Project narrows the analysis addresses (never widens them), a strategy writes and
steers only its own Application's objects, and analysis inputs are bounded."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import analysis, analysis_providers, projects, strategy_spec
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_ANALYSIS_PROVIDERS, ANN_STRATEGY_OBJECT, ANN_TRACKING_ID
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import AuthorityError, InvalidSpec, ProjectError, SafetyError

from .test_blue_green import SERVICE, BlueGreenWorld
from .test_blue_green import deployment as bg_deployment
from .test_strategies import ANALYSIS, CanaryWorld, deployment

OPERATOR = analysis_providers.parse(["http://prom-a.monitoring:9090", "http://prom-b.monitoring:9090"])
APP = "Application/demo/a"


def project(annotation=None, spec=None):
    meta = {"name": "default", "namespace": "demo"}
    if annotation is not None:
        meta["annotations"] = {ANN_ANALYSIS_PROVIDERS: annotation}
    body = {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
    body.update(spec or {})
    return {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "Project", "metadata": meta, "spec": body}


def metrics(address):
    raw = {"metrics": [{"name": "errors", "provider": {"prometheus": {"address": address, "query": "up"}}}]}
    return analysis.parse_analysis(raw, "t").metrics


# -- 1. analysis addresses per Project --------------------------------------------------------


def test_the_project_annotation_is_parsed_and_a_spec_field_is_warned_about():
    parsed = projects.parse(project(json.dumps(["http://prom-a.monitoring:9090/"])))
    assert parsed.analysis_providers == analysis_providers.parse(["http://prom-a.monitoring:9090"])
    assert projects.parse(project()).analysis_providers is None  # no annotation: the operator's list as it is
    assert projects.parse(project("[]")).analysis_providers == ()
    warned = projects.parse(project(spec={"analysisProviders": ["http://prom-a.monitoring:9090"]}))
    assert warned.analysis_providers is None
    assert any("spec.analysisProviders is not carried out" in w and ANN_ANALYSIS_PROVIDERS in w for w in warned.warnings), warned.warnings


@pytest.mark.parametrize(
    "annotation, why",
    [
        ("http://prom-a.monitoring:9090", "is not JSON"),
        ('{"a": 1}', "must be a JSON list"),
        ('["http://user:pw@prom-a:9090"]', "user-info"),
        ('["file:///etc/passwd"]', "not an http or https URL"),
    ],
)
def test_a_bad_annotation_fails_naming_the_project(annotation, why):
    with pytest.raises(ProjectError) as err:
        projects.parse(project(annotation))
    assert str(err.value).startswith("Project/demo/default: annotation %s" % ANN_ANALYSIS_PROVIDERS) and why in str(err.value)
    assert "pw" not in str(err.value)


def test_a_project_only_narrows_the_operators_list():
    team_a = projects.parse(project(json.dumps(["http://prom-a.monitoring:9090", "http://169.254.169.254"])))
    analysis_providers.check(metrics("http://prom-a.monitoring:9090"), OPERATOR, "spec.analysis", APP, team_a)
    with pytest.raises(ProjectError) as err:  # allowed by the operator, not by the project
        analysis_providers.check(metrics("http://prom-b.monitoring:9090"), OPERATOR, "spec.analysis", APP, team_a)
    text = str(err.value)
    for part in (APP, "project default", "http://prom-b.monitoring:9090", ANN_ANALYSIS_PROVIDERS, "errors"):
        assert part in text, text
    with pytest.raises(SafetyError) as err:  # the project lists it, the operator does not: never widened
        analysis_providers.check(metrics("http://169.254.169.254"), OPERATOR, "spec.analysis", APP, team_a)
    assert not isinstance(err.value, ProjectError) and "gitops_k8s_analysis_providers" in str(err.value)
    inherit = projects.parse(project())
    analysis_providers.check(metrics("http://prom-b.monitoring:9090"), OPERATOR, "spec.analysis", APP, inherit)
    with pytest.raises(ProjectError):
        analysis_providers.check(metrics("http://prom-a.monitoring:9090"), OPERATOR, "spec.analysis", APP, projects.parse(project("[]")))


def test_a_canary_step_querying_another_teams_prometheus_fails_before_any_write_or_query():
    world = CanaryWorld()
    world.analysis_providers = analysis_providers.parse(["http://127.0.0.1:9", "http://127.0.0.1:9090"])
    world.cluster.apply(world.cluster.resolve("gitops-k8s.dev/v1alpha1", "Project"), project(json.dumps(["http://127.0.0.1:9090"])))
    world.objects = [deployment("v1", steps=[{"setWeight": 50}, {"analysis": ANALYSIS}])]  # the step queries :9
    before = copy.deepcopy(world.cluster.objects)
    world.cluster.reset_calls()
    for dry_run in (True, False):
        outcome = world.run_app("demo", "a", dry_run=dry_run)
        assert isinstance(outcome.error, ProjectError), outcome.error
        text = str(outcome.error)
        assert text.startswith(APP) and "Deployment/demo/web canary steps[1].analysis metric errors" in text, text
        assert "http://127.0.0.1:9 is not allowed for project default" in text, text
    assert [c for c in world.cluster.writes() if c[1] != "Application"] == [] and world.queries == []
    assert {k: v for k, v in world.cluster.objects.items() if k[1] != "Application"} == {k: v for k, v in before.items() if k[1] != "Application"}


# -- 2. strategy objects: only over their own ---------------------------------------------------


def _foreign(name, owner=None, kind="Deployment"):
    """A live object named ``name`` in demo: another Application's (``owner``) or unmanaged."""
    if kind == "Service":
        obj = copy.deepcopy(SERVICE)
    else:
        obj = copy.deepcopy(deployment("theirs"))
        obj["metadata"]["annotations"] = {}
        obj["spec"]["selector"] = {"matchLabels": {"app": name}}
        obj["spec"]["template"]["metadata"]["labels"] = {"app": name}
    obj["metadata"] = {"name": name, "namespace": "demo", "annotations": {}}
    if owner:
        group = "apps" if kind == "Deployment" else ""
        obj["metadata"]["annotations"][ANN_TRACKING_ID] = "%s:%s/%s:demo/%s" % (owner, group, kind, name)
    return obj


@pytest.mark.parametrize("owner, says", [("demo/other", "belongs to Application demo/other"), (None, "belongs to nobody")])
def test_a_canary_never_writes_over_an_object_of_that_name_it_did_not_make(owner, says):
    world = CanaryWorld()
    world.step()  # v1: the first rollout, direct
    dtype = world.dtype
    world.cluster.apply(dtype, _foreign("web-canary", owner))
    theirs = copy.deepcopy(world.live("web-canary"))
    world.objects = [deployment("v2")]
    world.cluster.reset_calls()
    outcome = world.run_app("demo", "a")
    assert isinstance(outcome.error, AuthorityError), outcome.error
    text = str(outcome.error)
    assert "Deployment/demo/web-canary: exists and %s" % says in text and "a progressive strategy only writes" in text, text
    assert [c for c in world.cluster.writes() if c[1] != "Application"] == []
    assert world.live("web-canary") == theirs and world.image("web") == "v1" and world.live("web")["spec"]["replicas"] == 4
    assert "ComparisonError" in json.dumps(world.app("demo", "a")["status"]["conditions"])


def test_a_strategy_does_not_steer_another_applications_deployment():
    world = CanaryWorld()
    world.cluster.apply(world.dtype, dict(_foreign("web", "demo/other"), spec=copy.deepcopy(deployment("v0")["spec"])))
    world.cluster.reset_calls()
    outcome = world.run_app("demo", "a")
    assert isinstance(outcome.error, AuthorityError) and "Deployment/demo/web: belongs to Application demo/other" in str(outcome.error)
    assert [c for c in world.cluster.writes() if c[1] != "Application"] == []
    assert world.image("web") == "v0"


def test_an_unmanaged_stable_is_adopted_as_any_rendered_object():
    world = CanaryWorld()
    world.cluster.apply(world.dtype, dict(_foreign("web"), spec=copy.deepcopy(deployment("v0")["spec"])))
    world.step()  # Git renders v1 over a live v0 nobody manages: a canary of v1 beside it
    assert world.image("web") == "v0" and world.image("web-canary") == "v1"
    assert world.live("web")["metadata"]["annotations"][ANN_TRACKING_ID] == "demo/a:apps/Deployment:demo/web"


def test_a_preview_service_colliding_with_another_applications_service_is_refused():
    world = BlueGreenWorld()
    world.step()
    stype = world.cluster.resolve("v1", "Service")
    world.cluster.apply(stype, _foreign("web-preview", "demo/other", kind="Service"))
    theirs = copy.deepcopy(world.get("Service", "web-preview"))
    world.objects = [bg_deployment("v2"), SERVICE]
    world.cluster.reset_calls()
    outcome = world.run_app("demo", "a")
    assert isinstance(outcome.error, AuthorityError), outcome.error
    assert "Service/demo/web-preview: exists and belongs to Application demo/other" in str(outcome.error)
    assert [c for c in world.cluster.writes() if c[1] != "Application"] == []
    assert world.get("Service", "web-preview") == theirs and world.get("Deployment", "web-preview") is None


def test_an_active_service_of_another_application_is_not_switched():
    world = BlueGreenWorld()
    stype = world.cluster.resolve("v1", "Service")
    world.cluster.apply(stype, _foreign("web", "demo/other", kind="Service"))
    outcome = world.run_app("demo", "a")
    assert isinstance(outcome.error, AuthorityError) and "Service/demo/web: belongs to Application demo/other" in str(outcome.error)
    assert world.selector() == SERVICE["spec"]["selector"]


def test_the_strategys_own_objects_carry_its_marks():
    world = CanaryWorld()
    world.step()
    world.objects = [deployment("v2")]
    world.step()
    notes = world.live("web-canary")["metadata"]["annotations"]
    assert notes[ANN_STRATEGY_OBJECT] == "web" and notes[ANN_TRACKING_ID] == "demo/a:apps/Deployment:demo/web-canary"
    world.step()  # over its own canary: no refusal
    assert world.state()["phase"] == "Paused"


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"activeService": "web", "previewService": "../web"}, "previewService '../web' is not a Service name"),
        ({"activeService": "Web"}, "activeService 'Web' is not a Service name"),
        ({"activeService": "web", "previewService": "web"}, "previewService must differ from activeService"),
    ],
)
def test_service_names_are_checked(raw, message):
    with pytest.raises(InvalidSpec, match=message):
        strategy_spec.parse_blue_green(raw, "Deployment/demo/web")


# -- 3. analysis inputs are text, and bounded ------------------------------------------------------


def _metric(**fields):
    body = {"name": "m", "provider": {"prometheus": {"address": "http://p:9090", "query": "up"}}}
    prom = fields.pop("prometheus", {})
    body["provider"]["prometheus"].update(prom)
    body.update(fields)
    return body


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"metrics": [_metric()], "args": [{"name": "service", "value": "x"}]}, r"\.args: not supported"),
        ({"metrics": [_metric(prometheus={"query": 'up{service="{{args.service}}"}'})]}, "templates"),
        ({"metrics": [_metric(prometheus={"query": "x" * (analysis.MAX_QUERY_CHARS + 1)})]}, "4097 characters, more than 4096"),
        ({"metrics": [_metric(prometheus={"timeout": "10m"})]}, "at most 60s"),
        ({"metrics": [_metric(count=analysis.MAX_COUNT + 1, interval="1s")]}, "101 measurements, more than 100"),
        ({"metrics": [_metric(count=2, interval="1ms")]}, "interval: 0.001s, less than 1s"),
        ({"metrics": [_metric(count=100, interval="1h")]}, "more than 3600s"),
        ({"metrics": [_metric(initialDelay="2h")]}, "more than 3600s"),
        ({"metrics": [_metric(name="m%d" % i) for i in range(analysis.MAX_METRICS + 1)]}, "11 metrics, more than 10"),
        ({"templates": [{"templateName": "t"}]}, r"\.templates: not supported"),
    ],
)
def test_analysis_inputs_beyond_the_bounds_are_refused_by_name(raw, message):
    with pytest.raises(InvalidSpec, match=message):
        analysis.parse_analysis(raw, "spec.analysis")


def test_analysis_within_the_bounds_parses():
    spec = analysis.parse_analysis({"metrics": [_metric(count=analysis.MAX_COUNT, interval="30s", prometheus={"timeout": "60s"})]}, "spec.analysis")
    assert spec.metrics[0].count == 100 and spec.seconds == 99 * 30
