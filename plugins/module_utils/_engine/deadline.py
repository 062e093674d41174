# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run-wide deadline: how long one run that reconciles many Applications may take.

A CronJob or a systemd timer starts the next run on a schedule; a run that outlives its
slot (a slow repository, objects that never become healthy) delays every Application
behind it. With a deadline, Applications not started in time are reported as not
reconciled (the next run does them), and a wait for health ends when the run's time
does.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import DeadlineError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Outcome


class Deadline:
    """``seconds`` from now on ``now()`` (a clock's); 0 or None: no deadline."""

    def __init__(self, seconds, now):
        self.seconds = seconds or 0
        self._now = now
        self._ends = now() + self.seconds if self.seconds > 0 else None

    def left(self):
        """Seconds left (never below 0), or None without a deadline."""
        if self._ends is None:
            return None
        return max(0.0, self._ends - self._now())

    def passed(self):
        return self._ends is not None and self._now() >= self._ends

    def cap(self, wait_timeout):
        """A wait for health (seconds, 0: none) shortened to the time left."""
        left = self.left()
        if left is None or not wait_timeout:
            return wait_timeout
        return min(wait_timeout, left)

    @property
    def message(self):
        return "not reconciled: the run deadline of %g s passed" % self.seconds


def not_reconciled(app, deadline):
    """The Outcome of an Application the run had no time left to start."""
    meta = app.get("metadata") or {}
    return Outcome(app="%s/%s" % (meta.get("namespace"), meta.get("name")), reason=deadline.message, error=DeadlineError(deadline.message))
