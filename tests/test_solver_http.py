"""HTTP route lists: unreachable rules (MESH110), ineffective matches (MESH111), 404s (MESH112)."""

from __future__ import annotations

import json

import pytest

from meshlint.solver import (
    Context,
    HttpAnalysis,
    HttpRule,
    Outcome,
    Request,
    Selector,
    StrCond,
    Verdict,
    Witness,
    absent,
    exact,
    first_match,
    http_match,
    http_rule,
    prefix,
    present,
    regex,
    uncovered_request,
)

M = http_match
R = http_rule
COVERED, EMPTY, REACHABLE = Outcome.COVERED, Outcome.EMPTY, Outcome.REACHABLE

# (id, rules, index of the rule under test, expected outcome, expected covering rules)
UNREACHABLE_CASES = [
    (
        "finite-regex-covered-by-two-exact-matches",
        [R(M(uri=exact("/login")), M(uri=exact("/logout"))), R(M(uri=regex("/(login|logout)")))],
        1,
        COVERED,
        (0,),
    ),
    (
        "finite-regex-not-covered-by-one-exact",
        [R(M(uri=exact("/login"))), R(M(uri=regex("/(login|logout)")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "prefix-covers-longer-prefix",
        [R(M(uri=prefix("/api"))), R(M(uri=prefix("/api/v1")))],
        1,
        COVERED,
        (0,),
    ),
    (
        "exact-does-not-cover-prefix",
        [R(M(uri=exact("/a"))), R(M(uri=prefix("/a")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "regex-covers-prefix",
        [R(M(uri=regex("/api/.*"))), R(M(uri=prefix("/api/")))],
        1,
        COVERED,
        (0,),
    ),
    (
        "regex-needs-digit",
        [R(M(uri=regex("/api/[0-9]+"))), R(M(uri=prefix("/api/1")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "header-rule-leaves-requests-without-header",
        [R(M(uri=prefix("/"), headers={"end-user": exact("jason")})), R(M(uri=prefix("/")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "header-rule-covers-same-header",
        [
            R(M(headers={"end-user": exact("jason")})),
            R(M(uri=prefix("/v2"), headers={"End-User": exact("jason")})),
        ],
        1,
        COVERED,
        (0,),
    ),
    (
        "ignore-case-prefix-covers-case-variant",
        [R(M(uri=prefix("/API", ignore_case=True))), R(M(uri=prefix("/api/x")))],
        1,
        COVERED,
        (0,),
    ),
    (
        "case-sensitive-prefix-misses-upper-case",
        [R(M(uri=prefix("/api"))), R(M(uri=exact("/API/x", ignore_case=True)))],
        1,
        REACHABLE,
        (),
    ),
    (
        "two-case-sensitive-prefixes-do-not-cover-mixed-case",
        [
            R(M(uri=prefix("/ab"))),
            R(M(uri=prefix("/AB"))),
            R(M(uri=exact("/ab", ignore_case=True))),
        ],
        2,
        REACHABLE,
        (),
    ),
    (
        "case-variants-of-first-letter-cover",
        [R(M(uri=prefix("/a"))), R(M(uri=prefix("/A"))), R(M(uri=exact("/ab", ignore_case=True)))],
        2,
        COVERED,
        (0, 1),
    ),
    (
        "single-letter-case-variants-cover",
        [R(M(uri=exact("/a"))), R(M(uri=exact("/A"))), R(M(uri=exact("/a", ignore_case=True)))],
        2,
        COVERED,
        (0, 1),
    ),
    (
        "get-does-not-cover-post",
        [R(M(method=exact("GET"))), R(M(method=exact("POST")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "get-and-post-cover-get",
        [
            R(M(method=exact("GET"))),
            R(M(method=exact("POST"))),
            R(M(method=exact("GET"), uri=prefix("/x"))),
        ],
        2,
        COVERED,
        (0,),
    ),
    (
        "presence-covers-exact",
        [R(M(headers={"x": present()})), R(M(headers={"x": exact("v")}))],
        1,
        COVERED,
        (0,),
    ),
    (
        "exact-does-not-cover-presence",
        [R(M(headers={"x": exact("v")})), R(M(headers={"x": present()}))],
        1,
        REACHABLE,
        (),
    ),
    (
        "empty-exact-is-not-presence",
        [R(M(headers={"x": exact("")})), R(M(headers={"x": present()}))],
        1,
        REACHABLE,
        (),
    ),
    (
        "present-or-absent-covers-all",
        [
            R(M(headers={"x": present()})),
            R(M(without_headers={"x": regex("*")})),
            R(M(uri=prefix("/"))),
        ],
        2,
        COVERED,
        (0, 1),
    ),
    (
        "without-header-covers-other-value",
        [R(M(without_headers={"x": exact("a")})), R(M(headers={"x": exact("b")}))],
        1,
        COVERED,
        (0,),
    ),
    (
        "without-header-misses-its-value",
        [R(M(without_headers={"x": exact("a")})), R(M(headers={"x": exact("a")}))],
        1,
        REACHABLE,
        (),
    ),
    (
        "without-header-covers-missing-header",
        [R(M(without_headers={"x": prefix("a")})), R(M(without_headers={"x": present()}))],
        1,
        COVERED,
        (0,),
    ),
    (
        "query-regex-covers-exact",
        [R(M(query_params={"v": regex("[0-9]+")})), R(M(query_params={"v": exact("12")}))],
        1,
        COVERED,
        (0,),
    ),
    (
        "query-exact-does-not-cover-regex",
        [R(M(query_params={"v": exact("1")})), R(M(query_params={"v": regex("[0-9]")}))],
        1,
        REACHABLE,
        (),
    ),
    (
        "catch-all-covers-everything",
        [R(), R(M(uri=exact("/x"))), R(M(uri=prefix("/y")))],
        2,
        COVERED,
        (0,),
    ),
    (
        "prefix-slash-is-catch-all",
        [R(M(uri=prefix("/"))), R(M(headers={"x": present()}))],
        1,
        COVERED,
        (0,),
    ),
    (
        "regex-dot-star-is-catch-all",
        [R(M(uri=regex(".*"))), R(M(uri=prefix("/q")))],
        1,
        COVERED,
        (0,),
    ),
    ("other-port-does-not-cover", [R(M(port=8080)), R(M(uri=prefix("/")))], 1, REACHABLE, ()),
    (
        "same-port-covers",
        [R(M(port=80, uri=prefix("/"))), R(M(port=80, uri=prefix("/x")))],
        1,
        COVERED,
        (0,),
    ),
    (
        "union-of-two-rules-covers",
        [R(M(uri=prefix("/a"))), R(M(uri=prefix("/b"))), R(M(uri=regex("/(a|b)x*")))],
        2,
        COVERED,
        (0, 1),
    ),
    (
        "covering-set-is-minimal",
        [
            R(M(uri=prefix("/a"))),
            R(M(uri=prefix("/a/b"))),
            R(M(uri=prefix("/c"))),
            R(M(uri=regex("/a[0-9]"))),
        ],
        3,
        COVERED,
        (0,),
    ),
    (
        "contradictory-match-is-empty",
        [R(M(uri=exact("/a"))), R(M(uri=exact("nope")))],
        1,
        EMPTY,
        (),
    ),
    (
        "source-label-rule-does-not-cover-unlabelled",
        [R(M(selector=Selector(source_labels=(("app", "a"),)))), R(M(uri=prefix("/x")))],
        1,
        REACHABLE,
        (),
    ),
    (
        "source-label-subset-covers",
        [
            R(M(selector=Selector(source_labels=(("app", "a"),)))),
            R(M(uri=prefix("/x"), selector=Selector(source_labels=(("app", "a"), ("v", "1"))))),
        ],
        1,
        COVERED,
        (0,),
    ),
    (
        "gateway-rule-does-not-cover-mesh",
        [R(M(selector=Selector(gateways=("ns/gw",)))), R(M(uri=prefix("/x")))],
        1,
        REACHABLE,
        (),
    ),
]


@pytest.mark.parametrize(
    ("rules", "index", "outcome", "covering"),
    [pytest.param(*case[1:], id=case[0]) for case in UNREACHABLE_CASES],
)
def test_rule_unreachable(
    rules: list[HttpRule], index: int, outcome: Outcome, covering: tuple[int, ...]
) -> None:
    verdict = HttpAnalysis(rules).rule_unreachable(index)
    assert (verdict.outcome, verdict.covering) == (outcome, covering)


@pytest.mark.parametrize("pattern", ["(?i)/foo", r"\b/foo", r"/\pL+"])
def test_unsupported_regex_is_unknown_never_covering(pattern: str) -> None:
    rules = [R(M(uri=regex(pattern))), R(M(uri=exact("/foo")))]
    assert not HttpAnalysis(rules).rule_unreachable(1).proven_dead


def test_unsupported_regex_in_covered_rule_still_covered_by_catch_all() -> None:
    rules = [R(M(uri=prefix("/"))), R(M(uri=regex("(?i)foo")))]
    verdict = HttpAnalysis(rules).rule_unreachable(1)
    assert (verdict.outcome, verdict.covering) == (COVERED, (0,))


def test_identical_unsupported_regex_covers_itself() -> None:
    rules = [R(M(uri=regex("(?i)/foo"))), R(M(uri=regex("(?i)/foo"), headers={"x": present()}))]
    verdict = HttpAnalysis(rules).rule_unreachable(1)
    assert (verdict.outcome, verdict.covering) == (COVERED, (0,))


LABELLED = [
    R(M(uri=prefix("/"), selector=Selector(source_labels=(("app", "a"),)))),
    R(M(uri=prefix("/x"))),
]


@pytest.mark.parametrize(
    ("context", "outcome"),
    [
        (Context(labels={"app": "a", "v": "1"}), COVERED),
        (Context(labels={"app": "b"}), REACHABLE),
        (Context(), REACHABLE),
    ],
)
def test_source_labels_depend_on_proxy(context: Context, outcome: Outcome) -> None:
    assert HttpAnalysis(LABELLED, context).rule_unreachable(1).outcome is outcome


def test_rule_whose_matches_are_all_removed_is_empty_not_catch_all() -> None:
    rules = [
        R(M(uri=prefix("/"), selector=Selector(source_namespace="other"))),
        R(M(uri=prefix("/x"))),
    ]
    analysis = HttpAnalysis(rules, Context.sidecar(namespace="shop"))
    assert analysis.rule_unreachable(0).outcome is EMPTY
    assert analysis.rule_unreachable(1).outcome is REACHABLE


def test_gateway_match_applies_only_on_that_gateway() -> None:
    rules = [R(M(selector=Selector(gateways=("ns/gw",)))), R(M(uri=prefix("/x")))]
    on_gateway = HttpAnalysis(rules, Context(gateways=frozenset({"ns/gw"})))
    assert on_gateway.rule_unreachable(1).covering == (0,)
    assert HttpAnalysis(rules, Context.sidecar()).rule_unreachable(0).outcome is EMPTY


def test_listener_port_drops_matches_for_other_ports() -> None:
    rules = [R(M(port=8080)), R(M(uri=prefix("/x")))]
    assert HttpAnalysis(rules, Context(port=8080)).rule_unreachable(1).covering == (0,)
    assert HttpAnalysis(rules, Context(port=9090)).rule_unreachable(0).outcome is EMPTY


def test_match_ineffective_names_covering_rule() -> None:
    rules = [R(M(uri=prefix("/a"))), R(M(uri=prefix("/a/b")), M(uri=prefix("/c")))]
    analysis = HttpAnalysis(rules)
    covered = analysis.match_ineffective(1, 0)
    assert (covered.outcome, covered.covering) == (COVERED, (0,))
    assert analysis.match_ineffective(1, 1).outcome is REACHABLE


def test_match_ineffective_defers_to_unreachable_rule() -> None:
    rules = [R(M(uri=prefix("/a"))), R(M(uri=prefix("/a/b")), M(uri=exact("/a")))]
    analysis = HttpAnalysis(rules)
    assert analysis.rule_unreachable(1).covering == (0,)
    assert analysis.match_ineffective(1, 0).outcome is Outcome.UNKNOWN


def test_report_collects_every_verdict() -> None:
    rules = [R(M(uri=prefix("/a"))), R(M(uri=prefix("/a/b")), M(uri=prefix("/c"))), R()]
    report = HttpAnalysis(rules).report()
    assert [v.outcome for v in report.unreachable.values()] == [REACHABLE, REACHABLE, REACHABLE]
    assert report.ineffective[(1, 0)].covering == (0,)
    assert report.uncovered.outcome is COVERED


def test_match_less_last_rule_leaves_nothing_uncovered() -> None:
    rules = [R(M(uri=prefix("/api"))), R()]
    assert uncovered_request(rules) is None


def test_catch_all_prefix_leaves_nothing_uncovered_via_solver() -> None:
    rules = [
        R(M(uri=prefix("/a"))),
        R(M(without_headers={"x": exact("1")})),
        R(M(headers={"x": exact("1")})),
    ]
    verdict = HttpAnalysis(rules).uncovered_request()
    assert (verdict.outcome, verdict.covering) == (COVERED, (1, 2))


def test_witness_for_api_only_service_avoids_api() -> None:
    rules = [R(M(uri=prefix("/api")))]
    witness = uncovered_request(rules)
    assert witness is not None
    assert not witness.request.path.startswith("/api")
    assert first_match(rules, witness.request, Context()) is None


def test_witness_needs_header_and_is_readable() -> None:
    rules = [
        R(M(uri=prefix("/"), without_headers={"end-user": regex("*")})),
        R(M(headers={"end-user": exact("")})),
    ]
    witness = uncovered_request(rules)
    assert witness is not None
    value = witness.request.headers["end-user"]
    assert value != "" and value.isprintable() and len(value) <= 8
    assert witness.render() == f"GET / with header end-user: {json.dumps(value)}"
    assert first_match(rules, witness.request, Context()) is None


def test_witness_from_solver_avoids_regex_and_method() -> None:
    rules = [R(M(uri=regex("/[a-z]*"))), R(M(method=exact("GET")))]
    witness = uncovered_request(rules)
    assert witness is not None
    assert witness.request.method == "POST"
    assert first_match(rules, witness.request, Context()) is None
    data = witness.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["method"] == "POST"


def test_witness_shows_query_and_port_when_rules_use_them() -> None:
    rules = [R(M(port=80)), R(M(query_params={"debug": present()}))]
    witness = uncovered_request(rules, Context())
    assert witness is not None
    assert witness.request.port != 80
    assert "port" in witness.shown
    assert first_match(rules, witness.request, Context()) is None


def test_witness_with_unsupported_regex_is_confirmed_concretely() -> None:
    rules = [R(M(uri=regex("(?i)/[a-z]+")))]
    witness = uncovered_request(rules)
    assert witness is None or first_match(rules, witness.request, Context()) is None


def test_witness_names_proxy_when_selectors_matter() -> None:
    rules = [R(M(selector=Selector(source_labels=(("app", "a"),))))]
    witness = uncovered_request(rules)
    assert witness is not None
    assert (witness.proxy.labels or {}).get("app") != "a"
    assert uncovered_request(rules, Context(labels={"app": "a"})) is None


def test_verdict_renders_covering_rules() -> None:
    rules = [R(M(uri=prefix("/api")), name="api"), R(M(uri=prefix("/api/v1")))]
    verdict = HttpAnalysis(rules).rule_unreachable(1)
    assert verdict.render({0: "api"}) == "covered by http[0] (api)"
    assert verdict.to_dict() == {"outcome": "covered", "covering": [0]}


def test_absent_helper_is_without_presence() -> None:
    rules = [R(M(headers={"x": absent()})), R(M(without_headers={"x": present()}))]
    assert HttpAnalysis(rules).rule_unreachable(1).covering == (0,)


def _solver_only(rules: list[HttpRule], index: int, context: Context | None = None) -> Verdict:
    """The z3 answer alone, without the syntactic pre-pass or concrete candidates."""
    analysis = HttpAnalysis(rules, context)
    effective = analysis.table[index]
    clauses = effective.matches() if not effective.catch_all else (http_match(uri=prefix("/")),)
    return analysis.solver.reach(index, clauses, range(index), witness=False)


@pytest.mark.parametrize(
    ("rules", "index", "outcome", "covering"),
    [pytest.param(*case[1:], id=case[0]) for case in UNREACHABLE_CASES],
)
def test_solver_agrees_without_prepass(
    rules: list[HttpRule], index: int, outcome: Outcome, covering: tuple[int, ...]
) -> None:
    verdict = _solver_only(rules, index)
    assert (verdict.outcome, verdict.covering) == (outcome, covering)


def test_solver_unknown_is_never_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    import z3

    from meshlint.solver import z3backend

    class GivesUp:
        def __init__(self) -> None:
            self.inner = z3.Solver()

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def check(self, *assumptions: object) -> object:
            return z3.unknown

        def reason_unknown(self) -> str:
            return "timeout"

    monkeypatch.setattr(z3backend, "solver", lambda z3mod, timeout: GivesUp())
    rules = [R(M(uri=regex("/a[0-9]*"))), R(M(uri=regex("/a[0-9]+")))]
    verdict = HttpAnalysis(rules).rule_unreachable(1)
    assert (verdict.outcome, verdict.reason) == (Outcome.UNKNOWN, "timeout")
    covering_all = [R(M(uri=regex("/[^x]*"))), R(M(uri=regex("/.*x.*")))]
    assert HttpAnalysis(covering_all).uncovered_request().outcome is Outcome.UNKNOWN


def test_regex_union_covers_everything() -> None:
    covering_all = [R(M(uri=regex("/[^x]*"))), R(M(uri=regex("/.*x.*")))]
    verdict = HttpAnalysis(covering_all).uncovered_request()
    assert (verdict.outcome, verdict.covering) == (COVERED, (0, 1))


@pytest.mark.parametrize(
    ("cond", "text"),
    [
        (exact("/a", ignore_case=True), "exact '/a' (ignore case)"),
        (prefix("/api"), "prefix '/api'"),
        (present(), "present"),
        (absent(), "absent"),
    ],
)
def test_condition_descriptions(cond: StrCond, text: str) -> None:
    assert cond.describe() == text


def test_witness_render_with_query_and_proxy() -> None:
    witness = Witness(
        Request(path="/x", method="POST", port=8080, query_params={"debug": "", "v": "2"}),
        Context(labels={"app": "web"}, namespace="shop", gateways=frozenset({"mesh"})),
        frozenset({"port"}),
    )
    assert witness.render() == (
        "POST /x?debug&v=2 with port 8080, source label app=web, "
        "source namespace shop, gateway mesh"
    )
    assert witness.to_dict()["proxy"] == {
        "labels": {"app": "web"},
        "namespace": "shop",
        "gateways": ["mesh"],
    }
