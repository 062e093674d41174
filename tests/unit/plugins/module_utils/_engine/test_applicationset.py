# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApplicationSets: what is refused, the generated Applications, their owner, and the plan."""

from __future__ import annotations

import copy

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.module_utils._engine import applicationset
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import APP_FINALIZER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

from .appset_inputs import Inputs, generated

TEMPLATE_OVERRIDE = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
  - list:
      elements:
        - cluster: engineering-dev
          url: https://kubernetes.default.svc
        - cluster: engineering-prod
          url: https://kubernetes.default.svc
      template:
        metadata: {}
        spec:
          project: "default"
          source:
            targetRevision: HEAD
            repoURL: https://github.com/argoproj/argo-cd.git
            # New path value is generated here:
            path: 'applicationset/examples/template-override/{{cluster}}-override'
          destination: {}
  template:
    metadata:
      name: '{{cluster}}-guestbook'
    spec:
      project: "default"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        # This 'default' value is not used: it is replaced by the generator's template path, above
        path: applicationset/examples/template-override/default
      destination:
        server: '{{url}}'
        namespace: guestbook
"""


def spec_of(manifest, **meta):
    obj = yaml.safe_load(manifest)
    obj["metadata"].update(dict({"namespace": "gitops-system", "uid": "uid-1"}, **meta))
    return applicationset.parse(obj)


def test_a_generators_template_overrides_the_sets():
    apps = generated(TEMPLATE_OVERRIDE, Inputs(), namespace="gitops-system")
    app = apps["engineering-dev-guestbook"]
    assert app["spec"]["source"]["path"] == "applicationset/examples/template-override/engineering-dev-override"
    assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "guestbook"}


def test_generated_applications_are_ours_in_the_sets_namespace_owned_by_it():
    app = generated(TEMPLATE_OVERRIDE, Inputs(), namespace="gitops-system", uid="abc")["engineering-prod-guestbook"]
    assert app["apiVersion"] == "gitops-k8s.dev/v1alpha1" and app["kind"] == "Application"
    assert app["metadata"]["namespace"] == "gitops-system"
    assert app["metadata"]["ownerReferences"] == [
        {"apiVersion": "gitops-k8s.dev/v1alpha1", "kind": "ApplicationSet", "name": "guestbook", "uid": "abc", "controller": True, "blockOwnerDeletion": True}
    ]
    assert app["metadata"]["finalizers"] == [APP_FINALIZER]


@pytest.mark.parametrize(
    "policy, template_finalizers, expected",
    [
        ("{}", None, [APP_FINALIZER]),
        ("{preserveResourcesOnDeletion: false}", None, [APP_FINALIZER]),
        ("{preserveResourcesOnDeletion: true}", None, None),
        ("{preserveResourcesOnDeletion: true}", ["resources-finalizer.argocd.argoproj.io/foreground"], [APP_FINALIZER]),
        ("{}", ["example.com/keep"], ["example.com/keep"]),
    ],
)
def test_finalizers_as_argo_cd_sets_them(policy, template_finalizers, expected):
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["syncPolicy"] = yaml.safe_load(policy)
    if template_finalizers:
        obj["spec"]["template"]["metadata"]["finalizers"] = template_finalizers
    apps = generated(yaml.safe_dump(obj), Inputs())
    assert apps["engineering-dev-guestbook"]["metadata"].get("finalizers") == expected


def test_an_argo_cd_finalizer_that_nothing_here_removes_is_refused():
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["template"]["metadata"]["finalizers"] = ["post-delete-finalizer.argocd.argoproj.io"]
    with pytest.raises(InvalidSpec, match="post-delete-finalizer.argocd.argoproj.io dropped"):
        generated(yaml.safe_dump(obj), Inputs())


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("templatePatch", "spec: {}", "templatePatch is not supported"),
        ("strategy", {"type": "RollingSync"}, "progressive syncs"),
        ("syncPolicy", {"applicationsSync": "sometimes"}, "applicationsSync must be one of"),
        ("syncPolicy", {"preserveResources": True}, "syncPolicy.preserveResources is not supported"),
        ("goTemplateOptions", ["strict"], "goTemplateOptions 'strict' is not supported"),
        ("generators", [], "spec.generators must be a non-empty list"),
        ("goTemplate", "yes", "goTemplate must be true or false"),
    ],
)
def test_refused_fields_name_the_set(field, value, message):
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["metadata"]["namespace"] = "gitops-system"
    obj["spec"][field] = value
    with pytest.raises(InvalidSpec) as caught:
        applicationset.parse(obj)
    assert message in str(caught.value) and "ApplicationSet/gitops-system/guestbook" in str(caught.value)


def test_a_template_beside_a_generator_and_unknown_generator_fields_are_errors():
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["generators"][0]["template"] = obj["spec"]["generators"][0]["list"].pop("template")
    with pytest.raises(InvalidSpec, match="a generator's template goes inside it"):
        generated(yaml.safe_dump(obj), Inputs())
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["generators"][0]["list"]["element"] = []
    with pytest.raises(InvalidSpec, match=r"spec.generators\[0\].list.element is not supported"):
        generated(yaml.safe_dump(obj), Inputs())


def test_fields_not_carried_out_are_warnings():
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["metadata"]["namespace"] = "gitops-system"
    obj["spec"]["ignoreApplicationDifferences"] = [{"jsonPointers": ["/spec/source/targetRevision"]}]
    obj["spec"]["surprise"] = True
    spec = applicationset.parse(obj)
    assert len(spec.warnings) == 2
    assert "spec.ignoreApplicationDifferences is not carried out" in spec.warnings[0]
    assert "spec.surprise is not known" in spec.warnings[1]


def test_two_elements_giving_one_name_and_names_that_are_not_names():
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["template"]["metadata"]["name"] = "guestbook"
    with pytest.raises(InvalidSpec, match="generates two Applications named guestbook"):
        generated(yaml.safe_dump(obj), Inputs())
    obj["spec"]["template"]["metadata"]["name"] = "{{url}}"
    with pytest.raises(InvalidSpec, match="not a valid Kubernetes name"):
        generated(yaml.safe_dump(obj), Inputs())


def test_an_application_in_another_namespace_is_refused():
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["template"]["metadata"]["namespace"] = "team-a"
    with pytest.raises(InvalidSpec, match="in namespace team-a"):
        generated(yaml.safe_dump(obj), Inputs())


def test_duplicates_across_sets():
    assert applicationset.duplicates({"ApplicationSet/ns/a": ["x", "y"], "ApplicationSet/ns/b": ["y"], "ApplicationSet/ns/c": ["z"]}) == {
        "y": ["ApplicationSet/ns/a", "ApplicationSet/ns/b"]
    }


def live_copy(app, **meta):
    obj = copy.deepcopy(app)
    obj["metadata"].update(meta, resourceVersion="1", uid="app-uid", managedFields=[])
    obj["status"] = {"sync": {"status": "Synced"}}
    return obj


def test_plan_creates_updates_deletes_and_leaves_unchanged():
    spec = spec_of(TEMPLATE_OVERRIDE)
    desired = applicationset.generate(spec, Inputs())
    dev, prod = desired["engineering-dev-guestbook"], desired["engineering-prod-guestbook"]
    changed = live_copy(prod)
    changed["spec"]["destination"]["namespace"] = "elsewhere"
    gone = live_copy(dev, name="engineering-old-guestbook")
    mine_being_deleted = live_copy(dev, name="engineering-older-guestbook", deletionTimestamp="2026-01-01T00:00:00Z")
    someone_elses = live_copy(dev, name="unrelated", ownerReferences=[])
    plan = applicationset.plan(spec, desired, [changed, gone, mine_being_deleted, someone_elses])
    assert plan.create == ["engineering-dev-guestbook"]
    assert plan.update == ["engineering-prod-guestbook"]
    assert plan.delete == ["engineering-old-guestbook"]  # not one already being deleted, never one it does not own
    plan = applicationset.plan(spec, desired, [live_copy(dev), live_copy(prod)])
    assert plan.unchanged == ["engineering-dev-guestbook", "engineering-prod-guestbook"] and not (plan.create or plan.update or plan.delete)


@pytest.mark.parametrize(
    "policy, create, update, delete",
    [("sync", 1, 1, 1), ("create-only", 1, 0, 0), ("create-update", 1, 1, 0), ("create-delete", 1, 0, 1)],
)
def test_applications_sync_policies(policy, create, update, delete):
    obj = yaml.safe_load(TEMPLATE_OVERRIDE)
    obj["spec"]["syncPolicy"] = {"applicationsSync": policy}
    spec = spec_of(yaml.safe_dump(obj))
    desired = applicationset.generate(spec, Inputs())
    changed = live_copy(desired["engineering-prod-guestbook"])
    changed["spec"]["project"] = "other"
    gone = live_copy(desired["engineering-prod-guestbook"], name="gone")
    plan = applicationset.plan(spec, desired, [changed, gone])
    assert (len(plan.create), len(plan.update), len(plan.delete)) == (create, update, delete)


def test_a_name_owned_by_another_set_or_by_nobody_is_a_conflict_and_nothing_is_planned():
    spec = spec_of(TEMPLATE_OVERRIDE)
    desired = applicationset.generate(spec, Inputs())
    other = live_copy(desired["engineering-dev-guestbook"])
    other["metadata"]["ownerReferences"] = [dict(other["metadata"]["ownerReferences"][0], name="other-set", uid="uid-2")]
    with pytest.raises(InvalidSpec) as caught:
        applicationset.plan(spec, desired, [other])
    assert "Application/gitops-system/engineering-dev-guestbook exists and is owned by ApplicationSet/other-set" in str(caught.value)
    assert str(caught.value).startswith("ApplicationSet/gitops-system/guestbook")
    by_hand = live_copy(desired["engineering-prod-guestbook"])
    del by_hand["metadata"]["ownerReferences"]
    with pytest.raises(InvalidSpec, match="not generated by this set"):
        applicationset.plan(spec, desired, [by_hand])


def test_crd_is_served_with_a_status_subresource():
    crd = applicationset.crd()
    assert crd["metadata"]["name"] == "applicationsets.gitops-k8s.dev"
    version = crd["spec"]["versions"][0]
    assert version["subresources"] == {"status": {}}
    assert version["schema"]["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-preserve-unknown-fields"] is True
