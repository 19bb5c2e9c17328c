"""Routing queries over the Mesh: route reachability per proxy, host claims, listener ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from meshlint.matching import MESH_GATEWAY, ExportTo, host_matches, is_wildcard
from meshlint.mesh.core import Mesh
from meshlint.mesh.virtualservices import BoundVirtualService
from meshlint.model.networking import VirtualService
from meshlint.model.routes import destinations
from meshlint.solver import (
    CondKind,
    Context,
    HttpAnalysis,
    HttpRule,
    L4Rule,
    Outcome,
    Verdict,
    Witness,
    tcp_unreachable,
    tls_unreachable,
)
from meshlint.solver.adapt import from_http_route, from_l4_route

L4_SECTIONS = ("tcp", "tls")
_CATCH_ALL_URI = frozenset({(CondKind.PREFIX, "/"), (CondKind.PREFIX, ""), (CondKind.REGEX, ".*")})
_L4_CHECKS: dict[str, Callable[[Sequence[L4Rule], int, Context], Verdict]] = {
    "tcp": tcp_unreachable,
    "tls": tls_unreachable,
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A proxy a VirtualService's routes are evaluated for: the sidecars or one gateway."""

    gateway: str  # "mesh" or a resolved "ns/name"
    context: Context


@dataclass(frozen=True, slots=True)
class DeadRoute:
    """A route rule (``match`` None) or one match of it that no request can reach.

    ``covering`` are earlier rules of the same section, ``covering_matches`` earlier matches
    of the same rule (their requests are taken before this match is tried).
    """

    section: str
    rule: int
    match: int | None
    covering: tuple[int, ...]
    covering_matches: tuple[int, ...] = ()
    proxies: tuple[str, ...] = ()

    def render(self, names: Sequence[str] = ()) -> str:
        """``covered by http[0] (name), match[0] of the same rule``."""
        labels = [_rule_label(self.section, k, names) for k in self.covering]
        labels += [f"match[{k}] of the same rule" for k in self.covering_matches]
        return "covered by " + ", ".join(labels)

    def to_dict(self, names: Sequence[str] = ()) -> dict[str, Any]:
        data: dict[str, Any] = {
            "section": self.section,
            "rule": self.rule,
            "outcome": Outcome.COVERED.value,
            "covering": [
                {"rule": k, **({"name": names[k]} if k < len(names) and names[k] else {})}
                for k in self.covering
            ],
            "proxies": list(self.proxies),
        }
        if self.match is not None:
            data["match"] = self.match
            data["covering_matches"] = list(self.covering_matches)
        return data


def _rule_label(section: str, index: int, names: Sequence[str]) -> str:
    name = names[index] if index < len(names) else ""
    return f"{section}[{index}]" + (f" ({name})" if name else "")


# ---------------------------------------------------------------------------- route tables


def attachments(mesh: Mesh, vs: VirtualService) -> tuple[Attachment, ...]:
    """One evaluation context per proxy kind the VS is filed under (2.2): ``mesh`` for the
    sidecars (labels and namespace unknown, so selectors stay symbolic), else each gateway."""
    found = []
    for gateway in sorted(mesh.bound(vs).gateways):
        context = (
            Context.sidecar() if gateway == MESH_GATEWAY else Context(gateways=frozenset({gateway}))
        )
        found.append(Attachment(gateway, context))
    return tuple(found)


def http_rules(mesh: Mesh, vs: VirtualService) -> tuple[HttpRule, ...]:
    """The ``http[]`` rules as solver values, gateway names in matches resolved (1.3).

    A root rule with ``delegate`` only takes the requests its delegate's routes match
    (1.13), so rules after it are left out: their reachability depends on the delegate.
    """
    return mesh.memo_for(vs, "http_rules", partial(_http_rules, mesh, vs))


