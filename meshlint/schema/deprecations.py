"""Fields and enum values a kind's schema marks deprecated, found without a full walk.

Fields carry ``deprecated: true`` and ``x-deprecated-message``; enum values are listed on
the field as ``x-deprecated-values: {VALUE: message}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from meshlint.schema.access import as_map
from meshlint.schema.issues import DEPRECATED, Issue, deprecated
from meshlint.schema.rewrites import field_fix, value_fix
from meshlint.source import join_pointer

ITEMS = 0  # trie key for "every list item"
VALUES = 1  # trie key for "every value of a free-form map"
MAX_REFS = 40


@dataclass(slots=True)
class Node:
    """What is deprecated at one schema location, and below it."""

    message: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    children: dict[str | int, Node] = field(default_factory=dict)

    def empty(self) -> bool:
        return self.message is None and not self.values and not self.children

    def merge(self, other: Node) -> None:
        self.message = self.message or other.message
        self.values.update(other.values)
        for key, child in other.children.items():
            self.add(key, child)

    def add(self, key: str | int, child: Node) -> None:
        if not child.empty():
            self.children.setdefault(key, Node()).merge(child)


class _Builder:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root

    def build(self, schema: object, active: frozenset[str] = frozenset()) -> Node:
        node = Node()
        spec = as_map(schema)
        if len(active) > MAX_REFS:
            return node
        node.message = _message(spec)
        node.values = {str(k): str(v) for k, v in as_map(spec.get("x-deprecated-values")).items()}
        for name, sub in as_map(spec.get("properties")).items():
            node.add(name, self.build(sub, active))
        for key, child in (("items", ITEMS), ("additionalProperties", VALUES)):
            if isinstance(spec.get(key), dict):
                node.add(child, self.build(spec[key], active))
        for combinator in ("anyOf", "oneOf", "allOf"):
            branches = spec.get(combinator)
            for branch in branches if isinstance(branches, list) else ():
                node.merge(self.build(branch, active))
        ref = spec.get("$ref")
        if isinstance(ref, str) and ref not in active:
            node.merge(self.build(self._resolve(ref), active | {ref}))
        return node

    def _resolve(self, ref: str) -> object:
        node: object = self._root
        for token in ref.lstrip("#").split("/")[1:]:
            node = as_map(node).get(token.replace("~1", "/").replace("~0", "~"))
        return node


def _message(schema: Mapping[str, Any]) -> str | None:
    if schema.get("deprecated") is not True:
        return None
    detail = schema.get("x-deprecated-message")
    return detail if isinstance(detail, str) and detail else "no replacement given"


def deprecation_tree(root: Mapping[str, Any]) -> Node:
    return _Builder(root).build(root)


def deprecated_fields(node: Node, value: Any, pointer: str = "") -> Iterator[Issue]:
    """A MESH006 issue for every deprecated field or enum value present in ``value``."""
    for key, child in node.children.items():
        for child_pointer, child_value in _children(key, value, pointer):
            if child.message is not None and isinstance(key, str):
                text = f'field "{key}" is deprecated: {child.message}'
                yield deprecated(child_pointer, text, field_fix(key, value, child_pointer))
            if isinstance(child_value, str) and child_value in child.values:
                detail = child.values[child_value]
                text = f'{key} value "{child_value}" is deprecated: {detail}'
                fix = value_fix(child_value, child_pointer)
                yield Issue(DEPRECATED, child_pointer, text, fix=fix)
            if child.children:
                yield from deprecated_fields(child, child_value, child_pointer)


def _children(key: str | int, value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if key == ITEMS and isinstance(value, list):
        yield from ((join_pointer(pointer, i), v) for i, v in enumerate(value))
    elif key == VALUES and isinstance(value, dict):
        yield from ((join_pointer(pointer, k), v) for k, v in value.items())
    elif isinstance(key, str) and isinstance(value, dict) and key in value:
        yield join_pointer(pointer, key), value[key]
