"""PyYAML adapter: compose with the C parser and walk the nodes, recording every position.

This is the authoritative (and slower) path: it builds JSON-compatible data with YAML 1.1
semantics, the span of every key and value, and finds duplicate keys, unsupported tags, alias
bombs and over-deep nesting. The fast path falls back to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import yaml
from yaml._yaml import CParser
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from meshlint.findings import Finding
from meshlint.loader._scalars import MAP_TAGS, MERGE, SEQ_TAGS, key_text, scalar
from meshlint.loader._text import position, syntax_finding
from meshlint.source import Span, join_pointer

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
Entry = tuple[Span, Span | None]


class YAML11Resolver(Resolver):
    """PyYAML's YAML 1.1 implicit resolution, minus timestamps (they stay strings)."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML reads it as a class attribute
        first: [(tag, rx) for tag, rx in entries if tag != _TIMESTAMP]
        for first, entries in Resolver.yaml_implicit_resolvers.items()
    }


class _Composer(CParser, YAML11Resolver):
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        YAML11Resolver.__init__(self)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A repeated mapping key: its pointer, text, and both key positions."""

    pointer: str
    key: str
    span: Span
    first: Span


@dataclass(frozen=True, slots=True)
class Parsed:
    """One document from the slow path: data, span table and duplicate keys."""

    value: object
    table: dict[str, Entry]
    duplicates: tuple[Duplicate, ...]


class AliasPool:
    """Nodes that aliases may still add in a whole load, shared by its documents.

    The per-document budget bounds one alias bomb; this bounds a file of thousands of them
    (each document walking its full budget would cost seconds per kilobyte).
    """

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


@dataclass(frozen=True, slots=True)
class Walk:
    """How to walk a stream: display path, line offset of the text, and limits."""

    path: str
    max_depth: int
    budget: int  # nodes that aliases may add, per document
    line_offset: int = 0  # 0-based line of the text's first line in its file
    values: bool = True  # False: only positions are wanted (scalar values stay None)
    pool: AliasPool | None = None  # the load-wide budget, charged with what each document used


ALIAS_MESSAGE = "alias expansion is too large (an alias bomb?)"
ALIAS_POOL_MESSAGE = f"{ALIAS_MESSAGE}: aliases in this input already added too many nodes"


class _Abort(Exception):
    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _child(pointer: str, key: str) -> str:
    """``join_pointer`` for one key, without escaping work when none is needed (hot path)."""
    if "~" in key or "/" in key:
        return join_pointer(pointer, key)
    return f"{pointer}/{key}"


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tag_text(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Walker:
    """Builds plain data from a composed node graph, recording spans as it goes."""

    def __init__(self, walk: Walk) -> None:
        self.path = walk.path
        self.values = walk.values
        self.offset = walk.line_offset + 1
        self.max_depth = walk.max_depth
        pool = walk.budget if walk.pool is None else walk.pool.left
        self.left = self.start = min(walk.budget, pool)  # nodes that aliases may still add
        self.bomb = ALIAS_POOL_MESSAGE if pool < walk.budget else ALIAS_MESSAGE
        self.seen: set[int] = set()  # collection nodes walked once (again means: an alias)
        self.expanding = 0  # > 0 while walking an alias's target again
        self.table: dict[str, Entry] = {}
        self.duplicates: dict[tuple[int, int], Duplicate] = {}

    def span(self, node: Node) -> Span:
        start, end = node.start_mark, node.end_mark
        off = self.offset
        return Span(self.path, start.line + off, start.column + 1, end.line + off, end.column + 1)

    def value(self, node: Node, pointer: str, key_span: Span | None, depth: int) -> object:
        if self.expanding:
            self.left -= 1
            if self.left < 0:
                raise _Abort(node.start_mark, self.bomb)
        if depth > self.max_depth:
            raise _Abort(node.start_mark, f"nesting is deeper than {self.max_depth} levels")
        if isinstance(node, ScalarNode):
            self.table[pointer] = (self.span(node), key_span)
            return self.scalar(node) if self.values else None
        with self._visit(node):
            result: object
            if isinstance(node, SequenceNode):
                result = self.sequence(node, pointer, depth)
            elif isinstance(node, MappingNode):
                result = self.mapping(node, pointer, depth)
            else:
                raise _Abort(node.start_mark, f"unexpected node {type(node).__name__}")
        self.table[pointer] = (self._collection_span(node, pointer), key_span)
        return result

    @contextmanager
    def _visit(self, node: Node) -> Iterator[None]:
        """Count what an alias (a second walk of the same node) adds."""
        alias = id(node) in self.seen
        self.seen.add(id(node))
        self.expanding += alias
        try:
            yield
        finally:
            self.expanding -= alias

    def _last_child(self, node: SequenceNode | MappingNode, pointer: str) -> str | None:
        if not node.value:
            return None
        if isinstance(node, SequenceNode):
            return f"{pointer}/{len(node.value) - 1}"
        key_node = node.value[-1][0]
        if key_node.tag == MERGE:
            return None
        return _child(pointer, self.key(key_node))

    def _collection_span(self, node: SequenceNode | MappingNode, pointer: str) -> Span:
        """The node's span; a block collection ends where its last value ends."""
        span = self.span(node)
        last = None if node.flow_style else self._last_child(node, pointer)
        entry = self.table.get(last) if last is not None else None
        if entry is None:
            return span
        end, key = entry
        begin = key or span
        if (end.line, end.column) < (begin.line, begin.column):
            return span  # an alias: its value is the anchored node, written earlier
        return Span(span.path, span.line, span.column, end.end_line, end.end_column)

    def scalar(self, node: ScalarNode) -> object:
        try:
            return scalar(node.tag, node.value)
        except KeyError:
            message = f"unsupported tag {_tag_text(node.tag)}; only YAML core tags are allowed"
            raise _Abort(node.start_mark, message) from None
        except ValueError as exc:
            message = f"{_excerpt(node.value)!r} is not a valid {_tag_text(node.tag)}"
            if "out of range" in str(exc):
                message += f": {exc}"
            raise _Abort(node.start_mark, message) from None

    def sequence(self, node: SequenceNode, pointer: str, depth: int) -> list[object]:
        if node.tag not in SEQ_TAGS:
            raise _Abort(node.start_mark, f"unsupported tag {_tag_text(node.tag)} on a sequence")
        return [
            self.value(child, f"{pointer}/{index}", None, depth + 1)
            for index, child in enumerate(node.value)
        ]

    def mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, object]:
        if node.tag not in MAP_TAGS:
            raise _Abort(node.start_mark, f"unsupported tag {_tag_text(node.tag)} on a mapping")
        result: dict[str, object] = {}
        for source in reversed([v for k, v in node.value if k.tag == MERGE]):
            self.merge(source, pointer, depth, result)
        first: dict[str, Span] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                continue
            key = self.key(key_node)
            key_span = self.span(key_node)
            child = _child(pointer, key)
            if key in first:
                where = (key_span.line, key_span.column)
                self.duplicates[where] = Duplicate(child, key, key_span, first[key])
            first[key] = key_span
            result[key] = self.value(value_node, child, key_span, depth + 1)
        return result

    def merge(self, source: Node, pointer: str, depth: int, into: dict[str, object]) -> None:
        """Apply a ``<<`` merge: a mapping, or a list of mappings (earlier ones win)."""
        if isinstance(source, MappingNode):
            with self._visit(source):
                into.update(self.mapping(source, pointer, depth))
            return
        if isinstance(source, SequenceNode):
            for item in reversed(source.value):
                if isinstance(item, MappingNode):
                    self.merge(item, pointer, depth, into)
                    continue
                raise _Abort(item.start_mark, "a merge key (<<) takes mappings only")
            return
        raise _Abort(source.start_mark, "a merge key (<<) takes a mapping or a list of mappings")

    def key(self, node: Node) -> str:
        if isinstance(node, ScalarNode):
            return key_text(self.scalar(node))
        what = "sequence" if isinstance(node, SequenceNode) else "mapping"
        raise _Abort(node.start_mark, f"a mapping key is a {what}; only scalar keys are allowed")


