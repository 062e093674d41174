# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # A module that only reads (with gitops.k8s.attributes): check mode is a run like any other, no diff.
    # A module's own attributes (their details) are merged over these.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

    # A module that writes objects: check mode plans with server-side dry-runs, diff mode shows each object.
    WRITES = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""
