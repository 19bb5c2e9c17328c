"""Source positions: spans, JSON-pointer span maps and raw documents (stdlib only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A region of a file. Lines and columns are 1-based; ``end_column`` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# pointer -> (value span, key span or None for list items and the root)
SpanTable = Mapping[str, tuple[Span, Span | None]]


def escape_token(token: str | int) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return base + "".join("/" + escape_token(t) for t in tokens)


def pointer_within(pointer: str, base: str) -> bool:
    """Whether ``pointer`` is ``base`` or lies inside it (``/spec/http/0`` in ``/spec``)."""
    return pointer == base or pointer.startswith(base + "/")


def parent_pointer(pointer: str) -> str:
    """The pointer of the enclosing node ("" for the root)."""
    return pointer.rpartition("/")[0]


class SourceMap:
    """Maps JSON pointers inside one document to spans.

    The table is built on first use by ``resolve`` (the loader may compute positions lazily,
    only for documents that have findings). A pointer with no entry falls back to its
    nearest ancestor, and finally to ``origin`` (the document start).
    """

    __slots__ = ("_resolve", "_table", "origin", "path")

    def __init__(self, path: str, origin: Span, resolve: Callable[[], SpanTable]) -> None:
        self.path = path
        self.origin = origin
        self._resolve = resolve
        self._table: SpanTable | None = None

    @classmethod
    def from_table(cls, path: str, origin: Span, table: SpanTable) -> SourceMap:
        return cls(path, origin, lambda: table)

    def _lookup(self, pointer: str) -> tuple[Span, Span | None] | None:
        if self._table is None:
            self._table = self._resolve()
        current = pointer
        while True:
            entry = self._table.get(current)
            if entry is not None or current == "":
                return entry
            current = parent_pointer(current)

    def span(self, pointer: str) -> Span:
        """Span of the value at ``pointer`` (or of its nearest existing ancestor)."""
        entry = self._lookup(pointer)
        return self.origin if entry is None else entry[0]

    def key_span(self, pointer: str) -> Span:
        """Span of the mapping key at ``pointer``; the value span for list items and the root."""
        entry = self._lookup(pointer)
        if entry is None:
            return self.origin
        return entry[1] or entry[0]

    def has(self, pointer: str) -> bool:
        """Whether ``pointer`` itself (not an ancestor) has a recorded span."""
        if self._table is None:
            self._table = self._resolve()
        return pointer in self._table


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One YAML/JSON document as plain dicts/lists, with where it came from."""

    path: str  # display path, relative to the working directory where possible
    index: int  # 0-based document index within the file (List items share their list's index)
    data: dict[str, Any]
    source: SourceMap
    template: str | None = None  # Helm `# Source:` template name, when present
    item: int | None = None  # index inside a `kind: List`, when expanded from one
    extra: Mapping[str, Any] = field(default_factory=dict)
