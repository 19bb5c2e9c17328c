"""Turn parsed values into RawDocuments: Kubernetes-object check, List expansion, spans."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from meshlint.findings import Finding, Related, ResourceRef, Severity
from meshlint.loader._positions import NodeTable
from meshlint.loader._slow import AliasPool, Duplicate, Entry, Walk
from meshlint.loader._split import Chunk
from meshlint.source import RawDocument, SourceMap, Span, SpanTable, pointer_within

if TYPE_CHECKING:
    from meshlint.loader._cache import PendingFile

ITEMS = "/items/"
ALIAS_POOL_NODES = 200_000  # four alias bombs' worth: seconds, not hours, for a file of them


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one load."""

    max_bytes: int
    max_depth: int
    alias_nodes: int = 50_000  # nodes a document may add through aliases
    # nodes all documents of the load may add through aliases (charged on value walks only)
    alias_pool: AliasPool = field(default_factory=lambda: AliasPool(ALIAS_POOL_NODES))

    def walk(self, path: str, line_offset: int = 0, *, values: bool = True) -> Walk:
        pool = self.alias_pool if values else None
        return Walk(path, self.max_depth, self.alias_nodes, line_offset, values, pool)


class Rebased(Mapping[str, Entry]):
    """The entries of a table below ``prefix`` (a List item), with pointers relative to it."""

    def __init__(self, base: SpanTable, prefix: str) -> None:
        self._base = base
        self._prefix = prefix

    def __getitem__(self, pointer: str) -> Entry:
        return self._base[self._prefix + pointer]

    def __iter__(self) -> Iterator[str]:
        prefix = self._prefix
        for pointer in self._base:
            if pointer_within(pointer, prefix):
                yield pointer[len(prefix) :]

    def __len__(self) -> int:
        return sum(1 for _ in self)


class RecentTables:
    """The span tables of one load that may keep their composed nodes (the most recent ones).

    Older tables keep what they already looked up and compose again on a miss, so memory
    (and the garbage collector's work) stays bounded however many documents have findings.
    """

    KEEP = 64

    def __init__(self) -> None:
        self._tables: deque[NodeTable] = deque()

    def composed(self, table: NodeTable) -> None:
        self._tables.append(table)
        if len(self._tables) > self.KEEP:
            self._tables.popleft().release()


@dataclass(slots=True)
class Output:
    """What a load has produced so far."""

    documents: list[RawDocument] = field(default_factory=list)
    recent: RecentTables = field(default_factory=RecentTables)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    skipped: int = 0
    # with a cache: schema findings of restored documents (by position), files to store
    schema: dict[int, tuple[Finding, ...]] = field(default_factory=dict)
    pending: list[PendingFile] = field(default_factory=list)


class FileSource:
    """The text of one file and its span tables, computed on first use (one parse per document)."""

    __slots__ = ("_recent", "_tables", "limits", "path", "text")

    def __init__(self, path: str, text: str, limits: Limits, recent: RecentTables) -> None:
        self.path = path
        self.text = text
        self.limits = limits
        self._tables: dict[int, SpanTable] = {}
        self._recent = recent

    def table(self, chunk: Chunk) -> SpanTable:
        table = self._tables.get(chunk.start)
        if table is None:
            text = self.text[chunk.start : chunk.end]
            walk = self.limits.walk(self.path, chunk.line, values=False)
            table = self._tables[chunk.start] = NodeTable(text, walk, self._recent.composed)
        return table

    def item_table(self, chunk: Chunk, item: int) -> SpanTable:
        return Rebased(self.table(chunk), f"{ITEMS}{item}")


def is_object(value: object) -> bool:
    """A Kubernetes-like object: a mapping with string ``apiVersion`` and ``kind``."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
    )


def is_list(value: dict[str, Any]) -> bool:
    """``kind: List`` or any ``*List`` kind with an ``items`` sequence."""
    return str(value["kind"]).endswith("List") and isinstance(value.get("items"), list)


def resource_ref(value: Mapping[str, Any]) -> ResourceRef | None:
    """The resource a document describes, when it says so."""
    metadata = value.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    kind, name, namespace = value.get("kind"), metadata.get("name"), metadata.get("namespace")
    if not isinstance(kind, str) or not isinstance(name, str):
        return None
    api = value.get("apiVersion")
    return ResourceRef(
        kind,
        name,
        namespace if isinstance(namespace, str) else None,
        api if isinstance(api, str) else "",
    )


@dataclass(frozen=True, slots=True)
class Place:
    """Where a document came from: file, index, Helm template, and how to get its spans."""

    path: str
    index: int
    origin: Span
    template: str | None
    spans: Callable[[int | None], Callable[[], SpanTable]]


def add_value(out: Output, value: object, place: Place) -> None:
    """Add the documents a parsed value holds (none, one, or one per List item)."""
    if value is None:
        return
    if not is_object(value):
        out.skipped += 1
        return
    assert isinstance(value, dict)
    if not is_list(value):
        out.documents.append(_document(value, place, None))
        return
    for item, entry in enumerate(value["items"]):
        if is_object(entry):
            out.documents.append(_document(entry, place, item))
        else:
            out.skipped += 1


def _document(data: dict[str, Any], place: Place, item: int | None) -> RawDocument:
    source = SourceMap(place.path, place.origin, place.spans(item))
    return RawDocument(place.path, place.index, data, source, place.template, item)


def lazy_spans(source: FileSource, chunk: Chunk) -> Callable[[int | None], Callable[[], SpanTable]]:
    """Span resolvers that parse the chunk with PyYAML on first use."""

    def resolver(item: int | None) -> Callable[[], SpanTable]:
        if item is None:
            return partial(source.table, chunk)
        return partial(source.item_table, chunk, item)

    return resolver


def eager_spans(table: SpanTable) -> Callable[[int | None], Callable[[], SpanTable]]:
    """Span resolvers over a table the slow path has already built."""

    def resolver(item: int | None) -> Callable[[], SpanTable]:
        rebased = table if item is None else Rebased(table, f"{ITEMS}{item}")
        return lambda: rebased

    return resolver


def _owner(value: object, pointer: str) -> tuple[ResourceRef | None, str]:
    """The resource a pointer in a document belongs to, and the pointer inside it."""
    if not isinstance(value, dict) or not is_object(value):
        return None, pointer
    if is_list(value) and pointer.startswith(ITEMS):
        index, _, rest = pointer[len(ITEMS) :].partition("/")
        items = value["items"]
        if index.isdigit() and int(index) < len(items) and is_object(items[int(index)]):
            return resource_ref(items[int(index)]), "/" + rest if rest else ""
    return resource_ref(value), pointer


def duplicate_finding(duplicate: Duplicate, value: object) -> Finding:
    """MESH002 at the second occurrence of a key, related to the first."""
    resource, pointer = _owner(value, duplicate.pointer)
    first = duplicate.first
    message = (
        f'duplicate key "{duplicate.key}" (first at line {first.line}); '
        "Kubernetes keeps the last value"
    )
    return Finding(
        "MESH002",
        "yaml-duplicate-key",
        Severity.ERROR,
        message,
        duplicate.span,
        resource,
        pointer,
        (Related(first, f'first "{duplicate.key}"'),),
    )
