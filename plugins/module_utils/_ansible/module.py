# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitOpsModule: the one place where GitOpsError becomes fail_json (failure).

Modules build a GitOpsModule and hand it a function ``run(module) -> dict``;
module_utils never call fail_json themselves.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube, kube_auth
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import kubeconfig_no_log, signals
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import GitOpsError


class GitOpsModule(AnsibleModule):
    """AnsibleModule with gitops.k8s conventions: requirement checks and one error path."""

    def require(self, name, import_error):
        """Fail with the standard message when a third-party library is missing."""
        if import_error is not None:
            self.fail_json(msg=missing_required_lib(name), exception=import_error)

    def cluster(self):
        """A KubeCluster from the kube_auth options (see doc fragment gitops.k8s.kube_auth)."""
        self.require("kubernetes", kube.KUBERNETES_IMPORT_ERROR)
        kubeconfig_no_log.narrow(self)  # a kubeconfig path, or "v1" of an inline one, stays readable in results
        auth = {name: self.params.get(name) for name in kube_auth.OPTIONS}
        return kube.KubeCluster(request_timeout=self.params.get("request_timeout"), **auth)

    def execute(self, run):
        """Call ``run(self)`` and exit with its result; a GitOpsError ends in fail_json
        (failure). A run that fails after its work raises the error with its result in
        ``details``. SIGTERM and SIGINT unwind ``run`` (Leases are released on the way)
        and end in fail_json "terminated by SIGTERM"."""
        try:
            with signals.terminate_on_signals():
                result = run(self)
        except signals.Terminated as exc:
            self.fail_json(msg=str(exc), step="signal")
        except GitOpsError as exc:
            self.fail_json(**failure(exc))
        self.exit_json(**result)


def failure(error):
    """fail_json's arguments for a GitOpsError, the one mapping: its details (for a task
    that failed after its work, the result: objects, counts, the rows of all=true), then
    its message, step and subject, which say what failed and win over the details."""
    failed = dict(error.details)
    failed.update(msg=str(error), step=error.step)
    if error.subject:
        failed["subject"] = error.subject
    return failed
