"""Split a YAML stream into per-document chunks, and the cheap screens run on each chunk.

A ``---`` at column 0 followed by a space or a line break always starts a document (inside
a quoted scalar YAML forbids it), so the text can be cut there without parsing. Each chunk is
then parsed on its own: a broken document does not take the others down, and positions
are the chunk's own plus its line offset.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, NamedTuple

import re2

# characters YAML does not allow in a stream (the YAML 1.1 printable set, as PyYAML checks)
_NON_PRINTABLE = re2.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

# Plain scalars where YAML 1.1 (PyYAML, meshlint's semantics) and YAML 1.2 (yaml-rs) may
# disagree, and anything else the fast path must not see: merge keys, tags, ``=``, numbers
# in 1.1-only or 1.2-only forms (octal, binary, sexagesimal, exponent, underscores) and keys
# that are not strings, colons libyaml rejects in flow context, escaped UTF-16 surrogates
# (``"\\ud83d\\ude00"``: JSON's pair, which yaml-rs joins and libyaml rejects) and tabs in
# indentation (``- \ta``: yaml-rs accepts, libyaml rejects), 300-digit runs (integers past
# float range are findings, see ``_scalars.MAX_INT_BITS``) and YAML 1.1's extra line breaks
# (NEL, U+2028, U+2029; plain characters in 1.2). False positives only cost speed: the
# document takes the PyYAML path.
_B = r"(?:^|[\s\[{,])"
_BOOL_WORDS = r"(?:[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|=)(?:$|[\s,\]}:])"
_NUMBER = r"[-+]?(?:_|0[bxo0-9_]|\.[0-9iInN]|[0-9]+(?:\.[0-9]*)?(?:[eE_]|:[0-9]))"
_SCALAR_KEY = r"(?:[-+.0-9~][^\s:]*|true|false|True|False|TRUE|FALSE|null|Null|NULL):(?:\s|$)"
_RISKY = re2.compile(
    rf"(?m)<<|{_B}[!:?@`%|>&*]|{_B}{_BOOL_WORDS}|{_B}{_NUMBER}|{_B}{_SCALAR_KEY}"
    r"|[\]}]\s*:(?:\s|$)|^[ \t]*[?:](?:\s|$)|[\[{,]\s*:|[^\s\"]:[?:,\[\]{}]|\":[?:,\]}]"
    r"|\\(?:u|U0000)[dD][89a-fA-F]|^[ ?:-]*\t|[0-9]{300}"
    "|[\x85\u2028\u2029]"
)
_BRACKETS = re.compile(r"[\[\]{}]")
_SOURCE = re.compile(r"^# Source: (.+?)[ \t]*$", re.MULTILINE)
# content: anything but spaces, line breaks (YAML 1.1's NEL, U+2028 and U+2029 too) and
# comments; not ``\s``: a form feed, another control character or a tab, which libyaml
# rejects even on a blank line, must reach the parser)
_CONTENT = re.compile(
    r"(?:^|(?<=[\x85\u2028\u2029]))(?!---[ \t]*(?:#.*)?$) *[^ \r\n\x85\u2028\u2029#]", re.MULTILINE
)
# nesting beyond this is reported without asking a parser (libyaml's recursive composer
# crashes the interpreter at ~100,000 levels)
HARD_DEPTH = 5000


@dataclass(frozen=True, slots=True)
class Chunk:
    """One document's text: ``text[start:end]``, starting at 0-based line ``line``."""

    start: int
    end: int
    line: int
    leading: bool  # the text before the first ``---`` (a document only if it has content)


def _markers(text: str) -> list[int]:
    found = [0] if text.startswith("---") else []
    index = text.find("\n---")
    while index >= 0:
        found.append(index + 1)
        index = text.find("\n---", index + 4)
    return [i for i in found if text[i + 3 : i + 4] in ("", " ", "\t", "\n")]


