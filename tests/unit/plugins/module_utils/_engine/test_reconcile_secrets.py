# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""reconcile(): a Secret value quoted by the API server (or a webhook) in an error never
reaches the outcome, the status or the change set."""

from __future__ import annotations

import base64
import json

import pytest

from .fake_cluster import World
from .test_application import app

PLAIN = "hunter2-very-secret"


@pytest.mark.parametrize("field, value", [("stringData", PLAIN), ("data", base64.b64encode(PLAIN.encode()).decode())])
def test_an_api_error_quoting_a_secret_value_is_scrubbed(field, value):
    world, obj = World(), app(automated={"prune": True})
    world.objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, field: {"password": value}})
    world.cluster.fail_apply_on.add("db")
    world.cluster.failure_message = 'admission webhook "policy" denied the request: password %s is too weak (%s)' % (
        PLAIN,
        base64.b64encode(PLAIN.encode()).decode(),
    )
    outcome = world.run(obj)
    assert outcome.error is not None and "too weak" in str(outcome.error)
    everywhere = json.dumps(
        [
            str(outcome.error),
            outcome.error.message,
            outcome.status,
            outcome.reason,
            outcome.warnings,
            [(e.subject, e.reason) for e in outcome.changeset.entries],
        ]
    )
    assert PLAIN not in everywhere and base64.b64encode(PLAIN.encode()).decode() not in everywhere
    assert outcome.error.step == "apply"


def test_a_dry_run_refusal_quoting_a_secret_value_is_scrubbed():
    """Validation before the first write (server-side dry-run) fails the comparison: its
    condition and error are scrubbed too."""
    world, obj = World(), app(automated={"prune": True})
    world.objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": {"password": PLAIN}})
    world.cluster.fail_dry_run_on.add("db")
    world.cluster.failure_message = "denied: %s" % PLAIN
    outcome = world.run(obj)
    assert outcome.error is not None and "denied" in str(outcome.error)
    assert PLAIN not in json.dumps([str(outcome.error), outcome.status])