def _http_rules(mesh: Mesh, vs: VirtualService) -> tuple[HttpRule, ...]:
    resolve = partial(mesh.resolve_gateway_ref, vs)
    rules: list[HttpRule] = []
    for route in vs.spec.http:
        rules.append(from_http_route(route, resolve))
        if route.delegate is not None and vs.spec.hosts:
            break
    return tuple(rules)


def has_delegate(vs: VirtualService) -> bool:
    return any(route.delegate is not None for route in vs.spec.http)


def l4_rules(mesh: Mesh, vs: VirtualService, section: str) -> tuple[L4Rule, ...]:
    resolve = partial(mesh.resolve_gateway_ref, vs)
    return tuple(from_l4_route(route, resolve) for route in getattr(vs.spec, section))


def rule_names(vs: VirtualService, section: str) -> tuple[str, ...]:
    """``http[].name`` (tcp and tls rules have no name)."""
    if section != "http":
        return ()
    return tuple(route.name or "" for route in vs.spec.http)


# ---------------------------------------------------------------------------- MESH110/111


def unreachable_rules(mesh: Mesh, vs: VirtualService) -> Iterator[DeadRoute]:
    """Rules every proxy the VS applies to proves unreachable (never "unknown" or only
    "empty"), for http, tcp and tls. The first rule of a list has nothing before it.

    Delegate VirtualServices (no hosts) are skipped: merging with the root drops delegate
    routes whose matches conflict with the root's (1.13), which can revive a later route.
    """
    if vs.spec.is_delegate:
        return
    contexts = attachments(mesh, vs)
    rules = http_rules(mesh, vs)
    analyses = [(a.gateway, HttpAnalysis(rules, a.context)) for a in contexts]
    for index in range(1, len(rules)):
        verdicts = [(g, _http_verdict(an, g, rules, index)) for g, an in analyses]
        dead = _combine("http", index, None, verdicts)
        if dead is not None:
            yield dead
    for section in L4_SECTIONS:
        l4 = l4_rules(mesh, vs, section)
        for index in range(1, len(l4)):
            verdicts = [(a.gateway, _L4_CHECKS[section](l4, index, a.context)) for a in contexts]
            dead = _combine(section, index, None, verdicts)
            if dead is not None:
                yield dead


def ineffective_matches(mesh: Mesh, vs: VirtualService) -> Iterator[DeadRoute]:
    """Matches of a reachable rule that earlier rules, or earlier matches of the same rule,
    take every request of (each match becomes its own Envoy route, in order: 2.1).

    Each match is checked as a rule of its own after the earlier rules and matches; when
    every match is dead the whole rule is, which is MESH110's finding. Delegate
    VirtualServices are skipped, as in ``unreachable_rules``.
    """
    if vs.spec.is_delegate:
        return
    contexts = attachments(mesh, vs)
    http = http_rules(mesh, vs)
    for index, rule in enumerate(http):
        if len(rule.matches) > 1:
            split = [*http[:index], *(HttpRule((m,)) for m in rule.matches)]
            per_context = [
                (a.gateway, _http_verdicts(split, index, len(rule.matches), a)) for a in contexts
            ]
            yield from _split_findings("http", index, per_context)
    for section in L4_SECTIONS:
        check = _L4_CHECKS[section]
        l4 = l4_rules(mesh, vs, section)
        for index, l4_rule in enumerate(l4):
            if len(l4_rule.matches) > 1:
                pieces = [*l4[:index], *(L4Rule((m,)) for m in l4_rule.matches)]
                count = range(index, index + len(l4_rule.matches))
                per_context = [
                    (a.gateway, [check(pieces, k, a.context) for k in count]) for a in contexts
                ]
                yield from _split_findings(section, index, per_context)


def _http_verdicts(
    split: Sequence[HttpRule], index: int, count: int, attachment: Attachment
) -> list[Verdict]:
    analysis = HttpAnalysis(split, attachment.context)
    return [_http_verdict(analysis, attachment.gateway, split, index + k) for k in range(count)]


