# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML in and out, the way Kubernetes reads it.

Loading keeps every value JSON-serialisable: timestamps stay strings (the API
server treats them as strings), ``!!binary`` stays its base64 text, mapping keys
become strings, and a key defined twice in one mapping is an error (as for
kubectl). Every document keeps the line it starts on, for ``file:line`` origins.
"""

from __future__ import annotations

import json
import traceback

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ManifestError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.manifests import Manifest

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


if HAS_YAML:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

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
                            "while constructing a mapping", node.start_mark,
                            "found an unhashable or complex key", key_node.start_mark)
                if index >= merged:
                    if key in explicit_keys:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark,
                            "found duplicate key %r" % key, key_node.start_mark)
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
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
    KubeLoader.add_constructor(_TIMESTAMP_TAG, KubeLoader.construct_as_text)
    KubeLoader.add_constructor(_BINARY_TAG, KubeLoader.construct_binary_text)

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


def load_documents(text, origin, locate=None):
    """Parse a multi-document YAML text into ``[(line, value)]``.

    ``line`` is the 1-based line where each document's content starts; empty
    documents are skipped. ``locate(line)`` names a place for error messages
    (default ``origin:line``). Raises ManifestError on invalid YAML.
    """
    locate = locate or _default_locate(origin)
    _require_yaml(locate(1))
    loader = KubeLoader(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1
            value = loader.construct_document(node)
            if value is None:
                continue
            docs.append((line, value))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, locate) from exc
    finally:
        loader.dispose()
    return docs


def load_manifests(text, origin, locate=None):
    """Parse a multi-document YAML text into a list of Manifest with origin
    ``origin:line`` (or ``locate(line)``). Values are not checked to be objects:
    see render_directory for that, and manifests.validate()."""
    locate = locate or _default_locate(origin)
    return [Manifest(value, locate(line)) for line, value in load_documents(text, origin, locate)]


def dump(obj):
    """Readable block-style YAML of one value (keys in their given order)."""
    _require_yaml("yaml")
    return yaml.dump(obj, Dumper=KubeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def dump_all(objs):
    """Readable multi-document YAML of a list of values."""
    _require_yaml("yaml")
    return yaml.dump_all(list(objs), Dumper=KubeDumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, explicit_start=True)
