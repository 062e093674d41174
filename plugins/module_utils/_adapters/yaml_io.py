# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML in and out, the way Kubernetes reads it.

Loading keeps every value JSON-serialisable: timestamps stay strings (the API
server treats them as strings), ``!!binary`` stays its base64 text, mapping keys
become strings, and a key defined twice in one mapping is an error (as for
kubectl). Every document keeps the line it starts on, for ``file:line`` origins.

What a repository gives is untrusted, so every load is bounded before any value is
built (see the limits below): the text of a render and of one document, the nesting
depth, and the number of nodes a document stands for once its aliases are expanded.
The last is what stops a "billion laughs": PyYAML shares one constructed value
between the aliases of an anchor, so loading a bomb is cheap and the blow-up comes
later, when json.dumps, deepcopy or a diff walks the value; the C loader offers no
hook to count aliases, so the composed node graph is measured instead (memoised by
node, so measuring a bomb costs as little as parsing it).
"""

from __future__ import annotations

import json
import os
import stat
import traceback
from typing import Any, Optional

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError, RenderError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import DEFAULT_MAX_OUTPUT, MIB, format_size

YAML_IMPORT_ERROR: Optional[str]
try:
    import yaml
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BINARY_TAG = "tag:yaml.org,2002:binary"
_MERGE_TAG = "tag:yaml.org,2002:merge"
VAULT_TAG = "!vault"


class InlineVault(str):
    """The ciphertext of an inline ``!vault`` value, until decryption.reveal() opens it
    (a render without a vault password refuses it: never applied as ciphertext)."""


# Limits on what one render may load. A Kubernetes object is at most 1.5 MiB in etcd and
# the largest real CRDs (Crossplane providers, Prometheus Operator) are about 3 MB, with
# some 100,000 nodes and 40 levels: each limit leaves them a wide margin. Text sizes are
# counted in characters once decoded, file sizes in bytes.
MAX_DOCUMENT_BYTES = 16 * MIB  # one YAML document, and one file of a directory
MAX_DOCUMENT_NODES = 1000000  # nodes of one document once its aliases are expanded
# Collections nested in one document: the later steps (json, deepcopy, diff, YAML dump)
# recurse once or more per level and must stay clear of Python's recursion limit.
MAX_DOCUMENT_DEPTH = 100
MAX_RENDER_BYTES = DEFAULT_MAX_OUTPUT  # all the text one render loads (as a renderer's output)
MAX_RENDER_NODES = 4000000  # expanded nodes of all the documents of one render


if HAS_YAML:
    # the C implementation when libyaml is there (Any: chosen at import time)
    _BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class KubeLoader(_BaseLoader):  # pylint: disable=too-many-ancestors
        """SafeLoader with JSON-compatible results (no datetime, bytes or non-string keys)."""

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                return super().construct_mapping(node, deep=deep)
            explicit = sum(1 for key_node, _value in node.value if key_node.tag != _MERGE_TAG)
            self.flatten_mapping(node)
            # flatten_mapping puts merged (``<<``) pairs first; only explicit keys may not repeat.
            merged = len(node.value) - explicit
            mapping = {}
            explicit_keys = set()
            for index, (key_node, value_node) in enumerate(node.value):
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    if isinstance(key, (bool, int, float)) or key is None:
                        key = json.dumps(key)
                    else:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark, "found an unhashable or complex key", key_node.start_mark
                        )
                if index >= merged:
                    if key in explicit_keys:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark, "found duplicate key %r" % key, key_node.start_mark
                        )
                    explicit_keys.add(key)
                mapping[key] = self.construct_object(value_node, deep=deep)
            return mapping

        def construct_as_text(self, node):
            return self.construct_scalar(node)

        def construct_binary_text(self, node):
            return "".join(self.construct_scalar(node).split())

    # The implicit resolvers are a class attribute shared with SafeLoader: copy them
    # without the timestamp resolver instead of mutating PyYAML's global state.
    KubeLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG] for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
    KubeLoader.add_constructor(_TIMESTAMP_TAG, KubeLoader.construct_as_text)
    KubeLoader.add_constructor(_BINARY_TAG, KubeLoader.construct_binary_text)
    KubeLoader.add_constructor(VAULT_TAG, lambda loader, node: InlineVault(loader.construct_scalar(node)))

    class KubeDumper(_BaseDumper):  # pylint: disable=too-many-ancestors
        """SafeDumper writing multi-line strings as literal blocks."""

    def _represent_str(dumper, data):
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    KubeDumper.add_representer(str, _represent_str)


def _require_yaml(subject):
    if not HAS_YAML:
        raise ManifestError("the PyYAML Python library is required to read manifests", subject=subject)


def _default_locate(origin):
    return lambda line: "%s:%d" % (origin, line)


def _yaml_error(exc, locate):
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = "line %d, column %d" % (line, mark.column + 1) if mark is not None else "line %d" % line
    text = "invalid YAML (%s): %s" % (where, problem)
    if context:
        text += " (%s)" % context
    return ManifestError(text, subject=locate(line))


class ContentBudget:
    """What is left of one render's limits on text and expanded nodes, summed over the
    files and documents it loads. A load without a budget gets a fresh one."""

    def __init__(self):
        self.text_left = MAX_RENDER_BYTES
        self.nodes_left = MAX_RENDER_NODES

    def charge_text(self, size, subject):
        self.text_left -= size
        if self.text_left < 0:
            raise ManifestError("a render may load at most %s of YAML/JSON text" % format_size(MAX_RENDER_BYTES), subject=subject)

    def charge_nodes(self, count, subject):
        self.nodes_left -= count
        if self.nodes_left < 0:
            raise ManifestError("a render may expand to at most %d YAML nodes in all (aliases?)" % MAX_RENDER_NODES, subject=subject)


class _SelfReference(Exception):
    """A node contains itself (an alias inside its own anchor)."""


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return node.value


def measure(root):
    """(expanded nodes, nesting depth) of a composed document.

    Iterative, and memoised by node: an anchor's subtree is measured once however
    many aliases repeat it. Raises _SelfReference when a node contains itself.
    """
    if isinstance(root, yaml.ScalarNode):
        return 1, 0
    sizes = {}  # id(collection node) -> (expanded nodes, depth)
    active = set()  # collections whose subtree is being measured
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            size, depth = 1, 0
            for child in _children(node):
                if isinstance(child, yaml.ScalarNode):
                    size += 1
                else:
                    child_size, child_depth = sizes[id(child)]
                    size += child_size
                    depth = max(depth, child_depth)
            sizes[key] = (size, depth + 1)
            active.discard(key)
            continue
        if key in sizes:
            continue
        if key in active:
            raise _SelfReference()
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if not isinstance(child, yaml.ScalarNode) and id(child) not in sizes)
    return sizes[id(root)]


def _check_document(node, where, budget):
    """Refuse a composed document over a limit, before any value is built from it."""
    if node.end_mark.index - node.start_mark.index > MAX_DOCUMENT_BYTES:
        raise ManifestError("YAML document is larger than %s" % format_size(MAX_DOCUMENT_BYTES), subject=where)
    try:
        size, depth = measure(node)
    except _SelfReference as exc:
        raise ManifestError("YAML alias refers to its own anchor (a document without end)", subject=where) from exc
    if size > MAX_DOCUMENT_NODES:
        raise ManifestError("YAML document expands to more than %d nodes (aliases?)" % MAX_DOCUMENT_NODES, subject=where)
    if depth > MAX_DOCUMENT_DEPTH:
        raise ManifestError("YAML document is nested more than %d levels deep" % MAX_DOCUMENT_DEPTH, subject=where)
    budget.charge_nodes(size, where)


def load_documents(text, origin, locate=None, budget=None):
    """Parse a multi-document YAML text into ``[(line, value)]``.

    ``line`` is the 1-based line where each document's content starts; empty
    documents are skipped. ``locate(line)`` names a place for error messages
    (default ``origin:line``). ``budget`` (a ContentBudget) is shared by the loads
    of one render; without it this load has a render's limits to itself. Raises
    ManifestError on invalid YAML and on content over a limit.
    """
    locate = locate or _default_locate(origin)
    _require_yaml(locate(1))
    budget = budget or ContentBudget()
    budget.charge_text(len(text), locate(1))
    loader = KubeLoader(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1
            _check_document(node, locate(line), budget)
            value = loader.construct_document(node)
            if value is None:
                continue
            docs.append((line, value))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, locate) from exc
    except RecursionError as exc:  # the pure-Python loader, without libyaml's depth limit
        raise ManifestError("YAML document is nested too deeply", subject=locate(1)) from exc
    finally:
        loader.dispose()
    return docs


def load_manifests(text, origin, locate=None, budget=None):
    """Parse a multi-document YAML text into a list of Manifest with origin
    ``origin:line`` (or ``locate(line)``). Values are not checked to be objects:
    see render_directory for that, and manifests.validate()."""
    locate = locate or _default_locate(origin)
    return [Manifest(value, locate(line)) for line, value in load_documents(text, origin, locate, budget)]


def read_text(path, subject):
    """The UTF-8 text of a repository file named ``subject`` in messages: a regular
    file of at most MAX_DOCUMENT_BYTES (a FIFO or a device would never end)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on regular files)
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ManifestError("not a regular file", subject=subject)
            if info.st_size > MAX_DOCUMENT_BYTES:
                raise ManifestError("file is larger than %s" % format_size(MAX_DOCUMENT_BYTES), subject=subject)
            # the file's size (and one byte to see it grew), not the limit: read(n) allocates
            # n bytes first, and a run renders many small files side by side
            data = handle.read(min(info.st_size, MAX_DOCUMENT_BYTES) + 1)
            if len(data) > info.st_size:  # grew since fstat: the rest, up to the limit
                data += handle.read(MAX_DOCUMENT_BYTES + 1 - len(data))
    except OSError as exc:
        raise RenderError("cannot read file: %s" % exc.strerror, subject=subject) from exc
    if len(data) > MAX_DOCUMENT_BYTES:  # grew since fstat
        raise ManifestError("file is larger than %s" % format_size(MAX_DOCUMENT_BYTES), subject=subject)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError("file is not UTF-8 text", subject=subject) from exc


def dump(obj):
    """Readable block-style YAML of one value (keys in their given order)."""
    _require_yaml("yaml")
    return yaml.dump(obj, Dumper=KubeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def dump_all(objs):
    """Readable multi-document YAML of a list of values."""
    _require_yaml("yaml")
    return yaml.dump_all(list(objs), Dumper=KubeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, explicit_start=True)
