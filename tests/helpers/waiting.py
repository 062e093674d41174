"""Waiting for a condition in tests, with generous deadlines (the machine may be loaded)."""

from __future__ import annotations

import time


def wait_for(predicate, what="condition", timeout=60.0, interval=0.25):
    """Return PREDICATE()'s first truthy value; fail naming WHAT after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def has_token(kube_api, namespace, name):
    """True once the controller manager created ServiceAccount NAME's token (on 1.20 a Pod of
    that ServiceAccount is refused until then); False while it or its token is missing."""
    from kubernetes.client.exceptions import ApiException  # pylint: disable=import-outside-toplevel

    try:
        return bool(kube_api.core.read_namespaced_service_account(name, namespace).secrets)
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise
