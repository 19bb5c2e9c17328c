"""Load YAML/JSON files, directories and stdin into RawDocuments, with syntax findings.

The only place meshlint imports a YAML library (PyYAML in ``_slow``, yaml-rs in ``_fast``).
Speed: each document is parsed by yaml-rs (no positions) when cheap screens show it cannot
differ from PyYAML's YAML 1.1 reading; everything else, and every fast-path failure, goes
through PyYAML's C composer plus a walk that records positions and duplicate keys. Exact
spans of fast-path documents are computed on first use by re-parsing just that document.
With a cache (``meshlint.cache``), a file whose bytes were loaded before is restored from its
entry instead (``_cache``), its spans still computed on first use from its text.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from meshlint.cache import Cache
from meshlint.findings import Finding
from meshlint.loader import _cache, _fast, _split
from meshlint.loader._documents import (
    FileSource,
    Limits,
    Output,
    Place,
    add_value,
    duplicate_finding,
    eager_spans,
    lazy_spans,
)
from meshlint.loader._gc import gc_paused
from meshlint.loader._paths import Input, ReadFile, expand, inputs_of, read
from meshlint.loader._slow import Parsed, parse_stream
from meshlint.loader._text import decode, normalize, position, syntax_finding
from meshlint.source import RawDocument, Span

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "LoadResult",
    "ReadFile",
    "load",
    "load_text",
    "read_files",
    "store_files",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Kubernetes objects rarely nest 30 levels; 128 keeps every recursive consumer downstream
# (jsonschema, pydantic, JSON encoding for Rego) well inside Python's recursion limit.
DEFAULT_MAX_DEPTH = 128


@dataclass(frozen=True)
class LoadResult:
    """Documents that look like Kubernetes objects, syntax findings, and counts."""

    documents: tuple[RawDocument, ...]
    findings: tuple[Finding, ...]
    files: int
    skipped: int
    # with a cache: the stored schema findings of documents restored from it (by position),
    # and the files parsed afresh, for ``store_files`` once their schema findings are known
    schema: Mapping[int, tuple[Finding, ...]] = field(default_factory=dict)
    pending: tuple[_cache.PendingFile, ...] = ()


def _origin(path: str, line: int) -> Span:
    return Span(path, line, 1, line, 1)


def _add_parsed(out: Output, parsed: Parsed | Finding, place: Place) -> None:
    if isinstance(parsed, Finding):
        out.findings.append(parsed)
        return
    out.findings.extend(duplicate_finding(d, parsed.value) for d in parsed.duplicates)
    add_value(out, parsed.value, replace(place, spans=eager_spans(parsed.table)))


def _problem(out: Output, source: FileSource, index: int, message: str) -> None:
    line, column = position(source.text, index)
    out.findings.append(syntax_finding(source.path, line, column, message))


def _load_chunk(
    out: Output, source: FileSource, chunk: _split.Chunk, place: Place, fast: bool
) -> None:
    """Parse one document: yaml-rs when the screens allow it, else (or on failure) PyYAML."""
    body = source.text[chunk.start : chunk.end]
    path, limits = source.path, source.limits
    if fast:
        try:
            add_value(out, _fast.parse(body), place)
            return
        except _fast.FastParseError:
            pass
    for parsed in parse_stream(body, limits.walk(path, chunk.line)):
        _add_parsed(out, parsed, place)


def _screened(
    out: Output, source: FileSource, chunk: _split.Chunk, number: int, screens: _split.Screens
) -> bool | None:
    """Whether a chunk may take the fast path; None when a screen already reported it."""
    bad = screens.non_printable.get(number)
    if bad is not None:
        char = ord(source.text[bad])
        _problem(out, source, bad, f"control character U+{char:04X} is not allowed in YAML")
        return None
    if not screens.deep:
        return number not in screens.risky
    depth = _split.depth_check(source.text[chunk.start : chunk.end], source.limits.max_depth)
    if depth.too_deep_at is not None:
        message = f"nesting is deeper than {source.limits.max_depth} levels"
        _problem(out, source, chunk.start + depth.too_deep_at, message)
        return None
    return not depth.exact and number not in screens.risky


def _load_chunks(out: Output, source: FileSource) -> list[_split.Chunk]:
    """Load every document of the file; returns the chunk of each document index."""
    text = source.text
    indexed: list[_split.Chunk] = []
    chunks = _split.split(text)
    screens = _split.screen(text, chunks, source.limits.max_depth)
    index = 0
    template: str | None = None
    for number, chunk in enumerate(chunks):
        body = text[chunk.start : chunk.end]
        if chunk.leading and not _split.has_content(body):
            continue
        template = _split.template(body) or template
        origin = _origin(source.path, chunk.line + _split.content_line(body) + 1)
        place = Place(source.path, index, origin, template, lazy_spans(source, chunk))
        index += 1
        indexed.append(chunk)
        fast = _screened(out, source, chunk, number, screens)
        if fast is not None:
            _load_chunk(out, source, chunk, place, fast)
    return indexed


def _load_stream(out: Output, path: str, text: str, limits: Limits) -> None:
    """Directives or ``...`` markers: let PyYAML read the whole stream."""
    stream = parse_stream(text, limits.walk(path))
    for index, parsed in enumerate(stream):
        root = parsed.table.get("") if isinstance(parsed, Parsed) else None
        origin = root[0] if root else _origin(path, 1)
        _add_parsed(out, parsed, Place(path, index, origin, None, eager_spans({})))


def _load_decoded(out: Output, text: str, path: str, limits: Limits) -> list[_split.Chunk] | None:
    if _split.needs_stream_parse(text):
        _load_stream(out, path, text, limits)
        return None
    return _load_chunks(out, FileSource(path, text, limits, out.recent))


def _parse_data(
    out: Output, data: bytes | str, path: str, limits: Limits
) -> list[_split.Chunk] | None:
    """Load one file's content; the chunk of each document (None: read as one stream)."""
    out.files += 1
    text = normalize(data, path) if isinstance(data, str) else decode(data, path)
    if isinstance(text, Finding):
        out.findings.append(text)
        return []
    return _load_decoded(out, text, path, limits)


