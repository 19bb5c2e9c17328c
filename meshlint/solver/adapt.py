"""Convert the pydantic VirtualService model into the solver's match conditions."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from meshlint.model.networking import (
    HTTPMatchRequest,
    HTTPRoute,
    L4MatchAttributes,
    StringMatch,
    TCPRoute,
    TLSMatchAttributes,
    TLSRoute,
)
from meshlint.solver.conditions import (
    CondKind,
    HttpMatch,
    HttpRule,
    Selector,
    StrCond,
    absent,
    exact,
    prefix,
    present,
    regex,
    without,
)
from meshlint.solver.l4 import L4Match, L4Rule

GatewayResolver = Callable[[str], str]


def _same(name: str) -> str:
    return name


def string_cond(match: StringMatch, *, ignore_case: bool = False) -> StrCond:
    """``{}`` (no match type) is a presence test (ISTIO-SEMANTICS 1.6)."""
    if match.exact is not None:
        return exact(match.exact, ignore_case=ignore_case)
    if match.prefix is not None:
        return prefix(match.prefix, ignore_case=ignore_case)
    if match.regex is not None:
        return regex(match.regex)
    return present()


def _field(match: StringMatch | None, *, ignore_case: bool = False) -> StrCond | None:
    """A request-line field: ``{}`` tests presence of a pseudo-header, which always holds."""
    if match is None:
        return None
    cond = string_cond(match, ignore_case=ignore_case)
    return None if cond.kind is CondKind.PRESENT else cond


def _without(match: StringMatch) -> StrCond:
    # withoutHeaders {k: {regex: "*"}} means "k is absent"; it skips regex validation.
    return absent() if match.regex == "*" else without(string_cond(match))


def _pairs(items: Mapping[str, StringMatch]) -> tuple[tuple[str, StrCond], ...]:
    return tuple((k, string_cond(v)) for k, v in items.items())


def selector(
    gateways: tuple[str, ...],
    labels: Mapping[str, str],
    namespace: str | None,
    resolve: GatewayResolver = _same,
) -> Selector:
    return Selector(
        gateways=tuple(sorted(resolve(g) for g in gateways)),
        source_labels=tuple(sorted(labels.items())),
        source_namespace=namespace or None,
    )


def from_http_match(match: HTTPMatchRequest, resolve: GatewayResolver = _same) -> HttpMatch:
    """``resolve`` maps a gateway reference as written to the form the Context uses."""
    headers = tuple((k.lower(), c) for k, c in _pairs(match.headers))
    headers += tuple((k.lower(), _without(v)) for k, v in match.without_headers.items())
    return HttpMatch(
        uri=_field(match.uri, ignore_case=bool(match.ignore_uri_case)),
        scheme=_field(match.scheme),
        method=_field(match.method),
        authority=_field(match.authority),
        headers=headers,
        query_params=_pairs(match.query_params),
        port=match.port or None,
        selector=selector(match.gateways, match.source_labels, match.source_namespace, resolve),
    )


def from_http_route(route: HTTPRoute, resolve: GatewayResolver = _same) -> HttpRule:
    matches = tuple(from_http_match(m, resolve) for m in route.match)
    return HttpRule(matches, route.name or "")


def from_l4_match(
    match: L4MatchAttributes | TLSMatchAttributes, resolve: GatewayResolver = _same
) -> L4Match:
    hosts = match.sni_hosts if isinstance(match, TLSMatchAttributes) else ()
    return L4Match(
        destination_subnets=match.destination_subnets,
        port=match.port or None,
        sni_hosts=hosts,
        selector=selector(match.gateways, match.source_labels, match.source_namespace, resolve),
    )


def from_l4_route(route: TCPRoute | TLSRoute, resolve: GatewayResolver = _same) -> L4Rule:
    return L4Rule(tuple(from_l4_match(m, resolve) for m in route.match))
