"""Leases that cannot outlive their holder, on the real API server with real processes.

- A reconcile SIGKILLed mid-sync leaves its Lease; the next run on this host sees the
  holder's pid gone and takes the Lease over at once (the test stretches it to 600 s), then
  converges.
- A reconcile SIGTERMed mid-sync releases its Lease before it exits and fails with
  "terminated by SIGTERM" (the module process directly, and through ansible-playbook,
  which forwards the signal to the module).
- A Lease held by a live holder elsewhere makes the run say "lock held", claim no counts
  and exit non-zero; the same Lease, no longer renewed, is taken over.

Times are printed (pytest -s); docs/agents.md (Locks) quotes them.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import time

import pytest
import yaml

from tests.helpers.waiting import wait_for

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.lease import LEASE_DURATION

from .gitops import GitRepo
from .playbook import VENV_BIN, ansible_env, run_tasks, start_module

# timed: run with no other test beside it (tests/integration/conftest.py, serial_gate)
pytestmark = pytest.mark.serial

OBJECTS = 400  # enough for a sync of several seconds, so it can be stopped in the middle
LABEL = "lease-fault"
APP = "lease-fault"


def now_micro(offset=0.0):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch(micro_time):
    return datetime.datetime.strptime(micro_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


@pytest.fixture
def checkout(tmp_path):
    """A repository of OBJECTS ConfigMaps in one file."""
    repo = GitRepo(tmp_path / "repo")
    docs = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-%04d" % i, "labels": {LABEL: "yes"}}, "data": {"i": str(i)}} for i in range(OBJECTS)
    ]
    repo.write("app/configmaps.yaml", yaml.safe_dump_all(docs))
    repo.commit("configmaps")
    return repo.path


def app_args(kubeconfig, namespace, checkout, **extra):
    args = {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "checkout_dir": checkout,
        "definition": {
            "metadata": {"name": APP},
            "spec": {"source": {"path": "app"}, "destination": {"namespace": namespace}, "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
        },
    }
    args.update(extra)
    return args


def start_playbook(tmp_path, args):
    """ansible-playbook running gitops.k8s.app, in its own session (signalled as a unit)."""
    play = [{"name": "reconcile", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [{"name": "reconcile", "gitops.k8s.app": args}]}]
    path = os.path.join(str(tmp_path), "play-%d.yml" % len(os.listdir(str(tmp_path))))
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(play, handle)
    return subprocess.Popen(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", path],
        env=ansible_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


class Watch:
    """Reads of the test namespace: the Application's Lease and our ConfigMaps."""

    def __init__(self, kube_api, namespace):
        from kubernetes.client import CoordinationV1Api  # pylint: disable=import-outside-toplevel

        self.core = kube_api.core
        self.leases = CoordinationV1Api(kube_api.api_client)
        self.namespace = namespace

    def lease(self):
        from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

        try:
            obj = self.leases.read_namespaced_lease("gapp-" + APP, self.namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return obj.to_dict()

    def write_lease(self, holder, renewed, duration=LEASE_DURATION):
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": "gapp-" + APP, "namespace": self.namespace},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration, "acquireTime": renewed, "renewTime": renewed},
        }
        self.leases.create_namespaced_lease(self.namespace, body)

    def configmaps(self):
        return [i.metadata.name for i in self.core.list_namespaced_config_map(self.namespace, label_selector=LABEL).items]

    def mid_sync_holder(self, proc, timeout=120):
        """Wait until the reconcile holds the Lease and wrote some ConfigMaps, not all; its holder identity."""

        def ready():
            """the reconcile holds the Lease and is writing"""
            if proc.poll() is not None:
                raise AssertionError("the reconcile ended before it could be stopped:\n%s" % proc.communicate()[0][-3000:])
            lease = self.lease()
            return lease if lease and len(self.configmaps()) >= 10 else None

        lease = wait_for(ready, ready.__doc__, timeout, interval=0.05)
        written = len(self.configmaps())
        assert written < OBJECTS, "the sync finished before it could be stopped: make OBJECTS larger"
        return lease["spec"], written


def holder_pid(spec):
    return int(spec["holder_identity"].split("/")[1])


def test_sigkill_mid_sync_then_the_next_run_takes_the_lease_over_at_once(tmp_path, kubeconfig, namespace, kube_api, checkout):
    watch = Watch(kube_api, namespace)
    first = start_playbook(tmp_path, app_args(kubeconfig, namespace, checkout))
    dead, written = watch.mid_sync_holder(first)
    os.kill(holder_pid(dead), signal.SIGKILL)  # the module process; the OOM killer or a node shutdown would do the same
    killed_at = time.time()
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate()
    assert watch.lease()["spec"]["holder_identity"] == dead["holder_identity"]  # left behind
    # as long-lived as the Leases that used to block the next run for 600 s: only the
    # holder's death can free it before the end of this test
    watch.leases.patch_namespaced_lease("gapp-" + APP, namespace, {"spec": {"leaseDurationSeconds": 600}})

    started_at = time.time()
    second = start_playbook(tmp_path, app_args(kubeconfig, namespace, checkout))

    def taken_over():
        """the next run holds the Lease"""
        if second.poll() is not None:
            raise AssertionError("the next run ended without taking the Lease over:\n%s" % second.communicate()[0][-3000:])
        return (watch.lease() or {"spec": {}})["spec"].get("holder_identity") not in (None, dead["holder_identity"])

    taken = wait_for(taken_over, taken_over.__doc__, 120, interval=0.02)
    taken_at = time.time()
    output = second.communicate(timeout=300)[0]
    assert taken and second.returncode == 0, output[-3000:]
    print(
        "\nSIGKILL -> next run's first write (the Lease taken over): %.2fs, of which %.2fs ansible-playbook start and the plan "
        "of the %d objects left (%d of %d written before the kill)" % (taken_at - killed_at, taken_at - started_at, OBJECTS - written, written, OBJECTS)
    )
    names = watch.configmaps()
    assert len(names) == OBJECTS and len(set(names)) == OBJECTS
    assert watch.lease() is None  # released at the end of the run


