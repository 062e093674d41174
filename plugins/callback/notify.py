# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback plugin gitops.k8s.notify: one notification per Application per run."""

from __future__ import annotations

DOCUMENTATION = r"""
name: notify
type: notification
short_description: Notify a webhook, Slack or Microsoft Teams of what the reconcile of each Application did
version_added: 1.0.0
description:
  - Collects the results of M(gitops.k8s.app) tasks and, at the end of the run, posts one message per Application that
    fired a notification trigger, as Argo CD Notifications does, to a generic webhook (JSON), a Slack-compatible or a
    Microsoft Teams-compatible incoming webhook.
  - "Triggers, named as Argo CD's: C(on-sync-failed), C(on-sync-succeeded) (a sync that wrote objects),
    C(on-drift-corrected), C(on-health-degraded), C(on-deployed) (a new revision synced and Healthy, once per revision),
    C(on-analysis-failed) (the analysis of a sync failed, docs/progressive-delivery.md), C(on-rolled-back) (a rollback began).
    Each fires on a change (see RV(gitops.k8s.app#module:triggers)); check mode fires none."
  - A message carries the Application, its triggers, revision, sync and health status and the error or reason (bounded);
    never a Secret value (the module results hold none). Results hidden with C(no_log) are left out.
  - A receiver that is down, refuses or is slow never fails the run; each post waits at most O(timeout) seconds, all of
    them at most twice that, and a failure is a warning naming only the receiver's scheme and host (a webhook URL is a
    credential). After a receiver timed out or refused the connection, the run's other messages are not tried.
  - Enable it with C(ANSIBLE_CALLBACKS_ENABLED=gitops.k8s.notify) (or C(callbacks_enabled) in C(ansible.cfg)). Options
    come from the environment or C(ansible.cfg); the play's variables (extra vars included) override them.
    See docs/notifications.md.
author:
  - gitops.k8s contributors (@gitops-k8s)
requirements:
  - enabled in callbacks_enabled
options:
  url:
    description:
      - The receiver's URL (C(http) or C(https)). Without it the plugin sends nothing.
      - A Slack or Teams webhook URL holds its secret; keep it in an environment variable or a vaulted variable.
    type: str
    env:
      - name: GITOPS_K8S_NOTIFY_URL
    ini:
      - section: gitops_k8s_notify
        key: url
    vars:
      - name: gitops_k8s_notify_url
  format:
    description:
      - V(webhook) posts the message as plain JSON (C(application), C(triggers), C(revision), C(sync_status), C(health_status),
        C(message), C(severity), C(source)); V(slack) as a Slack incoming webhook (C(text), C(attachments)); V(teams) as a
        Microsoft Teams connector card (C(MessageCard)). Another value is a warning, and nothing is sent.
    type: str
    default: webhook
    env:
      - name: GITOPS_K8S_NOTIFY_FORMAT
    ini:
      - section: gitops_k8s_notify
        key: format
    vars:
      - name: gitops_k8s_notify_format
  triggers:
    description: The triggers that send a message; an Application that fired none of them sends nothing.
    type: list
    elements: str
    default: [on-sync-failed, on-sync-succeeded, on-drift-corrected, on-health-degraded, on-deployed, on-analysis-failed, on-rolled-back]
    env:
      - name: GITOPS_K8S_NOTIFY_TRIGGERS
    ini:
      - section: gitops_k8s_notify
        key: triggers
    vars:
      - name: gitops_k8s_notify_triggers
  timeout:
    description: Seconds one post may take; posting all messages of a run takes at most twice this.
    type: float
    default: 5
    env:
      - name: GITOPS_K8S_NOTIFY_TIMEOUT
    ini:
      - section: gitops_k8s_notify
        key: timeout
    vars:
      - name: gitops_k8s_notify_timeout
  validate_certs:
    description: Verify the receiver's TLS certificate.
    type: bool
    default: true
    env:
      - name: GITOPS_K8S_NOTIFY_VALIDATE_CERTS
    ini:
      - section: gitops_k8s_notify
        key: validate_certs
    vars:
      - name: gitops_k8s_notify_validate_certs
"""

import json
import socket
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from ansible.errors import AnsibleError
from ansible.module_utils.urls import open_url
from ansible.plugins.callback import CallbackBase
from ansible.template import Templar

from ansible_collections.gitops.k8s.plugins.module_utils._engine import notifications, triggers

OPTIONS = ("url", "format", "triggers", "timeout", "validate_certs")
APP_MODULE = "gitops.k8s.app"