def needs_stream_parse(text: str) -> bool:
    """Directives (``%YAML``) or document-end markers (``...``): parse the file as a whole."""
    return text.startswith(("%", "...")) or "\n%" in text or "\n..." in text


def split(text: str) -> list[Chunk]:
    """The chunks of ``text``, in order (the leading chunk may hold no document)."""
    starts = [0, *(m for m in _markers(text) if m > 0)]
    chunks: list[Chunk] = []
    line = 0
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(text)
        chunks.append(Chunk(start, end, line, position == 0 and not text.startswith("---")))
        line += text.count("\n", start, end)
    return chunks


def has_content(text: str) -> bool:
    """Whether a chunk holds anything but blank lines, comments and a bare ``---``.

    A character YAML does not allow counts as content wherever it is, so it gets reported.
    """
    return _CONTENT.search(text) is not None or _NON_PRINTABLE.search(text) is not None


def content_line(text: str) -> int:
    """0-based line (within the chunk) of its first content."""
    match = _CONTENT.search(text)
    return text.count("\n", 0, match.start()) if match else 0


def template(text: str) -> str | None:
    """The Helm template named by a ``# Source:`` comment in the chunk, if any."""
    if "# Source:" not in text:
        return None
    match = _SOURCE.search(text)
    return match.group(1) if match else None


def _first_per_chunk(pattern: Any, text: str, chunks: list[Chunk]) -> dict[int, int]:
    """For each chunk where ``pattern`` matches: chunk number -> index of the first match."""
    found: dict[int, int] = {}
    starts = [chunk.start for chunk in chunks]
    match = pattern.search(text)
    while match is not None:
        number = bisect_right(starts, match.start()) - 1
        found[number] = int(match.start())
        match = pattern.search(text, chunks[number].end)
    return found


@dataclass(frozen=True, slots=True)
class Screens:
    """The cheap whole-file screens, resolved per chunk."""

    non_printable: dict[int, int]  # chunk number -> index of a character YAML does not allow
    risky: frozenset[int]  # chunks the fast parser might read differently from PyYAML
    deep: bool  # some chunk may nest deeper than half the limit: run depth_check per chunk


def screen(text: str, chunks: list[Chunk], max_depth: int) -> Screens:
    """Run the screens once over the whole text (one regex pass each, not one per chunk)."""
    half = max_depth // 2
    deep = text.count("[") + text.count("{") > half or (
        re2.search(rf"(?m)^[ \t?:-]{{{half},}}", text) is not None
    )
    return Screens(
        _first_per_chunk(_NON_PRINTABLE, text, chunks),
        frozenset(_first_per_chunk(_RISKY, text, chunks)),
        deep,
    )


def _flow_depth(text: str, limit: int) -> tuple[int, int | None]:
    """Upper bound of the bracket nesting, and the index where it first passes ``limit``."""
    depth = deepest = 0
    too_deep: int | None = None
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if too_deep is None and depth > limit:
                    too_deep = match.start()
        else:
            depth = max(0, depth - 1)
    return deepest, too_deep


class Depth(NamedTuple):
    """The nesting screen's verdict for one chunk."""

    exact: bool  # the bound is over half the limit: let the PyYAML walk measure it exactly
    too_deep_at: int | None  # index of a position certainly too deep for any parser


def depth_check(text: str, max_depth: int) -> Depth:
    """Bound the nesting cheaply: brackets for flow style, leading indentation for block."""
    half = max_depth // 2
    if text.count("[") + text.count("{") > half:
        deepest, too_deep = _flow_depth(text, max_depth)
        if deepest > HARD_DEPTH:
            return Depth(True, too_deep)
        if deepest > half:
            return Depth(True, None)
    deep_lines = list(re2.finditer(rf"(?m)^[ \t?:-]{{{half},}}", text))
    if not deep_lines:
        return Depth(False, None)
    hard = next((m for m in deep_lines if len(m.group()) > 2 * HARD_DEPTH), None)
    return Depth(True, None if hard is None else int(hard.start()))
