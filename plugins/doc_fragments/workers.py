# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  workers:
    description:
      - How many requests one sync sends side by side - the server-side dry-runs that validate its plan, and the
        applies of one kind within one sync wave. Waves, hooks and the kind order (Namespaces, then CRDs, then the
        other kinds) stay one after another, and every object is still validated before the first write.
      - After a failed write no further write starts; every failed object is named in the error.
      - V(1) (or less) sends one request at a time.
    type: int
    default: 8
"""
