# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strategy aborted by its analysis rolls the Application back as a failed spec.analysis
does (over the fake cluster, revisions rendering different images), a user's abort does
not, and a run that only advances a strategy leaves the other objects' drift alone."""

from __future__ import annotations

import copy
import json

from ansible_collections.gitops.k8s.plugins.module_utils._engine import app_analysis, app_events, canary, rollback, strategy_spec, triggers
from ansible_collections.gitops.k8s.plugins.module_utils._engine import reconcile as reconcile_module
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched

from .test_blue_green import SERVICE
from .test_blue_green import deployment as blue_green_deployment
from .test_strategies import ANALYSIS, CanaryWorld, deployment

R1, R2, R3 = "1" * 40, "2" * 40, "3" * 40
STEPS = ({"setWeight": 50}, {"analysis": ANALYSIS})


def configmap(value):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": value}}


def release(image, steps=STEPS, value="a"):
    return [deployment(image, steps=list(steps)), configmap(value)]


class GitWorld(CanaryWorld):
    """CanaryWorld whose source renders the objects committed at the revision asked for
    (targetRevision follows ``revision``; a rollback pins an earlier one)."""

    def __init__(self, **spec):
        super().__init__(**spec)
        self.contents = {}

    def source(self, _app, spec):
        rev = spec.pinned_revision or self.revision
        self.objects = copy.deepcopy(self.contents[rev])
        return Fetched("/src", rev, "repo")

    def ports(self):
        return super().ports().with_changes(source=self.source)

    def commit(self, rev, objects):
        self.contents[rev] = objects
        self.revision = rev

    def status(self):
        return self.app("demo", "a")["status"]

    def conditions(self, ctype=None):
        return [c["message"] if ctype else c["type"] for c in self.status().get("conditions") or [] if ctype in (None, c["type"])]


def at_the_analysis_step(world, steps=STEPS):
    """v1 deployed, v2 committed and its canary at 50 %, the analysis step next."""
    world.commit(R1, release("v1", steps))
    world.step()
    world.step()
    world.commit(R2, release("v2", steps))
    world.step()  # weight 50
    world.step()  # ready: the analysis step is next
    assert world.state()["step"] == 1 and world.live("web-canary") is not None


def test_a_canary_aborted_by_its_analysis_is_rolled_back_and_automation_suspended():
    world = GitWorld()
    at_the_analysis_step(world)
    previous = copy.deepcopy(world.status())
    world.values = [0.5, 0.6]
    out = world.step()
    status = world.status()
    assert out.revision == R1 and out.before_rollback.revision == R2 and out.analysis.phase == "Failed"
    assert world.image("web") == "v1" and world.live("web")["spec"]["replicas"] == 4 and world.live("web-canary") is None
    assert status["rolledBack"] == dict(status["rolledBack"], revision=R1, automatic=True, failedRevision=R2)
    assert "resumeOnNewRevision" not in status["rolledBack"]
    assert status["analysis"]["source"] == "strategy" and status["analysis"]["revision"] == R2
    (failed,) = world.conditions("AnalysisFailed")
    assert "Deployment/demo/web canary step 2 (analysis)" in failed and "'rate'" in failed and "0.5" in failed and R2[:12] in failed
    assert "rolled back automatically" in world.conditions("AutomatedSyncSuspended")[0]
    # the rolled-back revision renders what the stable runs: the strategy ends cleanly
    assert world.state()["phase"] == canary.HEALTHY and "RolloutAborted" not in world.conditions()
    assert triggers.ANALYSIS_FAILED in out.triggers and triggers.ROLLED_BACK in out.triggers
    reasons = [e.reason for e in app_events.events_of(previous, out)]
    # the abort already gave the stable back its v1 Pods: the rollback's sync finds nothing to write
    assert reasons[0] == "SyncSucceeded" and reasons.index("AnalysisFailed") < reasons.index("RolledBack")

    world.values = []  # a query now would fail the test: nothing is measured again
    again = world.step()
    assert not again.synced and world.live("web-canary") is None and world.image("web") == "v1"
    assert world.conditions("AnalysisFailed") == [failed] and "rolledBack" in world.status()

    world.commit(R3, release("v3"))  # the default policy: a new commit waits for resume
    held = world.step()
    assert not held.synced and world.live("web-canary") is None and world.image("web") == "v1"
    world.step(resume=True)
    assert world.image("web-canary") == "v3" and world.image("web") == "v1" and world.state()["phase"] == canary.PROGRESSING
    assert "rolledBack" not in world.status() and "AnalysisFailed" not in world.conditions()


def test_the_analysis_steps_own_policy_resumes_on_a_new_commit():
    steps = [{"setWeight": 50}, {"analysis": dict(ANALYSIS, rollback={"resumeOnNewRevision": True})}]
    world = GitWorld()
    at_the_analysis_step(world, steps)
    world.values = [0.5, 0.6]
    world.step()
    assert world.status()["rolledBack"]["resumeOnNewRevision"] is True and world.image("web") == "v1"
    assert not world.step().synced  # targetRevision still the failed commit: held
    world.commit(R3, release("v3", steps))
    moved = world.step()
    assert moved.synced and world.image("web-canary") == "v3" and "rolledBack" not in world.status()


def test_a_users_abort_is_not_rolled_back():
    world = GitWorld()
    at_the_analysis_step(world)
    world.step(abort=True)
    assert world.state()["phase"] == canary.ABORTED and "rolledBack" not in world.status() and "analysis" not in world.status()
    assert world.image("web") == "v1" and world.live("web-canary") is None


