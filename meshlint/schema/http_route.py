"""HTTPRoute checks: action exclusivity, mirrors, redirect, rewrite, direct response."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_list, as_map, as_number, present
from meshlint.schema.common import duration, port
from meshlint.schema.destinations import destination, route_destinations
from meshlint.schema.http_match import http_matches
from meshlint.schema.http_policies import cors_policy, fault, retries
from meshlint.schema.issues import Issue, bad_regex, deprecated, invalid
from meshlint.schema.regex import regex_problem
from meshlint.schema.rewrites import field_fix
from meshlint.source import join_pointer


def _is_set(route: Mapping[str, Any], key: str) -> bool:
    return route.get(key) is not None


def _has_route(route: Mapping[str, Any]) -> bool:
    return bool(as_list(route.get("route")))


def http_route(
    route: Mapping[str, Any], pointer: str, *, delegate_vs: bool, gateway_only: bool
) -> Iterator[Issue]:
    yield from _actions(route, pointer, delegate_vs)
    if "match" in route:
        yield from http_matches(route["match"], f"{pointer}/match", gateway_only=gateway_only)
    if "mirror" in route or "mirrors" in route or "mirrorPercent" in route:
        yield from _mirrors(route, pointer)
    for key, check in _PARTS.items():
        if key in route:
            yield from check(route, pointer)


def _part(key: str, check: Callable[[Mapping[str, Any], str], Iterator[Issue]]) -> RouteCheck:
    """Run ``check`` on ``route[key]`` when it is a mapping."""

    def run(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
        if isinstance(route[key], dict):
            yield from check(route[key], f"{pointer}/{key}")

    return run


RouteCheck = Callable[[Mapping[str, Any], str], Iterator[Issue]]


def _actions(route: Mapping[str, Any], pointer: str, delegate_vs: bool) -> Iterator[Issue]:
    """validateHTTPRouteConflict (ISTIO-SEMANTICS 1.4)."""
    if _is_set(route, "delegate") and not delegate_vs:
        for key in ("redirect", "route"):
            if (key == "redirect" and _is_set(route, key)) or (
                key == "route" and _has_route(route)
            ):
                yield invalid(join_pointer(pointer, key), f"a route with delegate cannot set {key}")
        return
    if delegate_vs and _is_set(route, "delegate"):
        text = "a delegate VirtualService (no hosts) cannot delegate again"
        yield invalid(f"{pointer}/delegate", text)
    yield from _exclusive(route, pointer)
    if not (_is_set(route, "redirect") or _is_set(route, "directResponse") or _has_route(route)):
        yield invalid(pointer, "HTTP route needs one of route, redirect or directResponse")


def _exclusive(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    for action, others in (
        ("redirect", ("route", "fault", "rewrite", "directResponse")),
        ("directResponse", ("route", "fault", "rewrite")),
    ):
        if not _is_set(route, action):
            continue
        for other in others:
            if _has_route(route) if other == "route" else _is_set(route, other):
                text = f"{other} cannot be used together with {action}"
                yield invalid(join_pointer(pointer, other), text, on_key=True)
        return


def _mirrors(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    if _is_set(route, "mirror"):
        if as_list(route.get("mirrors")):
            text = "mirror and mirrors cannot both be set"
            yield invalid(f"{pointer}/mirrors", text, on_key=True)
        mirror = route.get("mirror")
        if isinstance(mirror, dict):
            yield from destination(mirror, f"{pointer}/mirror")
    for index, policy in enumerate(as_list(route.get("mirrors"))):
        at = f"{pointer}/mirrors/{index}"
        dest = as_map(policy).get("destination")
        if not isinstance(dest, dict):
            yield invalid(f"{at}/destination", "mirrors entry needs a destination")
        else:
            yield from destination(dest, f"{at}/destination")
    yield from _mirror_percent(route, pointer)


def _mirror_percent(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    value = as_number(as_map(route.get("mirrorPercentage")).get("value"))
    if value is not None and not 0 <= value <= 100:
        at = f"{pointer}/mirrorPercentage/value"
        yield invalid(at, f"mirrorPercentage {value:g} is outside 0-100")
    if "mirrorPercent" in route:
        at = f"{pointer}/mirrorPercent"
        text = 'field "mirrorPercent" is deprecated: use mirrorPercentage instead'
        yield deprecated(at, text, field_fix("mirrorPercent", route, at))
        legacy = as_int(route.get("mirrorPercent"))
        if legacy is not None and legacy > 100:
            yield invalid(at, f"mirrorPercent {legacy} is over 100")


def redirect(route: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateHTTPRedirect (ISTIO-SEMANTICS 1.7)."""
    if not _is_set(route, "redirect"):
        return
    at = f"{pointer}/redirect"
    spec = as_map(route.get("redirect"))
    if present(spec, "uri") and present(spec, "prefixRewrite"):
        yield invalid(f"{at}/prefixRewrite", "redirect cannot set both uri and prefixRewrite")
    targets = ("uri", "prefixRewrite", "authority", "port", "derivePort", "scheme")
    if not any(present(spec, key) for key in targets):
        yield invalid(at, "redirect must set uri, prefixRewrite, authority, port or scheme")
    code = as_int(spec.get("redirectCode"))
    if code and not 300 <= code <= 399:
        yield invalid(f"{at}/redirectCode", f"redirectCode {code} is outside 300-399")
    scheme = spec.get("scheme")
    if isinstance(scheme, str) and scheme and scheme not in {"http", "https"}:
        yield invalid(f"{at}/scheme", f"redirect scheme {scheme!r} is not http or https")
    yield from port(spec.get("port"), f"{at}/port", "redirect port", zero_unset=True)


def _direct_response(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    status = as_int(spec.get("status"))
    if status is not None and not 200 <= status <= 600:
        at = f"{pointer}/directResponse/status"
        yield invalid(at, f"directResponse status {status} is outside 200-599")


def rewrite(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateHTTPRewrite: one URI rewrite, at least one field, regex rewrite complete."""
    if present(spec, "uri") and present(spec, "uriRegexRewrite"):
        text = "rewrite cannot set both uri and uriRegexRewrite"
        yield invalid(f"{pointer}/uriRegexRewrite", text, on_key=True)
    if not any(present(spec, key) for key in ("uri", "uriRegexRewrite", "authority")):
        yield invalid(pointer, "rewrite must set uri, uriRegexRewrite or authority")
    if "uriRegexRewrite" in spec:
        yield from _regex_rewrite(as_map(spec.get("uriRegexRewrite")), pointer)


def _regex_rewrite(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    at = f"{pointer}/uriRegexRewrite"
    for key in ("match", "rewrite"):
        if not isinstance(spec.get(key), str):
            yield invalid(join_pointer(at, key), f"uriRegexRewrite needs {key}")
    match = spec.get("match")
    problem = regex_problem(match) if isinstance(match, str) else None
    if problem:
        yield bad_regex(f"{at}/match", f"uriRegexRewrite.match: {problem}")


_PARTS: dict[str, RouteCheck] = {
    "route": lambda route, at: route_destinations(route["route"], f"{at}/route"),
    "redirect": redirect,
    "directResponse": lambda route, at: _direct_response(as_map(route["directResponse"]), at),
    "rewrite": _part("rewrite", rewrite),
    "timeout": lambda route, at: duration(route, at, "timeout"),
    "retries": _part("retries", retries),
    "fault": _part("fault", fault),
    "corsPolicy": _part("corsPolicy", cors_policy),
}
