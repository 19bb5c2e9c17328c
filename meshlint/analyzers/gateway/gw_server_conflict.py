"""MESH402: servers of Gateways on the same gateway pods that collide on one port."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.matching import host_matches, is_wildcard, parse_namespaced_host
from meshlint.mesh.gateway_queries import (
    HTTP_FAMILY,
    POD_AND_SERVICE_KINDS,
    GatewayGroup,
    GatewayServer,
    gateway_groups,
    gateway_servers,
    resolve_server_port,
)
from meshlint.model.base import Kind
from meshlint.model.networking import ServerTLSSettings
from meshlint.rule import Rule, RuleContext

_Key = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Conflict:
    effect: str
    severity: Severity


def check(ctx: RuleContext) -> Iterator[Finding]:
    seen: set[_Key] = set()
    for group in gateway_groups(ctx.mesh):
        for bucket in _buckets(ctx, group).values():
            earlier = _Earlier()
            for later in bucket:
                for candidate in earlier.candidates(later):
                    yield from _report(ctx, candidate, later, seen)
                earlier.add(later)


class _Earlier:
    """The servers already merged on one port, indexed so that a new server is compared only
    with those it can conflict with: other classes always, its own class (TLS, HTTP) only
    on overlapping hosts. Keeps the rule linear in the usual one-host-per-Gateway setup."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}
        self.by_class: dict[str, list[GatewayServer]] = {}
        self.exact: dict[tuple[str, str], list[GatewayServer]] = {}
        self.wildcards: dict[str, list[tuple[str, GatewayServer]]] = {}

    def add(self, item: GatewayServer) -> None:
        kind = _class(item)
        self.order[id(item)] = len(self.order)
        self.by_class.setdefault(kind, []).append(item)
        for host in _hosts(item):
            if is_wildcard(host):
                self.wildcards.setdefault(kind, []).append((host, item))
            else:
                self.exact.setdefault((kind, host), []).append(item)

    def candidates(self, item: GatewayServer) -> list[GatewayServer]:
        kind = _class(item)
        found = {
            id(other): other
            for other_kind, servers in self.by_class.items()
            if other_kind != kind or kind not in _HOST_CLASSES
            for other in servers
        }
        if kind in _HOST_CLASSES:
            found.update((id(other), other) for other in self._overlapping(kind, _hosts(item)))
        return sorted(found.values(), key=lambda other: self.order[id(other)])

    def _overlapping(self, kind: str, hosts: frozenset[str]) -> Iterator[GatewayServer]:
        for host in hosts:
            if is_wildcard(host):
                yield from (o for o in self.by_class.get(kind, ()) if _matches_any(host, o))
                continue
            yield from self.exact.get((kind, host), ())
            yield from (o for w, o in self.wildcards.get(kind, ()) if host_matches(w, host))


_HOST_CLASSES = frozenset({"tls", "http"})


def _class(item: GatewayServer) -> str:
    """TLS servers, HTTP-family plain-text servers, or one class per other protocol."""
    if item.is_tls:
        return "tls"
    return "http" if item.protocol in HTTP_FAMILY else item.protocol


def _matches_any(host: str, item: GatewayServer) -> bool:
    return any(host_matches(host, other) for other in _hosts(item))


def _buckets(ctx: RuleContext, group: GatewayGroup) -> dict[tuple[int, str], list[GatewayServer]]:
    """Servers per (resolved port, bind), in istiod's merge order (oldest Gateway first)."""
    buckets: dict[tuple[int, str], list[GatewayServer]] = {}
    for gateway in group.gateways:
        for item in gateway_servers(gateway):
            port = item.server.port
            if port is None or not port.number or _invalid_tls(item):
                continue  # schema findings (MESH004), or a unix:// bind
            number = resolve_server_port(ctx.mesh, group.workloads, port.number)
            buckets.setdefault((number, item.server.bind or ""), []).append(item)
    return buckets


def _invalid_tls(item: GatewayServer) -> bool:
    """An HTTPS/TLS server that Istio rejects (6.1), reported by MESH004 instead: no tls
    settings, or a terminating mode without any server certificate."""
    if item.protocol not in {"HTTPS", "TLS"}:
        return False
    tls = item.server.tls
    if tls is None:
        return True
    return item.tls_mode in _CERTIFIED_MODES and not _has_certificate(tls)


