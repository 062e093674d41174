"""The in-cluster agent for real: `gitops.k8s.bootstrap` installs it on the local cluster,
and its CronJob's Jobs run ansible-pull in real Pods on the node (hack/node.sh), from the
execution environment built from this checkout (`make ee`), imported into the node's
containerd.

The GitOps repository is served over HTTP on the host's address on the Pod bridge, where
the Pods reach it (and nothing beyond this machine does). The agent runs with the role's
least-privilege RBAC (namespaced mode), as UID 1000 with a read-only root filesystem.
One bootstrap serves the module; the tests run in order, each from the state the one
before left (a Git commit, then "sync now": a Job created from the CronJob):

1. the first Job converges every Application; a second one writes nothing;
2. an object kind outside the agent's RBAC: the API server refuses it, the sync fails
   naming it, and nothing of that Application is written;
3. a PreSync hook Job runs on the node: exit 1 stops the sync before anything is applied;
4. the agent's container is SIGKILLed while a (sleeping) PreSync hook holds the sync: the
   next Job waits out the dead holder's Lease and converges, the hook's exit 0 letting it go on;
5. disaster recovery: every namespace of the agent and its Applications is deleted; the
   bootstrap playbook and one Job bring everything back (timed);
6. every Application and what it deployed deleted again, the same repository reconciled by
   ansible-pull on this machine (a node agent), then by the EE under ansible-runner (an AWX
   job), gives the same objects as the agent's Pod did.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import pytest
from kubernetes.dynamic.exceptions import ConflictError
import yaml

from tests.helpers import node_images
from tests.helpers.git_servers import GitHTTPServer
from tests.helpers.waiting import has_token, wait_for

from .gitops import GitRepo
from .playbook import REPO_ROOT, VENV_BIN, ansible_env
from .playbook import bootstrap as run_bootstrap
from .test_ansible_pull import recap
from .test_awx_runner import private_data_dir, run_job

AGENT = "pod-agent"
AGENT_NS = "pod-agent-system"
WEB_NS = "pod-agent-web"
HELLO_NS = "pod-agent-hello"
CHILDREN = ("web", "hello")
AWX_CHART = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "awx_project", "charts", "hello")
# a summary line of the reconcile playbook (gitops.k8s.summary_line)
SUMMARY = re.compile(
    r"(?P<app>[a-z0-9.-]+/[a-z0-9.-]+): (?P<result>[a-z-]+) \((?P<sync>\w+), (?P<health>\w+)\) rev (?P<rev>\S+) "
    r"created (?P<created>\d+) configured (?P<configured>\d+) pruned (?P<pruned>\d+)"
)
JOB_TIMEOUT = 900  # a Job on a loaded 2-core machine: EE start, git, helm, kubectl, the API


def _application(name, path, dest, **source):
    return {
        "apiVersion": "gitops-k8s.dev/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": AGENT_NS},
        "spec": {
            "source": dict(source, path=path),
            "destination": {"namespace": dest},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def _dump(*objects):
    return "".join("---\n" + yaml.safe_dump(obj, sort_keys=False) for obj in objects)


def _hook(name, probe, args):
    """A PreSync hook Job whose container runs the probe on the node."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"generateName": name + "-", "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "terminationGracePeriodSeconds": 2,
                    "tolerations": [{"key": node_images.NODE_TAINT, "operator": "Exists"}],
                    "containers": [{"name": "probe", "image": probe, "imagePullPolicy": "Never", "args": args}],
                }
            },
        },
    }


def _settings(color):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-settings"}, "data": {"color": color}}


SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


