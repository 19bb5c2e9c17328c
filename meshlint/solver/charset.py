"""Character sets as sorted, disjoint, inclusive code-point intervals."""

from __future__ import annotations

MAX_CODE_POINT = 0x10FFFF

CharSet = tuple[tuple[int, int], ...]


def single(char: str) -> CharSet:
    return ((ord(char), ord(char)),)


def union(*sets: CharSet) -> CharSet:
    """Merge overlapping and adjacent intervals."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(interval for charset in sets for interval in charset):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def complement(charset: CharSet) -> CharSet:
    result: list[tuple[int, int]] = []
    start = 0
    for low, high in union(charset):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= MAX_CODE_POINT:
        result.append((start, MAX_CODE_POINT))
    return tuple(result)


def _chars(text: str) -> CharSet:
    return union(*(single(c) for c in text))


# RE2's Perl classes are ASCII-only: \d [0-9], \w [0-9A-Za-z_], \s [\t\n\f\r ].
DIGITS: CharSet = ((ord("0"), ord("9")),)
WORD: CharSet = union(DIGITS, ((ord("A"), ord("Z")),), ((ord("a"), ord("z")),), single("_"))
SPACES: CharSet = _chars("\t\n\f\r ")