def test_sigterm_mid_sync_releases_the_lease_and_fails_clearly(tmp_path, kubeconfig, namespace, kube_api, checkout):
    watch = Watch(kube_api, namespace)
    module = start_module(tmp_path, app_args(kubeconfig, namespace, checkout))
    held, _written = watch.mid_sync_holder(module)
    assert holder_pid(held) == module.pid
    module.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    wait_for(lambda: watch.lease() is None, "the Lease released", 60, interval=0.01)
    released = time.monotonic()
    stdout, stderr = module.communicate(timeout=30)
    exited = time.monotonic()
    print("\nSIGTERM -> Lease deleted: %.3fs; -> process exited: %.3fs" % (released - signalled, exited - signalled))
    result = json.loads(stdout)
    assert result["failed"] is True and result["msg"] == "terminated by SIGTERM", (result, stderr[-2000:])
    assert module.returncode == 1
    assert watch.lease() is None


def pid_gone(pid):
    """the process has exited"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_sigterm_to_ansible_playbook_reaches_the_module_and_releases_the_lease(tmp_path, kubeconfig, namespace, kube_api, checkout):
    """ansible-playbook forwards SIGTERM to its workers' process groups, so the module gets
    it too (as with systemctl stop, which signals the whole unit)."""
    watch = Watch(kube_api, namespace)
    playbook = start_playbook(tmp_path, app_args(kubeconfig, namespace, checkout))
    held, _written = watch.mid_sync_holder(playbook)
    module_pid = holder_pid(held)
    playbook.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    playbook.communicate(timeout=60)
    wait_for(lambda: pid_gone(module_pid), "the module process exited", 60, interval=0.01)
    exited = time.monotonic()
    lease = watch.lease()
    print("\nSIGTERM to ansible-playbook -> module process exited: %.3fs" % (exited - signalled))
    assert playbook.returncode != 0
    assert lease is None
    assert len(watch.configmaps()) < OBJECTS  # the sync stopped; it did not run on in the background


def test_live_foreign_holder_blocks_with_no_counts_then_its_stale_lease_is_taken_over(tmp_path, kubeconfig, namespace, kube_api, checkout):
    watch = Watch(kube_api, namespace)
    watch.write_lease("other-host/4242/0123abcd", now_micro())
    tasks = [
        {"name": "reconcile", "gitops.k8s.app": app_args(kubeconfig, namespace, checkout, lock_timeout=2)},
        {"name": "summary", "ansible.builtin.debug": {"msg": "{{ _t0 | gitops.k8s.reconcile_summary | gitops.k8s.summary_line }}"}},
    ]
    rc, res = run_tasks(tmp_path, tasks, check=False)
    blocked = res["reconcile"]
    assert rc != 0 and blocked["failed"] is True
    assert blocked["lock_held_by"] == "other-host/4242/0123abcd"
    assert blocked["reason"] == "not synced: Lease %s/gapp-%s is held by other-host/4242/0123abcd" % (namespace, APP)
    assert blocked["error_step"] == "lock" and blocked["synced"] is False
    assert blocked["created"] == [] and blocked["summary"]["created"] == 0 and blocked["summary"]["skipped"] == OBJECTS
    assert blocked["warnings"] == ["%s/%s: %s" % (namespace, APP, blocked["reason"])]
    assert "lock held by other-host/4242/0123abcd, nothing synced" in res["summary"]["msg"]
    assert "created" not in res["summary"]["msg"]
    assert watch.configmaps() == []
    assert not blocked["status_updated"]

    watch.leases.delete_namespaced_lease("gapp-" + APP, namespace)
    watch.write_lease("other-host/4242/0123abcd", now_micro(-(LEASE_DURATION + 5)))  # its holder stopped renewing it
    rc, res = run_tasks(tmp_path, [{"name": "reconcile", "gitops.k8s.app": app_args(kubeconfig, namespace, checkout, lock_timeout=2)}], check=False)
    done = res["reconcile"]
    assert rc == 0 and done["synced"] is True and len(done["created"]) == OBJECTS, json.dumps(done)[-3000:]
    assert "lock_held_by" not in done
    assert len(watch.configmaps()) == OBJECTS
    assert watch.lease() is None