class Agent:
    """The bootstrapped agent, its repository and its Jobs."""

    def __init__(self, kubeconfig, kubectl, kube_api, repo, url, image, probe, workdir):
        self.kubeconfig, self.kubectl, self.kube_api = kubeconfig, kubectl, kube_api
        self.repo, self.url, self.image, self.probe, self.workdir = repo, url, image, probe, workdir
        self.jobs = 0

    def bootstrap(self):
        extra = {
            "agent_kubeconfig": self.kubeconfig,
            "agent_name": AGENT,
            "agent_namespace": AGENT_NS,
            "agent_repo_url": self.url,
            "agent_repo_revision": "main",
            "agent_image": self.image,
            "agent_image_pull_policy": "Never",
            "agent_tolerations": [{"key": node_images.NODE_TAINT, "operator": "Exists"}],
            "agent_rbac_mode": "namespaced",
            "agent_rbac_namespaces": [WEB_NS, HELLO_NS],
            "agent_suspend": True,  # the tests start every run ("sync now")
        }
        run_bootstrap(extra)
        wait_for(lambda: has_token(self.kube_api, AGENT_NS, AGENT), what="the agent ServiceAccount's token", timeout=120)

    def sync_now(self):
        """`kubectl create job --from=cronjob/<agent>`; a kubectl newer than 1.20 reads CronJobs
        as batch/v1 only, so on a 1.20 cluster the test makes the same Job itself."""
        self.jobs += 1
        name = "%s-now-%d-%d" % (AGENT, int(time.time()), self.jobs)
        made = self.kubectl.run("create", "job", name, "--from=cronjob/" + AGENT, "-n", AGENT_NS)
        if made.returncode != 0:
            cronjobs = self.kube_api.dynamic.resources.get(api_version="batch/v1beta1", kind="CronJob")
            cronjob = cronjobs.get(name=AGENT, namespace=AGENT_NS).to_dict()
            template = cronjob["spec"]["jobTemplate"]
            owner = {"apiVersion": "batch/v1beta1", "kind": "CronJob", "name": AGENT, "uid": cronjob["metadata"]["uid"], "controller": True}
            metadata = {
                "name": name,
                "labels": (template.get("metadata") or {}).get("labels") or {},
                "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
                "ownerReferences": [owner],
            }
            jobs = self.kube_api.dynamic.resources.get(api_version="batch/v1", kind="Job")
            try:
                jobs.create(namespace=AGENT_NS, body={"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template["spec"]})
            except ConflictError:  # the name is this call's own: a create whose answer was lost and was sent again
                pass
        return name

    def finished(self, name):
        job = json.loads(self.kubectl("get", "job", name, "-n", AGENT_NS, "-o", "json"))
        done = [c["type"] for c in (job["status"].get("conditions") or []) if c["status"] == "True" and c["type"] in ("Complete", "Failed")]
        return done[0] if done else None

    def pod(self, name):
        pods = json.loads(self.kubectl("get", "pods", "-n", AGENT_NS, "-l", "job-name=" + name, "-o", "json"))["items"]
        return pods[0] if pods else None

    def run(self, expect="Complete"):
        """Sync now and wait for the Job; returns (job name, its Pod, its log)."""
        started = time.monotonic()
        name = self.sync_now()
        outcome = wait_for(lambda: self.finished(name), what="Job %s to finish" % name, timeout=JOB_TIMEOUT, interval=1)
        log = self.kubectl("logs", "job/" + name, "-n", AGENT_NS, "--tail=-1")
        print("agent Job %s: %s in %.1fs" % (name, outcome, time.monotonic() - started))
        assert outcome == expect, log[-8000:]
        return name, self.pod(name), log

    def applications(self):
        items = json.loads(self.kubectl("get", "gapp", "-n", AGENT_NS, "-o", "json"))["items"]
        return {a["metadata"]["name"]: a for a in items}

    def sync_state(self):
        return {n: ((a.get("status") or {}).get("sync") or {}).get("status") for n, a in self.applications().items()}

    def commit(self, message):
        revision = self.repo.commit(message)
        self.repo.git("push", "-q", "--force", "served", "main")
        return revision


def summary(log):
    """{namespace/name: row} of the run's summary lines."""
    return {m["app"]: m.groupdict() for m in SUMMARY.finditer(log)}


def forget(kubectl):
    """Remove what an earlier run of this module left (Applications first: no pruning races)."""
    listed = kubectl.run("get", "gapp", "-n", AGENT_NS, "-o", "name")
    for name in listed.stdout.split() if listed.returncode == 0 else []:
        kubectl.run("patch", name, "-n", AGENT_NS, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
    for ns in (AGENT_NS, WEB_NS, HELLO_NS):
        kubectl.run("delete", "namespace", ns, "--ignore-not-found", "--wait=true", timeout=300)
    for kind, name in (("clusterrolebinding", AGENT + "-read"), ("clusterrole", AGENT + "-read")):
        kubectl.run("delete", kind, name, "--ignore-not-found")


def _write_repository(repo, server_url):
    shutil.copy(os.path.join(REPO_ROOT, "examples", "local.yml"), repo.path)
    shutil.copytree(AWX_CHART, os.path.join(repo.path, "charts", "hello"))
    repo.write("apps/web.yaml", _dump(_application("web", "web", WEB_NS)))
    helm = {"releaseName": "hello", "valuesObject": {"greeting": "hello from a Pod"}}
    chart = {"repoURL": server_url + "/gitops.git", "targetRevision": "main", "helm": helm}
    repo.write("apps/hello.yaml", _dump(_application("hello", "charts/hello", HELLO_NS, **chart)))
    repo.write("web/settings.yaml", _dump(_settings("blue")))
    repo.write("web/service.yaml", _dump(SERVICE))


@pytest.fixture(scope="module")
def agent(tmp_path_factory, kubeconfig, kubectl, kube_api, real_node, probe, ee_image):
    """The agent bootstrapped once for the module, its repository on the Pod bridge."""
    image = node_images.import_image(real_node["CLUSTER_DIR"], ee_image)
    tmp = tmp_path_factory.mktemp("agent-pod")
    forget(kubectl)
    with GitHTTPServer(tmp / "served", host=node_images.pod_gateway()) as server:
        repo = GitRepo(tmp / "origin")
        _write_repository(repo, server.url)
        repo.commit("gitops repository")
        url = server.add_repo("gitops.git", repo.path)
        repo.git("remote", "add", "served", os.path.join(server.root, "gitops.git"))
        agent = Agent(kubeconfig, kubectl, kube_api, repo, url, image, probe, tmp)
        agent.server = server
        agent.bootstrap()
        try:
            yield agent
        finally:
            forget(kubectl)


def _versions(kubectl):
    """resourceVersion of every Application and every object the agent deployed."""
    found = {}
    for ns, kinds in ((AGENT_NS, "gapp,leases"), (WEB_NS, "configmaps,services"), (HELLO_NS, "configmaps,services")):
        for item in json.loads(kubectl("get", kinds, "-n", ns, "-o", "json"))["items"]:
            found["%s/%s/%s" % (item["kind"], ns, item["metadata"]["name"])] = item["metadata"]["resourceVersion"]
    return found


def test_a_job_of_the_cronjob_converges_and_the_next_writes_nothing(agent, kubectl, real_node):
    head = agent.repo.git("rev-parse", "HEAD")
    _name, pod, log = agent.run()
    rows = summary(log)
    assert sorted(rows) == sorted("%s/%s" % (AGENT_NS, n) for n in ("root",) + CHILDREN), log[-6000:]
    for name in CHILDREN:
        row = rows["%s/%s" % (AGENT_NS, name)]
        assert (row["result"], row["sync"]) == ("synced", "Synced") and int(row["created"]) > 0, row
    for app in agent.applications().values():
        assert app["status"]["sync"]["revision"] == head, app["status"]
    assert agent.sync_state() == dict.fromkeys(("root",) + CHILDREN, "Synced")
    assert kubectl("get", "configmap", "web-settings", "-n", WEB_NS, "-o", "jsonpath={.data.color}") == "blue"
    assert kubectl("get", "configmap", "hello-greeting", "-n", HELLO_NS, "-o", "jsonpath={.data.greeting}") == "hello from a Pod"
    # the Pod cloned the repository and the chart from the Git server on the bridge
    assert any(path.startswith("/gitops.git/") for _method, path, _auth in agent.server.requests)

    # the Pod: on the real node, non-root, read-only root filesystem, the agent's ServiceAccount
    assert pod["spec"]["nodeName"] == real_node["NODE_NAME"]
    assert pod["status"]["phase"] == "Succeeded"
    assert pod["spec"]["serviceAccountName"] == AGENT
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True and pod["spec"]["securityContext"]["runAsUser"] == 1000
    container = pod["spec"]["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["command"][0] == "ansible-pull" and "--only-if-changed" not in container["command"]

    # a second Job: nothing to sync. It writes nothing at all: no object, no Lease, no status
    # (the first run evaluated the root again once the child Applications it created were healthy).
    assert agent.applications()["root"]["status"]["health"]["status"] == "Healthy"
    before = _versions(kubectl)
    _name, _pod, log = agent.run()
    assert recap(log)["changed"] == 0, log[-6000:]
    for row in summary(log).values():
        assert row["result"] == "in-sync" and (row["created"], row["configured"], row["pruned"]) == ("0", "0", "0"), row
    assert _versions(kubectl) == before


def test_a_kind_outside_the_agents_rbac_is_refused_and_nothing_is_written(agent, kubectl):
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "locked-reader"}, "rules": []}
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "locked-settings"}, "data": {"a": "b"}}
    agent.repo.write("apps/locked.yaml", _dump(_application("locked", "locked", WEB_NS)))
    agent.repo.write("locked/objects.yaml", _dump(settings, role))
    agent.commit("an Application with a Role: the agent may not write Roles")
    _name, _pod, log = agent.run(expect="Failed")
    row = summary(log)["%s/locked" % AGENT_NS]
    assert row["result"] == "failed", row
    status = agent.applications()["locked"]["status"]
    messages = " ".join(c["message"] for c in status.get("conditions") or [])
    assert "Role/%s/locked-reader" % WEB_NS in messages and "forbidden" in messages.lower(), status
    assert "system:serviceaccount:%s:%s" % (AGENT_NS, AGENT) in messages, status
    assert kubectl.run("get", "configmap", "locked-settings", "-n", WEB_NS).returncode != 0  # nothing of it written
    assert kubectl.run("get", "role", "locked-reader", "-n", WEB_NS).returncode != 0
    assert agent.sync_state()["web"] == "Synced"  # the other Applications are untouched

    agent.repo.remove("apps/locked.yaml").remove("locked")
    agent.commit("drop the locked Application")
    agent.run()
    assert "locked" not in agent.applications()


