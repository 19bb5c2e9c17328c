"""Span tables resolved pointer by pointer from composed PyYAML nodes (the lazy path).

A document that took the fast path has no positions yet. When a finding asks for one, just
that document is composed (without resolving scalar tags, which positions do not need) and
the pointer is followed through the nodes: O(depth) per lookup, not a walk of everything.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meshlint.loader._scalars import MERGE, STR, key_text, scalar
from meshlint.loader._slow import Entry, Parsed, Walk, YAML11Resolver, parse_stream
from meshlint.source import Span

_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_PLAIN = "?plain"  # an implicit plain scalar that _PositionComposer did not resolve


class _PositionComposer(CParser):
    """Composes without resolving scalar tags: positions need none, and the few keys a
    lookup compares are resolved then (about 40% faster than resolving every scalar)."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)

    def resolve(self, kind: type[Node], value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, *args: object) -> None:
        """No path-dependent resolvers."""

    def ascend_resolver(self, *args: object) -> None:
        """No path-dependent resolvers."""


def _resolve_plain(text: str) -> str:
    """The tag PyYAML's implicit resolvers (minus timestamps) give a plain scalar."""
    for tag, regexp in YAML11Resolver.yaml_implicit_resolvers.get(text[:1], []):
        if regexp.match(text):
            return str(tag)
    return STR


def _is_merge(node: Node) -> bool:
    return node.tag == MERGE or (node.tag == _PLAIN and node.value == "<<")


def _starts_before(node: Node, other: Node) -> bool:
    first, second = node.start_mark, other.start_mark
    return (first.line, first.column) < (second.line, second.column)


def _key_of(node: Node) -> str | None:
    """The key text of a node composed by either composer (None: not a usable key)."""
    if not isinstance(node, ScalarNode):
        return None
    tag, text = node.tag, node.value
    if tag == STR:
        return str(text)
    if tag == _PLAIN:
        tag = _resolve_plain(text)
    try:
        return key_text(scalar(tag, text))
    except (KeyError, ValueError):
        return None


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~") if "~" in token else token


class NodeTable(Mapping[str, Entry]):
    """A span table that finds each pointer by following it through the composed nodes.

    Looking up one pointer costs O(depth), not a walk of the whole document; iterating builds
    the full table once (the same walk the eager path does).
    """

    def __init__(
        self, text: str, walk: Walk, on_compose: Callable[[NodeTable], None] | None = None
    ) -> None:
        self._text = text
        self._walk = walk
        self._offset = walk.line_offset + 1
        self._on_compose = on_compose
        self._root: Node | None = None
        self._composed = False
        self._found: dict[str, Entry | None] = {}
        self._full: dict[str, Entry] | None = None

    def release(self) -> None:
        """Drop the composed nodes (looked-up entries stay; a miss composes again)."""
        self._root, self._composed = None, False

    def _node(self) -> Node | None:
        if not self._composed:
            self._root, self._composed = _compose(self._text), True
            if self._on_compose is not None:
                self._on_compose(self)
        return self._root

    def _span(self, node: Node, end: Node | None = None) -> Span:
        start, stop, off = node.start_mark, (end or node).end_mark, self._offset
        return Span(
            self._walk.path, start.line + off, start.column + 1, stop.line + off, stop.column + 1
        )

    def _last(self, node: Node) -> Node:
        """The node whose end is the end of ``node`` (block collections end at their last value)."""
        for _ in range(self._walk.max_depth):
            if (
                not isinstance(node, (SequenceNode, MappingNode))
                or node.flow_style
                or not node.value
            ):
                return node
            if isinstance(node, SequenceNode):
                begin, child = node, node.value[-1]
            elif _is_merge(node.value[-1][0]):
                return node
            else:
                begin, child = node.value[-1]
            if _starts_before(child, begin):
                return node  # an alias: its value is the anchored node, written earlier
            node = child
        return node

    def _in_mapping(self, node: MappingNode, token: str, depth: int) -> tuple[Node, Node] | None:
        """The (key, value) nodes for ``token``: the last explicit key, else the first merge."""
        merges: list[Node] = []
        for key_node, value_node in reversed(node.value):
            if _is_merge(key_node):
                merges.insert(0, value_node)
            elif _key_of(key_node) == token:
                return key_node, value_node
        if depth > self._walk.max_depth:
            return None
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                found = (
                    self._in_mapping(source, token, depth + 1)
                    if isinstance(source, MappingNode)
                    else None
                )
                if found is not None:
                    return found
        return None

    def _child(self, node: Node, token: str) -> tuple[Node | None, Node] | None:
        if isinstance(node, SequenceNode):
            index = int(token) if token.isdigit() else -1
            return (None, node.value[index]) if 0 <= index < len(node.value) else None
        if isinstance(node, MappingNode):
            return self._in_mapping(node, token, 0)
        return None

    def __getitem__(self, pointer: str) -> Entry:
        if pointer not in self._found:
            self._found[pointer] = self._find(pointer)
        entry = self._found[pointer]
        if entry is None:
            raise KeyError(pointer)
        return entry

    def _find(self, pointer: str) -> Entry | None:
        tokens = pointer.split("/")[1:] if pointer else []
        node = self._node()
        if node is None or len(tokens) > self._walk.max_depth:
            return None
        key: Node | None = None
        for token in tokens:
            found = self._child(node, _unescape(token))
            if found is None:
                return None
            key, node = found
        return self._span(node, self._last(node)), (None if key is None else self._span(key))

    def _table(self) -> dict[str, Entry]:
        if self._full is None:
            self._full = {}
            for parsed in parse_stream(self._text, self._walk):
                if isinstance(parsed, Parsed):
                    self._full = parsed.table
        return self._full

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def _compose(text: str) -> Node | None:
    """The nodes of the single document in ``text`` (None if it cannot be composed)."""
    composer = _PositionComposer(text)
    enabled = gc.isenabled()
    gc.disable()  # every object made here is alive until the end: no collection needed
    try:
        node: Node | None = composer.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        composer.dispose()
        if enabled:
            gc.enable()
    return node


def compose_table(text: str, walk: Walk) -> Mapping[str, Entry]:
    """The span table of the single document in ``text``, resolved pointer by pointer."""
    return NodeTable(text, walk)
