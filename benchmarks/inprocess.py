"""One in-process run of the engine, as one `gitops.k8s.app all=true` module process runs it.

Declares the Applications of a benchmark repository (``apps/*.yaml``) and reconciles them
with one client, the Applications of one wave ``--app-workers`` side by side where the
collection can (one after another in a baseline that cannot), then repeats the no-op; prints one JSON line: seconds of
the first sync, of each no-op, and the no-op's requests by verb. Run by bench.py in its
own process (peak RSS is measured from outside), with the collection found on
``--collections`` (this checkout, or the baseline bench.py unpacked).

Usage: python benchmarks/inprocess.py --collections DIR --kubeconfig FILE --repo DIR --namespace NS [--noop-runs 3]
"""

from __future__ import annotations

import argparse
import glob
import inspect
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--collections", required=True)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--noop-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--app-workers", type=int, default=4)
    args = parser.parse_args()
    sys.path.insert(0, args.collections)
    # pylint: disable=import-outside-toplevel
    import yaml

    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.app_store import AppStore
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.lease import LeaseLock
    from ansible_collections.gitops.k8s.plugins.module_utils._adapters.sources import Sources
    from ansible_collections.gitops.k8s.plugins.module_utils._engine import ordering, redact
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Ports
    from ansible_collections.gitops.k8s.plugins.module_utils._engine.reconcile import Settings, reconcile

    clock = SystemClock()
    settings = {"salt": redact.new_salt(), "control_namespace": args.namespace}
    if "workers" in inspect.signature(Settings).parameters:
        settings["workers"] = args.workers

    def one_run():
        """What one module process builds: a client (discovery included), the store, the ports."""
        cluster = KubeCluster(kubeconfig=args.kubeconfig)
        store = AppStore(cluster, clock)
        sources = Sources(store, checkout_dir=args.repo, cache_dir=args.cache, allow_local_repos=True, discovery=cluster.capabilities)
        extra = {}
        if "projects" in inspect.signature(Ports.__init__).parameters:  # the Projects read once per run
            from ansible_collections.gitops.k8s.plugins.module_utils._adapters.run_projects import RunProjects

            extra["projects"] = RunProjects(cluster).catalog
        if "reads" in inspect.signature(Ports.__init__).parameters:  # a baseline without shared reads has none
            from ansible_collections.gitops.k8s.plugins.module_utils._adapters.shared_reads import SharedReads

            extra["reads"] = SharedReads(cluster)
        ports = Ports(
            cluster=cluster,
            source=sources.source,
            render=sources.render,
            lock=lambda spec: LeaseLock(cluster, clock, spec.namespace, "gapp-" + spec.name).hold(),
            write_status=store.write_status,
            clock=clock,
            **extra,
        )
        return cluster, store, ports

    def reconcile_each(apps, ports):
        """The outcomes of ``apps``, as gitops.k8s.app all=true reconciles them (runner.run_all)."""
        if not hasattr(ordering, "app_steps"):  # a baseline: one after another, lowest wave first
            return [reconcile(app, ports, Settings(**settings)) for app in sorted(apps, key=lambda a: (ordering.wave_of(a), a["metadata"]["name"]))]
        from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_pool

        stop, outcomes = app_pool.Stop(), []
        ports = app_pool.stoppable(ports, stop)
        slots = app_pool.request_slots(args.workers, args.app_workers) if hasattr(app_pool, "request_slots") else None
        for step in ordering.app_steps(apps):
            if slots is not None:  # the run's request slots, shared by the Applications side by side
                each = dict(settings, slots=slots)
            else:  # a baseline: a fixed share of the workers each
                each = dict(settings, workers=ordering.request_workers(args.workers, args.app_workers, len(step)))
            outcomes += app_pool.each(lambda app, each=each: reconcile(app, ports, Settings(**each)), step, args.app_workers, stop)
        return outcomes

    def reconcile_all(declare=False):
        """One run over every Application (declared first from apps/*.yaml when asked);
        the requests it made by verb."""
        cluster, store, ports = one_run()
        if declare:
            store.ensure_crd()
            for path in sorted(glob.glob(os.path.join(args.repo, "apps", "*.yaml"))):
                with open(path, encoding="utf-8") as handle:
                    store.declare(yaml.safe_load(handle))
        failed = []
        listed = store.list(args.namespace)
        if hasattr(getattr(ports, "reads", None), "expect_namespaces"):  # as the module's run tells it (a baseline may not)
            from ansible_collections.gitops.k8s.plugins.module_utils._engine.wide_lists import deploy_namespaces

            ports.reads.expect_namespaces(deploy_namespaces(listed))
        for outcome in reconcile_each(listed, ports):
            if outcome.error is not None:
                failed.append("%s: %s" % (outcome.app, outcome.error))
        if failed:
            raise SystemExit("; ".join(failed[:5]))
        return dict(cluster.stats)

    start = time.monotonic()
    reconcile_all(declare=True)
    first = time.monotonic() - start
    time.sleep(3)  # the controller manager records the new Deployments' status; the next run records their health once
    reconcile_all()
    noops, requests = [], {}
    for _run in range(args.noop_runs):
        start = time.monotonic()
        requests = reconcile_all()
        noops.append(time.monotonic() - start)
    print(json.dumps({"first": first, "noops": noops, "requests": requests}))


if __name__ == "__main__":
    main()