def _hook_pods(kubectl, prefix):
    pods = json.loads(kubectl("get", "pods", "-n", WEB_NS, "-o", "json"))["items"]
    return [p for p in pods if p["metadata"].get("labels", {}).get("job-name", "").startswith(prefix)]


def test_a_presync_hook_that_exits_1_stops_the_sync(agent, kubectl, real_node):
    agent.repo.write("web/settings.yaml", _dump(_settings("green")))
    agent.repo.write("web/hook.yaml", _dump(_hook("web-check", agent.probe, ["exit", "1"])))
    agent.commit("a PreSync check that fails")
    _name, _pod, log = agent.run(expect="Failed")
    row = summary(log)["%s/web" % AGENT_NS]
    assert row["result"] == "failed" and "PreSync hook failed" in log, log[-6000:]
    pods = _hook_pods(kubectl, "web-check-")
    assert len(pods) == 1 and pods[0]["spec"]["nodeName"] == real_node["NODE_NAME"], pods
    terminated = pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 1  # the container really ran and its exit code decided
    assert kubectl("get", "configmap", "web-settings", "-n", WEB_NS, "-o", "jsonpath={.data.color}") == "blue"  # nothing applied


def test_killing_the_agent_mid_sync_then_the_next_job_converges(agent, kubectl, real_node):
    agent.repo.write("web/hook.yaml", _dump(_hook("web-slow", agent.probe, ["sleep", "20"])))
    head = agent.commit("a PreSync hook that takes a while and succeeds")
    name = agent.sync_now()
    # mid-sync: the hook Job runs, so the agent holds the Application's Lease
    wait_for(lambda: _hook_pods(kubectl, "web-slow-"), what="the slow PreSync hook to start", timeout=JOB_TIMEOUT, interval=1)
    lease = json.loads(kubectl("get", "lease", "gapp-web", "-n", AGENT_NS, "-o", "json"))
    assert lease["spec"].get("holderIdentity"), lease
    pod = agent.pod(name)
    container_id = pod["status"]["containerStatuses"][0]["containerID"].split("://", 1)[1]
    killed = subprocess.run(
        ["ctr", "--address", real_node["CONTAINERD_SOCK"], "--namespace", "k8s.io", "tasks", "kill", "--signal", "SIGKILL", container_id],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 0, killed.stderr
    assert wait_for(lambda: agent.finished(name), what="the killed Job to fail", timeout=300, interval=1) == "Failed"
    terminated = agent.pod(name)["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 137, terminated
    assert kubectl("get", "configmap", "web-settings", "-n", WEB_NS, "-o", "jsonpath={.data.color}") == "blue"
    orphan = json.loads(kubectl("get", "lease", "gapp-web", "-n", AGENT_NS, "-o", "json"))
    assert orphan["spec"]["holderIdentity"] == lease["spec"]["holderIdentity"]  # the dead Pod's Lease is left behind

    # the next Job: another Pod (another host name) waits out the dead holder's Lease, then syncs
    _name, _pod, log = agent.run()
    assert summary(log)["%s/web" % AGENT_NS]["result"] == "synced", log[-6000:]
    assert kubectl("get", "configmap", "web-settings", "-n", WEB_NS, "-o", "jsonpath={.data.color}") == "green"
    assert agent.applications()["web"]["status"]["sync"]["revision"] == head
    assert agent.sync_state() == dict.fromkeys(("root",) + CHILDREN, "Synced")
    assert kubectl.run("get", "lease", "gapp-web", "-n", AGENT_NS).returncode != 0  # released at the end of the sync


def _snapshot(kubectl):
    """What Git declares, as the cluster holds it: names and data (not versions or uids)."""
    state = {}
    for ns, kinds in ((AGENT_NS, "gapp,cronjobs,serviceaccounts,roles"), (WEB_NS, "configmaps,services"), (HELLO_NS, "configmaps,services")):
        for item in json.loads(kubectl("get", kinds, "-n", ns, "-o", "json"))["items"]:
            if item["metadata"]["name"] == "kube-root-ca.crt":
                continue
            kept = {"ConfigMap": item.get("data"), "Service": item.get("spec", {}).get("ports"), "Application": item.get("spec")}
            state["%s/%s/%s" % (item["kind"], ns, item["metadata"]["name"])] = kept.get(item["kind"])
    return state


def test_disaster_recovery_bootstrap_and_one_job_bring_everything_back(agent, kubectl):
    if os.path.exists(os.path.join(agent.repo.path, "web", "hook.yaml")):
        agent.repo.remove("web/hook.yaml")  # a sync from scratch would wait for it each time
    head = agent.commit("no more PreSync hook")
    agent.run()
    before = _snapshot(kubectl)
    assert "ConfigMap/%s/web-settings" % WEB_NS in before and "Application/%s/hello" % AGENT_NS in before
    forget(kubectl)  # the disaster: the agent, its Applications and everything they deployed are gone
    assert kubectl.run("get", "namespace", WEB_NS).returncode != 0

    started = time.monotonic()
    agent.bootstrap()
    bootstrapped = time.monotonic() - started
    agent.run()
    recovered = time.monotonic() - started
    print("disaster recovery: bootstrap %.1fs, everything back after %.1fs" % (bootstrapped, recovered))
    assert _snapshot(kubectl) == before
    assert agent.sync_state() == dict.fromkeys(("root",) + CHILDREN, "Synced")
    assert {n: a["status"]["sync"]["revision"] for n, a in agent.applications().items()} == dict.fromkeys(("root",) + CHILDREN, head)


def _cronjob_command(kubectl):
    cronjob = json.loads(kubectl("get", "cronjob", AGENT, "-n", AGENT_NS, "-o", "json"))
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]


def _ansible_pull_here(agent, kubectl):
    """The CronJob's own ansible-pull command line, run on this machine (a node agent)."""
    command = _cronjob_command(kubectl)
    checkout = str(agent.workdir / "node-checkout")
    shutil.rmtree(checkout, ignore_errors=True)
    argv = [os.path.join(VENV_BIN, "ansible-pull")] + [arg.replace("/tmp/checkout", checkout) for arg in command[1:-1]]
    argv += ["-e", "gitops_k8s_kubeconfig=%s" % agent.kubeconfig, command[-1]]
    proc = subprocess.run(argv, env=ansible_env(), capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


def _ansible_runner_job(agent, kubectl):
    """The same reconcile as an AWX job: ansible-runner, the EE under podman, the survey's variables."""
    command = _cronjob_command(kubectl)
    extravars = json.loads(command[command.index("gitops_k8s_checkout_dir=/tmp/checkout") + 2])
    extravars.pop("gitops_k8s_checkout_dir", None)  # the project's checkout, as AWX does
    pdd = private_data_dir(str(agent.workdir / ("job-%d" % time.monotonic_ns())), agent.url, agent.kubeconfig, extravars)
    proc, _artifacts, stdout = run_job(pdd, agent.image, "same-result")
    assert proc.returncode == 0, stdout[-6000:] + proc.stderr[-2000:]


def _forget_applications(kubectl):
    """Delete every Application and what they deployed; the agent's install stays."""
    kubectl("delete", "gapp", "--all", "-n", AGENT_NS, "--wait=true", timeout=300)
    for ns in (WEB_NS, HELLO_NS):
        kubectl("delete", "configmaps,services", "--all", "-n", ns, "--wait=true", timeout=300)


def test_the_pod_ansible_pull_and_ansible_runner_give_the_same_result(agent, kubectl):
    head = agent.repo.git("rev-parse", "HEAD")
    by_the_pod = _snapshot(kubectl)  # what the agent's Pod built in the test before
    for runner in (_ansible_pull_here, _ansible_runner_job):
        _forget_applications(kubectl)
        assert kubectl.run("get", "configmap", "web-settings", "-n", WEB_NS).returncode != 0
        runner(agent, kubectl)
        assert _snapshot(kubectl) == by_the_pod, runner.__name__
        revisions = {n: a["status"]["sync"]["revision"] for n, a in agent.applications().items()}
        assert revisions == dict.fromkeys(("root",) + CHILDREN, head), runner.__name__
