"""Load YAML/JSON files, directories and stdin into RawDocuments, with syntax findings.

The only place meshlint imports a YAML library (PyYAML in ``_slow``, yaml-rs in ``_fast``).
Speed: each document is parsed by yaml-rs (no positions) when cheap screens show it cannot
differ from PyYAML's YAML 1.1 reading; everything else, and every fast-path failure, goes
through PyYAML's C composer plus a walk that records positions and duplicate keys. Exact
spans of fast-path documents are computed on first use by re-parsing just that document.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from meshlint.findings import Finding
from meshlint.loader import _fast, _split
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
from meshlint.loader._paths import Input, expand, read
from meshlint.loader._slow import Parsed, parse_stream
from meshlint.loader._text import decode, normalize, position, syntax_finding
from meshlint.source import RawDocument, Span

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_DEPTH", "LoadResult", "load", "load_text"]

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


def _load_chunks(out: Output, source: FileSource) -> None:
    text = source.text
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
        fast = _screened(out, source, chunk, number, screens)
        if fast is not None:
            _load_chunk(out, source, chunk, place, fast)


def _load_stream(out: Output, path: str, text: str, limits: Limits) -> None:
    """Directives or ``...`` markers: let PyYAML read the whole stream."""
    stream = parse_stream(text, limits.walk(path))
    for index, parsed in enumerate(stream):
        root = parsed.table.get("") if isinstance(parsed, Parsed) else None
        origin = root[0] if root else _origin(path, 1)
        _add_parsed(out, parsed, Place(path, index, origin, None, eager_spans({})))


def _load_decoded(out: Output, text: str, path: str, limits: Limits) -> None:
    if _split.needs_stream_parse(text):
        _load_stream(out, path, text, limits)
    else:
        _load_chunks(out, FileSource(path, text, limits, out.recent))


def _load_data(out: Output, data: bytes | str, path: str, limits: Limits) -> None:
    out.files += 1
    text = normalize(data, path) if isinstance(data, str) else decode(data, path)
    if isinstance(text, Finding):
        out.findings.append(text)
    else:
        _load_decoded(out, text, path, limits)


def _too_big(path: str, size: int, limit: int) -> Finding:
    message = f"file is larger than the size limit ({size} > {limit} bytes); not parsed"
    return syntax_finding(path, 1, 1, message)


def _read_stdin(stdin: IO[bytes] | IO[str] | None, max_bytes: int) -> bytes | str:
    stream: IO[bytes] | IO[str] = stdin if stdin is not None else sys.stdin.buffer
    return stream.read(max_bytes + 1)


def _load_input(
    out: Output, item: Input, stdin: IO[bytes] | IO[str] | None, limits: Limits
) -> None:
    data = (
        _read_stdin(stdin, limits.max_bytes) if item.path is None else read(item, limits.max_bytes)
    )
    if isinstance(data, int) or len(data) > limits.max_bytes:
        out.files += 1
        size = data if isinstance(data, int) else len(data)
        out.findings.append(_too_big(item.display, size, limits.max_bytes))
        return
    _load_data(out, data, item.display, limits)


def _result(out: Output) -> LoadResult:
    return LoadResult(tuple(out.documents), tuple(out.findings), out.files, out.skipped)


def load(  # noqa: PLR0913 - the public signature: inputs plus two limits
    paths: Sequence[str],
    *,
    stdin: IO[bytes] | IO[str] | None = None,
    exclude: Sequence[str] = (),
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> LoadResult:
    """Load files, directories (recursively) and ``-`` (stdin), in the order given.

    Raises LoadError for a path that does not exist or cannot be read. Syntax problems in
    what was read are MESH001/MESH002 findings, never exceptions.
    """
    base = Path(root if root is not None else Path.cwd()).absolute()
    inputs = expand(paths, base, exclude)
    limits = Limits(max_bytes, max_depth)
    out = Output()
    with gc_paused():
        for item in inputs:
            _load_input(out, item, stdin, limits)
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
