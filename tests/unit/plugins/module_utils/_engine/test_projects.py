# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Projects: Argo CD's AppProject rules (globs, negation, white/blacklist precedence)."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import argocd_application, globs, project_check, projects
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ProjectError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.inventory import Entry
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "projects")


def team_a():
    with open(os.path.join(FIXTURES, "team-a.yaml"), encoding="utf-8") as handle:
        return projects.parse(yaml.safe_load(handle))


def project(**spec):
    return projects.parse({"metadata": {"name": "p"}, "spec": spec})


@pytest.mark.parametrize(
    "pattern, value, separators, expected",
    [
        ("*", "a/b", "/", False),  # * stays in one segment (Argo CD's globMatch special-cases a lone "*": see below)
        ("https://git.example.com/team-a/*", "https://git.example.com/team-a/web", "/", True),
        ("https://git.example.com/team-a/*", "https://git.example.com/team-a/web/sub", "/", False),
        ("https://git.example.com/**", "https://git.example.com/team-a/web/sub", "/", True),
        ("team-?", "team-a", "", True),
        ("team-?", "team-ab", "", False),
        ("team-[a-c]", "team-b", "", True),
        ("team-[!a-c]", "team-b", "", False),
        ("team-[^a-c]", "team-d", "", True),
        ("{web,api}-*", "api-prod", "", True),
        ("{web,api}-*", "db-prod", "", False),
        ("team\\*", "team*", "", True),
        ("team\\*", "teamx", "", False),
        ("team-[", "team-[", "", False),  # does not compile: matches nothing
        ("a.b", "axb", "", False),  # a dot is a dot, not a regex
    ],
)
def test_glob(pattern, value, separators, expected):
    assert globs.match(pattern, value, separators) is expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://git.example.com/team-a/web.git", True),
        ("HTTPS://git.example.com/Team-A/web/", True),  # Argo CD normalises case, .git and the trailing slash
        ("https://git.example.com/team-a/secrets-prod", False),  # the ! pattern denies
        ("https://git.example.com/team-b/web", False),
        ("https://git.example.com/team-a/web/nested", False),  # * stays in one path segment
    ],
)
def test_source_repos_globs_and_negation(url, expected):
    assert project_check.source_permitted(team_a(), url) is expected


def test_negation_only_denies():
    only_deny = project(sourceRepos=["!https://git.example.com/forbidden"])
    assert not project_check.source_permitted(only_deny, "https://git.example.com/other")
    with_allow = project(sourceRepos=["!https://git.example.com/forbidden", "*"])
    assert project_check.source_permitted(with_allow, "https://git.example.com/other/deep/path")  # a lone * matches across /
    assert not project_check.source_permitted(with_allow, "https://git.example.com/forbidden.git")


def test_no_source_repos_allows_nothing():
    assert not project_check.source_permitted(project(), "https://git.example.com/a")


def test_scp_urls_compare_as_ssh():
    p = project(sourceRepos=["ssh://git@git.example.com/team/*"])
    assert project_check.source_permitted(p, "git@git.example.com:team/web.git")


@pytest.mark.parametrize(
    "namespace, expected",
    [("team-a-web", True), ("team-a-admin", False), ("kube-system", False), ("team-b-web", False)],
)
def test_destination_globs_and_negation(namespace, expected):
    assert project_check.destination_permitted(team_a(), namespace) is expected


def test_destination_by_name_or_server():
    by_name = project(destinations=[{"name": "in-cluster", "namespace": "web"}])
    by_other_server = project(destinations=[{"server": "https://other.example.com", "namespace": "*"}])
    assert project_check.destination_permitted(by_name, "web")
    assert not project_check.destination_permitted(by_name, "db")
    assert not project_check.destination_permitted(by_other_server, "web")


def test_a_denied_server_denies_even_when_another_entry_allows():
    p = project(destinations=[{"server": "*", "namespace": "*"}, {"server": "!https://kubernetes.default.svc", "namespace": "*"}])
    assert not project_check.destination_permitted(p, "web")