def _http_verdict(
    analysis: HttpAnalysis, gateway: str, rules: Sequence[HttpRule], index: int
) -> Verdict:
    """A gateway moves catch-all routes after the others (``SortVHostRoutes``, 2.1), so
    there a rule after one that may be a catch-all is not judged."""
    if gateway != MESH_GATEWAY and any(_may_catch_all(r) for r in rules[:index]):
        return Verdict(Outcome.UNKNOWN, reason="the gateway reorders catch-all routes")
    return analysis.rule_unreachable(index)


def _may_catch_all(rule: HttpRule) -> bool:
    """``IsCatchAllRoute``: no match, or a match on path ``/``-prefix or ``.*`` alone."""
    if not rule.matches:
        return True
    return any(
        (m.uri is None or (m.uri.kind, m.uri.value) in _CATCH_ALL_URI)
        and not (m.headers or m.query_params or m.method or m.scheme or m.authority)
        for m in rule.matches
    )


def _split_findings(
    section: str, index: int, per_context: Sequence[tuple[str, Sequence[Verdict]]]
) -> Iterator[DeadRoute]:
    """Dead matches of one rule, unless every match is dead (then the rule is)."""
    count = len(per_context[0][1]) if per_context else 0
    by_clause = [[(g, verdicts[k]) for g, verdicts in per_context] for k in range(count)]
    if all(v.proven_dead for clause in by_clause for _, v in clause):
        return
    for clause, verdicts in enumerate(by_clause):
        dead = _combine(section, index, clause, verdicts)
        if dead is not None:
            yield dead


def _combine(
    section: str, index: int, clause: int | None, verdicts: Sequence[tuple[str, Verdict]]
) -> DeadRoute | None:
    """Dead on every proxy and covered on at least one; indices of a split rule (its
    matches as separate rules from ``index`` on) map back to matches of the same rule."""
    if not verdicts or not all(v.proven_dead for _, v in verdicts):
        return None
    covered = [(g, v) for g, v in verdicts if v.outcome is Outcome.COVERED]
    if not covered:
        return None
    indices = sorted({k for _, v in covered for k in v.covering})
    return DeadRoute(
        section=section,
        rule=index,
        match=clause,
        covering=tuple(k for k in indices if k < index),
        covering_matches=tuple(k - index for k in indices if k >= index),
        proxies=tuple(g for g, _ in covered),
    )


# ---------------------------------------------------------------------------- MESH112


def sidecar_listener_ports(mesh: Mesh, vs: VirtualService) -> tuple[int, ...] | None:
    """HTTP (or sniffed) ports the sidecars build this VS's routes on; None when unknown.

    A host that is no registry service gets a virtual host on port 80 only (2.3).
    """
    ports: set[int] = set()
    for host in mesh.bound(vs).hosts:
        if is_wildcard(host):
            return None
        services = mesh.services_for_host(host)
        if not services:
            ports.add(80)
        for info in services:
            ports.update(p.number for p in info.ports if p.protocol.is_http_or_sniffed)
    return tuple(sorted(ports)) or None


def _uses_ports(rules: Sequence[HttpRule]) -> bool:
    return any(m.port is not None for rule in rules for m in rule.matches)


def sidecar_contexts(
    mesh: Mesh, vs: VirtualService, rules: Sequence[HttpRule]
) -> tuple[Context, ...]:
    """The sidecar route tables to check: one per listener port when a match names a port."""
    mesh_only = frozenset({MESH_GATEWAY})
    if not _uses_ports(rules):
        return (Context.sidecar(),)
    ports = sidecar_listener_ports(mesh, vs)
    return tuple(Context(gateways=mesh_only, port=p) for p in ports or ())


