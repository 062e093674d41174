# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubernetes.core's auth options against the real API server (RBAC on), set once for
every module with ``module_defaults: group/gitops.k8s.k8s``."""

from __future__ import annotations

import json
import socket
import uuid

import yaml

from .playbook import run_tasks


def cm(name, namespace):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": {"k": "v"}}


def rbac(namespace, writers):
    """A Role that may only read ConfigMaps, bound to every authenticated user, and one that
    may also write them, bound to the group ``writers``."""
    rules = {"reader": ["get", "list", "watch"], "writer": ["get", "list", "watch", "create", "patch", "update", "delete"]}
    subjects = {"reader": {"kind": "Group", "name": "system:authenticated"}, "writer": {"kind": "Group", "name": writers}}
    docs = []
    for name, verbs in rules.items():
        docs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": name, "namespace": namespace},
                "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": verbs}],
            }
        )
        docs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": name, "namespace": namespace},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [dict(subjects[name], apiGroup="rbac.authorization.k8s.io")],
            }
        )
    return docs


def sync(name, namespace, definitions, **auth):
    return {"name": name, "gitops.k8s.sync": dict(auth, namespace=namespace, definitions=definitions)}


def test_impersonated_user_and_groups(tmp_path, kubeconfig, namespace, kubectl):
    suffix = uuid.uuid4().hex[:6]
    user, writers = "gitops-test-%s" % suffix, "gitops-writers-%s" % suffix
    kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(rbac(namespace, writers)))
    rc, res = run_tasks(
        tmp_path,
        [
            sync("as user", namespace, [cm("denied", namespace)], impersonate_user=user),
            # the binding is on the second group: each group is a header of its own
            sync("as writer", namespace, [cm("allowed", namespace)], impersonate_user=user, impersonate_groups=["gitops-none-%s" % suffix, writers]),
        ],
        check=False,
        module_defaults={"group/gitops.k8s.k8s": {"kubeconfig": kubeconfig}},
    )
    assert rc == 1
    denied = res["as user"]
    assert denied["failed"] is True
    assert denied["step"] == "apply", denied
    assert "forbidden" in denied["msg"] and 'User "%s"' % user in denied["msg"], denied["msg"]
    assert denied["subject"] == "ConfigMap/%s/denied" % namespace
    assert kubectl.run("get", "cm", "denied", "-n", namespace).returncode != 0
    assert res["as writer"].get("failed") is not True, res["as writer"]
    assert res["as writer"]["created"] == ["ConfigMap/%s/allowed" % namespace]


def test_inline_kubeconfig_through_module_defaults(tmp_path, kubeconfig, namespace):
    with open(kubeconfig, encoding="utf-8") as handle:
        inline = yaml.safe_load(handle)
    token = inline["users"][0]["user"].get("token") or inline["users"][0]["user"].get("client-key-data")
    rc, res = run_tasks(
        tmp_path,
        [
            {"name": "versions", "gitops.k8s.cluster_info": {}},
            sync("apply", namespace, [cm("inline", namespace)]),
        ],
        module_defaults={"group/gitops.k8s.k8s": {"kubeconfig": inline}},
    )
    assert rc == 0
    assert "v1" in res["versions"]["api_versions"]  # the kubeconfig's own strings ("v1") are not masked in results
    assert res["apply"]["created"] == ["ConfigMap/%s/inline" % namespace]
    assert token not in json.dumps(res)


def test_a_kubeconfig_path_is_named_in_its_error(tmp_path):
    missing = str(tmp_path / "no-such-kubeconfig")
    rc, res = run_tasks(
        tmp_path, [{"name": "info", "gitops.k8s.cluster_info": {}}], check=False, module_defaults={"group/gitops.k8s.k8s": {"kubeconfig": missing}}
    )
    assert rc == 1
    assert res["info"]["subject"] == missing
    assert "cannot load Kubernetes credentials" in res["info"]["msg"]


def test_the_host_option_holds_for_every_request(tmp_path, kubeconfig, namespace):
    """A kubeconfig with a token whose server refuses connections, and the real server as
    the ``host`` option: every request of the run (discovery, reads, dry-runs, writes) goes
    to ``host``. The client's token hook copied the kubeconfig's server back before each
    request, so only the first one used ``host``."""
    with open(kubeconfig, encoding="utf-8") as handle:
        inline = yaml.safe_load(handle)
    assert inline["users"][0]["user"].get("token"), "the test cluster's kubeconfig holds a token"
    real = inline["clusters"][0]["cluster"]["server"]
    closed = socket.socket()  # bound, never listening: connections to it are refused
    closed.bind(("127.0.0.1", 0))
    try:
        inline["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:%d" % closed.getsockname()[1]
        objects = [cm("host-%d" % i, namespace) for i in range(5)]
        defaults = {"group/gitops.k8s.k8s": {"kubeconfig": inline, "host": real}}
        rc, res = run_tasks(tmp_path, [sync("apply", namespace, objects)], check=False, module_defaults=defaults)
    finally:
        closed.close()
    assert rc == 0, res["apply"].get("msg")
    assert sorted(res["apply"]["created"]) == sorted("ConfigMap/%s/host-%d" % (namespace, i) for i in range(5))
