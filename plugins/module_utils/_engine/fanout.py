# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent requests of one ordering step side by side, on at most ``workers`` threads.

The engine decides which calls may overlap (the dry-runs of a plan, the writes of one kind
group of one wave: plan.py, sync.py); the calls themselves go through the ports, so this
module does no I/O of its own. The API server accepts several times more server-side
applies per second from a few parallel clients than from one.

- Results come back in the order of the items, whatever order the workers finished in.
- An error of the ``catch`` classes is collected with its item, never lost: every failed
  item is reported (``summary`` names each by object id). Any other exception is a bug and
  is raised in the caller once the running calls are done.
- ``stop_on_error``: once a call failed, calls not yet started are not made (``ran`` is
  False): the first failed write stops a sync, as it did one object at a time; writes
  already sent finish and are reported.
- ``workers`` <= 1, or a single item: the calls run one after another in the caller's thread.
- Each call runs in a copy of the caller's context (``contextvars``): what the caller's
  context carries (the request tally of its Application) holds in the workers too.
- ``slots``: a semaphore shared by every fanout of a run (Applications side by side): each
  call is made holding one of its slots, so the run has at most that many of these
  requests in flight, however many Applications are at the same step. An Application
  alone at its writes uses every slot; none waits on a slot another one leaves idle
  while it plans, takes its Lease or records its status. Nothing is called while
  waiting for a slot once ``stop_on_error`` stopped the step.
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError

# Named in a summary of several failures; the others are counted.
SUMMARY_LIMIT = 10


@dataclass(frozen=True)
class Outcome:
    """One item's call: its value, or the error it raised, or not made at all."""

    item: Any
    value: Any = None
    error: Optional[GitOpsError] = None
    ran: bool = True


def each(call, items, workers, catch=GitOpsError, stop_on_error=False, slots=None):
    """``call(item)`` for every item, at most ``workers`` at a time (and, with ``slots``,
    each holding one of the run's slots); a list of Outcome in the order of ``items``."""
    items = list(items)
    stop = threading.Event()

    def attempt(item):
        if stop.is_set():
            return Outcome(item, ran=False)
        try:
            return Outcome(item, value=call(item))
        except catch as exc:
            if stop_on_error:
                stop.set()
            return Outcome(item, error=exc)

    def one(item):
        if slots is None:
            return attempt(item)
        with slots:
            return attempt(item)

    if workers <= 1 or len(items) <= 1:
        return [one(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="gitops-k8s") as pool:
        futures = []
        try:
            for item in items:
                futures.append(pool.submit(contextvars.copy_context().run, one, item))
            return [f.result() for f in futures]
        except BaseException:  # Terminated (SIGTERM) in the waiting thread: no call starts any more
            for future in futures:
                future.cancel()
            raise


def errors_of(outcomes):
    """The errors of ``outcomes``, in item order."""
    return [o.error for o in outcomes if o.error is not None]


def summary(errors):
    """One error for the failures of one step: the error itself when alone; else an error of
    the first one's class, subject and details whose message names every failed object
    (the first SUMMARY_LIMIT, then how many more)."""
    if len(errors) == 1:
        return errors[0]
    first = errors[0]
    named = "; ".join(str(e) for e in errors[:SUMMARY_LIMIT])
    more = len(errors) - SUMMARY_LIMIT
    message = "%s%s (%d objects failed)" % (named, "; +%d more" % more if more > 0 else "", len(errors))
    return type(first)(message, subject=first.subject, details=first.details, step=first.step)
