"""YAML a hostile repository could hold, written by the tests that need it.

- alias_bomb(name)   a ConfigMap of about 0.5 KB whose data expands through aliases to
                     9**9 (387 million) strings: the "billion laughs"
- nested(depth)      a value nested ``depth`` levels deep (lists in mappings)

They are built as text, not kept as files: a fixture file would be read by linters
and by anything else that loads the repository's YAML.
"""

from __future__ import annotations

_LAUGHS = "abcdefghi"


def alias_bomb(name, namespace=None):
    """A ConfigMap manifest whose ``data.i`` expands to 9**9 strings (1 + 9 + ... + 9**9 nodes)."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: %s" % name]
    if namespace:
        lines.append("  namespace: %s" % namespace)
    lines += ["data:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, current in zip(_LAUGHS, _LAUGHS[1:]):
        lines.append("  %s: &%s [%s]" % (current, current, ",".join(["*" + previous] * 9)))
    return "\n".join(lines) + "\n"


def nested(depth, leaf="x"):
    """``{"k": [{"k": [... leaf]}]}`` with ``depth`` collections in all."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 == 0 else {"k": value}
    return value
