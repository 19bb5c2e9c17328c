"""TCP and TLS route lists: catch-alls, CIDR coverage, SNI hosts, ports and selectors."""

from __future__ import annotations

import pytest

from meshlint.solver import (
    Context,
    L4Match,
    L4Rule,
    Outcome,
    Selector,
    tcp_unreachable,
    tls_unreachable,
)

COVERED, EMPTY, REACHABLE = Outcome.COVERED, Outcome.EMPTY, Outcome.REACHABLE


def tcp(*subnets: str, port: int | None = None, labels: tuple[tuple[str, str], ...] = ()) -> L4Rule:
    return L4Rule((L4Match(subnets, port, selector=Selector(source_labels=labels)),))


def tls(*hosts: str, subnets: tuple[str, ...] = (), port: int | None = None) -> L4Rule:
    return L4Rule((L4Match(subnets, port, sni_hosts=hosts),))


TCP_CASES = [
    ("catch-all-first", [L4Rule(), tcp("10.0.0.0/8")], 1, COVERED, (0,)),
    ("same-subnet", [tcp("10.1.0.0/16"), tcp("10.1.0.0/16")], 1, COVERED, (0,)),
    ("host-bits-normalised", [tcp("10.1.0.0/16"), tcp("10.1.2.3/16")], 1, COVERED, (0,)),
    (
        "longer-subnets-union",
        [tcp("10.0.0.0/9"), tcp("10.128.0.0/9"), tcp("10.0.0.0/8")],
        2,
        COVERED,
        (0, 1),
    ),
    ("longer-subnets-partial", [tcp("10.0.0.0/9"), tcp("10.0.0.0/8")], 1, REACHABLE, ()),
    # Envoy picks the longest CIDR: an earlier /8 does not take traffic from a later /16.
    (
        "shorter-earlier-subnet-does-not-shadow",
        [tcp("10.0.0.0/8"), tcp("10.1.0.0/16")],
        1,
        REACHABLE,
        (),
    ),
    ("single-address", [tcp("192.168.1.1"), tcp("192.168.1.1/32")], 1, COVERED, (0,)),
    ("ipv6", [tcp("fd00::/64"), tcp("fd00::/64")], 1, COVERED, (0,)),
    ("ip-version-mismatch", [tcp("0.0.0.0/0"), tcp("::/0")], 1, REACHABLE, ()),
    ("no-subnet-chains", [tcp(port=9000), tcp(port=9000)], 1, COVERED, (0,)),
    (
        "port-specific-does-not-cover-any-port",
        [tcp("10.0.0.0/8", port=80), tcp("10.0.0.0/8")],
        1,
        REACHABLE,
        (),
    ),
    ("any-port-covers-port", [tcp("10.0.0.0/8"), tcp("10.0.0.0/8", port=80)], 1, COVERED, (0,)),
    (
        "selector-not-shared",
        [tcp("10.0.0.0/8", labels=(("app", "a"),)), tcp("10.0.0.0/8")],
        1,
        REACHABLE,
        (),
    ),
    (
        "selector-shared",
        [tcp("10.0.0.0/8", labels=(("app", "a"),)), tcp("10.0.0.0/8", labels=(("app", "a"),))],
        1,
        COVERED,
        (0,),
    ),
    ("invalid-subnet-unknown", [tcp("10.0.0.0/33"), tcp("10.0.0.0/8")], 1, Outcome.UNKNOWN, ()),
]


@pytest.mark.parametrize(
    ("rules", "index", "outcome", "covering"), [pytest.param(*c[1:], id=c[0]) for c in TCP_CASES]
)
def test_tcp_unreachable(
    rules: list[L4Rule], index: int, outcome: Outcome, covering: tuple[int, ...]
) -> None:
    verdict = tcp_unreachable(rules, index)
    assert (verdict.outcome, verdict.covering) == (outcome, covering)


def test_tcp_context_applies_selectors_and_port() -> None:
    rules = [tcp("10.0.0.0/8", labels=(("app", "a"),)), tcp("10.0.0.0/8")]
    assert tcp_unreachable(rules, 1, Context(labels={"app": "a"})).covering == (0,)
    assert tcp_unreachable(rules, 0, Context(labels={"app": "b"})).outcome is EMPTY
    ported = [tcp("10.0.0.0/8", port=80), tcp("10.0.0.0/8")]
    assert tcp_unreachable(ported, 1, Context(port=80)).covering == (0,)


TLS_CASES = [
    ("same-host", [tls("a.foo.com"), tls("a.foo.com")], 1, COVERED, (0,)),
    ("host-case-insensitive", [tls("A.foo.com"), tls("a.foo.com")], 1, COVERED, (0,)),
    # Envoy prefers the exact server name over a wildcard, whatever the order.
    ("wildcard-does-not-shadow-exact", [tls("*.foo.com"), tls("a.foo.com")], 1, REACHABLE, ()),
    (
        "wildcard-does-not-shadow-longer-wildcard",
        [tls("*.foo.com"), tls("*.a.foo.com")],
        1,
        REACHABLE,
        (),
    ),
    ("same-wildcard", [tls("*.foo.com", "b.com"), tls("*.foo.com")], 1, COVERED, (0,)),
    (
        "hosts-split-over-rules",
        [tls("a.com"), tls("b.com"), tls("b.com", "a.com")],
        2,
        COVERED,
        (0, 1),
    ),
    ("one-host-left", [tls("a.com"), tls("a.com", "c.com")], 1, REACHABLE, ()),
    (
        "sni-and-subnet",
        [tls("a.com", subnets=("10.0.0.0/8",)), tls("a.com", subnets=("10.1.0.0/16",))],
        1,
        REACHABLE,
        (),
    ),
    (
        "sni-and-same-subnet",
        [tls("a.com", subnets=("10.0.0.0/8",)), tls("a.com", subnets=("10.0.0.0/8",))],
        1,
        COVERED,
        (0,),
    ),
    (
        "subnet-without-sni-does-not-cover-sni",
        [tls(subnets=("10.0.0.0/8",)), tls("a.com")],
        1,
        REACHABLE,
        (),
    ),
]


@pytest.mark.parametrize(
    ("rules", "index", "outcome", "covering"), [pytest.param(*c[1:], id=c[0]) for c in TLS_CASES]
)
def test_tls_unreachable(
    rules: list[L4Rule], index: int, outcome: Outcome, covering: tuple[int, ...]
) -> None:
    verdict = tls_unreachable(rules, index)
    assert (verdict.outcome, verdict.covering) == (outcome, covering)


def test_covering_chains_are_minimal() -> None:
    rules = [tcp("10.0.0.0/9"), tcp("10.128.0.0/9"), tcp("10.0.0.0/10"), tcp("10.0.0.0/8")]
    verdict = tcp_unreachable(rules, 3)
    assert (verdict.outcome, verdict.covering) == (COVERED, (0, 1))
    assert verdict.render(section="tcp") == "covered by tcp[0], tcp[1]"
