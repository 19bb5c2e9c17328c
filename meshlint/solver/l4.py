"""TCP and TLS route lists: which entries can never receive a connection.

Istio turns each L4 match into Envoy filter chains keyed by (destination CIDR, SNI) per port.
Envoy picks the longest matching CIDR, then the most specific server name (an exact name
beats ``*.foo.com``), and only among identical keys does the earlier entry win; Istio's own
reading (ISTIO-SEMANTICS 2.1) is first match wins. An entry is reported dead only when both
readings agree: its chains are covered by earlier chains with the same SNI whose CIDRs are at
least as specific, or a match-less (catch-all) entry comes before it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from meshlint.solver.conditions import Context, Selector, selector_applies
from meshlint.solver.witness import Outcome, Verdict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class L4Match:
    """One L4MatchAttributes / TLSMatchAttributes (``sni_hosts`` empty for TCP)."""

    destination_subnets: tuple[str, ...] = ()
    port: int | None = None
    sni_hosts: tuple[str, ...] = ()
    selector: Selector = field(default_factory=Selector)


@dataclass(frozen=True, slots=True)
class L4Rule:
    """One ``tcp[]`` or ``tls[]`` entry; no match at all is a catch-all."""

    matches: tuple[L4Match, ...] = ()


@dataclass(frozen=True, slots=True)
class _Chain:
    rule: int
    network: Network | None
    sni: str | None
    port: int | None
    selector: Selector


class _Invalid(Exception):
    """A subnet that does not parse; the entry's verdict is unknown."""


def tcp_unreachable(rules: Sequence[L4Rule], index: int, context: Context | None = None) -> Verdict:
    return _unreachable(rules, index, context or Context())


def tls_unreachable(rules: Sequence[L4Rule], index: int, context: Context | None = None) -> Verdict:
    return _unreachable(rules, index, context or Context())


def _unreachable(rules: Sequence[L4Rule], index: int, context: Context) -> Verdict:
    catch_all = next((k for k in range(index) if not rules[k].matches), None)
    if catch_all is not None:
        return Verdict(Outcome.COVERED, (catch_all,), reason="route without matches before")
    if not rules[index].matches:
        return Verdict(Outcome.REACHABLE)
    try:
        target = _chains(rules[index], index, context)
        earlier = [c for k in range(index) for c in _chains(rules[k], k, context)]
    except _Invalid as exc:
        return Verdict(Outcome.UNKNOWN, reason=str(exc))
    if not target:
        return Verdict(Outcome.EMPTY, reason="every match is removed for this proxy")
    covering: set[int] = set()
    for chain in target:
        used = _cover(chain, earlier)
        if used is None:
            return Verdict(Outcome.REACHABLE)
        covering |= used
    return Verdict(Outcome.COVERED, tuple(sorted(covering)))


def _chains(rule: L4Rule, index: int, context: Context) -> list[_Chain]:
    chains: list[_Chain] = []
    for match in rule.matches:
        kept = _specialise(match, context)
        if kept is None:
            continue
        networks: list[Network | None] = [_network(s) for s in kept.destination_subnets] or [None]
        hosts: list[str | None] = [h.lower() for h in kept.sni_hosts] or [None]
        chains += [_Chain(index, n, h, kept.port, kept.selector) for n in networks for h in hosts]
    return chains


def _specialise(match: L4Match, context: Context) -> L4Match | None:
    if context.port is not None and match.port is not None:
        if match.port != context.port:
            return None
        match = dataclasses.replace(match, port=None)
    applies = selector_applies(match.selector, context)
    if applies is False:
        return None
    return dataclasses.replace(match, selector=Selector()) if applies else match


def _network(subnet: str) -> Network:
    try:
        return ipaddress.ip_network(subnet, strict=False)
    except ValueError as exc:
        raise _Invalid(f"invalid subnet {subnet!r}") from exc


def _compatible(cover: _Chain, chain: _Chain) -> bool:
    port_ok = cover.port is None or cover.port == chain.port
    selector_ok = cover.selector.is_empty or cover.selector == chain.selector
    return port_ok and selector_ok and cover.sni == chain.sni


def _cover(chain: _Chain, earlier: Sequence[_Chain]) -> set[int] | None:
    """Rules whose chains take all of ``chain``'s traffic under both readings, or None."""
    candidates = [c for c in earlier if _compatible(c, chain)]
    if chain.network is None:
        same = next((c for c in candidates if c.network is None), None)
        return None if same is None else {same.rule}
    target = chain.network
    parts = [
        c
        for c in candidates
        if c.network is not None
        and c.network.version == target.version
        and c.network.prefixlen >= target.prefixlen
        and c.network.overlaps(target)
    ]
    if not _union_covers(target, _networks(parts)):
        return None
    for part in list(parts):  # keep a minimal set of covering chains
        rest = [c for c in parts if c is not part]
        if _union_covers(target, _networks(rest)):
            parts = rest
    return {c.rule for c in parts}


def _networks(chains: Sequence[_Chain]) -> list[Network]:
    return [c.network for c in chains if c.network is not None]


def _union_covers(target: Network, networks: Sequence[Network]) -> bool:
    remaining: list[Network] = [target]
    for net in networks:
        left: list[Network] = []
        for piece in remaining:
            if _within(piece, net):
                continue
            if _within(net, piece):
                left.extend(piece.address_exclude(net))  # type: ignore[arg-type]
            else:
                left.append(piece)
        remaining = left
    return not remaining


def _within(inner: Network, outer: Network) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]
