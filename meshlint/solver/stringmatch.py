"""Encode one StrCond over a symbolic (present, value) pair as a z3 formula."""

from __future__ import annotations

from collections.abc import Callable

from meshlint.solver.conditions import CondKind, StrCond
from meshlint.solver.regexp import Unsupported, parse
from meshlint.solver.z3env import Z3, Term, lit, max_char
from meshlint.solver.z3regex import to_z3

RegexCache = dict[str, Term]


class StringEncoder:
    """Builds StrCond formulas; caches translated regexes. Raises Unsupported when unmodelled."""

    def __init__(self, z3: Z3) -> None:
        self.z3 = z3
        self.max_char = max_char(z3)
        self.regexes: RegexCache = {}

    def encode(self, cond: StrCond, present: Term, value: Term) -> Term:
        z3 = self.z3
        if cond.kind is CondKind.PRESENT:
            return present
        if cond.kind is CondKind.ABSENT:
            return z3.Not(present)
        if cond.inverted:
            # withoutHeaders: inverted match, a missing header compared as "".
            return z3.Not(self.core(cond, z3.If(present, value, lit(z3, ""))))
        return z3.And(present, self.core(cond, value))

    def core(self, cond: StrCond, value: Term) -> Term:
        if any(ord(c) > self.max_char for c in cond.value):
            raise Unsupported("character outside z3's alphabet")
        encoders: dict[CondKind, Callable[[StrCond, Term], Term]] = {
            CondKind.EXACT: self.exact,
            CondKind.PREFIX: self.prefix,
            CondKind.REGEX: self.regex,
        }
        return encoders[cond.kind](cond, value)

    def exact(self, cond: StrCond, value: Term) -> Term:
        if cond.ignore_case:
            return self.z3.InRe(value, self.folded(cond.value))
        return value == lit(self.z3, cond.value)

    def prefix(self, cond: StrCond, value: Term) -> Term:
        z3 = self.z3
        if cond.ignore_case:
            anything = z3.Full(z3.ReSort(z3.StringSort()))
            return z3.InRe(value, z3.Concat(self.folded(cond.value), anything))
        return z3.PrefixOf(lit(z3, cond.value), value)

    def regex(self, cond: StrCond, value: Term) -> Term:
        compiled = self.regexes.get(cond.value)
        if compiled is None:
            compiled = to_z3(parse(cond.value), self.z3, self.max_char)
            self.regexes[cond.value] = compiled
        return self.z3.InRe(value, compiled)

    def folded(self, text: str) -> Term:
        """The language of strings equal to ``text`` up to ASCII case (Envoy's ignore_case)."""
        z3 = self.z3
        parts = [z3.Re(lit(z3, c)) for c in text]
        for index, char in enumerate(text):
            if char.isascii() and char.isalpha():
                parts[index] = z3.Union(z3.Re(lit(z3, char.lower())), z3.Re(lit(z3, char.upper())))
        if not parts:
            return z3.Re(lit(z3, ""))
        return parts[0] if len(parts) == 1 else z3.Concat(*parts)