@pytest.mark.parametrize(
    "spec, group, kind, namespaced, expected",
    [
        ({}, "apps", "Deployment", True, True),  # no namespaced whitelist: every namespaced kind
        ({}, "rbac.authorization.k8s.io", "ClusterRoleBinding", False, False),  # no cluster whitelist: none
        ({"namespaceResourceWhitelist": []}, "apps", "Deployment", True, False),  # an empty whitelist: none
        ({"namespaceResourceWhitelist": [{"group": "apps", "kind": "*"}]}, "apps", "Deployment", True, True),
        ({"namespaceResourceWhitelist": [{"group": "apps", "kind": "*"}]}, "", "ConfigMap", True, False),
        ({"namespaceResourceBlacklist": [{"group": "", "kind": "ResourceQuota"}]}, "", "ResourceQuota", True, False),
        # the blacklist wins over the whitelist
        (
            {"namespaceResourceWhitelist": [{"group": "*", "kind": "*"}], "namespaceResourceBlacklist": [{"group": "", "kind": "Secret"}]},
            "",
            "Secret",
            True,
            False,
        ),
        ({"clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}, "rbac.authorization.k8s.io", "ClusterRoleBinding", False, True),
        (
            {"clusterResourceWhitelist": [{"group": "*", "kind": "*"}], "clusterResourceBlacklist": [{"group": "rbac.authorization.k8s.io", "kind": "*"}]},
            "rbac.authorization.k8s.io",
            "ClusterRoleBinding",
            False,
            False,
        ),
        ({"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}]}, "", "Namespace", False, True),
        # the cluster lists say nothing about namespaced kinds and the other way round
        ({"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}]}, "", "ConfigMap", True, True),
    ],
)
def test_kind_lists_precedence(spec, group, kind, namespaced, expected):
    assert project_check.kind_permitted(project(**spec), group, kind, namespaced) is expected


def test_refusals_name_each_rule():
    rules = project_check.object_refusals(project_check.Bounds(team_a(), None, ""), Entry("", "ResourceQuota", "kube-system", "q", "v1"), True)
    assert rules == ["namespaced kind ResourceQuota is not permitted in project team-a", "namespace kube-system is not a destination of project team-a"]
    crb = project_check.object_refusals(
        project_check.Bounds(team_a(), None, ""), Entry("rbac.authorization.k8s.io", "ClusterRoleBinding", "", "admin", "v1"), False
    )
    assert crb == ["cluster-scoped kind rbac.authorization.k8s.io/ClusterRoleBinding is not permitted in project team-a"]


def test_source_namespaces():
    p = team_a()
    assert project_check.namespace_may_use(p, "gitops-system", "gitops-system")  # the control namespace always may
    assert project_check.namespace_may_use(p, "team-a-apps", "gitops-system")
    assert not project_check.namespace_may_use(p, "team-b-apps", "gitops-system")


def test_missing_project_is_an_error_and_default_is_builtin_until_defined():
    catalog = projects.Catalog([], "gitops-system")
    assert catalog.get("") is projects.BUILTIN_DEFAULT
    assert catalog.get("default").builtin
    with pytest.raises(ProjectError, match="project team-z not found in namespace gitops-system"):
        catalog.get("team-z")
    tightened = projects.Catalog([{"metadata": {"name": "default"}, "spec": {"sourceRepos": ["https://git.example.com/*"]}}], "gitops-system")
    default = tightened.get("default")
    assert not default.builtin
    assert not project_check.destination_permitted(default, "web")


def test_builtin_default_allows_everything():
    d = projects.BUILTIN_DEFAULT
    assert project_check.source_permitted(d, "https://anything.example/x/y")
    assert project_check.destination_permitted(d, "kube-system")
    assert project_check.kind_permitted(d, "rbac.authorization.k8s.io", "ClusterRoleBinding", False)


def test_fields_not_carried_out_warn_and_loosening_ones_refuse():
    p = project(roles=[{"name": "ci"}], orphanedResources={"warn": True}, sourceRepos=["*"], typo=1)
    assert any("spec.roles is not carried out" in w for w in p.warnings)
    assert any("spec.orphanedResources is not carried out" in w for w in p.warnings)
    assert any("spec.typo is not carried out: unknown field" in w for w in p.warnings)
    with pytest.raises(ProjectError, match="signatureKeys must be a list of"):
        project(signatureKeys=[{"id": "4AEE18F83AFDEB23"}])
    with pytest.raises(ProjectError, match="sourceRepos must be a list of strings"):
        project(sourceRepos="*")


def test_argocd_appproject_becomes_a_project_in_the_parent_namespace():
    with open(os.path.join(FIXTURES, "team-a.yaml"), encoding="utf-8") as handle:
        obj = yaml.safe_load(handle)
    out, warnings = argocd_application.convert([Manifest(obj, "apps/team-a.yaml:1")], "gitops-system")
    converted = out[0].obj
    assert (converted["apiVersion"], converted["kind"]) == ("gitops-k8s.dev/v1alpha1", "Project")
    assert converted["metadata"]["namespace"] == "gitops-system"
    assert "finalizers" not in converted["metadata"]
    assert converted["spec"] == obj["spec"]
    assert any("finalizer resources-finalizer.argocd.argoproj.io dropped" in w for w in warnings)
    assert projects.parse(converted).destinations[0].namespace == "team-a-*"


def test_project_crd_serves_the_kind():
    crd = projects.crd()
    assert crd["metadata"]["name"] == "projects.gitops-k8s.dev"
    assert crd["spec"]["names"]["kind"] == "Project"


@pytest.mark.parametrize(
    "entries, namespace, expected",
    [
        ([], "web", None),  # no account named: the agent's own rights
        ([{"server": "https://kubernetes.default.svc", "namespace": "web", "defaultServiceAccount": "deployer"}], "web", "system:serviceaccount:web:deployer"),
        ([{"server": "*", "namespace": "team-*", "defaultServiceAccount": "ops:deployer"}], "team-a", "system:serviceaccount:ops:deployer"),
        # the first entry that matches wins
        (
            [{"server": "*", "namespace": "web", "defaultServiceAccount": "first"}, {"server": "*", "namespace": "*", "defaultServiceAccount": "second"}],
            "web",
            "system:serviceaccount:web:first",
        ),
    ],
)
def test_destination_service_accounts(entries, namespace, expected):
    assert project_check.service_account(project(destinationServiceAccounts=entries), namespace) == expected


def test_destination_service_accounts_without_a_match_or_with_a_bad_name_fail():
    with pytest.raises(ProjectError, match="no destinationServiceAccounts entry"):
        project_check.service_account(project(destinationServiceAccounts=[{"server": "*", "namespace": "db", "defaultServiceAccount": "x"}]), "web")
    with pytest.raises(ProjectError, match="is not a ServiceAccount name"):
        project_check.service_account(project(destinationServiceAccounts=[{"server": "*", "namespace": "*", "defaultServiceAccount": "Bad Name"}]), "web")
    with pytest.raises(ProjectError, match="must be a list of"):
        project(destinationServiceAccounts=[{"server": "*", "namespace": "*"}])


def test_signature_keys_of_the_project_and_of_the_application():
    signed = project(signatureKeys=[{"keyID": "4aee 18f8 3afd eb23"}, {"keyID": "SHA256:ssh-key"}])
    assert signed.signature_keys == ("4AEE18F83AFDEB23", "SHA256:ssh-key")
    assert not [w for w in signed.warnings if "signatureKeys" in w]
    # the project's keys when the Application names none; the Application's when the project names none
    assert projects.signature_keys(signed, (), "Project/p") == ("4AEE18F83AFDEB23", "SHA256:ssh-key")
    assert projects.signature_keys(project(), ("ABCD",), "Project/p") == ("ABCD",)
    assert projects.signature_keys(project(), (), "Project/p") == ()
    # both: the Application may only narrow (a long fingerprint ending in the project's short ID counts)
    assert projects.signature_keys(signed, ("0123456789ABCDEF01234AEE18F83AFDEB23",), "Project/p") == ("0123456789ABCDEF01234AEE18F83AFDEB23",)
    assert projects.signature_keys(signed, ("SHA256:ssh-key", "FFFF"), "Project/p") == ("SHA256:ssh-key",)
    with pytest.raises(ProjectError, match="has no key in common with project p's signatureKeys"):
        projects.signature_keys(signed, ("FFFFFFFFFFFFFFFF", "SHA256:other"), "Project/p")
