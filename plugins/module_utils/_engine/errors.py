# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception tree of gitops.k8s.

Every failure the collection can report is a GitOpsError. Subclasses say which step
failed; each carries the context a user needs (object id, file, line) in its message.
Engine functions raise it; reconcile() and sync's execute() return it in their outcome
(one Application's failure is data for the run); the glue layer raises it again, with the
task's result in ``details``, and maps it to fail_json (_ansible/module.py: failure) or
AnsibleLookupError in exactly one place. See docs/architecture.md, "One way to fail".
"""

from __future__ import annotations

import copy


class GitOpsError(Exception):
    """Base of every error raised by gitops.k8s.

    ``subject`` names what failed (an object id ``Kind/namespace/name``, a file, a repo).
    ``details`` holds extra, already-redacted data for the result (never secrets); a task
    that fails after reporting its work puts its whole result there, so it is not lost.
    ``step`` overrides the class's step for an error that sums up another one.
    """

    step = "reconcile"

    def __init__(self, message, subject=None, details=None, step=None):
        super().__init__(message)
        self.message = message
        self.subject = subject
        self.details = details or {}
        if step is not None:  # a summary of another error keeps the step that failed
            self.step = step

    def scrubbed(self, scrub):
        """A copy of this error (same class, step, subject) with ``scrub`` applied to its
        message: text from a tool or the API server may quote a Secret's value."""
        clone = copy.copy(self)
        clone.message = scrub(self.message)
        clone.args = (clone.message,)
        return clone

    def __str__(self):
        if self.subject and not self.message.startswith(self.subject):
            return "%s: %s" % (self.subject, self.message)
        return self.message


class SourceError(GitOpsError):
    """Fetching or resolving the source failed (clone, fetch, unknown ref, signature)."""

    step = "fetch"


class SignatureError(SourceError):
    """A revision is not signed by a trusted key (verified commits): nothing of it is rendered."""

    step = "verify"


class RenderError(GitOpsError):
    """Rendering manifests failed (missing path, kustomize/helm failure)."""

    step = "render"


class ManifestError(RenderError):
    """A rendered document is not a valid Kubernetes object (bad YAML, no kind/name,
    duplicate id). ``subject`` is ``file:line`` where known."""


class ClusterError(GitOpsError):
    """The API server refused or failed a request."""

    step = "cluster"


class DestinationError(ClusterError):
    """The destination cluster of an Application is not registered, its cluster Secret is
    invalid, or it cannot be reached; ``subject`` names the Secret or the cluster (never a
    credential)."""

    step = "destination"


class UnknownKindError(ClusterError):
    """A kind is served neither by the cluster nor by a CRD in this sync."""


class ApplyError(ClusterError):
    """Applying (or dry-run applying) one object failed; ``subject`` is its id."""

    step = "apply"


class PruneError(ClusterError):
    """Deleting a stale object failed."""

    step = "prune"


class HealthTimeout(GitOpsError):
    """Objects did not become healthy before the wait ran out."""

    step = "health"


class HookError(GitOpsError):
    """A hook (PreSync, Sync, PostSync, SyncFail) could not be created, failed, or did not
    finish in time; ``subject`` is its id as the server named it."""

    step = "hook"


class DeadlineError(GitOpsError):
    """The run's deadline passed before this Application could be reconciled."""

    step = "deadline"


class LockError(GitOpsError):
    """Another reconcile holds the lock for this Application."""

    step = "lock"


class InvalidSpec(GitOpsError):
    """An Application spec cannot be used; the message names the bad field."""

    step = "spec"


class SafetyError(GitOpsError):
    """A guard refused an action that could lose data (empty render prune, ...)."""

    step = "safety"


class AuthorityError(SafetyError):
    """A render names Applications its Application may not write (_engine/authority.py)."""


class ProjectError(SafetyError):
    """An Application or the objects of its sync leave the bounds of its Project, or the
    Project is missing or invalid (_engine/projects.py, project_check.py)."""

    step = "project"


class MetricsError(GitOpsError):
    """A metrics query of an analysis could not be made or answered (Prometheus
    unreachable, an error reply, an unreadable result); ``subject`` is the address. The
    analysis counts it as an Error measurement, never as a failed one."""

    step = "analysis"