def _error_finding(exc: Exception, text: str, path: str, line_offset: int) -> Finding:
    """A MESH001 finding for a PyYAML error, at the parser's position."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        message = f"{problem} ({exc.context})" if exc.context else problem
        if mark is not None:
            return syntax_finding(path, mark.line + line_offset + 1, mark.column + 1, message)
        return syntax_finding(path, line_offset + 1, 1, message)
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = position(text, exc.position)
        return syntax_finding(path, line + line_offset, column, str(exc.reason))
    return syntax_finding(path, line_offset + 1, 1, f"nesting is too deep ({exc})")


def _walk(node: Node, walk: Walk) -> Parsed:
    walker = _Walker(walk)
    try:
        value = walker.value(node, "", None, 0)
    finally:
        if walk.pool is not None:
            walk.pool.left -= walker.start - max(walker.left, 0)
    return Parsed(value, walker.table, tuple(walker.duplicates.values()))


def parse_stream(text: str, walk: Walk) -> Iterator[Parsed | Finding]:
    """Every document of ``text`` in order; a Finding replaces a document that is invalid.

    After a syntax error the parser cannot go on, so the error is the last item.
    """
    offset = walk.line_offset
    composer = _Composer(text)
    try:
        while True:
            try:
                node = composer.get_node() if composer.check_node() else None
                if node is None:
                    return
            except (yaml.YAMLError, RecursionError) as exc:
                yield _error_finding(exc, text, walk.path, offset)
                return
            try:
                yield _walk(node, walk)
            except _Abort as abort:
                mark = abort.mark
                line, column = mark.line + offset + 1, mark.column + 1
                yield syntax_finding(walk.path, line, column, abort.message)
    finally:
        composer.dispose()
