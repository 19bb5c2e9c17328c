"""z3 queries for HTTP reachability: unsat cores name covering rules, models give witnesses."""

from __future__ import annotations

import time
from collections.abc import Sequence

from meshlint.solver.concrete import InvalidPattern, Request, first_match
from meshlint.solver.conditions import Context, HttpMatch, HttpRule
from meshlint.solver.request import SymbolicRequest
from meshlint.solver.table import Effective
from meshlint.solver.witness import Outcome, Verdict, Witness, shown_fields
from meshlint.solver.z3env import Term, decode, lit, load, solver


class HttpSolver:
    """One symbolic request over all rules of a route list; formulas are built once."""

    def __init__(
        self,
        rules: Sequence[HttpRule],
        table: Sequence[Effective],
        context: Context,
        timeout_ms: int,
    ) -> None:
        self.z3 = load()
        self.rules = tuple(rules)
        self.table = tuple(table)
        self.context = context
        self.timeout_ms = timeout_ms
        self.sym = SymbolicRequest(self.z3, (m for r in self.table for m in r.matches()))
        self._formulas: dict[int, Term] = {}

    def formula(self, index: int) -> Term:
        if index not in self._formulas:
            rule = self.table[index]
            if rule.catch_all:
                self._formulas[index] = self.z3.BoolVal(True)
            else:
                self._formulas[index] = self.z3.Or(
                    self.z3.BoolVal(False), *[self.sym.match(m) for m in rule.matches()]
                )
        return self._formulas[index]

    def reach(
        self,
        index: int,
        clauses: Sequence[HttpMatch],
        relevant: Sequence[int],
        *,
        witness: bool,
    ) -> Verdict:
        """Is some request matched by ``clauses`` and by no rule before ``index``? Only the
        ``relevant`` earlier rules can match such a request; the others are left out."""
        z3 = self.z3
        s = solver(z3, self.timeout_ms)
        s.add(*self.sym.domain(self.context))
        s.add(z3.Or(*[self.sym.match(m) for m in clauses]))
        trackers = {k: z3.Bool(f"cover.{k}") for k in relevant if self.table[k].clauses != ()}
        for k, tracker in trackers.items():
            s.add(z3.Implies(tracker, z3.Not(self.formula(k))))
        result = s.check(*trackers.values())
        if result == z3.unsat:
            core = self._minimal_core(s, trackers, s.unsat_core())
            return Verdict(Outcome.COVERED if core else Outcome.EMPTY, core)
        if result == z3.sat:
            if not witness:
                return Verdict(Outcome.REACHABLE)
            s.add(*trackers.values())
            return self._witness(s, index)
        return Verdict(Outcome.UNKNOWN, reason=str(s.reason_unknown()))

    def _minimal_core(self, s: Term, trackers: dict[int, Term], core: Term) -> tuple[int, ...]:
        """Deletion-based minimisation of the unsat core (keeps a rule when a check is unknown)."""
        names = {str(c) for c in core}
        kept = [k for k, t in trackers.items() if str(t) in names]
        for k in list(kept):
            trial = [trackers[j] for j in kept if j != k]
            if s.check(*trial) == self.z3.unsat:
                kept.remove(k)
        return tuple(kept)

    def _witness(self, s: Term, index: int) -> Verdict:
        if s.check() != self.z3.sat:
            return Verdict(Outcome.UNKNOWN, reason="no model")
        model = s.model()
        # Readability is best effort: each goal gets a short budget, all of them one timeout.
        deadline = time.monotonic() + self.timeout_ms / 1000
        s.set("timeout", min(self.timeout_ms, _PREFERENCE_MS))
        for preference in self._preferences():
            if time.monotonic() > deadline:
                break
            s.push()
            s.add(preference)
            if s.check() == self.z3.sat:
                model = s.model()
            else:
                s.pop()
        request, proxy = self._request(model)
        checked = Context(
            labels=self.context.labels if self.context.labels is not None else proxy.labels,
            namespace=self.context.namespace or proxy.namespace,
            gateways=self.context.gateways if self.context.gateways is not None else proxy.gateways,
            port=self.context.port,
        )
        try:
            confirmed = first_match(self.rules[:index], request, checked) is None
        except InvalidPattern:
            confirmed = False
        if not confirmed:
            # The model relied on a condition z3 could not model (unknown); do not report.
            return Verdict(Outcome.UNKNOWN, reason="witness not confirmed")
        found = Witness(request, proxy, shown_fields(self.rules))
        return Verdict(Outcome.REACHABLE, witness=found)

    def _preferences(self) -> list[Term]:
        """Soft goals, tried in order, that make a witness readable."""
        z3, sym = self.z3, self.sym
        prefs = [var == (g == "mesh") for g, var in sym.gateways.items()]
        prefs += [z3.Not(present) for present, _ in sym.labels.values()]
        for name, choices in _DEFAULTS.items():
            prefs += [z3.Or(*[sym.fields[name] == lit(z3, v) for v in c]) for c in choices]
        prefs += [z3.Not(p) for p, _ in (*sym.headers.values(), *sym.query.values())]
        prefs += [sym.port == 80, sym.path == lit(z3, "/")]
        prefs += [self._short(sym.path, 12, readable=True), self._short(sym.path, 32)]
        values = [v for _, v in (*sym.headers.values(), *sym.query.values(), *sym.labels.values())]
        prefs += [self._short(v, 8, readable=True) for v in values]
        prefs += [self._short(v, 32) for v in values]
        prefs.append(sym.namespace == lit(z3, "default"))
        return prefs

    def _short(self, term: Term, length: int, *, readable: bool = False) -> Term:
        z3 = self.z3
        if readable:
            chars = z3.Union(
                z3.Range(lit(z3, "a"), lit(z3, "z")),
                z3.Range(lit(z3, "0"), lit(z3, "9")),
                *[z3.Re(lit(z3, c)) for c in "/-._"],
            )
        else:
            chars = z3.Range(lit(z3, " "), lit(z3, "~"))
        return z3.And(z3.Length(term) <= length, z3.InRe(term, z3.Star(chars)))

    def _request(self, model: Term) -> tuple[Request, Context]:
        z3, sym = self.z3, self.sym

        def text(term: Term) -> str:
            return decode(z3, model, term)

        def is_set(term: Term) -> bool:
            return bool(z3.is_true(model.eval(term, model_completion=True)))

        request = Request(
            path=text(sym.path),
            method=text(sym.fields["method"]),
            scheme=text(sym.fields["scheme"]),
            authority=text(sym.fields["authority"]),
            port=model.eval(sym.port, model_completion=True).as_long(),
            headers={k: text(v) for k, (p, v) in sym.headers.items() if is_set(p)},
            query_params={k: text(v) for k, (p, v) in sym.query.items() if is_set(p)},
        )
        proxy = Context(
            labels={k: text(v) for k, (p, v) in sym.labels.items() if is_set(p)} or None,
            namespace=text(sym.namespace) if self._mentions_namespace() else None,
            gateways=frozenset(g for g, var in sym.gateways.items() if is_set(var)) or None,
        )
        return request, proxy

    def _mentions_namespace(self) -> bool:
        return self.context.namespace is None and any(
            m.selector.source_namespace for r in self.table for m in r.matches()
        )


_PREFERENCE_MS = 200
_DEFAULTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "method": (("GET",), ("POST",), ("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")),
    "scheme": (("http",), ("https",)),
    "authority": (("example.com",),),
}
