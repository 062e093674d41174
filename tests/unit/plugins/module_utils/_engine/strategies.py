# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis strategies for the engine's property tests.

The central one, ``object_pairs``, draws a desired object together with the form the API
server stores after applying it: server defaults, bookkeeping metadata, status,
managedFields (ours built from the applied object, plus other managers'), quantities
respelled (``1`` / ``1000m``, ``1Gi`` / ``1073741824``), ports with ``protocol: TCP``,
a sidecar and annotations added by other managers. Keys and values come from pools that
include the awkward cases (quantity lookalikes as ConfigMap text, ``storage`` as a key,
``/`` in annotation keys) so that the properties meet them often.
"""

from __future__ import annotations

import base64
import copy
import json
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.gitops.k8s.plugins.module_utils._engine import compare
from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import ANN_TRACKING_ID, FIELD_MANAGER
from ansible_collections.gitops.k8s.plugins.module_utils._engine.redact import LAST_APPLIED


def examples(count):
    """``count`` examples under the ``ci`` profile (100 by default), scaled for the others."""
    return max(1, count * settings().max_examples // 100)


DNS = "abcdefghijklmnopqrstuvwxyz0123456789"
names = st.text(DNS, min_size=1, max_size=6).map(lambda s: "n" + s)

# Keys of free-form string maps (labels, annotations, ConfigMap and Secret data), with the
# names that also mean something to the comparison (quantity keys, merge keys).
TRICKY_KEYS = (
    "storage",
    "sizeLimit",
    "cpu",
    "memory",
    "limits",
    "requests",
    "max",
    "default",
    "name",
    "image",
    "app",
    "example.com/team",
    "app.kubernetes.io/name",
    "a~b",
)
map_keys = st.one_of(st.sampled_from(TRICKY_KEYS), st.text(DNS + "-._", min_size=1, max_size=8))

# Text that reads as a number or quantity; each group holds one value spelled several ways.
LOOKALIKE_GROUPS = (
    ("1", "1000m", "1e0", "1.0"),
    ("1Gi", "1024Mi", "1073741824"),
    ("0.5", "500m", ".5"),
    ("1.1", "1.10"),
    ("10", "1e1", "10.0"),
    ("true",),
    ("",),
)
LOOKALIKES = tuple(v for group in LOOKALIKE_GROUPS for v in group)
texts = st.one_of(st.text(max_size=10), st.sampled_from(LOOKALIKES))


def respellings(text):
    """Other spellings of the same number as ``text`` (same lookalike group)."""
    for group in LOOKALIKE_GROUPS:
        if text in group:
            return [v for v in group if v != text]
    return []


# -- quantities --------------------------------------------------------------------------

SUFFIXES = (
    ("n", Decimal("1e-9")),
    ("u", Decimal("1e-6")),
    ("m", Decimal("1e-3")),
    ("", Decimal(1)),
    ("k", Decimal("1e3")),
    ("M", Decimal("1e6")),
    ("G", Decimal("1e9")),
    ("T", Decimal("1e12")),
    ("Ki", Decimal(2) ** 10),
    ("Mi", Decimal(2) ** 20),
    ("Gi", Decimal(2) ** 30),
    ("Ti", Decimal(2) ** 40),
)
UNITS = (Decimal("0.001"), Decimal("0.1"), Decimal(1), Decimal(1000), Decimal(1024), Decimal(2) ** 20, Decimal(2) ** 30, Decimal(10) ** 6, Decimal(10) ** 9)
quantity_values = st.builds(lambda n, unit: n * unit, st.integers(0, 4096), st.sampled_from(UNITS))


def spellings(value):
    """Every way a manifest or the API server may write the quantity ``value``."""
    forms = []
    for suffix, unit in SUFFIXES:
        count = value / unit
        if count == count.to_integral_value():
            forms.append("%d%s" % (count, suffix))
    if value == value.to_integral_value():
        forms.append(int(value))  # YAML `cpu: 2`
    else:
        forms.append(format(value.normalize(), "f"))
        if Decimal(repr(float(value))) == value:
            forms.append(float(value))  # YAML `cpu: 0.5`
    for exponent in (1, 2, 3):
        mantissa = value / Decimal(10) ** exponent
        if value and mantissa == mantissa.to_integral_value():
            forms.append("%de%d" % (mantissa, exponent))
    return forms


# (value, one spelling, another spelling)
spelled_quantities = quantity_values.flatmap(lambda v: st.tuples(st.just(v), st.sampled_from(spellings(v)), st.sampled_from(spellings(v))))


# -- managedFields -----------------------------------------------------------------------

KEYED_LISTS = {"containers": ("name",), "env": ("name",)}


def _key_json(item, keys):
    return "k:" + json.dumps(dict((k, item[k]) for k in keys), separators=(",", ":"), sort_keys=True)


def fields_v1(node, field=""):
    """The fieldsV1 tree server-side apply records for ``node`` (applied by one manager)."""
    if isinstance(node, dict):
        return dict(("f:" + k, fields_v1(v, k)) for k, v in node.items() if v is not None)
    if isinstance(node, list) and field in KEYED_LISTS:
        return dict((_key_json(i, KEYED_LISTS[field]), dict({".": {}}, **fields_v1(i, field))) for i in node)
    if isinstance(node, list) and field == "ports":
        out = {}
        for item in node:
            key = dict(item)
            key.setdefault("protocol", "TCP")  # the server keys ports by (port, protocol)
            number = "containerPort" if "containerPort" in item else "port"
            out[_key_json(key, (number, "protocol"))] = dict({".": {}}, **fields_v1(item, field))
        return out
    return {}  # scalars and atomic lists (args, command)


def applied_fields(obj):
    """fieldsV1 of an applied object: name, namespace, apiVersion and kind are not listed."""
    tree = fields_v1(dict((k, v) for k, v in obj.items() if k not in ("apiVersion", "kind")))
    meta = tree.get("f:metadata", {})
    meta.pop("f:name", None)
    meta.pop("f:namespace", None)
    if not meta:
        tree.pop("f:metadata", None)
    return tree


def managed_entry(manager, fields, operation="Apply", api_version="v1"):
    return {"manager": manager, "operation": operation, "apiVersion": api_version, "fieldsType": "FieldsV1", "time": "2026-11-22T02:00:00Z", "fieldsV1": fields}


# -- desired objects and their server-stored form ------------------------------------------


@st.composite
def _metadata(draw):
    meta = {"name": draw(names)}
    if draw(st.booleans()):
        meta["namespace"] = "demo"
    labels = draw(st.dictionaries(map_keys, texts, max_size=3))
    if labels:
        meta["labels"] = labels
    notes = draw(st.dictionaries(map_keys, texts, max_size=2))
    if draw(st.booleans()):
        notes[ANN_TRACKING_ID] = "gitops-system/demo:/Kind:demo/name"
    if notes:
        meta["annotations"] = notes
    return meta


def stored(desired, live=None, rv=1, annotation=None):
    """``live`` (default: a copy of desired) with what the server adds to every stored object:
    namespace, uid, resourceVersion, generation, creationTimestamp and managedFields (ours,
    from the applied object; another manager's when it added ``annotation``, a (key, value))."""
    live = copy.deepcopy(desired) if live is None else live
    meta = live["metadata"]
    meta.setdefault("namespace", "demo")
    meta.update(
        {"uid": "8d1c9c3e-0000-4000-8000-%012d" % rv, "resourceVersion": str(rv), "generation": 1 + rv % 7, "creationTimestamp": "2026-11-22T02:00:00Z"}
    )
    entries = [managed_entry(FIELD_MANAGER, applied_fields(desired), api_version=desired["apiVersion"])]
    if annotation:
        meta.setdefault("annotations", {})[annotation[0]] = annotation[1]
        entries.append(managed_entry("kubectl-annotate", {"f:metadata": {"f:annotations": {"f:" + annotation[0]: {}}}}, "Update"))
    meta["managedFields"] = entries
    return live


@st.composite
def _bookkeeping(draw, desired, live):
    key = "%s/%s" % (draw(st.sampled_from(["example.com", "kubectl.kubernetes.io"])), draw(names))
    annotation = draw(st.one_of(st.none(), st.tuples(st.just(key), texts)))
    return stored(desired, live, draw(st.integers(1, 10**6)), annotation)


@st.composite
def _container(draw, name):
    """(desired, stored) container."""
    desired = {"name": name, "image": draw(st.sampled_from(["nginx:1.25", "busybox", "registry.example.com/app@sha256:00"]))}
    if draw(st.booleans()):
        ports = draw(st.lists(st.integers(1, 65535), min_size=1, max_size=3, unique=True))
        desired["ports"] = [dict({"containerPort": p}, **draw(st.sampled_from([{}, {"protocol": "TCP"}]))) for p in ports]
    if draw(st.booleans()):
        env = draw(st.lists(st.text(DNS + "_", min_size=1, max_size=6), min_size=1, max_size=3, unique=True))
        desired["env"] = [{"name": e, "value": draw(texts.filter(bool))} for e in env]
    if draw(st.booleans()):
        desired["args"] = draw(st.lists(st.text(max_size=6), max_size=3))
    live = copy.deepcopy(desired)
    sections = draw(st.lists(st.sampled_from(["requests", "limits"]), unique=True))
    for section in sections:
        for resource in draw(st.lists(st.sampled_from(["cpu", "memory", "ephemeral-storage"]), min_size=1, unique=True)):
            _value, mine, theirs = draw(spelled_quantities)
            desired.setdefault("resources", {}).setdefault(section, {})[resource] = mine
            live.setdefault("resources", {}).setdefault(section, {})[resource] = theirs
    live.setdefault("resources", {})
    for port in live.get("ports", ()):
        port.setdefault("protocol", "TCP")
    live.update({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"})
    return desired, live


@st.composite
def deployment_pairs(draw, extras_at_end=False):
    """A Deployment and its stored form (spec and pod defaults, maybe an injected sidecar)."""
    meta = draw(_metadata())
    selector = draw(st.dictionaries(map_keys, st.text(DNS, min_size=1, max_size=4), min_size=1, max_size=2))
    pairs = [draw(_container(n)) for n in draw(st.lists(names, min_size=1, max_size=3, unique=True))]
    desired = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {"selector": {"matchLabels": selector}, "template": {"metadata": {"labels": dict(selector)}, "spec": {"containers": [d for d, _s in pairs]}}},
    }
    if draw(st.booleans()):
        desired["spec"]["replicas"] = draw(st.integers(0, 10))
    live = copy.deepcopy(desired)
    spec = live["spec"]
    spec.setdefault("replicas", 1)
    spec.update(
        {
            "progressDeadlineSeconds": 600,
            "revisionHistoryLimit": 10,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        }
    )
    spec["template"]["metadata"]["creationTimestamp"] = None
    pod = spec["template"]["spec"]
    pod.update(
        {
            "containers": [s for _d, s in pairs],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
        }
    )
    draw(_bookkeeping(desired, live))
    if draw(st.booleans()):  # a webhook injects a sidecar
        sidecar = {"name": "sidecar-injected", "image": "proxy:1", "resources": {}}
        position = len(pod["containers"]) if extras_at_end else draw(st.integers(0, len(pod["containers"])))
        pod["containers"].insert(position, sidecar)
        live["metadata"]["managedFields"].append(
            managed_entry(
                "injector",
                {"f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"sidecar-injected"}': {".": {}, "f:image": {}, "f:name": {}}}}}}},
                "Update",
            )
        )
    live["status"] = {"replicas": spec["replicas"], "observedGeneration": live["metadata"]["generation"]}
    return desired, live


@st.composite
def service_pairs(draw):
    """A Service and its stored form (cluster IP, protocol, targetPort and nodePort defaults)."""
    numbers = draw(st.lists(st.integers(1, 65535), min_size=1, max_size=3, unique=True))
    ports = []
    for idx, number in enumerate(numbers):
        port = {"port": number, "name": "p%d" % idx}
        if draw(st.booleans()):
            port["targetPort"] = draw(st.one_of(st.integers(1, 65535), names))
        if draw(st.booleans()):
            port["protocol"] = "TCP"
        ports.append(port)
    desired = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": draw(_metadata()),
        "spec": {"selector": draw(st.dictionaries(map_keys, st.text(DNS, min_size=1, max_size=4), max_size=2)), "ports": ports},
    }
    kind = draw(st.sampled_from([None, "ClusterIP", "NodePort"]))
    if kind:
        desired["spec"]["type"] = kind
    live = copy.deepcopy(desired)
    spec = live["spec"]
    spec.setdefault("type", "ClusterIP")
    spec.update(
        {
            "clusterIP": "10.0.0.12",
            "clusterIPs": ["10.0.0.12"],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
        }
    )
    for port in spec["ports"]:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port["port"])
        if spec["type"] == "NodePort":
            port["nodePort"] = 30000 + port["port"] % 2000
    draw(_bookkeeping(desired, live))
    live["status"] = {"loadBalancer": {}}
    return desired, live


@st.composite
def configmap_pairs(draw):
    """A ConfigMap (keys and text meant to confuse a comparison) and its stored form."""
    desired = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": draw(_metadata()), "data": draw(st.dictionaries(map_keys, texts, min_size=1, max_size=4))}
    live = copy.deepcopy(desired)
    draw(_bookkeeping(desired, live))
    return desired, live


def b64(raw):
    return base64.b64encode(raw if isinstance(raw, bytes) else raw.encode("utf-8")).decode("ascii")


@st.composite
def secret_pairs(draw):
    """A Secret with data and/or stringData, and its stored form (stringData merged into data)."""
    data = draw(st.dictionaries(map_keys, st.one_of(st.binary(max_size=12), st.text(max_size=10)).map(b64), max_size=3))
    string_data = draw(st.dictionaries(map_keys, texts, max_size=3))
    desired = {"apiVersion": "v1", "kind": "Secret", "metadata": draw(_metadata())}
    if data or not string_data:
        desired["data"] = data
    if string_data:
        desired["stringData"] = string_data
    live = copy.deepcopy(desired)
    live.pop("stringData", None)
    live["data"] = dict(data, **dict((k, b64(v)) for k, v in string_data.items()))  # stringData wins
    live["type"] = "Opaque"
    draw(_bookkeeping(desired, live))  # managedFields keep f:stringData (kubernetes#108008)
    return desired, live


@st.composite
def object_pairs(draw, extras_at_end=False):
    """(desired, stored): a desired object as the plan compares it, and its server form.

    Half the time the desired object is in the shape the plan prepares (``protocol: TCP``
    filled in before applying), so our managedFields list the protocol too."""
    desired, live = draw(st.one_of(deployment_pairs(extras_at_end), service_pairs(), configmap_pairs(), secret_pairs()))
    if draw(st.booleans()):
        compare.fill_list_keys(desired)
        live["metadata"]["managedFields"][0]["fieldsV1"] = applied_fields(desired)
    return desired, live


# -- paths inside objects -------------------------------------------------------------------

IDENTITY = (("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace"))


def paths(node, prefix=()):
    """Token paths (str keys, int indices) of every map key and list item under ``node``."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        path = prefix + (key,)
        if path not in IDENTITY:
            yield path
            yield from paths(value, path)


def get_path(node, path):
    for token in path:
        node = node[token]
    return node


def has_path(node, path):
    for token in path:
        if isinstance(node, dict) and isinstance(token, str) and token in node:
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
        else:
            return False
    return True


def pointer(path):
    """RFC 6901 text of a token path."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in path)


def is_quantity_path(path):
    return "resources" in path


def scalar_paths(obj):
    return [p for p in paths(obj) if not isinstance(get_path(obj, p), (dict, list))]


@st.composite
def changed_value(draw, old, path):
    """A value that really differs from ``old`` at ``path`` (a quantity changes value)."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return old + 10 ** len(str(old))  # the quantity `2` becomes `12`: another value
    if isinstance(old, float):
        return old + 1
    if is_quantity_path(path):
        return "1" + old  # `500m` -> `1500m`, `1e3` -> `11e3`: always another value
    options = [st.just("1" + old), texts]
    if respellings(old):
        options.insert(0, st.sampled_from(respellings(old)))  # other text, same number
    return draw(st.one_of(*options).filter(lambda v: v != old))


@st.composite
def changed_at(draw, obj, path):
    """Copy of ``obj`` with a real change at ``path``: a scalar gets another value, a map or
    list (or, half the time, a scalar) is removed."""
    out = copy.deepcopy(obj)
    parent = get_path(out, path[:-1])
    old = parent[path[-1]]
    if isinstance(old, (dict, list)) or draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(changed_value(old, path))
    return out


# -- Secrets of any shape (redaction) -------------------------------------------------------

# Small alphabets make values that are substrings of other values and of keys.
secret_texts = st.one_of(st.text(max_size=12), st.text("ab=", min_size=1, max_size=5), st.sampled_from(LOOKALIKES))
secret_keys = st.one_of(st.text("ab", min_size=1, max_size=4), map_keys)
data_values = st.one_of(
    secret_texts.map(b64),  # text, base64-encoded as the API returns it
    st.binary(max_size=12).map(b64),  # binary (certificates, keystores)
    # base64 alphabet and padding: valid, but the padding bits may be set (non-canonical)
    st.from_regex(r"\A(?:[A-Za-z0-9+/]{4}){0,2}(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)\Z"),
    secret_texts,  # not base64 at all
)
odd_values = st.one_of(st.none(), st.integers(), st.booleans(), st.lists(secret_texts, max_size=2), st.dictionaries(secret_texts, secret_texts, max_size=2))


def _value_map(values):
    """A data/stringData field: usually a map, sometimes something else a broken manifest holds."""
    return st.one_of(
        st.dictionaries(secret_keys, st.one_of(values, odd_values), max_size=4),
        st.dictionaries(secret_keys, values, min_size=1, max_size=4),
        st.one_of(secret_texts, st.lists(secret_texts, max_size=2), st.none()),
    )


@st.composite
def any_secrets(draw):
    """A core Secret of any shape, with a last-applied annotation and managedFields."""
    secret = {"kind": "Secret", "metadata": {"name": draw(names), "namespace": "demo"}}
    api_version = draw(st.sampled_from(["v1", "", None]))
    if api_version is not None:
        secret["apiVersion"] = api_version
    for field, values in (("data", data_values), ("stringData", secret_texts)):
        if draw(st.booleans()):
            secret[field] = draw(_value_map(values))
    secret["type"] = draw(st.sampled_from(["Opaque", "kubernetes.io/tls"]))
    notes = {"team": draw(secret_texts)}
    if draw(st.booleans()):
        notes[LAST_APPLIED] = json.dumps(secret, sort_keys=True)
    secret["metadata"]["annotations"] = notes
    if draw(st.booleans()):
        secret["metadata"]["managedFields"] = [managed_entry(FIELD_MANAGER, applied_fields(dict(secret, apiVersion="v1")))]
    return secret


configmaps = st.builds(
    lambda name, data: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data},
    names,
    st.dictionaries(secret_keys, secret_texts, max_size=3),
)


def _lists_of(children):
    """``kind: List`` (or SecretList) documents holding ``children``."""
    return st.builds(
        lambda kind, items: {"apiVersion": "v1", "kind": kind, "items": items}, st.sampled_from(["List", "SecretList"]), st.lists(children, max_size=3)
    )


# A Secret, a ConfigMap, or a (nested) List of them, as kubectl and List documents hold them.
secret_documents = st.recursive(st.one_of(any_secrets(), configmaps), _lists_of, max_leaves=4)
