"""YAML from users on libyaml's safe loader, refusing alias bombs, recursive aliases and deep nesting before building.

An alias bomb ("billion laughs") composes to a small graph but expands to billions of nodes in any walk over the
data (schema validation, json.dumps), so the composed graph is measured before a single object is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .safe_json import MAX_DEPTH

MAX_ALIASES = 100  # hand-written YAML uses a few; a recorder's dump (`*id001`) a few more
MAX_EXPANSION = 100_000  # nodes that resolving the aliases adds to the document

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLBombError(yaml.YAMLError):
    """The document would expand (or nest) past our bounds; the message says which and by how much."""


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_node(root: Node) -> None:
    """Raise YAMLBombError when the composed graph holds too many aliases, expands too far or nests too deep."""
    seen: set[int] = set()
    aliases = 0
    depth = 0
    level = [] if type(root) is ScalarNode else [root]
    # Pass 1, level by level over collections only (scalars are most nodes, and an aliased scalar is one string
    # shared, not a copy): a collection reached again is an alias.
    while level:
        depth += 1
        below: list[Node] = []
        for node in level:
            if id(node) in seen:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise YAMLBombError(f"YAML alias expansion over {MAX_ALIASES} aliases: refused (a YAML bomb?)")
                continue
            seen.add(id(node))
            if type(node) is MappingNode:
                for k, v in node.value:
                    if type(k) is not ScalarNode:
                        below.append(k)
                    if type(v) is not ScalarNode:
                        below.append(v)
            else:
                below.extend(c for c in node.value if type(c) is not ScalarNode)
        if below and depth >= MAX_DEPTH:
            raise YAMLBombError(f"a YAML document nested deeper than {MAX_DEPTH} levels: refused")
        level = below
    if aliases:
        _check_expansion(root)


def _check_expansion(root: Node) -> None:
    """Pass 2, only with aliases: the expanded size and depth, memoised per node; a node inside itself is refused."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    open_: set[int] = set()  # on the current path
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        k = id(node)
        kids = _children(node)
        if done:
            open_.discard(k)
            size[k] = 1 + sum(size[id(c)] for c in kids)
            height[k] = 0 if type(node) is ScalarNode else 1 + max((height[id(c)] for c in kids), default=0)
            if size[k] - len(size) > MAX_EXPANSION:  # expanded minus distinct nodes, at most
                raise YAMLBombError(f"YAML alias expansion over {MAX_EXPANSION} nodes: refused (a YAML bomb?)")
            if height[k] > MAX_DEPTH:
                raise YAMLBombError(f"a YAML document nested deeper than {MAX_DEPTH} levels (through aliases): refused")
            continue
        if k in size:
            continue
        if k in open_:
            raise YAMLBombError("a YAML alias inside the node it names (a recursive document): refused")
        open_.add(k)
        stack.append((node, True))
        stack.extend((c, False) for c in kids if id(c) not in size)


class BoundedMixin:
    """Put before a PyYAML loader class: its `get_single_data` measures the composed graph before constructing."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        check_node(node)
        return self.construct_document(node)  # type: ignore[attr-defined]


class SafeLoader(BoundedMixin, _Base):  # type: ignore[misc,valid-type]
    """Safe, bounded YAML, C-accelerated when available."""


class DataLoader(BoundedMixin, _Base):  # type: ignore[misc,valid-type]
    """SafeLoader for recordings: timestamps stay strings, so documents round-trip to JSON."""


DataLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str | bytes, loader: type = SafeLoader) -> Any:
    """One YAML document, bounded; raises yaml.YAMLError (YAMLBombError among them)."""
    try:
        return yaml.load(text, Loader=loader)
    except RecursionError:  # the pure-Python fallback composer recurses per level
        raise YAMLBombError("a YAML document nested deeper than the interpreter allows: refused") from None
    except (ValueError, OverflowError) as exc:  # a scalar no Python value holds (an int of 5,000 digits)
        raise yaml.constructor.ConstructorError(None, None, f"cannot build a value: {exc}") from None