def _load_data(
    out: Output, data: bytes | str, path: str, limits: Limits, cache: Cache | None
) -> None:
    """Load one file's content, from the cache when it holds an entry for these bytes."""
    if cache is None or not isinstance(data, bytes):
        _parse_data(out, data, path, limits)
        return
    key = _cache.file_key(cache, data, limits)
    if not _cache.restore(out, cache.get(_cache.FILES, key), path, data, limits):
        mark = _cache.Mark.of(out)
        _cache.record(out, mark, key, path, _parse_data(out, data, path, limits))


def _too_big(path: str, size: int, limit: int) -> Finding:
    message = f"file is larger than the size limit ({size} > {limit} bytes); not parsed"
    return syntax_finding(path, 1, 1, message)


def _read_stdin(stdin: IO[bytes] | IO[str] | None, max_bytes: int) -> bytes | str:
    stream: IO[bytes] | IO[str] = stdin if stdin is not None else sys.stdin.buffer
    return stream.read(max_bytes + 1)


def _load_input(
    out: Output,
    item: Input | ReadFile,
    stdin: IO[bytes] | IO[str] | None,
    limits: Limits,
    cache: Cache | None = None,
) -> None:
    if isinstance(item, ReadFile):
        data: bytes | str | int = item.data
    elif item.path is None:
        data = _read_stdin(stdin, limits.max_bytes)
    else:
        data = read(item, limits.max_bytes)
    if isinstance(data, int) or len(data) > limits.max_bytes:
        out.files += 1
        size = data if isinstance(data, int) else len(data)
        out.findings.append(_too_big(item.display, size, limits.max_bytes))
        return
    _load_data(out, data, item.display, limits, cache)


def _result(out: Output) -> LoadResult:
    return LoadResult(
        tuple(out.documents),
        tuple(out.findings),
        out.files,
        out.skipped,
        out.schema,
        tuple(out.pending),
    )


def _base(root: Path | None) -> Path:
    return Path(root if root is not None else Path.cwd()).absolute()


def read_files(
    paths: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[ReadFile, ...]:
    """Read the files ``paths`` name (as ``load`` would; ``-`` is left out), for a caller
    that needs their content before loading them (the whole-run cache key)."""
    inputs = expand(paths, _base(root), exclude)
    return tuple(ReadFile(i.display, read(i, max_bytes)) for i in inputs if i.path is not None)


def store_files(cache: Cache, loaded: LoadResult, schema: Mapping[int, Sequence[Finding]]) -> None:
    """Store the files ``loaded`` parsed afresh, with their documents' schema findings
    (``schema``: by document position), so the next run restores them without parsing."""
    _cache.store(cache, loaded.pending, schema)


def load(  # noqa: PLR0913 - the public signature: inputs, two limits and the cache
    paths: Sequence[str | ReadFile],
    *,
    stdin: IO[bytes] | IO[str] | None = None,
    exclude: Sequence[str] = (),
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    cache: Cache | None = None,
) -> LoadResult:
    """Load files, directories (recursively) and ``-`` (stdin), in the order given; a
    ``ReadFile`` (from ``read_files``) is loaded from the bytes already read.

    Raises LoadError for a path that does not exist or cannot be read. Syntax problems in
    what was read are MESH001/MESH002 findings, never exceptions. With a ``cache``, a file
    whose bytes were loaded before is restored from it instead of parsed.
    """
    inputs = inputs_of(paths, _base(root), exclude)
    limits = Limits(max_bytes, max_depth)
    out = Output()
    with gc_paused():
        for item in inputs:
            _load_input(out, item, stdin, limits, cache)
    return _result(out)


def load_text(
    text: str | bytes,
    path: str = "<stdin>",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> LoadResult:
    """Load one YAML/JSON text as if read from a file displayed as ``path``."""
    limits = Limits(max_bytes, max_depth)
    out = Output()
    stream = io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text)
    with gc_paused():
        _load_input(out, Input(path, None), stream, limits)
    return _result(out)
