"""A rule list as one proxy sees it: inapplicable matches removed, known selectors cleared."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from meshlint.solver.conditions import Context, HttpMatch, HttpRule, Selector, selector_applies

Clause = tuple[int, HttpMatch]


@dataclass(frozen=True, slots=True)
class Effective:
    """One rule as the proxy sees it. ``clauses`` is None for a rule without matches (catch-all);
    an empty tuple means every match was removed, so the rule matches nothing here."""

    clauses: tuple[Clause, ...] | None

    @property
    def catch_all(self) -> bool:
        return self.clauses is None

    def matches(self) -> tuple[HttpMatch, ...]:
        return tuple(m for _, m in self.clauses or ())


def specialise(rules: Sequence[HttpRule], context: Context) -> tuple[Effective, ...]:
    return tuple(_rule(rule, context) for rule in rules)


def _rule(rule: HttpRule, context: Context) -> Effective:
    if not rule.matches:
        return Effective(None)
    kept = (_match(m, context) for m in rule.matches)
    return Effective(tuple((j, m) for j, m in enumerate(kept) if m is not None))


def _match(match: HttpMatch, context: Context) -> HttpMatch | None:
    """The match as the proxy sees it, or None when config generation drops it."""
    if context.port is not None and match.port is not None:
        if match.port != context.port:
            return None
        match = dataclasses.replace(match, port=None)
    applies = selector_applies(match.selector, context)
    if applies is False:
        return None
    if applies is True and not match.selector.is_empty:
        match = dataclasses.replace(match, selector=Selector())
    return match