def test_a_blue_green_pre_promotion_analysis_failure_is_rolled_back():
    world = GitWorld()
    world.objects = []

    def bg(image):
        obj = blue_green_deployment(image)
        obj["metadata"]["annotations"][strategy_spec.ANN_BLUE_GREEN] = json.dumps({"activeService": "web", "prePromotionAnalysis": ANALYSIS})
        return [obj, copy.deepcopy(SERVICE)]

    world.commit(R1, bg("v1"))
    world.step()
    world.step()
    world.commit(R2, bg("v2"))
    world.step()  # the preview comes up
    world.values = [0.5, 0.6]
    out = world.step()  # ready: its analysis fails
    assert out.revision == R1 and out.before_rollback.revision == R2
    assert world.state()["phase"] == "Healthy" and world.live("web-preview") is None and world.image("web") == "v1"
    assert world.status()["rolledBack"]["failedRevision"] == R2
    assert "blue-green prePromotionAnalysis" in world.conditions("AnalysisFailed")[0]


def paused_with_drift(self_heal):
    world = GitWorld(syncPolicy={"automated": {"prune": True, "selfHeal": self_heal}})
    steps = [{"setWeight": 25}, {"pause": {}}, {"setWeight": 50}, {"pause": {}}]
    world.commit(R1, release("v1", steps))
    world.step()
    world.commit(R2, release("v2", steps))
    world.step()
    world.step()  # paused at step 2
    assert world.state()["phase"] == canary.PAUSED
    settings(world)["data"]["k"] = "edited by hand"
    return world


def settings(world):
    return world.cluster.objects[world.cluster.key(world.cluster.resolve("v1", "ConfigMap"), "demo", "settings")]


def test_a_run_that_only_advances_a_canary_leaves_unrelated_drift_alone():
    world = paused_with_drift(self_heal=False)
    out = world.step(promote=True)
    assert world.state()["weight"] == 50 and world.live("web-canary")["spec"]["replicas"] == 2
    assert settings(world)["data"]["k"] == "edited by hand" and out.sync_status == "OutOfSync"
    (entry,) = [e for e in out.changeset.entries if e.subject == "ConfigMap/demo/settings"]
    assert entry.action == "skipped" and entry.status == "OutOfSync" and "only the progressive strategies" in entry.reason
    assert entry.before["data"]["k"] == "edited by hand" and entry.after["data"]["k"] == "a"  # the drift, with its diff
    status = world.status()
    assert status["sync"]["status"] == "OutOfSync" and status["summary"]["outOfSync"] == 1
    assert [r["status"] for r in status["resources"] if r["kind"] == "ConfigMap"] == ["OutOfSync"]
    world.step()  # the canary at 50 % is ready: paused again; still nothing else written
    assert world.state()["phase"] == canary.PAUSED and settings(world)["data"]["k"] == "edited by hand"


def test_with_self_heal_the_drift_is_reverted_as_before():
    world = paused_with_drift(self_heal=True)
    world.step(promote=True)
    assert world.state()["weight"] == 50 and settings(world)["data"]["k"] == "a"


def test_analysis_verdicts_kept_and_policy():
    class Spec:
        analysis = None

    strategy = {"phase": "Failed", "revision": R2, "source": app_analysis.SOURCE_STRATEGY}
    assert app_analysis.kept(Spec, strategy, {"failedRevision": R2})
    assert not app_analysis.kept(Spec, strategy, None) and not app_analysis.kept(Spec, strategy, {"failedRevision": R3})
    assert not app_analysis.kept(Spec, {"phase": "Failed", "revision": R2}, {"failedRevision": R2})  # spec.analysis's: gone with it
    held = rollback.Decision(revision=R1, record={"automatic": True, "failedRevision": R2, "resumeOnNewRevision": True}, suspended=True)
    assert app_analysis.may_resume(held, Spec)
    assert not app_analysis.may_resume(rollback.Decision(revision=R1, record={"automatic": True, "failedRevision": R2}, suspended=True), Spec)


def test_a_rollback_that_did_not_happen_is_done_by_the_next_run(monkeypatch):
    world = GitWorld()
    at_the_analysis_step(world)
    world.values = [0.5, 0.6]
    with monkeypatch.context() as patched:  # the agent ends after recording the abort, before the rollback
        patched.setattr(reconcile_module, "_roll_back", lambda app, ports, settings, failed, previous: failed)
        world.step()
    assert world.state()["phase"] == canary.ABORTED and "rolledBack" not in world.status()
    assert world.status()["analysis"]["source"] == "strategy" and world.conditions("AnalysisFailed")
    out = world.step()  # nothing measured again (no values left): the recorded verdict rolls back
    assert out.before_rollback is not None and world.status()["rolledBack"]["failedRevision"] == R2
    assert world.state()["phase"] == canary.HEALTHY and world.image("web") == "v1" and "0.5" in world.conditions("AnalysisFailed")[0]


def test_check_mode_shows_the_strategies_writes_alone():
    world = paused_with_drift(self_heal=False)
    out = world.run_app("demo", "a", promote=True, dry_run=True)
    actions = dict((e.subject, e.action) for e in out.changeset.entries)
    assert actions["ConfigMap/demo/settings"] == "skipped" and actions["Deployment/demo/web-canary"] == "configured"
    assert settings(world)["data"]["k"] == "edited by hand" and world.state()["weight"] == 25
