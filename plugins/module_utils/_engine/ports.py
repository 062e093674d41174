# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ports: what the engine and the stores beside it need from the outside world.

Adapters in _adapters/ implement these (KubeCluster, SystemClock, Sources, LeaseLock,
AppStore); tests/unit's fake_cluster implements every one in memory. A port names every
method its callers use, so a new adapter or fake knows what it must provide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ContextManager, List, NamedTuple, Optional, Protocol, Tuple


@dataclass(frozen=True)
class ResourceType:
    """A served kind: how to reach it and whether it is namespaced."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version


class Cluster(Protocol):
    """The Kubernetes API as the engine and the stores use it. Objects are plain dicts;
    failures raise ClusterError (UnknownKindError for a kind that is not served)."""

    def resolve(self, api_version: str, kind: str) -> ResourceType:
        """ResourceType of apiVersion/kind; raises UnknownKindError when not served."""

    def refresh_discovery(self) -> None:
        """Forget cached discovery (after CRDs were created)."""

    def capabilities(self) -> Tuple[str, List[str]]:
        """(server gitVersion, every served group version and group/version/Kind): what
        Helm's .Capabilities should answer (Argo CD's --kube-version and --api-versions)."""

    def list(self, rtype: ResourceType, namespace: Optional[str] = None) -> List[dict]:
        """Every object of rtype in namespace (None: all namespaces / cluster-scoped)."""

    def get(self, rtype: ResourceType, namespace: Optional[str], name: str) -> Optional[dict]:
        """One object, or None when it does not exist."""

    def apply(self, rtype: ResourceType, obj: dict, dry_run: bool = False, force: bool = False) -> dict:
        """Server-side apply with our field manager; returns the resulting object."""

    def create(self, rtype: ResourceType, obj: dict) -> dict:
        """POST; a ClusterError with details status_code 409 when it exists (the Lease's
        compare-and-swap)."""

    def replace(self, rtype: ResourceType, obj: dict, sub: Optional[str] = None) -> dict:
        """PUT with optimistic concurrency (metadata.resourceVersion): 409 when stale."""

    def patch_merge(self, rtype: ResourceType, namespace: Optional[str], name: str, patch: dict, sub: Optional[str] = None) -> dict:
        """JSON merge patch (None removes a key); ``sub`` a subresource such as status."""

    def delete(
        self,
        rtype: ResourceType,
        namespace: Optional[str],
        name: str,
        uid: Optional[str] = None,
        propagation: str = "Background",
        resource_version: Optional[str] = None,
    ) -> bool:
        """Delete one object (preconditions on uid and resourceVersion when given: a
        ClusterError with details status_code 409 when one fails); False when already gone."""

    def impersonating(self, user: str) -> "Cluster":
        """The same cluster whose requests (not discovery) impersonate ``user`` (a
        Project's destinationServiceAccounts): the API server's RBAC decides what the
        sync may read and write."""


class Destinations(Protocol):
    """The clusters Applications deploy to (clusters.py: Argo CD cluster Secrets)."""

    def select(self, spec: Any) -> Any:
        """The clusters.ClusterRecord an AppSpec's destination names; raises
        DestinationError when it is not registered or its Secret is invalid."""

    def connect(self, record: Any) -> Cluster:
        """The Cluster of a record (the run's own for the cluster of the run); raises
        DestinationError naming the cluster when it cannot be reached."""


class Clock(Protocol):
    """Time source, injectable for tests (waits and timestamps without real time)."""

    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait."""

    def iso(self) -> str:
        """Now as a Kubernetes timestamp (RFC 3339, UTC, seconds), for status fields."""


class LockHandle(Protocol):
    """A held lock, checked before each write of a sync."""

    def check(self) -> None:
        """Raise LockError once the lock was lost."""


class Fetched(NamedTuple):
    """What the source port gives: the directory to render from, its commit, the repository
    URL as the spec names it, the URL fetched instead when a repo_url_rewrites rule
    applied ('' otherwise), and the commit's subject line ('' when not a Git commit)."""

    root: str
    revision: str
    repo_url: str
    fetched_url: str = ""
    subject: str = ""


# source(app, spec) -> Fetched
Source = Callable[[dict, Any], Fetched]
# render(root directory, spec) -> list of Manifest
Render = Callable[[str, Any], list]
# lock(spec) -> context manager yielding a LockHandle (or None); raises LockError (details:
# holder, skipped) when the lock cannot be taken
Lock = Callable[[Any], ContextManager[Optional[LockHandle]]]
# write_status(app, status): replace the Application's status
WriteStatus = Callable[[dict, dict], None]
# remove_finalizer(app): after a deleted Application's objects were pruned
RemoveFinalizer = Callable[[dict], None]
# projects(namespace) -> projects.Catalog of the Projects in namespace (one LIST per run, _adapters/run_projects.py)
ProjectsOf = Callable[[str], Any]
# metrics(address, promql, timeout) -> a number or a list of numbers (an instant query,
# _adapters/prometheus_query.py); raises MetricsError when it cannot be answered
MetricsQuery = Callable[[str, str, float], Any]


class Ports:
    """Everything one reconcile reaches the world through, built by keyword so a new
    port cannot be passed in the place of another."""

    def __init__(
        self,
        *,
        cluster: Cluster,
        source: Source,
        render: Render,
        lock: Lock,
        write_status: WriteStatus,
        clock: Clock,
        remove_finalizer: Optional[RemoveFinalizer] = None,
        reads: Optional[Cluster] = None,
        destinations: Optional[Destinations] = None,
        metrics: Optional[MetricsQuery] = None,
        projects: Optional[ProjectsOf] = None,
    ):
        self.cluster = cluster
        self.source = source
        self.render = render
        self.lock = lock
        self.write_status = write_status
        self.clock = clock
        self.remove_finalizer = remove_finalizer
        # the cluster the plan made before the lock reads (it only reports and decides
        # whether a sync is due): LISTs shared by the run's Applications, a moment stale
        # (_engine/wide_lists.py); None: ``cluster``. A sync is planned again from ``cluster``.
        self.reads = reads
        # None: every Application deploys to ``cluster`` (the cluster of the run)
        self.destinations = destinations
        # the metrics of spec.analysis (app_analysis.py); None: an analysis is Inconclusive
        self.metrics = metrics
        # None: the Projects are read (one LIST) for each Application
        self.projects = projects

    def with_changes(self, **changes) -> "Ports":
        """A copy with some ports changed (tests: another lock or status store)."""
        values = dict(vars(self))
        values.update(changes)
        return Ports(**values)
