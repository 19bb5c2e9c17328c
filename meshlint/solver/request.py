"""The symbolic HTTP request (and the proxy it passes through) over which matches are encoded."""

from __future__ import annotations

from collections.abc import Iterable

from meshlint.solver.charset import complement, single, union
from meshlint.solver.conditions import Context, HttpMatch, Selector, StrCond
from meshlint.solver.regexp import Unsupported
from meshlint.solver.stringmatch import StringEncoder
from meshlint.solver.z3env import Z3, Term, lit
from meshlint.solver.z3regex import charset_to_z3

# Pseudo-headers that Envoy's header matchers read from the request line.
_PSEUDO = {":method": "method", ":scheme": "scheme", ":authority": "authority"}
Slot = tuple[Term, Term]


class SymbolicRequest:
    """z3 variables for one request: path (no query), method, scheme, authority, port, and a
    (present, value) pair per header / query parameter / proxy label any match mentions."""

    def __init__(self, z3: Z3, matches: Iterable[HttpMatch]) -> None:
        self.z3 = z3
        self.strings = StringEncoder(z3)
        matches = tuple(matches)
        self.path = z3.String("path")
        self.fields = {name: z3.String(name) for name in ("method", "scheme", "authority")}
        self.port = z3.Int("port")
        self.headers = self._slots("header", {k for m in matches for k, _ in m.headers})
        self.query = self._slots("query", {k for m in matches for k, _ in m.query_params})
        self.labels = self._slots(
            "label", {k for m in matches for k, _ in m.selector.source_labels}
        )
        self.namespace = z3.String("proxy.namespace")
        gateways = {g for m in matches for g in m.selector.gateways}
        self.gateways = {g: z3.Bool(f"proxy.gateway.{g}") for g in sorted(gateways)}
        self.unknowns: dict[tuple[str, StrCond], Term] = {}

    def _slots(self, kind: str, keys: set[str]) -> dict[str, Slot]:
        z3 = self.z3
        return {k: (z3.Bool(f"{kind}.{k}?"), z3.String(f"{kind}.{k}")) for k in sorted(keys)}

    def domain(self, context: Context) -> list[Term]:
        """What every real request satisfies, plus what the context fixes: the path starts with
        "/" and holds no "?" or "#"; no request-line field or header value carries a newline (which
        RE2's "." excludes). Query values may be percent-decoded, so they are left free."""
        z3 = self.z3
        path = z3.Concat(z3.Re(lit(z3, "/")), self._star_without("\n?#"))
        line = self._star_without("\n")
        values = [v for _, v in self.headers.values()]
        facts = [z3.InRe(self.path, path), self.port >= 1, self.port <= 65535]
        facts.append(z3.Length(self.fields["method"]) > 0)
        facts += [z3.InRe(v, line) for v in (*self.fields.values(), *values)]
        return facts + self._context_facts(context)

    def _star_without(self, chars: str) -> Term:
        allowed = complement(union(*(single(c) for c in chars)))
        return self.z3.Star(charset_to_z3(allowed, self.z3, self.strings.max_char))

    def _context_facts(self, context: Context) -> list[Term]:
        z3 = self.z3
        facts: list[Term] = []
        if context.port is not None:
            facts.append(self.port == context.port)
        if context.namespace is not None:
            facts.append(self.namespace == lit(z3, context.namespace))
        if context.gateways is not None:
            facts.extend(var == (g in context.gateways) for g, var in self.gateways.items())
        if context.labels is not None:
            for key, (present, value) in self.labels.items():
                wanted = context.labels.get(key)
                facts.append(present == (wanted is not None))
                if wanted is not None:
                    facts.append(value == lit(z3, wanted))
        return facts

    def match(self, match: HttpMatch) -> Term:
        """The formula "this request, on this proxy, matches ``match``" (conditions AND'ed)."""
        z3 = self.z3
        always = z3.BoolVal(True)
        terms = [self.selector(match.selector)]
        if match.uri is not None:
            terms.append(self.cond("uri", match.uri, always, self.path))
        for name in ("method", "scheme", "authority"):
            cond: StrCond | None = getattr(match, name)
            if cond is not None:
                terms.append(self.cond(name, cond, always, self.fields[name]))
        terms.extend(self.header(k, c) for k, c in match.headers)
        terms.extend(self.cond(f"query.{k}", c, *self.query[k]) for k, c in match.query_params)
        if match.port is not None:
            terms.append(self.port == match.port)
        return z3.And(*terms)

    def header(self, key: str, cond: StrCond) -> Term:
        field = _PSEUDO.get(key)
        if field is not None:
            return self.cond(field, cond, self.z3.BoolVal(True), self.fields[field])
        return self.cond(f"header.{key}", cond, *self.headers[key])

    def cond(self, where: str, cond: StrCond, present: Term, value: Term) -> Term:
        """Encode ``cond``; an unmodelled one becomes a free boolean shared by equal conditions."""
        if where == "header.:path":
            return self.unknown(where, cond)
        try:
            return self.strings.encode(cond, present, value)
        except Unsupported:
            return self.unknown(where, cond)

    def unknown(self, where: str, cond: StrCond) -> Term:
        key = (where, cond)
        if key not in self.unknowns:
            self.unknowns[key] = self.z3.Bool(f"unknown.{len(self.unknowns)}")
        return self.unknowns[key]

    def selector(self, selector: Selector) -> Term:
        """Whether the proxy keeps this match (ISTIO-SEMANTICS 1.6, ``sourceMatchHTTP``)."""
        z3 = self.z3
        if selector.gateways:
            return z3.Or(*[self.gateways[g] for g in selector.gateways])
        terms = [z3.BoolVal(True)]
        for key, wanted in selector.source_labels:
            present, value = self.labels[key]
            terms.append(z3.And(present, value == lit(z3, wanted)))
        if selector.source_namespace:
            terms.append(self.namespace == lit(z3, selector.source_namespace))
        return z3.And(*terms)