# modes that need a certificate source (credentialName(s) or certificate files), 6.1
_CERTIFIED_MODES = frozenset({"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"})


def _has_certificate(tls: ServerTLSSettings) -> bool:
    if tls.credential_name or tls.credential_names:
        return True
    if tls.tls_certificates:
        return all(c.server_certificate and c.private_key for c in tls.tls_certificates)
    return bool(tls.server_certificate and tls.private_key)


def _report(
    ctx: RuleContext, earlier: GatewayServer, later: GatewayServer, seen: set[_Key]
) -> Iterator[Finding]:
    if earlier.gateway is later.gateway:
        return  # servers of one Gateway are merged by design; this rule is about Gateways
    key = (id(earlier.gateway), earlier.index, id(later.gateway), later.index)
    conflict = _conflict(earlier, later)
    if conflict is None or key in seen:
        return
    seen.add(key)
    for own, other, role in ((later, earlier, "older"), (earlier, later, "newer")):
        yield ctx.finding(
            own.gateway,
            f"{own.pointer}/port",
            severity=conflict.severity,
            related=[(other.gateway, f"{other.pointer}/port", f"conflicting {role} server")],
            port=own.server.port.number if own.server.port else 0,
            other=f"{ctx.mesh.namespace_of(other.gateway)}/{other.gateway.name}",
            role=role,
            effect=conflict.effect,
        )


def _conflict(earlier: GatewayServer, later: GatewayServer) -> _Conflict | None:
    """What ``mergeGateways`` does with ``later`` after ``earlier`` on one port (6.4)."""
    if earlier.is_tls and later.is_tls:
        return _tls_conflict(earlier, later)
    if earlier.is_tls or later.is_tls:
        effect = "TLS and plain-text servers on one port: the newer server is dropped"
        return _Conflict(effect, Severity.ERROR)
    if earlier.protocol in HTTP_FAMILY and later.protocol in HTTP_FAMILY:
        host = _overlap(earlier, later)
        if host is None:
            return None
        effect = f"both serve {host}: routes are merged, the older Gateway's first"
        return _Conflict(effect, Severity.WARNING)
    effect = f"{earlier.protocol} and {later.protocol} on one port: the newer server is dropped"
    return _Conflict(effect, Severity.ERROR)


def _tls_conflict(earlier: GatewayServer, later: GatewayServer) -> _Conflict | None:
    """TLS servers are told apart by SNI; a duplicate host drops the newer server."""
    duplicate = sorted(_hosts(earlier) & _hosts(later))
    if duplicate:
        effect = f"both terminate TLS for {duplicate[0]}: the newer server is dropped"
        return _Conflict(effect, Severity.ERROR)
    host = _overlap(earlier, later)
    if host is None:
        return None
    effect = f"SNI hosts overlap on {host}: the most specific host takes the connection"
    return _Conflict(effect, Severity.WARNING)


def _hosts(item: GatewayServer) -> frozenset[str]:
    return frozenset(parse_namespaced_host(h).host.lower() for h in item.server.hosts)


def _overlap(earlier: GatewayServer, later: GatewayServer) -> str | None:
    for first in sorted(_hosts(earlier)):
        for second in sorted(_hosts(later)):
            if host_matches(first, second):
                return first if len(first) >= len(second) else second
    return None


RULE = Rule(
    code="MESH402",
    name="gw-server-conflict",
    summary="Servers of Gateways on the same gateway pods collide on one port",
    message="{resource}: server on port {port} conflicts with {role} Gateway {other}: {effect}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.GATEWAY}) | POD_AND_SERVICE_KINDS,
    rationale=(
        "istiod merges the servers of every Gateway that selects a gateway pod, per "
        "Service-resolved port and bind address, oldest Gateway first. A plain-text server "
        "whose protocol differs from the port's first server, a second TCP server, a "
        "plain-text server next to TLS servers, or a TLS server repeating a host is dropped "
        "with only a log line. HTTP servers sharing a host are merged, so routes of one "
        "Gateway silently shadow the other's (reported as a warning)."
    ),
    remediation=(
        "Give each Gateway its own port or its own hosts, or move the servers into one Gateway."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: db, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: tcp, protocol: TCP}, hosts: [db.example.com]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: db, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: [db.example.com]}]
""",
    since="0.1.0",
    istio=("IST0145",),
    kiali=("KIA0301",),
    check=check,
)
