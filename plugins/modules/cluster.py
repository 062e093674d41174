#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cluster
short_description: Register a Kubernetes cluster as a destination of Applications (what argocd cluster add does)
version_added: 1.0.0
description:
  - With O(state=present), does on the target cluster (reached through O(target_kubeconfig) and
    O(target_context)) what C(argocd cluster add CONTEXT) does, then registers it on the manager cluster (the
    cluster of the kube_auth options, where the Applications live).
  - "On the target: a ServiceAccount O(service_account) in O(service_account_namespace), a ClusterRole
    C(<service_account>-role) granting every verb on every resource (Argo CD's C(argocd-manager-role)),
    its ClusterRoleBinding, and a Secret C(<service_account>-token) of type C(kubernetes.io/service-account-token)
    whose token the target's token controller issues."
  - "On the manager: a Secret O(secret_name) in O(namespace) in Argo CD's declarative format: label
    C(argocd.argoproj.io/secret-type: cluster), keys C(name), C(server) and C(config) (the token and the CA of the
    target as its kubeconfig trusts it). An Application then deploys there with C(spec.destination.name) set to
    O(name) or C(spec.destination.server) set to the server."
  - Every object is written with server-side apply; an unchanged object is not written, so a second run
    reports no change.
  - With O(state=absent), deletes the cluster Secret on the manager and, when a target is given, the
    ServiceAccount, RBAC and token Secret on the target.
  - The token never appears in the result, the diff or a log line.
  - The K8S_AUTH_* variables are the manager's credentials; the target is reached only through
    O(target_kubeconfig) and O(target_context) (default kubeconfig C(~/.kube/config)).
author:
  - gitops.k8s contributors (@gitops-k8s)
extends_documentation_fragment:
  - gitops.k8s.kube_auth
  - gitops.k8s.attributes
  - gitops.k8s.attributes.writes
attributes:
  check_mode:
    details:
      - Check mode plans every object with a server-side dry-run and writes nothing; the token is then the one of
        an existing token Secret, or a placeholder.
  diff_mode:
    details:
      - The diff shows each object before and after, Secret values replaced by salted hashes.
options:
  name:
    description: Name of the cluster (the C(name) key of the cluster Secret, what C(spec.destination.name) names).
    type: str
    required: true
  namespace:
    description: Namespace of the manager where the Applications live; the cluster Secret is written there.
    type: str
    default: gitops-system
  state:
    description: Register the cluster, or remove the registration.
    type: str
    choices: [present, absent]
    default: present
  server:
    description:
      - API server URL to record in the cluster Secret, when the manager reaches the target by another address
        than the target's kubeconfig does. Default the server of the target's kubeconfig context.
    type: str
  target_kubeconfig:
    description:
      - Kubeconfig of the target cluster, a path or the kubeconfig itself as a dictionary (never printed).
      - Default C(~/.kube/config) (E(KUBECONFIG) is read by the client as C(kubectl) does).
    type: raw
  target_context:
    description: Context of O(target_kubeconfig) naming the target cluster (default its current context).
    type: str
  service_account:
    description: ServiceAccount created on the target for the manager.
    type: str
    default: gitops-k8s-manager
  service_account_namespace:
    description: Namespace of the ServiceAccount on the target.
    type: str
    default: kube-system
  secret_name:
    description: Name of the cluster Secret on the manager. Default C(cluster-<name>).
    type: str
  labels:
    description:
      - Extra labels of the cluster Secret (for example C(env=prod)), which an ApplicationSet clusters generator
        can select on.
    type: dict
    default: {}
  token_timeout:
    description: Seconds to wait for the target's token controller to issue the ServiceAccount's token.
    type: int
    default: 60
notes:
  - A Project's C(destinations) still bound what each Application may deploy there, and its
    C(destinationServiceAccounts) what it may do (through impersonation on the target).
  - See the collection's docs/clusters.md for the Secret format and what is not supported.
seealso:
  - name: Argo CD declarative cluster Secrets
    description: The format of the cluster Secret this module writes.
    link: https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters
"""

EXAMPLES = r"""
- name: Register the cluster of context east as a destination of the Applications in gitops-system
  gitops.k8s.cluster:
    name: east
    target_kubeconfig: ~/.kube/config
    target_context: east
    labels:
      env: prod

- name: An Application deploying there
  gitops.k8s.app:
    definition:
      metadata:
        name: shop-east
      spec:
        source:
          repoURL: https://git.example.com/platform/shop.git
          path: deploy
        destination:
          name: east
          namespace: shop
        syncPolicy:
          automated:
            prune: true

- name: Remove the registration and the ServiceAccount on the target
  gitops.k8s.cluster:
    name: east
    state: absent
    target_context: east
"""

RETURN = r"""
name:
  description: The cluster's name.
  returned: always
  type: str
  sample: east
server:
  description: The API server URL recorded in the cluster Secret (empty with O(state=absent)).
  returned: always
  type: str
  sample: https://east.example.com:6443
secret:
  description: The cluster Secret on the manager.
  returned: always
  type: str
  sample: Secret/gitops-system/cluster-east
objects:
  description: One row per object written, unchanged or deleted, on the target and on the manager.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The object, C(Kind/namespace/name).
      type: str
    action:
      description: C(created), C(configured), C(unchanged) or C(pruned) (deleted, with O(state=absent)).
      type: str
    status:
      description: Comparison status before the action (C(Missing), C(Synced), C(OutOfSync), C(Extra)).
      type: str
  sample: [{"id": "ServiceAccount/kube-system/gitops-k8s-manager", "action": "created", "status": "Missing"}]
summary:
  description: How many objects got each action.
  returned: always
  type: dict
  sample: {"created": 5, "configured": 0, "unchanged": 0, "pruned": 0, "skipped": 0}
created:
  description: Ids of the objects created.
  returned: always
  type: list
  elements: str
configured:
  description: Ids of the objects changed.
  returned: always
  type: list
  elements: str
pruned:
  description: Ids of the objects deleted (O(state=absent)).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import bytecode_cache

bytecode_cache.install()  # before the imports below: their code loads from the cache

from ansible_collections.gitops.k8s.plugins.module_utils._ansible import arg_specs, cluster_add
from ansible_collections.gitops.k8s.plugins.module_utils._ansible.module import GitOpsModule


def main():
    spec = arg_specs.compose(arg_specs.KUBE_AUTH, cluster_add.CLUSTER_OPTIONS)
    module = GitOpsModule(argument_spec=spec, supports_check_mode=True)
    module.execute(cluster_add.run_cluster)


if __name__ == "__main__":
    main()
