"""Soundness: every solver claim is checked against an independent concrete oracle.

(a) a witness request matches no rule; (b) an unreachable rule is never the first match of any
enumerated request, and its covering rules match every request it matches; (c) likewise for
ineffective matches.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshlint.solver import (
    CondKind,
    Context,
    HttpAnalysis,
    HttpMatch,
    HttpRule,
    Outcome,
    Selector,
    StrCond,
    absent,
    exact,
    http_match,
    prefix,
    present,
    regex,
)

# ----------------------------------------------------------------- the oracle (no solver code)


@dataclass(frozen=True)
class Req:
    path: str
    method: str
    header: str | None
    query: str | None
    port: int


@dataclass(frozen=True)
class Proxy:
    app: str | None
    gateway: str


def _fold(text: str) -> str:
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


def oracle_cond(cond: StrCond, value: str | None) -> bool:
    if cond.kind is CondKind.PRESENT:
        return value is not None
    if cond.kind is CondKind.ABSENT:
        return value is None
    if value is None and not cond.inverted:
        return False
    text = "" if value is None else value
    wanted = cond.value
    if cond.ignore_case and cond.kind is not CondKind.REGEX:
        text, wanted = _fold(text), _fold(wanted)
    if cond.kind is CondKind.EXACT:
        hit = text == wanted
    elif cond.kind is CondKind.PREFIX:
        hit = text.startswith(wanted)
    else:
        hit = _full_match(wanted, text)
    return hit != cond.inverted


@functools.lru_cache(maxsize=4096)
def _full_match(pattern: str, text: str) -> bool:
    return re2.fullmatch(pattern, text) is not None


def oracle_selector(selector: Selector, proxy: Proxy) -> bool:
    if selector.gateways:
        return proxy.gateway in selector.gateways
    labels = {"app": proxy.app} if proxy.app else {}
    return all(labels.get(k) == v for k, v in selector.source_labels)


def oracle_match(match: HttpMatch, req: Req, proxy: Proxy) -> bool:
    checks = [
        oracle_selector(match.selector, proxy),
        match.port is None or match.port == req.port,
        match.uri is None or oracle_cond(match.uri, req.path),
        match.method is None or oracle_cond(match.method, req.method),
    ]
    checks += [oracle_cond(c, req.header) for _, c in match.headers]
    checks += [oracle_cond(c, req.query) for _, c in match.query_params]
    return all(checks)


def oracle_rule(rule: HttpRule, req: Req, proxy: Proxy) -> bool:
    return not rule.matches or any(oracle_match(m, req, proxy) for m in rule.matches)


def oracle_first(rules: list[HttpRule], req: Req, proxy: Proxy) -> int | None:
    return next((i for i, r in enumerate(rules) if oracle_rule(r, req, proxy)), None)


# ----------------------------------------------------------------- random rule sets

URI_CONDS = [
    exact("/a"),
    exact("/ab"),
    exact("/"),
    prefix("/a"),
    prefix("/ab"),
    prefix("/"),
    prefix("/b"),
    exact("/a", ignore_case=True),
    prefix("/A", ignore_case=True),
    regex("/a.*"),
    regex("/[ab]+"),
    regex("/a?b"),
    regex("/(a|b)c*"),
    regex(".*"),
    regex("(?i)/a"),
    regex(r"/\w"),
    regex("/(a|ab)"),
    regex("/a[bc]?"),
    regex("/b.*"),
]
VALUE_CONDS = [
    exact("1"),
    exact("2"),
    exact(""),
    prefix("1"),
    present(),
    regex("[12]"),
    regex("1*"),
]
WITHOUT_CONDS = [
    absent(),
    StrCond(CondKind.EXACT, "1", inverted=True),
    StrCond(CondKind.PREFIX, "1", inverted=True),
]
SELECTORS = [
    Selector(),
    Selector(),
    Selector(source_labels=(("app", "a"),)),
    Selector(gateways=("ns/gw",)),
]

maybe = st.one_of


@st.composite
def matches(draw: st.DrawFn) -> HttpMatch:
    header = draw(maybe(st.none(), st.sampled_from(VALUE_CONDS + WITHOUT_CONDS)))
    query = draw(maybe(st.none(), st.sampled_from(VALUE_CONDS)))
    return http_match(
        uri=draw(maybe(st.none(), st.sampled_from(URI_CONDS))),
        method=draw(maybe(st.none(), st.sampled_from([exact("GET"), exact("POST"), prefix("P")]))),
        headers={"x": header} if header else None,
        query_params={"q": query} if query else None,
        port=draw(st.sampled_from([None, None, 80, 8080])),
        selector=draw(st.sampled_from(SELECTORS)),
    )


rule_lists = st.lists(
    st.builds(lambda ms: HttpRule(tuple(ms)), st.lists(matches(), max_size=2)),
    min_size=1,
    max_size=4,
)
contexts = st.sampled_from([Context(), Context.sidecar(labels={"app": "a"}), Context(port=80)])

PATHS = ["/", "/a", "/ab", "/abc", "/b", "/bc", "/A", "/aB", "/c", "/a1", "/b/"]
VALUES = [None, "", "1", "2", "12"]


def requests(context: Context, rules: Sequence[HttpRule]) -> Iterator[tuple[Req, Proxy]]:
    """Every request of a small universe; dimensions no rule looks at keep one value."""
    used = [m for r in rules for m in r.matches]
    ports = [context.port] if context.port else [80, 8080, 9090]
    apps = [context.labels.get("app")] if context.labels is not None else [None, "a"]
    gateways = sorted(context.gateways) if context.gateways else ["mesh", "ns/gw"]
    for path, method, header, query, port, app, gateway in itertools.product(
        PATHS,
        ["GET", "POST", "PUT"] if any(m.method for m in used) else ["GET"],
        VALUES if any(m.headers for m in used) else [None],
        VALUES if any(m.query_params for m in used) else [None],
        ports if any(m.port for m in used) else ports[:1],
        apps if any(m.selector.source_labels for m in used) else apps[:1],
        gateways if any(m.selector.gateways for m in used) else gateways[:1],
    ):
        yield Req(path, method, header, query, port), Proxy(app, gateway)


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _proxy_of(context: Context, found: Context) -> Proxy:
    labels: Mapping[str, str] = (
        context.labels if context.labels is not None else (found.labels or {})
    )
    gateways = context.gateways or found.gateways or frozenset({"mesh"})
    return Proxy(labels.get("app"), sorted(gateways)[0])


@SETTINGS
@given(rule_lists, contexts)
def test_witness_matches_no_rule(rules: list[HttpRule], context: Context) -> None:
    verdict = HttpAnalysis(rules, context).uncovered_request()
    if verdict.outcome is not Outcome.REACHABLE:
        if verdict.outcome is Outcome.COVERED:
            assert all(oracle_first(rules, r, p) is not None for r, p in requests(context, rules))
        return
    witness = verdict.witness
    assert witness is not None
    w = witness.request
    assert w.path.startswith("/")
    req = Req(w.path, w.method, w.headers.get("x"), w.query_params.get("q"), w.port)
    assert oracle_first(rules, req, _proxy_of(context, witness.proxy)) is None


@SETTINGS
@given(rule_lists, contexts)
def test_unreachable_verdicts_hold_on_every_enumerated_request(
    rules: list[HttpRule], context: Context
) -> None:
    analysis = HttpAnalysis(rules, context)
    for index in range(len(rules)):
        verdict = analysis.rule_unreachable(index)
        if verdict.proven_dead:
            _check_dead(rules, index, None, verdict.covering, context)
        for clause in range(len(rules[index].matches)):
            ineffective = analysis.match_ineffective(index, clause)
            if ineffective.proven_dead:
                _check_dead(rules, index, clause, ineffective.covering, context)


def _check_dead(
    rules: list[HttpRule],
    index: int,
    clause: int | None,
    covering: tuple[int, ...],
    context: Context,
) -> None:
    assert all(k < index for k in covering)
    target = rules[index] if clause is None else HttpRule((rules[index].matches[clause],))
    for req, proxy in requests(context, rules):
        if oracle_rule(target, req, proxy):
            assert any(oracle_rule(rules[k], req, proxy) for k in covering), (req, proxy)


@SETTINGS
@given(rule_lists, contexts)
def test_solver_alone_is_sound(rules: list[HttpRule], context: Context) -> None:
    """The z3 encoding on its own, bypassing the syntactic pre-pass and concrete candidates."""
    analysis = HttpAnalysis(rules, context)
    everything = (http_match(uri=prefix("/")),)
    for index, effective in enumerate(analysis.table):
        if effective.clauses == ():
            continue
        clauses = everything if effective.catch_all else effective.matches()
        verdict = analysis.solver.reach(index, clauses, range(index), witness=False)
        if verdict.proven_dead:
            _check_dead(rules, index, None, verdict.covering, context)
    verdict = analysis.solver.reach(len(rules), everything, range(len(rules)), witness=True)
    if verdict.outcome is Outcome.REACHABLE:
        assert verdict.witness is not None
        w = verdict.witness.request
        req = Req(w.path, w.method, w.headers.get("x"), w.query_params.get("q"), w.port)
        assert oracle_first(rules, req, _proxy_of(context, verdict.witness.proxy)) is None
    elif verdict.outcome is Outcome.COVERED:
        assert all(oracle_first(rules, r, p) is not None for r, p in requests(context, rules))
