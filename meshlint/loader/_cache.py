"""The loader's side of the cache: one file's documents and findings as plain values, and back.

An entry holds what loading a file produced (its documents' data, origins and Helm templates,
the chunk each came from, its syntax findings, how many documents were skipped) plus the
schema findings of its documents, which the pipeline adds after validation. Spans are not
stored: a restored document resolves them from the file's current text, which is the same
text since the key is its content, exactly as a freshly parsed document does (on first use).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from meshlint.cache import Cache, finding_plain, finding_value
from meshlint.findings import Finding
from meshlint.loader._documents import FileSource, Limits, Output, RecentTables, lazy_spans
from meshlint.loader._split import Chunk
from meshlint.loader._text import decode
from meshlint.source import RawDocument, SourceMap, Span

FILES = "files"

Plain = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class PendingFile:
    """A file parsed in this run, stored once its documents' schema findings are known."""

    key: str
    path: str
    payload: Plain
    start: int  # its documents are LoadResult.documents[start:stop]
    stop: int


@dataclass(frozen=True, slots=True)
class Mark:
    """How far an ``Output`` had got before a file was loaded."""

    documents: int
    findings: int
    skipped: int

    @classmethod
    def of(cls, out: Output) -> Mark:
        return cls(len(out.documents), len(out.findings), out.skipped)


def file_key(cache: Cache, data: bytes, limits: Limits) -> str:
    """The key of one file's entry: its bytes and the limits it was loaded under."""
    bounds = f"{limits.max_bytes}:{limits.max_depth}:{limits.alias_nodes}"
    return cache.key(b"file", bounds.encode(), data)


def record(out: Output, mark: Mark, key: str, path: str, chunks: Sequence[Chunk] | None) -> None:
    """Note the file just loaded into ``out`` for storing; ``chunks`` (by document index)
    is None when it was read as one stream (its spans exist only in that parse)."""
    if chunks is None:
        return
    documents = out.documents[mark.documents :]
    payload = (
        out.skipped - mark.skipped,
        tuple(finding_plain(f, path) for f in out.findings[mark.findings :]),
        tuple((c.start, c.end, c.line, c.leading) for c in chunks),
        tuple(_document_plain(doc) for doc in documents),
    )
    out.pending.append(PendingFile(key, path, payload, mark.documents, len(out.documents)))


def _document_plain(doc: RawDocument) -> Plain:
    origin = doc.source.origin
    where = (origin.line, origin.column, origin.end_line, origin.end_column)
    return (doc.index, doc.item, doc.data, where, doc.template)


def store(
    cache: Cache, pending: Sequence[PendingFile], schema: Mapping[int, Sequence[Finding]]
) -> None:
    """Write the entries of ``pending`` files; ``schema`` is the schema findings by document."""
    for file in pending:
        found = tuple(
            tuple(finding_plain(f, file.path) for f in schema.get(index, ()))
            for index in range(file.start, file.stop)
        )
        cache.put(FILES, file.key, (file.payload, found))


def restore(out: Output, entry: Any, path: str, data: bytes, limits: Limits) -> bool:
    """Add a stored file's documents and findings to ``out``; False when ``entry`` is
    missing or malformed (then nothing was added)."""
    if entry is None:
        return False
    try:
        restored = _Restored.of(entry, path, data, limits, out.recent)
    except (TypeError, ValueError, IndexError, KeyError):
        return False
    out.files += 1
    out.skipped += restored.skipped
    out.findings.extend(restored.findings)
    base = len(out.documents)
    out.documents.extend(restored.documents)
    out.schema.update({base + i: found for i, found in enumerate(restored.schema)})
    return True


@dataclass(frozen=True, slots=True)
class _Restored:
    skipped: int
    findings: list[Finding]
    documents: list[RawDocument]
    schema: list[tuple[Finding, ...]]

    @classmethod
    def of(
        cls, entry: Any, path: str, data: bytes, limits: Limits, recent: RecentTables
    ) -> _Restored:
        (skipped, findings, chunks, documents), schema = entry
        source = _source(path, data, limits, recent) if documents else None
        cut = [Chunk(*chunk) for chunk in chunks]
        restored = [_document(source, cut, plain, path) for plain in documents]
        found = [tuple(finding_value(f, path) for f in per_doc) for per_doc in schema]
        if len(found) != len(restored) or not isinstance(skipped, int):
            raise ValueError("entry does not match its documents")
        return cls(skipped, [finding_value(f, path) for f in findings], restored, found)


def _source(path: str, data: bytes, limits: Limits, recent: RecentTables) -> FileSource:
    text = decode(data, path)
    if isinstance(text, Finding):
        raise ValueError("stored documents for text that does not decode")
    return FileSource(path, text, limits, recent)


def _document(
    source: FileSource | None, chunks: list[Chunk], plain: Plain, path: str
) -> RawDocument:
    index, item, data, origin, template = plain
    if source is None or not isinstance(data, dict):
        raise TypeError("a stored document is not a mapping")
    spans = lazy_spans(source, chunks[index])(item)
    return RawDocument(
        path, index, data, SourceMap(path, Span(path, *origin), spans), template, item
    )
