"""VirtualService checks (ISTIO-SEMANTICS section 1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_list, maps, strings
from meshlint.schema.common import export_to, label_map, metadata_namespace, port
from meshlint.schema.destinations import route_destinations
from meshlint.schema.http_match import gateway_names
from meshlint.schema.http_route import http_route
from meshlint.schema.issues import DEPRECATED, Issue, invalid
from meshlint.schema.names import hosts_overlap, is_ip, is_ip_or_cidr, wildcard_domain_problem

MESH = "mesh"


def check_virtual_service(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    gateways = [g for g in as_list(spec.get("gateways")) if isinstance(g, str)]
    gateway_only = bool(gateways) and MESH not in gateways
    delegate_vs = not as_list(spec.get("hosts"))
    yield from _top_level(spec, delegate_vs)
    yield from _hosts(spec, gateway_only)
    yield from gateway_names(spec.get("gateways"), "/spec/gateways")
    yield from _legacy_gateway_names(spec.get("gateways"), "/spec/gateways")
    yield from export_to(spec, "/spec", metadata_namespace(data))
    for index, route in enumerate(as_list(spec.get("http"))):
        at = f"/spec/http/{index}"
        if route is None:
            yield invalid(at, "http route must not be null")
        elif isinstance(route, dict):
            yield from http_route(route, at, delegate_vs=delegate_vs, gateway_only=gateway_only)
            yield from _legacy_route_gateways(route, at)
    yield from _tcp_routes(spec.get("tcp"))
    yield from _tls_routes(spec.get("tls"), [h for _, h in strings(spec.get("hosts"), "")])


def _top_level(spec: Mapping[str, Any], delegate_vs: bool) -> Iterator[Issue]:
    if not any(as_list(spec.get(key)) for key in ("http", "tcp", "tls")):
        yield invalid("/spec", "a VirtualService needs at least one http, tcp or tls route")
    if delegate_vs:
        for key in ("gateways", "tcp", "tls"):
            if as_list(spec.get(key)):
                text = f"a delegate VirtualService (no hosts) cannot set {key}"
                yield invalid(f"/spec/{key}", text, on_key=True)


def _hosts(spec: Mapping[str, Any], gateway_only: bool) -> Iterator[Issue]:
    """ValidateWildcardDomain per host (IP fallback); '*' only for gateway-only; no overlap."""
    valid: list[tuple[str, str]] = []
    for at, host in strings(spec.get("hosts"), "/spec/hosts"):
        problem = wildcard_domain_problem(host)
        if host == "*" and not gateway_only:
            yield invalid(at, "host '*' is not allowed for a VirtualService bound to the mesh")
        elif problem and not is_ip(host) and not (gateway_only and _sni_host(host)):
            yield invalid(at, f"host {host!r} is not valid: {problem}")
        else:
            valid.append((at, host))
    yield from _overlaps(valid)


def _overlaps(hosts: list[tuple[str, str]]) -> Iterator[Issue]:
    """Istio's duplicate-host check (host.Name.Matches), in O(hosts x wildcards)."""
    seen: list[str] = []
    wildcards: list[str] = []
    exact: set[str] = set()
    for at, host in hosts:
        if host in exact:
            earlier: str | None = host
        else:
            pool = seen if host.startswith("*") else wildcards
            earlier = next((h for h in pool if hosts_overlap(h, host)), None)
        if earlier is not None:
            yield invalid(at, f"host {host!r} duplicates or overlaps host {earlier!r}")
        seen.append(host)
        exact.add(host)
        if host.startswith("*"):
            wildcards.append(host)


def _sni_host(host: str) -> bool:
    """AUTO_PASSTHROUGH SNI form ``outbound_.<port>_._.<hostname>``."""
    parts = host.split(".", 3)
    return len(parts) == 4 and parts[0] == "outbound_" and parts[2] == "_"


def _legacy_gateway_names(value: object, pointer: str) -> Iterator[Issue]:
    for at, name in strings(value, pointer):
        if "/" not in name and "." in name:
            short = name.split(".")
            text = f"gateway name {name!r} uses the legacy format; prefer {short[1]}/{short[0]}"
            yield Issue(DEPRECATED, at, text)


def _legacy_route_gateways(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    for at, match in maps(route.get("match"), f"{pointer}/match"):
        yield from _legacy_gateway_names(match.get("gateways"), f"{at}/gateways")


def _l4_match(match: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    subnets_at = f"{pointer}/destinationSubnets"
    for at, subnet in strings(match.get("destinationSubnets"), subnets_at):
        if not is_ip_or_cidr(subnet):
            yield invalid(at, f"destinationSubnets entry {subnet!r} is not an IP or CIDR")
    yield from port(match.get("port"), f"{pointer}/port", zero_unset=True)
    yield from label_map(match.get("sourceLabels"), f"{pointer}/sourceLabels")
    yield from gateway_names(match.get("gateways"), f"{pointer}/gateways")
    yield from _legacy_gateway_names(match.get("gateways"), f"{pointer}/gateways")


def _tcp_routes(value: object) -> Iterator[Issue]:
    for at, route in maps(value, "/spec/tcp"):
        if not as_list(route.get("route")):
            yield invalid(at, "tcp route needs at least one route destination")
        for match_at, match in maps(route.get("match"), f"{at}/match"):
            yield from _l4_match(match, match_at)
        yield from route_destinations(route.get("route"), f"{at}/route")


def _tls_routes(value: object, hosts: list[str]) -> Iterator[Issue]:
    for at, route in maps(value, "/spec/tls"):
        if not as_list(route.get("match")):
            yield invalid(at, "tls route needs at least one match with sniHosts")
        if not as_list(route.get("route")):
            yield invalid(at, "tls route needs at least one route destination")
        for match_at, match in maps(route.get("match"), f"{at}/match"):
            yield from _l4_match(match, match_at)
            yield from _sni_hosts(match, match_at, hosts)
        yield from route_destinations(route.get("route"), f"{at}/route")


def _sni_hosts(match: Mapping[str, Any], pointer: str, hosts: list[str]) -> Iterator[Issue]:
    at = f"{pointer}/sniHosts"
    if not as_list(match.get("sniHosts")):
        yield invalid(at, "tls match needs at least one sniHosts entry")
    for host_at, sni in strings(match.get("sniHosts"), at):
        problem = None if is_ip(sni) else wildcard_domain_problem(sni)
        if problem:
            yield invalid(host_at, f"sniHosts entry {sni!r} is not valid: {problem}")
        elif not is_ip(sni) and not any(_subset_of(sni, h) for h in hosts):
            yield invalid(host_at, f"sniHosts entry {sni!r} is not within the VirtualService hosts")


def _subset_of(name: str, other: str) -> bool:
    """host.Name.SubsetOf: every name matched by ``name`` is matched by ``other``."""
    if other.startswith("*"):
        suffix = other[1:]
        return name[1:].endswith(suffix) if name.startswith("*") else name.endswith(suffix)
    return name == other