def receiver_of(url):
    """scheme://host[:port] of a URL: what a warning may show (the path of a Slack or
    Teams webhook is its secret)."""
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.hostname or "") + (":%d" % parts.port if parts.port else "")


def _action(task):
    return getattr(task, "resolved_action", None) or getattr(task, "action", "")


class CallbackModule(CallbackBase):
    """Posts one message per Application per run to a webhook, Slack or Teams."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "gitops.k8s.notify"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._results = []
        self._play_options = {}

    def v2_playbook_on_play_start(self, play):
        """The play's variables (extra vars included) override the environment and ansible.cfg."""
        variables = play.get_variable_manager().get_vars(play=play)
        templar = Templar(loader=play.get_loader(), variables=variables)
        for option in OPTIONS:
            name = "gitops_k8s_notify_" + option
            if name not in variables:
                continue
            try:
                self._play_options[option] = templar.template(variables[name])
            except AnsibleError as exc:
                self._display.warning("gitops.k8s.notify: %s ignored, it cannot be templated: %s" % (name, type(exc).__name__))

    def _collect(self, result):
        if _action(result._task) == APP_MODULE:  # pylint: disable=protected-access
            self._results.append(result._result)  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._collect(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._collect(result)

    def _option(self, name):
        if name in self._play_options:
            return self._play_options[name]
        return self.get_option(name)

    def _settings(self):
        """(url, format, triggers, timeout, validate_certs), or None with a warning when
        they are not usable."""
        url = self._option("url") or ""
        if not url:
            return None
        fmt, wanted = str(self._option("format") or notifications.WEBHOOK), self._option("triggers")
        if isinstance(wanted, str):
            wanted = [t.strip() for t in wanted.split(",") if t.strip()]
        unknown = [t for t in wanted or () if t not in triggers.TRIGGERS]
        problems = []
        if urlsplit(url).scheme not in ("http", "https"):
            problems.append("the URL is not http(s)")
        if fmt not in notifications.FORMATS:
            problems.append("format %r is not one of %s" % (fmt, ", ".join(notifications.FORMATS)))
        if unknown:
            problems.append("unknown triggers %s (known: %s)" % (", ".join(unknown), ", ".join(triggers.TRIGGERS)))
        try:
            timeout = float(self._option("timeout"))
        except (TypeError, ValueError):
            timeout = 0
        if timeout <= 0:
            problems.append("timeout must be a positive number of seconds")
        if problems:
            self._display.warning("gitops.k8s.notify: nothing sent: %s" % "; ".join(problems))
            return None
        validate = self._option("validate_certs")
        validate = validate if isinstance(validate, bool) else str(validate).lower() not in ("0", "false", "no", "off")
        return url, fmt, wanted, timeout, validate

    def v2_playbook_on_stats(self, stats):
        settings = self._settings()
        if settings is None:
            return
        url, fmt, wanted, timeout, validate = settings
        collector = notifications.Collector(wanted)
        for result in self._results:
            collector.add(result)
        notices = collector.notices()
        deadline = time.monotonic() + 2 * timeout
        for index, (app, fired, row) in enumerate(notices):
            left = deadline - time.monotonic()
            if left <= 0:
                self._skip(url, notices[index:], "the run's time for notifications (%ss) is used up" % (2 * timeout))
                return
            error, reachable = self._post(url, notifications.payload(fmt, app, fired, row), min(timeout, left), validate)
            if error:
                self._display.warning("gitops.k8s.notify: %s not notified (%s) at %s: %s" % (app, ", ".join(fired), receiver_of(url), error))
                if not reachable:
                    self._skip(url, notices[index + 1 :], "the receiver did not answer")
                    return
            else:
                self._display.vvv("gitops.k8s.notify: %s notified (%s) at %s" % (app, ", ".join(fired), receiver_of(url)))

    def _skip(self, url, rest, why):
        if rest:
            apps = ", ".join(app for app, _fired, _row in rest)
            self._display.warning("gitops.k8s.notify: not sent to %s (%s): %s" % (receiver_of(url), why, apps))

    def _post(self, url, body, timeout, validate):
        """('' or what went wrong, whether the receiver answered)."""
        try:
            response = open_url(
                url,
                data=json.dumps(body),
                headers={"Content-Type": "application/json"},
                method="POST",
                timeout=timeout,
                validate_certs=validate,
                follow_redirects="none",
            )
            response.read()
        except HTTPError as exc:
            return "HTTP %s %s" % (exc.code, exc.reason), True
        except (URLError, socket.timeout, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            return "%s (%s)" % (str(reason).replace(url, receiver_of(url)), type(exc).__name__), False
        return "", True
