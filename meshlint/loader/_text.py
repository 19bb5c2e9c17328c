"""Bytes to text: BOMs, UTF-8/16/32 decoding, binary detection, and MESH001 findings."""

from __future__ import annotations

import codecs

from meshlint.findings import Finding, Severity
from meshlint.source import Span

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def syntax_finding(path: str, line: int, column: int, message: str) -> Finding:
    """A MESH001 yaml-syntax finding at one position (1-based)."""
    span = Span(path, line, column, line, column + 1)
    return Finding("MESH001", "yaml-syntax", Severity.ERROR, message, span)


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` in ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _byte_position(data: bytes, index: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, index) + 1, column


def _decode_bom(data: bytes, path: str) -> str | Finding | None:
    """Decode UTF-16/32 input that starts with a byte-order mark (None: no such BOM)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                return syntax_finding(path, 1, 1, f"not valid {codec.upper()}: {exc.reason}")
    return None


def decode(data: bytes, path: str) -> str | Finding:
    """The text of a file, or a MESH001 finding when it is binary or not UTF-8/16/32."""
    decoded = _decode_bom(data, path)
    if decoded is not None:
        return decoded if isinstance(decoded, Finding) else normalize(decoded, path)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        return syntax_finding(path, line, column, "binary content (NUL byte); not a YAML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        bad = data[exc.start]
        message = f"not valid UTF-8 (byte 0x{bad:02x}); YAML files must be UTF-8 or UTF-16"
        return syntax_finding(path, line, column, message)
    return normalize(text, path)


def normalize(text: str, path: str) -> str | Finding:
    """Strip a BOM and normalize line breaks to ``\\n`` (positions stay the same)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line, column = position(text, nul)
        return syntax_finding(path, line, column, "binary content (NUL byte); not a YAML file")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
