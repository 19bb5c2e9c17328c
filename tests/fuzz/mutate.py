"""Strategy (b): mutations of the seed corpus (rule fixtures and example meshes)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

# Values a scalar is replaced with: other shapes, YAML 1.1 surprises, extremes, tags, aliases.
REPLACEMENTS = (
    "{}", "[]", "{a: 1}", "[1, [2, {b: c}]]", "null", "~", "", "''", "true", "no", "on",
    "99999999999999999999999999999", "-1", "-2147483649", "1e400", ".inf", "-.inf", ".nan",
    "0x7FFFFFFF", "0o777", "1_000", "2024-02-30", "2024-01-01T00:00:00Z", "12:30", "'\\x00'",
    '"\\u0000\\t\\x85"', "!!binary aGVsbG8=", "!!set {a}", "!!omap [a: 1]", "!!float abc",
    "!!int 1.5", "!!timestamp x", "!!python/object/apply:os.system [ls]", "*a", "*undefined",
    "&a {x: *a}", "|\n  block\n", ">-\n  folded", "*.example.com", "*", "a" * 5000,
    "\u00e9\u00e8.example.com", "xn--bcher-kva.example", "(unclosed", "[a-", "a{99999}",
    "(?P<x>a)(?P=x)", "\\", "😀", "\u202eevil", "9" * 5000, "0x" + "f" * 400, "9" * 400 + ":59",
    "1.0e+999", "-0", "0.0000000000000000000000001", "!!int", "!!float ''", "!!bool maybe",
)  # fmt: skip
ANCHOR_SITES = (": ", "- ")
CUT_CLASSES = (":", "-", '"', "'", "[", "{", "\n", " ", "#", "&", "*", "|")


@cache
def seeds() -> tuple[str, ...]:
    """Every rule fixture (bad and good) and every example mesh file, sorted by path."""
    paths = [
        *sorted((ROOT / "fixtures" / "rules").glob("*/*.yaml")),
        *sorted((ROOT / "fixtures" / "meshes").glob("*/*.yaml")),
    ]
    return tuple(path.read_text(encoding="utf-8") for path in paths)


def seed_texts() -> st.SearchStrategy[str]:
    return st.sampled_from(seeds())


Mutation = Callable[[str, st.DrawFn], str]


def _line_index(draw: st.DrawFn, lines: list[str]) -> int:
    return draw(st.integers(0, max(0, len(lines) - 1)))


def delete_line(text: str, draw: st.DrawFn) -> str:
    lines = text.split("\n")
    del lines[_line_index(draw, lines)]
    return "\n".join(lines)


def duplicate_line(text: str, draw: st.DrawFn) -> str:
    lines = text.split("\n")
    index = _line_index(draw, lines)
    lines.insert(index, lines[index])
    return "\n".join(lines)


def shift_indent(text: str, draw: st.DrawFn) -> str:
    lines = text.split("\n")
    index = _line_index(draw, lines)
    delta = draw(st.sampled_from([-4, -2, -1, 1, 2, 3]))
    line = lines[index]
    lines[index] = line[-delta:] if delta < 0 and line[:-delta].isspace() else " " * delta + line
    return "\n".join(lines)


def truncate(text: str, draw: st.DrawFn) -> str:
    """Cut at a random place, or just after a character of one class (indicator, quote, ...)."""
    mark = draw(st.sampled_from(CUT_CLASSES))
    marks = [i + 1 for i, char in enumerate(text) if char == mark]
    at_mark: bool = draw(st.booleans())
    if marks and at_mark:
        return text[: draw(st.sampled_from(marks))]
    return text[: draw(st.integers(0, len(text)))]


def splice(text: str, draw: st.DrawFn) -> str:
    """Join a prefix of this text to a suffix of another seed (or of itself)."""
    other = draw(seed_texts())
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + other[draw(st.integers(0, len(other))) :]


def _sites(text: str, marker: str) -> list[int]:
    found, start = [], text.find(marker)
    while start >= 0:
        found.append(start + len(marker))
        start = text.find(marker, start + 1)
    return found


def anchor_alias(text: str, draw: st.DrawFn) -> str:
    """Put ``&a`` before one value and ``*a`` in place of a later (or earlier) one."""
    sites = _sites(text, draw(st.sampled_from(ANCHOR_SITES)))
    if not sites:
        return "&a " + text
    first = draw(st.sampled_from(sites))
    text = text[:first] + "&a " + text[first:]
    second = draw(st.sampled_from(_sites(text, ": ") or [len(text)]))
    end = text.find("\n", second)
    return text[:second] + "*a" + (text[end:] if end >= 0 else "")


def replace_scalar(text: str, draw: st.DrawFn) -> str:
    """Replace the rest of one ``key: value`` or ``- value`` line with a hostile value."""
    sites = _sites(text, draw(st.sampled_from(ANCHOR_SITES)))
    if not sites:
        return text + draw(st.sampled_from(REPLACEMENTS))
    start = draw(st.sampled_from(sites))
    end = text.find("\n", start)
    value = draw(st.sampled_from(REPLACEMENTS))
    return text[:start] + value + (text[end:] if end >= 0 else "")


def insert_text(text: str, draw: st.DrawFn) -> str:
    where = draw(st.integers(0, len(text)))
    piece = draw(st.one_of(st.sampled_from(REPLACEMENTS), st.text(max_size=6)))
    return text[:where] + piece + text[where:]


MUTATIONS: tuple[Mutation, ...] = (
    delete_line,
    duplicate_line,
    shift_indent,
    truncate,
    splice,
    anchor_alias,
    replace_scalar,
    insert_text,
)


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    """A seed with one to five mutations applied in sequence."""
    text = draw(seed_texts())
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=5)):
        text = mutation(text, draw)
    return text


@st.composite
def flipped_bytes(draw: st.DrawFn) -> bytes:
    """A mutated seed, UTF-8 encoded, with one to four bytes XOR-flipped."""
    data = bytearray(draw(mutated_texts()).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4)) if data else 0):
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return bytes(data)
