# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Notifications of a run: one message per Application, from gitops.k8s.app results,
in three payload shapes (a generic webhook's JSON, Slack's and Microsoft Teams'
incoming webhooks). The callback plugin gitops.k8s.notify collects and posts them.

What goes in: the Application's id, the triggers it fired (triggers.py), revision, sync
and health status, and a bounded message (the error, else the reason). Results hold no
Secret values (the modules redact them); results hidden with no_log are left out. Pure.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine import messages, triggers

WEBHOOK = "webhook"
SLACK = "slack"
TEAMS = "teams"
FORMATS = (WEBHOOK, SLACK, TEAMS)
MESSAGE_LIMIT = 500  # characters of the error or reason in a message

TITLES = {
    triggers.SYNC_FAILED: "sync failed",
    triggers.SYNC_SUCCEEDED: "synced",
    triggers.DRIFT_CORRECTED: "drift corrected",
    triggers.HEALTH_DEGRADED: "health degraded",
    triggers.DEPLOYED: "deployed",
    triggers.ANALYSIS_FAILED: "analysis failed",
    triggers.ROLLED_BACK: "rolled back",
}
COLOURS = {"bad": "#E96D76", "warn": "#f4c030", "good": "#18be52"}  # Argo CD's template colours


def app_rows(result):
    """The per-Application rows of one gitops.k8s.app task result (one row, or the
    rows of all=true); none from a result hidden with no_log."""
    if not isinstance(result, dict) or result.get("_ansible_no_log") or result.get("censored"):
        return []
    rows = result.get("applications") if isinstance(result.get("applications"), list) else [result]
    return [r for r in rows if isinstance(r, dict) and r.get("application") and not r.get("_ansible_no_log")]


class Collector:
    """Rows of the run gathered by Application, then one notice each."""

    def __init__(self, wanted=triggers.TRIGGERS):
        self.wanted = tuple(wanted)
        self._apps = {}

    def add(self, result):
        for row in app_rows(result):
            fired = [t for t in row.get("triggers") or [] if t in self.wanted]
            entry = self._apps.setdefault(row["application"], {"triggers": []})
            entry["triggers"] += [t for t in fired if t not in entry["triggers"]]
            entry["row"] = row  # the latest result of the Application wins

    def notices(self):
        """(application, triggers, row) of every Application that fired a wanted trigger,
        triggers in TRIGGERS order."""
        out = []
        for app in sorted(self._apps):
            entry = self._apps[app]
            if entry["triggers"]:
                ordered = [t for t in triggers.TRIGGERS if t in entry["triggers"]]
                out.append((app, ordered, entry["row"]))
        return out


def _facts(app, fired, row):
    text = row.get("error") or row.get("reason") or ""
    return {
        "application": app,
        "triggers": list(fired),
        "revision": str(row.get("revision") or ""),
        "sync_status": str(row.get("sync_status") or ""),
        "health_status": str(row.get("health_status") or ""),
        "message": messages.bounded(text, MESSAGE_LIMIT),
    }


def _severity(fired):
    if triggers.SYNC_FAILED in fired or triggers.HEALTH_DEGRADED in fired or triggers.ANALYSIS_FAILED in fired:
        return "bad"
    if triggers.ROLLED_BACK in fired:
        return "warn"
    if triggers.DRIFT_CORRECTED in fired:
        return "warn"
    return "good"


def title(app, fired):
    return "%s: %s" % (app, ", ".join(TITLES.get(t, t) for t in fired))


def payload(fmt, app, fired, row):
    """The JSON body (a dict) of one notice in format ``fmt`` (FORMATS)."""
    facts = _facts(app, fired, row)
    colour = COLOURS[_severity(fired)]
    lines = [("Revision", facts["revision"][:12]), ("Sync", facts["sync_status"]), ("Health", facts["health_status"])]
    if facts["message"]:
        lines.append(("Message", facts["message"]))
    if fmt == SLACK:
        return {
            "text": title(app, fired),
            "attachments": [{"color": colour, "title": app, "fields": [{"title": k, "value": v, "short": k != "Message"} for k, v in lines]}],
        }
    if fmt == TEAMS:
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "themeColor": colour.lstrip("#"),
            "summary": title(app, fired),
            "title": title(app, fired),
            "sections": [{"facts": [{"name": k, "value": v} for k, v in lines]}],
        }
    return dict(facts, source="gitops.k8s", severity=_severity(fired))
