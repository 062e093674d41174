"""One client, Applications side by side: discovery read by some threads while another refreshes it.

The kubernetes client's discovery cache is a plain dict that a refresh replaces: a search
in another thread at that moment failed with KeyError 'resources' (seen as "Module failed:
'resources'" when a Helm render asked for the served kinds while a sibling Application
refreshed discovery for a CRD it had just installed). A search made under the discovery lock
is not enough: reading any attribute of the client's <Kind>List entries searches the cache
again (ResourceList delegates to its base resource), so results are read under the lock too.
Real API server, real client; the race shows when several runs of this test share 2 cores.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import traceback

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster

ROUNDS = 60


def test_discovery_reads_and_refreshes_from_many_threads(kubeconfig):
    cluster = KubeCluster(kubeconfig=kubeconfig)
    cluster.served_kinds()  # the cache filled once, as a run does before it renders
    errors = []

    def guarded(call):
        def run():
            try:
                for _round in range(ROUNDS):
                    call()
            except Exception:  # noqa: BLE001 - any failure of any thread is the finding
                errors.append(traceback.format_exc())

        return run

    calls = [
        cluster.refresh_discovery,
        cluster.served_kinds,
        cluster.served_kinds,
        lambda: cluster.kind_versions("Deployment"),
        lambda: cluster.resolve("v1", "ConfigMap"),
    ]
    threads = [threading.Thread(target=guarded(call)) for call in calls]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: a race shows in a few rounds
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), "a discovery call hung"
    assert errors == []
    assert "apps/v1/Deployment" in cluster.served_kinds() and cluster.kind_versions("Deployment") == ["apps/v1"]


def test_discovery_is_neither_read_from_nor_written_to_the_shared_temporary_directory(kubeconfig):
    """The client's default cache file is named after the server's address in the shared
    temporary directory: any local user could write it first, and every process shared it."""
    probe = KubeCluster(kubeconfig=kubeconfig)
    host = probe.api_client.configuration.host
    shared = os.path.join(tempfile.gettempdir(), "osrcp-%s.json" % hashlib.md5(host.encode("utf-8")).hexdigest())  # noqa: S324 - the client's name
    with open(shared, "w", encoding="utf-8") as planted:
        planted.write('{"library_version": "planted", "resources": {}}')
    try:
        cluster = KubeCluster(kubeconfig=kubeconfig)
        cluster.refresh_discovery()
        assert cluster.resolve("v1", "ConfigMap").plural == "configmaps"
        with open(shared, encoding="utf-8") as left:
            assert left.read() == '{"library_version": "planted", "resources": {}}'  # not rewritten
    finally:
        os.unlink(shared)
