# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ports match their callers and their implementations: every ``cluster.<method>``
and ``clock.<method>`` called in the engine, the adapters and the glue is declared by the
Cluster or Clock Protocol, and the real adapters and the in-memory fakes implement every
declared method with the same parameters."""

from __future__ import annotations

import ast
import inspect
import os

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.clock import SystemClock
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._engine import ports

from tests.unit.plugins.module_utils._engine.fake_cluster import FakeClock, FakeCluster

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
LAYERS = [os.path.join(REPO_ROOT, "plugins", "module_utils", layer) for layer in ("_engine", "_adapters", "_ansible")]
PROTOCOLS = {"cluster": ports.Cluster, "clock": ports.Clock}
# KubeCluster's extras used by the glue and the shared reads only (cluster_info, request counts, what was written where), not a port
NOT_PORTS = {"cluster": {"stats", "written", "written_at", "list_cached", "server_version", "served_versions", "kind_versions"}, "clock": set()}


def declared(protocol):
    return {name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_")}


def called(port):
    """(file, line, method) of every ``<x>.cluster.m(...)`` / ``cluster.m(...)`` (same for clock)."""
    for layer in LAYERS:
        for name in sorted(os.listdir(layer)):
            if not name.endswith(".py"):
                continue
            with open(os.path.join(layer, name), encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    owner = node.value
                    owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
                    if owner_name == port:
                        yield name, node.lineno, node.attr


@pytest.mark.parametrize("port", sorted(PROTOCOLS))
def test_every_method_callers_use_is_declared_by_the_port(port):
    allowed = declared(PROTOCOLS[port]) | NOT_PORTS[port]
    missing = ["%s:%d %s.%s" % (f, line, port, attr) for f, line, attr in called(port) if attr not in allowed]
    assert missing == []


@pytest.mark.parametrize(
    "protocol, implementation",
    [
        (ports.Cluster, KubeCluster),
        (ports.Cluster, FakeCluster),
        (ports.Clock, SystemClock),
        (ports.Clock, FakeClock),
    ],
)
def test_implementations_provide_every_declared_method(protocol, implementation):
    for name in declared(protocol):
        assert hasattr(implementation, name), "%s lacks %s" % (implementation.__name__, name)
        wanted = list(inspect.signature(getattr(protocol, name)).parameters)
        have = list(inspect.signature(getattr(implementation, name)).parameters)
        assert have == wanted, "%s.%s%s differs from the port %s" % (implementation.__name__, name, have, wanted)


def test_ports_are_built_by_keyword():
    with pytest.raises(TypeError):
        # pylint: disable-next=too-many-function-args,missing-kwoa  # positional building is what must fail
        ports.Ports(None, None, None, None, None, None)
