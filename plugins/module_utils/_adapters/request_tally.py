# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests of one Application, counted apart while other Applications run beside it.

A client's ``stats`` count every request of the run. Each reconcile of a run of many
Applications (``app_workers``) counts its own into a tally held in a context variable:
the threads a reconcile starts (_engine/fanout.py) run in a copy of its context, so
their requests count too; the Lease renewer's do not (they are the run's).
"""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from contextlib import contextmanager

_TALLY: contextvars.ContextVar = contextvars.ContextVar("gitops_k8s_request_tally", default=None)
_ADDING = threading.Lock()  # the threads of one reconcile count into one Counter


@contextmanager
def counting():
    """Yield a Counter of the requests (by verb) sent in this context until the block ends."""
    tally = Counter()
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)


def add(verb):
    """Count one request of ``verb`` in the tally of the current context, if any."""
    tally = _TALLY.get()
    if tally is not None:
        with _ADDING:
            tally[verb] += 1
