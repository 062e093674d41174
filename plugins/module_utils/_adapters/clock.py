# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real clock (the engine's Clock port)."""

from __future__ import annotations

import datetime
import time


class SystemClock:
    def now(self):
        return time.time()

    def sleep(self, seconds):
        time.sleep(seconds)

    def iso(self):
        """UTC timestamp in the Kubernetes format (RFC 3339, seconds)."""
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
