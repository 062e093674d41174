# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gitops.k8s.notify callback against a real HTTP receiver on 127.0.0.1: one message
per Application per run in each format, nothing for what fired no wanted trigger, and a
receiver that is down or slow costs at most the timeout and a warning."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace

import pytest
import yaml
from ansible import constants as C

from ansible_collections.gitops.k8s.plugins.callback.notify import DOCUMENTATION, CallbackModule, receiver_of
from ansible_collections.gitops.k8s.plugins.module_utils._engine import notifications

from tests.helpers.receiver import Receiver


class Said:
    """Stands in for Ansible's Display: keeps what the plugin says."""

    def __init__(self):
        self.warnings, self.verbose = [], []

    def warning(self, msg, *args, **kwargs):  # pylint: disable=unused-argument
        self.warnings.append(msg)

    def vvv(self, msg, *args, **kwargs):  # pylint: disable=unused-argument
        self.verbose.append(msg)


def task_result(result, action="gitops.k8s.app"):
    return SimpleNamespace(_task=SimpleNamespace(resolved_action=action, action=action), _result=result)


ROOT = {"application": "gitops-system/root", "revision": "a" * 40, "sync_status": "Synced", "health_status": "Healthy", "reason": "in sync", "triggers": []}
SHOP = {
    "application": "gitops-system/shop",
    "revision": "b" * 40,
    "sync_status": "Synced",
    "health_status": "Healthy",
    "reason": "new revision bbbbbbbbbbbb",
    "triggers": ["on-sync-succeeded", "on-deployed"],
}
CART = {
    "application": "gitops-system/cart",
    "revision": "c" * 40,
    "sync_status": "OutOfSync",
    "health_status": "Degraded",
    "error": "apply failed: Deployment/shop/cart: admission webhook denied",
    "triggers": ["on-sync-failed", "on-health-degraded"],
}


NAME = "gitops.k8s.notify"


def run(url, results, **options):
    # what Ansible's plugin loader does with the plugin's documented options
    C.config.initialize_plugin_configuration_definitions("callback", NAME, yaml.safe_load(DOCUMENTATION)["options"])
    plugin = CallbackModule()
    plugin._load_name = NAME  # pylint: disable=protected-access
    plugin._display = said = Said()  # pylint: disable=protected-access
    plugin.set_options(direct=dict(options, url=url))
    for result, action in results:
        plugin.v2_runner_on_ok(task_result(result, action))
    started = time.monotonic()
    plugin.v2_playbook_on_stats(None)
    return said, time.monotonic() - started


def the_run():
    return [
        (ROOT, "gitops.k8s.app"),
        ({"applications": [SHOP, CART], "changed": True}, "gitops.k8s.app"),
        ({"application": "x/y", "triggers": ["on-deployed"]}, "ansible.builtin.debug"),
    ]


def test_one_webhook_message_per_application_that_fired():
    with Receiver() as receiver:
        said, _seconds = run(receiver.url, the_run())
    bodies = dict((b["application"], b) for _path, b in receiver.posts)
    assert sorted(bodies) == ["gitops-system/cart", "gitops-system/shop"] and len(receiver.posts) == 2
    assert bodies["gitops-system/shop"]["triggers"] == ["on-sync-succeeded", "on-deployed"] and bodies["gitops-system/shop"]["severity"] == "good"
    assert bodies["gitops-system/cart"]["severity"] == "bad" and "admission webhook denied" in bodies["gitops-system/cart"]["message"]
    assert not said.warnings


def test_an_application_seen_twice_in_a_run_is_told_once_with_all_its_triggers():
    again = dict(SHOP, triggers=["on-drift-corrected"])
    with Receiver() as receiver:
        run(receiver.url, [(SHOP, "gitops.k8s.app"), (again, "gitops.k8s.app")])
    assert [b["triggers"] for _p, b in receiver.posts] == [["on-sync-succeeded", "on-drift-corrected", "on-deployed"]]


def test_slack_and_teams_shapes():
    with Receiver() as receiver:
        run(receiver.url, the_run(), format="slack", triggers=["on-sync-failed"])
        run(receiver.url, the_run(), format="teams", triggers=["on-sync-failed"])
    (_p1, slack), (_p2, teams) = receiver.posts
    assert slack["text"] == "gitops-system/cart: sync failed" and slack["attachments"][0]["color"] == notifications.COLOURS["bad"]
    assert {"title": "Health", "value": "Degraded", "short": True} in slack["attachments"][0]["fields"]
    assert teams["@type"] == "MessageCard" and teams["title"] == "gitops-system/cart: sync failed"
    assert {"name": "Sync", "value": "OutOfSync"} in teams["sections"][0]["facts"]


def test_results_hidden_with_no_log_are_not_told():
    with Receiver() as receiver:
        run(receiver.url, [(dict(SHOP, _ansible_no_log=True), "gitops.k8s.app"), ({"censored": "hidden", "applications": [CART]}, "gitops.k8s.app")])
    assert receiver.posts == []


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_receiver_that_is_down_is_a_warning_naming_only_its_host():
    url = "http://127.0.0.1:%d/services/T0KEN-SECRET-PATH" % free_port()
    said, seconds = run(url, the_run(), timeout=5)
    assert seconds < 30
    assert len(said.warnings) == 2, said.warnings  # the first failure, then the rest not tried
    assert "not notified" in said.warnings[0] and "not sent" in said.warnings[1] and "gitops-system/shop" in said.warnings[1]
    assert not [w for w in said.warnings if "T0KEN" in w]


def test_a_slow_receiver_costs_the_timeout_and_a_warning():
    with Receiver(delay=60) as receiver:
        said, seconds = run(receiver.url, the_run(), timeout=2)
    assert seconds < 2 * 2 + 10  # the run's budget for notifications, with a margin for a loaded machine
    assert len(receiver.posts) == 1, "after a timeout the other messages are not tried"
    assert said.warnings and "timed out" in said.warnings[0] and not [w for w in said.warnings if "T0KEN" in w]


def test_a_receiver_that_refuses_a_message_is_a_warning_and_the_others_are_still_sent():
    with Receiver(status=500) as receiver:
        said, _seconds = run(receiver.url, the_run())
    assert len(receiver.posts) == 2 and len(said.warnings) == 2 and "HTTP 500" in said.warnings[0]


@pytest.mark.parametrize(
    "options,problem",
    [({"format": "irc"}, "format 'irc'"), ({"triggers": ["on-everything"]}, "unknown triggers on-everything"), ({"timeout": 0}, "timeout")],
)
def test_bad_settings_send_nothing_and_say_why(options, problem):
    with Receiver() as receiver:
        said, _seconds = run(receiver.url, the_run(), **options)
    assert receiver.posts == [] and problem in said.warnings[0]


def test_no_url_sends_nothing_silently():
    said, _seconds = run("", the_run())
    assert not said.warnings


def test_receiver_of_keeps_only_scheme_host_and_port():
    assert receiver_of("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com"
    assert receiver_of("http://127.0.0.1:8080/a/b?token=x") == "http://127.0.0.1:8080"
