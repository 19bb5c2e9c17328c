"""Cheap syntactic decisions: single-clause subsumption, and concrete candidate requests."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator, Sequence

from meshlint.solver.concrete import InvalidPattern, Request, match_holds
from meshlint.solver.conditions import CondKind, Context, HttpMatch, StrCond, exact
from meshlint.solver.regexp import Unsupported, parse, sample
from meshlint.solver.relations import FIELDS, atoms, finite_values, matches_disjoint, subsumes
from meshlint.solver.table import Effective

_AFFIXES = ("", "-x", "/x")


def covered_syntactically(table: Sequence[Effective], clauses: Sequence[HttpMatch]) -> list[int]:
    """Earlier rules that together cover every clause, each clause by one earlier clause;
    an empty list when some clause is not covered that way."""
    chosen: list[int] = []
    for clause in (piece for c in clauses for piece in _split(c)):
        cover = next((k for k, rule in enumerate(table) if _rule_covers(rule, clause)), None)
        if cover is None:
            return []
        chosen.append(cover)
    return sorted(set(chosen))


def _split(clause: HttpMatch) -> list[HttpMatch]:
    """A clause whose uri regex matches a few strings, as one clause per string."""
    values = finite_values(clause.uri)
    if values is None:
        return [clause]
    return [dataclasses.replace(clause, uri=exact(v)) for v in values]


def _rule_covers(rule: Effective, clause: HttpMatch) -> bool:
    return rule.catch_all or any(subsumes(m, clause) for m in rule.matches())


def overlapping(table: Sequence[Effective], clauses: Sequence[HttpMatch]) -> list[int]:
    """Rules of ``table`` that may match a request some clause matches (others are irrelevant)."""
    return [
        k
        for k, rule in enumerate(table)
        if rule.catch_all
        or any(not matches_disjoint(m, c) for m in rule.matches() for c in clauses)
    ]


def has_symbolic_selectors(table: Sequence[Effective]) -> bool:
    return any(not m.selector.is_empty for rule in table for m in rule.matches())


def candidates(match: HttpMatch, context: Context) -> Iterator[Request]:
    """Concrete requests that satisfy ``match`` (regexes excluded; nothing when one is present)."""
    options = _field_options(match)
    if options is None:
        return
    names = list(options)
    port = match.port or context.port or 80
    for combo in itertools.islice(itertools.product(*(options[n] for n in names)), 64):
        request = _build(dict(zip(names, combo, strict=True)), port)
        if request is not None and match_holds(match, request, context):
            yield request


def _field_options(match: HttpMatch) -> dict[str, list[str | None]] | None:
    options: dict[str, list[str | None]] = {}
    conds: list[tuple[str, StrCond | None]] = [(f, getattr(match, f)) for f in FIELDS]
    conds += [(f"h:{k}", c) for k, c in match.headers]
    conds += [(f"q:{k}", c) for k, c in match.query_params]
    for name, cond in conds:
        values = _values(cond)
        if values is None:
            return None
        options[name] = values
    return options


def _values(cond: StrCond | None) -> list[str | None] | None:
    """Values to try for one field (None = missing); None when only a solver can say."""
    if cond is None or cond.kind is CondKind.ABSENT:
        return [None]
    if cond.inverted:
        return [None, "x", "y"]
    if cond.kind is CondKind.REGEX:
        return _regex_values(cond)
    fixed: dict[CondKind, list[str | None]] = {
        CondKind.PRESENT: ["x"],
        CondKind.EXACT: [cond.value],
        CondKind.PREFIX: [cond.value + affix for affix in _AFFIXES],
    }
    return fixed[cond.kind]


def _regex_values(cond: StrCond) -> list[str | None] | None:
    found = _regex_samples(cond)
    return None if found is None else list(found)


@functools.lru_cache(maxsize=1024)
def _regex_samples(cond: StrCond) -> tuple[str | None, ...] | None:
    """A pure function of the condition, memoised like the pattern caches in ``relations``:
    generated and real meshes repeat the same regexes across VirtualServices."""
    exact = atoms(cond, exact_only=True)
    if exact is not None:
        return tuple(
            text + ("" if complete else affix)
            for text, complete in sorted(exact)
            for affix in (_AFFIXES if not complete else ("",))
        )
    try:
        return (sample(parse(cond.value)),)
    except Unsupported:
        return None


def _build(values: dict[str, str | None], port: int) -> Request | None:
    defaults = {"uri": "/", "method": "GET", "scheme": "http", "authority": "example.com"}
    fields = {f: values.get(f) or defaults[f] for f in FIELDS}
    if not fields["uri"].startswith("/") or any(c in fields["uri"] for c in "?#\n\r\0"):
        return None
    headers = {k[2:]: v for k, v in values.items() if k.startswith("h:") and v is not None}
    query = {k[2:]: v for k, v in values.items() if k.startswith("q:") and v is not None}
    for pseudo in (":method", ":scheme", ":authority"):
        if pseudo in headers:
            fields[pseudo[1:]] = headers.pop(pseudo)
    return Request(
        path=fields["uri"],
        method=fields["method"],
        scheme=fields["scheme"],
        authority=fields["authority"],
        port=port,
        headers=headers,
        query_params=query,
    )


def first_effective(table: Sequence[Effective], request: Request, context: Context) -> int | None:
    """First rule (of ``table``) matching ``request`` on this proxy."""
    for index, effective in enumerate(table):
        if effective.catch_all or any(
            match_holds(m, request, context) for m in effective.matches()
        ):
            return index
    return None


def reachable_candidate(
    table: Sequence[Effective], clause: HttpMatch, context: Context
) -> Request | None:
    """A concrete request matching ``clause`` and no rule of ``table`` (all earlier rules)."""
    try:
        for request in candidates(clause, context):
            if first_effective(table, request, context) is None:
                return request
    except InvalidPattern:
        return None
    return None
