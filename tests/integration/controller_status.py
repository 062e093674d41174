"""Kinds of controllers the test cluster does not run (Argo Rollouts, Flagger, OpenShift):
their published CRDs (fixtures/crds/, origin and license in each file) loaded into the
shared API server, and their status written as those controllers write it.

The CRDs are created once and left in place: other tests and other runs share the
cluster (deleting a CRD deletes every object of its kind, in every namespace).
"""

from __future__ import annotations

import os
import time

import yaml

CRDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "crds")
CRD_API = "apiextensions.k8s.io/v1"
DEADLINE = 600  # seconds: generous, the machine is shared and loaded (an ansible-pull run starts slowly)
POLL = 0.5


def wait_for(what, probe, deadline=DEADLINE):
    """The first truthy value of ``probe()`` within ``deadline`` seconds; else fail naming ``what``."""
    ends = time.monotonic() + deadline
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= ends:
            raise AssertionError("timed out after %ss waiting for %s" % (deadline, what))
        time.sleep(POLL)


def ensure_crds(dynamic, *names):
    """Create the CRDs ``names`` (file names in fixtures/crds without .yaml) that are not
    there yet, and wait until every one is Established and served."""
    from kubernetes.dynamic.exceptions import ConflictError  # pylint: disable=import-outside-toplevel

    crds = dynamic.resources.get(api_version=CRD_API, kind="CustomResourceDefinition")
    for name in names:
        with open(os.path.join(CRDS, name + ".yaml"), encoding="utf-8") as handle:
            body = yaml.safe_load(handle)
        try:
            crds.create(body=body)
        except ConflictError:
            pass  # created by an earlier run: left as it is
    for name in names:
        wait_for("CRD %s established" % name, lambda n=name: _established(crds.get(name=n).to_dict()))
    dynamic.resources.invalidate_cache()


def _established(crd):
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in (crd.get("status") or {}).get("conditions") or [])


def resource(dynamic, api_version, kind):
    return dynamic.resources.get(api_version=api_version, kind=kind)


def get(dynamic, api_version, kind, namespace, name):
    """The live object as a dict, or None."""
    from kubernetes.dynamic.exceptions import NotFoundError  # pylint: disable=import-outside-toplevel

    try:
        return resource(dynamic, api_version, kind).get(name=name, namespace=namespace).to_dict()
    except NotFoundError:
        return None


def set_status(dynamic, api_version, kind, namespace, name, status):
    """Write ``status`` (merged over the current one) as the kind's controller does: through
    the status subresource when the CRD has one (Rollout, Canary, Route, DeploymentConfig),
    else through the object itself (AnalysisRun, Build)."""
    res = resource(dynamic, api_version, kind)
    target = res.subresources.get("status") or res
    return dynamic.patch(target, body={"status": status}, name=name, namespace=namespace, content_type="application/merge-patch+json").to_dict()
