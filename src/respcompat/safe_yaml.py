"""YAML from users on libyaml's safe loader, refusing alias bombs, recursive aliases and deep nesting before building.

An alias bomb ("billion laughs") composes to a small graph but expands to billions of nodes in any walk over the
data (schema validation, json.dumps), so the composed graph is measured before a single object is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

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
    stack = [(root, 1)]
    while stack:  # pass 1: a tree walk; an edge to a node seen before is an alias
        node, depth = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YAMLBombError(f"YAML alias expansion over {MAX_ALIASES} aliases: refused (a YAML bomb?)")
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YAMLBombError(f"a YAML document nested deeper than {MAX_DEPTH} levels: refused")
        stack.extend((c, depth + 1) for c in _children(node))
    if aliases:
        _check_expansion(root, len(seen))


def _check_expansion(root: Node, distinct: int) -> None:
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
            height[k] = 1 + max((height[id(c)] for c in kids), default=0)
            if size[k] - distinct > MAX_EXPANSION:
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
        raise YAMLBombError(f"a YAML document nested deeper than the interpreter allows: refused") from None
