# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded status messages.

Messages written to an Application's status come from tools, API errors and other
objects' status, all of which a repository can make arbitrarily large. The status is
one etcd object read by every ``kubectl get gapp``: each message is cut to
STATUS_MESSAGE_LIMIT characters. The head is kept (it names the step and the object).
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import STATUS_MESSAGE_LIMIT

_MORE = "... (%d more characters)"


def bounded(text, limit=STATUS_MESSAGE_LIMIT):
    """``text`` (None: '') cut to at most ``limit`` characters, saying how much was cut."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    keep = max(limit - len(_MORE % len(text)), 0)
    return text[:keep] + _MORE % (len(text) - keep)
