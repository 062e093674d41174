# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry of failed automated syncs (Argo CD's ``spec.syncPolicy.retry``), with backoff.

The agent runs on a schedule, so a backoff is not a sleep: a failed sync records when
the next attempt may happen (``operationState.nextRetryAt``) and how many retries were
made (``operationState.retryCount``); the next run honours them. A new commit always
preempts a retrying or failing sync (Argo CD's opt-in ``retry.refresh``, argo-cd#11494,
is the only behaviour here). Without ``retry`` a failed sync is retried on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import durations
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

FIELD = "spec.syncPolicy.retry"
# Argo CD's defaults (backoff.duration 5s, factor 2, maxDuration 3m; limit 0: no retry).
DEFAULT_DURATION = 5.0
DEFAULT_FACTOR = 2.0
DEFAULT_MAX_DURATION = 180.0


@dataclass(frozen=True)
class RetryPolicy:
    """limit: retries after the first failed attempt (negative: no limit; 0: none)."""

    limit: int = 0
    duration: float = DEFAULT_DURATION
    factor: float = DEFAULT_FACTOR
    max_duration: float = DEFAULT_MAX_DURATION


def parse(value):
    """(RetryPolicy or None, warnings) of ``spec.syncPolicy.retry``; InvalidSpec names the bad field."""
    if value is None:
        return None, ()
    if not isinstance(value, dict):
        raise InvalidSpec("%s must be a mapping" % FIELD)
    backoff = value.get("backoff") or {}
    if not isinstance(backoff, dict):
        raise InvalidSpec("%s.backoff must be a mapping" % FIELD)
    limit = value.get("limit", 0)
    factor = backoff.get("factor", DEFAULT_FACTOR)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidSpec("%s.limit must be an integer, got %r" % (FIELD, limit))
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor < 1:
        raise InvalidSpec("%s.backoff.factor must be a number of at least 1, got %r" % (FIELD, factor))
    warnings = tuple("%s.%s is not supported" % (FIELD, key) for key in sorted(set(value) - {"limit", "backoff", "refresh"}))
    warnings += tuple("%s.backoff.%s is not supported" % (FIELD, key) for key in sorted(set(backoff) - {"duration", "factor", "maxDuration"}))
    if value.get("refresh") is False:
        warnings += ("%s.refresh=false is not carried out: a new commit always preempts a retrying sync" % FIELD,)
    policy = RetryPolicy(
        limit=limit,
        duration=durations.parse(backoff.get("duration", DEFAULT_DURATION), FIELD + ".backoff.duration"),
        factor=float(factor),
        max_duration=durations.parse(backoff.get("maxDuration", DEFAULT_MAX_DURATION), FIELD + ".backoff.maxDuration"),
    )
    return policy, warnings


def backoff(policy, retry_count):
    """Seconds to wait after a failure when ``retry_count`` retries were already made:
    duration * factor^retry_count, at most maxDuration (when set)."""
    delay = policy.duration * policy.factor**retry_count
    return min(delay, policy.max_duration) if policy.max_duration > 0 else delay


def _exhausted(policy, count):
    return policy.limit >= 0 and count >= policy.limit


def decide(policy, last, revision, now):
    """(bool, reason): whether an automated run retries the failed sync of ``revision``
    (``last``, the operationState, failed on that revision), at epoch ``now``."""
    short = revision[:12]
    if policy is None:
        return True, "retrying the failed sync of %s" % short
    count = int(last.get("retryCount") or 0)
    if _exhausted(policy, count):
        return False, limit_message(policy, short)
    due = durations.epoch(last.get("nextRetryAt"))
    if due is not None and now < due:
        return False, "retry %d of %s of the failed sync of %s waits for its backoff until %s" % (
            count + 1,
            _limit_text(policy),
            short,
            last.get("nextRetryAt"),
        )
    return True, "retrying the failed sync of %s (retry %d of %s)" % (short, count + 1, _limit_text(policy))


def after_failure(policy, last, revision, retried, finished):
    """operationState fields of a failed sync of ``revision`` finished at epoch ``finished``:
    ``retryCount`` (retries made: the previous count plus one when this attempt was an
    automated retry of the same revision, else 0) and ``nextRetryAt`` while retries are left.
    Returns (fields, note); note says when no automated retry is left."""
    count = int(last.get("retryCount") or 0) + 1 if retried and last.get("revision") == revision else 0
    fields = {"retryCount": count}
    if policy is None:
        return fields, ""
    if _exhausted(policy, count):
        return fields, limit_message(policy, revision[:12])
    fields["nextRetryAt"] = durations.iso(finished + backoff(policy, count))
    return fields, ""


def limit_message(policy, short):
    return "retry limit (%d) reached for %s: no more automated sync of this revision (a new commit or a manual sync still syncs)" % (policy.limit, short)


def _limit_text(policy):
    return "unlimited" if policy.limit < 0 else str(policy.limit)
