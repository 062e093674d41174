# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIGTERM and SIGINT turned into an exception, so a stopped run cleans up after itself.

A CronJob's activeDeadlineSeconds, ``systemctl stop`` and Ctrl-C send SIGTERM or SIGINT.
By default Python dies at once on SIGTERM: ``finally:`` blocks never run, and the
Application's Lease stays held until it expires. Raised from the handler instead, the
exception unwinds the stack (the Lease is released, a running tool's process group is
killed) and the module fails with "terminated by SIGTERM".
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Terminated(BaseException):
    """The process was asked to stop.

    A BaseException, like KeyboardInterrupt: ``except GitOpsError`` and ``except
    Exception`` must not catch it, or reconcile would record it as one Application's
    failure and go on with the next Application.
    """

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum

    def __str__(self):
        return "terminated by %s" % signal.Signals(self.signum).name


@contextmanager
def terminate_on_signals(signums=SIGNALS):
    """Raise Terminated on the first of ``signums``; later ones are ignored while the
    stack unwinds, so a repeated SIGTERM cannot interrupt the Lease's release (SIGKILL
    still ends everything). Previous handlers are restored on exit. Outside the main
    thread (where handlers cannot be installed) this does nothing."""
    received = []

    def handler(signum, _frame):
        if received:
            return
        received.append(signum)
        raise Terminated(signum)

    previous = {}
    try:
        for signum in signums:
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
