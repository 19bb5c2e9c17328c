"""Decision procedures over an HTTP route list: unreachable rules, ineffective matches, 404s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from meshlint.solver.conditions import Context, HttpMatch, HttpRule, prefix
from meshlint.solver.prepass import (
    covered_syntactically,
    has_symbolic_selectors,
    overlapping,
    reachable_candidate,
)
from meshlint.solver.table import Effective, specialise
from meshlint.solver.witness import Outcome, Verdict, Witness, shown_fields
from meshlint.solver.z3backend import HttpSolver

DEFAULT_TIMEOUT_MS = 2000
_EVERYTHING = HttpMatch(uri=prefix("/"))


@dataclass(frozen=True, slots=True)
class HttpReport:
    """Every verdict for one route list: per rule, per (rule, match) clause, and the 404 case."""

    unreachable: dict[int, Verdict] = field(default_factory=dict)
    ineffective: dict[tuple[int, int], Verdict] = field(default_factory=dict)
    uncovered: Verdict = field(default_factory=lambda: Verdict(Outcome.UNKNOWN))


class HttpAnalysis:
    """Analyses one ordered ``http[]`` list as seen by one proxy context (first match wins)."""

    def __init__(
        self,
        rules: Sequence[HttpRule],
        context: Context | None = None,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
    ) -> None:
        self.rules = tuple(rules)
        self.context = context or Context()
        self.table = specialise(self.rules, self.context)
        self.timeout_ms = timeout_ms
        self._solver: HttpSolver | None = None
        self._rules: dict[int, Verdict] = {}
        self._shown: frozenset[str] | None = None

    @property
    def shown(self) -> frozenset[str]:
        """The request fields a witness shows: those the rules match on (computed once)."""
        if self._shown is None:
            self._shown = shown_fields(self.rules)
        return self._shown

    @property
    def solver(self) -> HttpSolver:
        if self._solver is None:
            self._solver = HttpSolver(self.rules, self.table, self.context, self.timeout_ms)
        return self._solver

    def rule_unreachable(self, index: int) -> Verdict:
        """COVERED (with the covering rules) when earlier rules take every request rule
        ``index`` matches; EMPTY when it matches nothing on this proxy."""
        if index not in self._rules:
            effective = self.table[index]
            if effective.clauses == ():
                verdict = Verdict(Outcome.EMPTY, reason="every match is removed for this proxy")
            else:
                clauses = None if effective.catch_all else effective.matches()
                verdict = self._reach(index, clauses or (_EVERYTHING,))
            self._rules[index] = verdict
        return self._rules[index]

    def match_ineffective(self, index: int, clause: int) -> Verdict:
        """COVERED when match ``clause`` of rule ``index`` is covered by earlier rules while the
        rule itself is not proven unreachable (that is MESH110's case, reported as UNKNOWN here)."""
        kept = dict(self.table[index].clauses or ())
        if clause not in kept or len(self.rules[index].matches) < 2:
            return Verdict(Outcome.UNKNOWN, reason="not a separate match on this proxy")
        verdict = self._reach(index, (kept[clause],))
        if verdict.proven_dead and self.rule_unreachable(index).proven_dead:
            return Verdict(Outcome.UNKNOWN, reason="the whole rule is unreachable")
        return verdict

    def uncovered_request(self) -> Verdict:
        """REACHABLE with a witness when some request matches no rule (it gets a 404);
        COVERED when every request is served."""
        return self._reach(len(self.table), (_EVERYTHING,), witness=True)

    def report(self) -> HttpReport:
        unreachable = {i: self.rule_unreachable(i) for i in range(len(self.rules))}
        ineffective = {
            (i, j): self.match_ineffective(i, j)
            for i, rule in enumerate(self.rules)
            if len(rule.matches) > 1 and not unreachable[i].proven_dead
            for j in range(len(rule.matches))
        }
        return HttpReport(unreachable, ineffective, self.uncovered_request())

    def _reach(self, index: int, clauses: Sequence[HttpMatch], *, witness: bool = False) -> Verdict:
        earlier = self.table[:index]
        catch_all = next((k for k, rule in enumerate(earlier) if rule.catch_all), None)
        if catch_all is not None:
            return Verdict(Outcome.COVERED, (catch_all,), reason="rule without matches before")
        # then a concrete request: most rules are reachable, and one example proves it
        if not has_symbolic_selectors(self.table[: index + 1]):
            for clause in clauses:
                request = reachable_candidate(earlier, clause, self.context)
                if request is not None:
                    return Verdict(Outcome.REACHABLE, witness=Witness(request, shown=self.shown))
        quick = _syntactic(earlier, clauses)
        if quick is not None:
            return quick
        relevant = overlapping(earlier, clauses)
        return self.solver.reach(index, clauses, relevant, witness=witness)


def _syntactic(earlier: Sequence[Effective], clauses: Sequence[HttpMatch]) -> Verdict | None:
    covering = covered_syntactically(earlier, clauses)
    return Verdict(Outcome.COVERED, tuple(covering)) if covering else None


def rule_unreachable(
    rules: Sequence[HttpRule], index: int, context: Context | None = None
) -> Verdict:
    return HttpAnalysis(rules, context).rule_unreachable(index)


def match_ineffective(
    rules: Sequence[HttpRule], index: int, clause: int, context: Context | None = None
) -> Verdict:
    return HttpAnalysis(rules, context).match_ineffective(index, clause)


def uncovered_request(rules: Sequence[HttpRule], context: Context | None = None) -> Witness | None:
    """A request no rule matches (for MESH112), or None when all are covered or it is unknown."""
    verdict = HttpAnalysis(rules, context).uncovered_request()
    return verdict.witness if verdict.outcome is Outcome.REACHABLE else None