def unrouted_request(mesh: Mesh, vs: VirtualService) -> Witness | None:
    """A request a sidecar sends to the VS's hosts that no rule matches (it gets a 404).

    None when every request is routed, when it cannot be proven, for gateway-only and
    delegate VSes, and for root VSes with ``delegate`` rules.
    """
    if not vs.spec.applies_to_mesh or not vs.spec.hosts or not vs.spec.http or has_delegate(vs):
        return None
    rules = http_rules(mesh, vs)
    for context in sidecar_contexts(mesh, vs, rules):
        verdict = HttpAnalysis(rules, context).uncovered_request()
        if verdict.outcome is Outcome.REACHABLE and verdict.witness is not None:
            return verdict.witness
    return None


# ---------------------------------------------------------------------------- MESH125


@dataclass(frozen=True, slots=True)
class HostClaim:
    """One host of a VirtualService that applies to the sidecars."""

    bound: BoundVirtualService
    index: int  # into spec.hosts
    host: str  # FQDN, lower-cased
    export: ExportTo


@dataclass(frozen=True, slots=True)
class HostConflict:
    """A host of ``claim`` that other sidecar VirtualServices claim in a shared namespace."""

    claim: HostClaim
    others: tuple[HostClaim, ...]


def sidecar_host_claims(mesh: Mesh) -> list[HostClaim]:
    claims = []
    for vs in mesh.all(VirtualService):
        bound = mesh.bound(vs)
        if MESH_GATEWAY not in bound.gateways:
            continue
        export = mesh.export_to(bound.resource)
        claims += [HostClaim(bound, i, h, export) for i, h in enumerate(bound.hosts)]
    return claims


def host_conflicts(mesh: Mesh) -> Iterator[HostConflict]:
    """Sidecar hosts claimed by several VirtualServices visible in one namespace (2.2).

    Equal FQDNs conflict when the two exportTo sets share a namespace. As istioctl's
    ConflictingMeshGatewayHostsAnalyzer does, a host exported to some namespaces also
    conflicts with an overlapping (wildcard) host of a VirtualService exported everywhere.
    """
    claims = sidecar_host_claims(mesh)
    by_host: dict[str, list[HostClaim]] = {}
    for claim in claims:
        by_host.setdefault(claim.host, []).append(claim)
    public = [c for c in claims if c.export.public]
    scoped = [c for c in claims if not c.export.public]
    for claim in claims:
        others = [o for o in by_host[claim.host] if _shared(claim, o)]
        if claim.export.public:
            others += [o for o in scoped if _scoped_overlap(o, claim)]
        else:
            others += [p for p in public if _scoped_overlap(claim, p)]
        unique = {id(o): o for o in others if o.bound is not claim.bound}
        if unique:
            yield HostConflict(claim, tuple(unique.values()))


def _shared(a: HostClaim, b: HostClaim) -> bool:
    """Both exported to some common namespace."""
    if a.export.public or b.export.public:
        return bool(
            (a.export.public or a.export.namespaces) and (b.export.public or b.export.namespaces)
        )
    return bool(a.export.namespaces & b.export.namespaces)


def _scoped_overlap(scoped: HostClaim, public: HostClaim) -> bool:
    return (
        not scoped.export.public
        and bool(scoped.export.namespaces)
        and scoped.host != public.host
        and host_matches(scoped.host, public.host)
    )


# ---------------------------------------------------------------------------- MESH128


def subset_routing_hosts(mesh: Mesh) -> dict[str, BoundVirtualService]:
    """FQDN host -> the first sidecar VirtualService (candidate order) for that host that
    routes it to subsets (a destination with the same host and a subset)."""
    found: dict[str, BoundVirtualService] = {}
    for vs in mesh.all(VirtualService):
        bound = mesh.bound(vs)
        if MESH_GATEWAY not in bound.gateways:
            continue
        for ref in destinations(vs):
            host = mesh.fqdn(ref.destination.host, bound.namespace).lower()
            if ref.destination.subset and not ref.mirror and host in bound.hosts:
                found.setdefault(host, bound)
    return found
