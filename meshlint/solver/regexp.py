"""RE2 pattern -> character-set/concat/alternation AST -> z3 regular expression (full match)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from meshlint.solver.charset import (
    DIGITS,
    SPACES,
    WORD,
    CharSet,
    complement,
    single,
    union,
)

MAX_REPEAT = 1000
_CLASS_ESCAPES = {"d": DIGITS, "w": WORD, "s": SPACES}
_CHAR_ESCAPES = {"a": "\a", "f": "\f", "t": "\t", "n": "\n", "r": "\r", "v": "\v"}
_QUANTIFIERS = frozenset("*+?")


class Unsupported(Exception):
    """The pattern uses RE2 syntax the translator does not model; the match is unknown."""


@dataclass(frozen=True, slots=True)
class Chars:
    ranges: CharSet


@dataclass(frozen=True, slots=True)
class Cat:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alt:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Repeat:
    item: Node
    low: int
    high: int | None


Node = Chars | Cat | Alt | Repeat
ANY_BUT_NEWLINE = complement(single("\n"))


def parse(pattern: str) -> Node:
    """Parse an RE2 pattern for full-match use; raise Unsupported outside the modelled subset."""
    _check_compiles(pattern)
    parser = _Parser(pattern)
    node = parser.alternation()
    if parser.pos != len(pattern):
        raise Unsupported(f"unexpected {pattern[parser.pos]!r}")
    return node


@functools.lru_cache(maxsize=1024)
def _check_compiles(pattern: str) -> None:
    """Raise Unsupported unless RE2 compiles ``pattern`` (memoised: a pure check)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except Exception as exc:
        raise Unsupported(f"not valid RE2: {exc}") from exc


