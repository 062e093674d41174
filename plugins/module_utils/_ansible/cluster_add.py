# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gitops.k8s.cluster: what ``argocd cluster add CONTEXT`` does, or its undoing.

The target cluster is reached through ``target_kubeconfig`` / ``target_context`` alone
(never the K8S_AUTH_* variables, which are the manager's); its ServiceAccount, RBAC and
token Secret are applied with the sync engine (server-side apply, the same plan in check
mode, diffs with Secret values redacted), then the cluster Secret on the manager.
"""

from __future__ import annotations

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import kube
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import kubeconfig_no_log, results
from ansible_collections.gitops.k8s.plugins.module_utils._engine import cluster_add, redact
from ansible_collections.gitops.k8s.plugins.module_utils._engine import plan as planner
from ansible_collections.gitops.k8s.plugins.module_utils._engine import sync as syncer
from ansible_collections.gitops.k8s.plugins.module_utils._engine.changeset import ChangeSet, ChangeSetEntry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import EXTRA, PRUNED
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._engine.objects import describe, format_id
from ansible_collections.gitops.k8s.plugins.module_utils._engine.options import SyncOptions

CLUSTER_OPTIONS = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str", "default": "gitops-system"},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "server": {"type": "str"},
    "target_kubeconfig": {"type": "raw", "no_log": True},  # a path or an inline dict, which holds credentials
    "target_context": {"type": "str"},
    "service_account": {"type": "str", "default": "gitops-k8s-manager"},
    "service_account_namespace": {"type": "str", "default": "kube-system"},
    "secret_name": {"type": "str", "no_log": False},  # a name, not a secret
    "labels": {"type": "dict", "default": {}},
    "token_timeout": {"type": "int", "default": 60, "no_log": False},  # seconds, not a token
}
# shown in place of the token in check mode before the token Secret exists
TOKEN_PENDING = "(issued by the target cluster when its token Secret is created)"


def target_cluster(module):
    p = module.params
    kubeconfig_no_log.narrow(module, "target_kubeconfig")  # a path stays readable, an inline kubeconfig's credentials not
    return kube.KubeCluster(
        request_timeout=p.get("request_timeout"),
        environ={},  # the K8S_AUTH_* variables name the manager
        kubeconfig=p.get("target_kubeconfig"),
        context=p.get("target_context"),
    )


def _apply(cluster, objects, namespace, dry_run, salt):
    """Change set of applying ``objects`` (no inventory, no prune); raises on the first failure."""
    options = SyncOptions(namespace=namespace, dry_run=dry_run, salt=salt)
    manifests = [Manifest(obj, "gitops.k8s.cluster") for obj in objects]
    plan = planner.build_plan(cluster, manifests, (), options)
    outcome = syncer.without_secret_values(syncer.execute(cluster, plan, options, SystemClock()), objects)
    if outcome.error is not None:
        raise outcome.error
    return outcome.changeset


def _wait_token(target, namespace, name, timeout):
    """The token the token controller writes into the Secret (polled once a second)."""
    clock = SystemClock()
    rtype = target.resolve("v1", "Secret")
    deadline = clock.now() + timeout
    while True:
        token = cluster_add.token_of(target.get(rtype, namespace, name))
        if token:
            return token
        if clock.now() >= deadline:
            raise ClusterError(
                "no token in Secret %s/%s after %ss: is the token controller of kube-controller-manager running?" % (namespace, name, timeout),
                subject="Secret/%s/%s" % (namespace, name),
            )
        clock.sleep(1)


def _read_ca(path):
    if not path:
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _tls_of(target):
    """(server, CA PEM, insecure, server name) of the target as its kubeconfig reaches it."""
    conf = target.api_client.configuration
    try:
        ca_pem = _read_ca(getattr(conf, "ssl_ca_cert", None))
    except OSError as exc:
        raise ClusterError("cannot read the CA bundle of the target cluster: %s" % exc.strerror) from exc
    return conf.host.rstrip("/"), ca_pem, not conf.verify_ssl, getattr(conf, "tls_server_name", None) or ""


def present(module, manager, salt):
    p = module.params
    target = target_cluster(module)
    sa, sa_ns = p["service_account"], p["service_account_namespace"]
    changes = list(_apply(target, cluster_add.target_objects(sa, sa_ns), sa_ns, module.check_mode, salt).entries)
    token_name = cluster_add.token_secret_name(sa)
    if module.check_mode:
        token = cluster_add.token_of(target.get(target.resolve("v1", "Secret"), sa_ns, token_name)) or TOKEN_PENDING
    else:
        token = _wait_token(target, sa_ns, token_name, p["token_timeout"])
    if token != TOKEN_PENDING:
        module.no_log_values.add(token)
    server, ca_pem, insecure, server_name = _tls_of(target)
    server = (p.get("server") or server).rstrip("/")
    config = cluster_add.config_json(token, ca_pem, insecure, server_name)
    secret = cluster_add.cluster_secret(p["name"], p["namespace"], secret_name(p), server, config, p["labels"])
    changes += _apply(manager, [secret], p["namespace"], module.check_mode, salt).entries
    return ChangeSet(tuple(changes)), server, describe(secret)


def secret_name(params):
    return params.get("secret_name") or ("cluster-%s" % params["name"])[:253]


def absent(module, manager):
    """Delete the cluster Secret on the manager, then (when a target is given) the
    ServiceAccount, RBAC and token Secret on the target."""
    p = module.params
    doomed = [(manager, "v1", "Secret", p["namespace"], secret_name(p))]
    if p.get("target_kubeconfig") is not None or p.get("target_context"):
        target = target_cluster(module)
        for obj in reversed(cluster_add.target_objects(p["service_account"], p["service_account_namespace"])):
            doomed.append((target, obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]))
    entries = []
    for cluster, api_version, kind, namespace, name in doomed:
        rtype = cluster.resolve(api_version, kind)
        live = cluster.get(rtype, namespace if rtype.namespaced else None, name)
        if live is None:
            continue
        if not module.check_mode:
            cluster.delete(rtype, namespace if rtype.namespaced else None, name)
        # the diff shows that it goes, not its content (a Secret's values stay out of it)
        entries.append(ChangeSetEntry(subject=describe(live), action=PRUNED, status=EXTRA, before={"apiVersion": api_version, "kind": kind, "name": name}))
    return ChangeSet(tuple(entries))


def run_cluster(module):
    """gitops.k8s.cluster: register a cluster (state present) or remove it (absent)."""
    p = module.params
    manager = module.cluster()
    salt = redact.new_salt()
    server, secret = "", format_id("Secret", p["namespace"], secret_name(p))
    if p["state"] == "present":
        changeset, server, secret = present(module, manager, salt)
    else:
        changeset = absent(module, manager)
    result = results.changeset_result(changeset)
    result.update(name=p["name"], server=server, secret=secret, objects=results.object_rows(changeset))
    if module._diff:
        result["diff"] = results.ansible_diff(changeset)
    return result
