"""Syntactic relations between conditions: implication and disjointness (sound, incomplete).

A valued condition is viewed as a set of atoms ``(text, complete)``: complete atoms are exact
strings, incomplete ones prefixes. Exact, prefix, finite regexes (``/(a|b)``) and ``literal.*``
regexes have an exact atom form; any regex has an over-approximating one (its literal heads).
"""

from __future__ import annotations

import functools

from meshlint.solver.concrete import ascii_lower
from meshlint.solver.conditions import CondKind, HttpMatch, StrCond
from meshlint.solver.regexp import Head, Unsupported, heads, parse, prefix_form

FIELDS = ("uri", "method", "scheme", "authority")
Pairs = tuple[tuple[str, StrCond], ...]
Atoms = frozenset[Head]
_VALUED = (CondKind.EXACT, CondKind.PREFIX, CondKind.REGEX)


@functools.lru_cache(maxsize=1024)
def regex_shape(pattern: str) -> tuple[Atoms, Atoms | None]:
    """(over-approximating atoms, exact atoms or None) of a regex on newline-free values.

    A pure function of the pattern, memoised because rule lists repeat their regexes.
    """
    try:
        node = parse(pattern)
    except Unsupported:
        return frozenset({("", False)}), None
    found = heads(node)
    head = prefix_form(node)
    if head is not None:
        return found, frozenset({(head, False)})
    return found, found if all(complete for _, complete in found) else None


def atoms(cond: StrCond, *, exact_only: bool, newline_free: bool = True) -> Atoms | None:
    """The atom form of a valued, non-inverted condition (None: no exact form known)."""
    if cond.kind is CondKind.EXACT:
        return frozenset({(cond.value, True)})
    if cond.kind is CondKind.PREFIX:
        return frozenset({(cond.value, False)})
    over, exact = regex_shape(cond.value)
    if exact is not None and not newline_free and any(not c for _, c in exact):
        exact = None  # ``literal.*`` equals a prefix only where values hold no newline
    return exact if exact_only else over


def finite_values(cond: StrCond | None) -> list[str] | None:
    """The strings a regex matches when there are few of them (``/(login|logout)``)."""
    if cond is None or cond.kind is not CondKind.REGEX or cond.inverted:
        return None
    exact = regex_shape(cond.value)[1]
    if exact is None or not all(complete for _, complete in exact):
        return None
    return sorted(text for text, _ in exact)


def implies(
    a: StrCond | None, b: StrCond | None, *, uri: bool = False, newline_free: bool = True
) -> bool:
    """Every value satisfying ``a`` satisfies ``b``; None means "no condition".

    For the path every value starts with "/".
    """
    if b is None or a == b:
        return True
    if uri and not b.inverted and b.kind is CondKind.PREFIX and b.value in ("", "/"):
        return True
    if a is None or a.inverted or b.inverted:
        return False
    if b.kind is CondKind.PRESENT:
        return a.kind is not CondKind.ABSENT
    return _valued_implies(a, b, newline_free=newline_free)


def _valued_implies(a: StrCond, b: StrCond, *, newline_free: bool) -> bool:
    if a.kind not in _VALUED or b.kind not in _VALUED:
        return False
    if a.ignore_case and not b.ignore_case and _has_letters(a.value):
        return False  # a admits case variants that b rejects
    inner = atoms(a, exact_only=False)
    outer = atoms(b, exact_only=True, newline_free=newline_free)
    if inner is None or outer is None:
        return False
    fold = b.ignore_case
    return all(any(_atom_within(x, y, fold) for y in outer) for x in inner)


def _atom_within(inner: Head, outer: Head, fold: bool) -> bool:
    (a, a_complete), (b, b_complete) = inner, outer
    if fold:
        a, b = ascii_lower(a), ascii_lower(b)
    if b_complete:
        return a_complete and a == b
    return a.startswith(b)


def _has_letters(text: str) -> bool:
    return any(c.isascii() and c.isalpha() for c in text)


def disjoint(a: StrCond | None, b: StrCond | None) -> bool:
    """No value satisfies both ``a`` and ``b``."""
    if a is None or b is None or a.inverted or b.inverted:
        return False
    presence = {a.kind is CondKind.ABSENT, b.kind is CondKind.ABSENT}
    if presence == {True, False}:
        return True
    if a.kind not in _VALUED or b.kind not in _VALUED:
        return False
    ours, theirs = atoms(a, exact_only=False), atoms(b, exact_only=False)
    fold = a.ignore_case or b.ignore_case
    return (
        ours is not None
        and theirs is not None
        and not any(_atoms_meet(x, y, fold) for x in ours for y in theirs)
    )


def _atoms_meet(x: Head, y: Head, fold: bool) -> bool:
    (a, a_complete), (b, b_complete) = x, y
    if fold:
        a, b = ascii_lower(a), ascii_lower(b)
    if a_complete and b_complete:
        return a == b
    if a_complete:
        return a.startswith(b)
    if b_complete:
        return b.startswith(a)
    return a.startswith(b) or b.startswith(a)


def subsumes(cover: HttpMatch, match: HttpMatch) -> bool:
    """Every request matching ``match`` also matches ``cover``."""
    if cover.port is not None and cover.port != match.port:
        return False
    if not cover.selector.is_empty and cover.selector != match.selector:
        return False
    if not all(implies(getattr(match, f), getattr(cover, f), uri=f == "uri") for f in FIELDS):
        return False
    return _pairs_implied(cover.headers, match.headers) and _pairs_implied(
        cover.query_params, match.query_params, newline_free=False
    )


def _pairs_implied(cover: Pairs, match: Pairs, *, newline_free: bool = True) -> bool:
    return all(
        any(k == key and implies(c, wanted, newline_free=newline_free) for k, c in match)
        for key, wanted in cover
    )


def matches_disjoint(a: HttpMatch, b: HttpMatch) -> bool:
    """No request matches both (some field's conditions exclude each other)."""
    if a.port is not None and b.port is not None and a.port != b.port:
        return True
    if any(disjoint(getattr(a, f), getattr(b, f)) for f in FIELDS):
        return True
    pairs = ((a.headers, b.headers), (a.query_params, b.query_params))
    return any(
        disjoint(x, y) for ours, theirs in pairs for k, x in ours for j, y in theirs if k == j
    )