class _Parser:
    """Recursive descent over the pattern text; ``pos`` is the next unread index."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise Unsupported("unexpected end of pattern")
        self.pos += 1
        return char

    def alternation(self) -> Node:
        items = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            items.append(self.concatenation())
        return items[0] if len(items) == 1 else Alt(tuple(items))

    def concatenation(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            if atom is not None:
                items.append(self.quantified(atom))
        return items[0] if len(items) == 1 else Cat(tuple(items))

    def atom(self) -> Node | None:
        start = self.pos
        char = self.take()
        if char in {"^", "$"}:
            # Anchors are no-ops at the very ends of a full match; elsewhere they are not modelled.
            at_end = start == len(self.text) - 1 if char == "$" else start == 0
            if not at_end:
                raise Unsupported(f"anchor {char!r} inside the pattern")
            return None
        if char == "(":
            return self.group()
        if char == "[":
            return Chars(self.char_class())
        if char == ".":
            return Chars(ANY_BUT_NEWLINE)
        if char == "\\":
            return Chars(self.escape(in_class=False))
        if char in _QUANTIFIERS:
            raise Unsupported("repetition without operand")
        return Chars(single(char))

    def group(self) -> Node:
        if self.peek() == "?":
            self.pos += 1
            self.group_prefix()
        node = self.alternation()
        if self.take() != ")":
            raise Unsupported("unbalanced parenthesis")
        return node

    def group_prefix(self) -> None:
        """Accept ``(?:``, ``(?P<name>``, ``(?<name>``; flags such as ``(?i)`` are unmodelled."""
        rest = self.text[self.pos :]
        if rest.startswith(":"):
            self.pos += 1
            return
        if rest.startswith(("P<", "<")):
            close = rest.find(">")
            if close > 0:
                self.pos += close + 1
                return
        raise Unsupported("group flags")

    def quantified(self, atom: Node) -> Node:
        bounds = self.quantifier()
        if bounds is None:
            return atom
        if self.peek() == "?":
            self.pos += 1  # lazy: same language
        if self.peek() in _QUANTIFIERS or self.repeat_bounds(peek=True) is not None:
            raise Unsupported("stacked repetition")
        return Repeat(atom, bounds[0], bounds[1])

    def quantifier(self) -> tuple[int, int | None] | None:
        char = self.peek()
        if char == "*":
            self.pos += 1
            return (0, None)
        if char == "+":
            self.pos += 1
            return (1, None)
        if char == "?":
            self.pos += 1
            return (0, 1)
        return self.repeat_bounds(peek=False)

    def repeat_bounds(self, *, peek: bool) -> tuple[int, int | None] | None:
        """``{n}``, ``{n,}``, ``{n,m}``; anything else starting with ``{`` is a literal brace."""
        if self.peek() != "{":
            return None
        close = self.text.find("}", self.pos)
        if close < 0:
            return None
        low, comma, high = self.text[self.pos + 1 : close].partition(",")
        if not low.isdigit() or not (high.isdigit() or high == ""):
            return None
        bounds = (int(low), int(high) if high else (None if comma else int(low)))
        if max(bounds[0], bounds[1] or 0) > MAX_REPEAT:
            raise Unsupported("repeat count too large")
        if not peek:
            self.pos = close + 1
        return bounds

    def char_class(self) -> CharSet:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        parts: list[CharSet] = []
        first = True
        while first or self.peek() != "]":
            parts.append(self.class_item())
            first = False
        self.pos += 1
        members = union(*parts)
        return complement(members) if negated else members

    def class_item(self) -> CharSet:
        if self.text.startswith("[:", self.pos):
            raise Unsupported("POSIX class")
        low = self.class_char()
        if isinstance(low, tuple):
            return low
        if self.peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
            self.pos += 1
            high = self.class_char()
            if isinstance(high, tuple) or ord(high) < ord(low):
                raise Unsupported("bad class range")
            return ((ord(low), ord(high)),)
        return single(low)

    def class_char(self) -> str | CharSet:
        char = self.take()
        if char != "\\":
            return char
        escaped = self.escape(in_class=True)
        if len(escaped) == 1 and escaped[0][0] == escaped[0][1]:
            return chr(escaped[0][0])
        return escaped

    def escape(self, *, in_class: bool) -> CharSet:
        char = self.take()
        lower = char.lower()
        if lower in _CLASS_ESCAPES:
            base = _CLASS_ESCAPES[lower]
            return complement(base) if char.isupper() else base
        if char in _CHAR_ESCAPES:
            return single(_CHAR_ESCAPES[char])
        if char == "x":
            return single(self.hex_escape())
        if char.isascii() and not char.isalnum():
            return single(char)
        raise Unsupported(f"escape \\{char}" + (" in class" if in_class else ""))

    def hex_escape(self) -> str:
        if self.peek() == "{":
            close = self.text.find("}", self.pos)
            digits = self.text[self.pos + 1 : close] if close > 0 else ""
            self.pos = close + 1
        else:
            digits = self.text[self.pos : self.pos + 2]
            self.pos += 2
        try:
            return chr(int(digits, 16))
        except ValueError as exc:
            raise Unsupported("bad hex escape") from exc


def _sequence(node: Node) -> tuple[Node, ...]:
    return node.items if isinstance(node, Cat) else (node,)


def _literal_char(node: Node) -> str | None:
    if isinstance(node, Chars) and len(node.ranges) == 1:
        low, high = node.ranges[0]
        return chr(low) if low == high else None
    return None


def literal_prefix(node: Node) -> str:
    """The literal text every full match starts with ("" when it does not start with one)."""
    chars: list[str] = []
    for item in _sequence(node):
        char = _literal_char(item)
        if char is None:
            break
        chars.append(char)
    return "".join(chars)


def prefix_form(node: Node) -> str | None:
    """``q`` when the pattern is the literal ``q`` followed by ``.*`` (a prefix test on values
    without newlines), else None."""
    items = _sequence(node)
    tail = items[-1] if items else None
    any_run = Repeat(Chars(ANY_BUT_NEWLINE), 0, None)
    if tail != any_run:
        return None
    head = literal_prefix(Cat(items[:-1]))
    return head if len(head) == len(items) - 1 else None


_PREFERRED = "a0/-._"


def sample(node: Node) -> str:
    """A short member of the pattern's language, readable where the pattern allows."""
    if isinstance(node, Chars):
        return _sample_char(node.ranges)
    if isinstance(node, Cat):
        return "".join(sample(item) for item in node.items)
    if isinstance(node, Alt):
        return sample(node.items[0])
    return sample(node.item) * node.low


def _sample_char(ranges: CharSet) -> str:
    if not ranges:
        raise Unsupported("empty character class")
    for char in _PREFERRED:
        if any(low <= ord(char) <= high for low, high in ranges):
            return char
    printable = [max(low, 0x21) for low, high in ranges if high >= 0x21]
    return chr(min(printable)) if printable else chr(ranges[0][0])


Head = tuple[str, bool]  # (literal text, True when the whole match is exactly that text)
_MAX_HEADS = 16
_SMALL_CLASS = 4


def heads(node: Node) -> frozenset[Head]:
    """A cover of the language: every full match equals a complete head or starts with an
    incomplete one. Finite alternations of literals come out exactly (all heads complete)."""
    if isinstance(node, Chars):
        size = sum(high - low + 1 for low, high in node.ranges)
        if size > _SMALL_CLASS:
            return frozenset({("", False)})
        return frozenset((chr(c), True) for low, high in node.ranges for c in range(low, high + 1))
    if isinstance(node, Alt):
        return _capped(frozenset().union(*(heads(item) for item in node.items)))
    if isinstance(node, Cat):
        return _concat_heads([heads(item) for item in node.items])
    return _repeat_heads(node)


def _repeat_heads(node: Repeat) -> frozenset[Head]:
    if node.high == 0:
        return frozenset({("", True)})
    inner = heads(node.item)
    if node.low == 0:
        return _capped(inner | {("", True)}) if node.high == 1 else frozenset({("", False)})
    fixed = _concat_heads([inner] * min(node.low, _MAX_HEADS))
    if node.high == node.low and node.low <= _MAX_HEADS:
        return fixed
    return frozenset((text, False) for text, _ in fixed)


def _concat_heads(parts: list[frozenset[Head]]) -> frozenset[Head]:
    result: frozenset[Head] = frozenset({("", True)})
    for part in parts:
        grown = {(text, False) for text, complete in result if not complete}
        grown |= {(text + t, c) for text, complete in result if complete for t, c in part}
        result = _capped(frozenset(grown))
    return result


def _capped(found: frozenset[Head]) -> frozenset[Head]:
    if len(found) <= _MAX_HEADS:
        return found
    texts = [text for text, _ in found]
    common = texts[0]
    for text in texts[1:]:
        while not text.startswith(common):
            common = common[:-1]
    return frozenset({(common, False)})
