"""Concrete evaluation: does this request, on this proxy, match a rule (no solver involved)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meshlint.solver.conditions import (
    CondKind,
    Context,
    HttpMatch,
    HttpRule,
    StrCond,
    selector_applies,
)


class InvalidPattern(ValueError):
    """A regex RE2 rejects (Istio rejects the resource); no concrete answer exists."""


@dataclass(frozen=True, slots=True)
class Request:
    """A concrete HTTP request. ``path`` excludes the query string; header names are lower case."""

    path: str = "/"
    method: str = "GET"
    scheme: str = "http"
    authority: str = "example.com"
    port: int = 80
    headers: Mapping[str, str] = field(default_factory=dict)
    query_params: Mapping[str, str] = field(default_factory=dict)


def ascii_lower(text: str) -> str:
    """Envoy's case folding for ``ignore_case`` is ASCII-only."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def cond_holds(cond: StrCond, value: str | None) -> bool:
    """``value`` None is a missing header / query parameter."""
    if cond.kind is CondKind.PRESENT:
        return value is not None
    if cond.kind is CondKind.ABSENT:
        return value is None
    if cond.inverted:
        return not _string_holds(cond, "" if value is None else value)
    return value is not None and _string_holds(cond, value)


def _string_holds(cond: StrCond, value: str) -> bool:
    wanted = cond.value
    if cond.ignore_case and cond.kind is not CondKind.REGEX:
        value, wanted = ascii_lower(value), ascii_lower(wanted)
    if cond.kind is CondKind.EXACT:
        return value == wanted
    if cond.kind is CondKind.PREFIX:
        return value.startswith(wanted)
    return _compiled(wanted).fullmatch(value) is not None


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    """RE2-compile ``pattern`` once: the evaluator tries many requests against few patterns.

    A memo of a pure function (like ``re``'s own pattern cache), not shared mutable state.
    """
    import re2

    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise InvalidPattern(pattern) from exc


def _proxy(context: Context) -> Context:
    """A fully known proxy: unknown fields read as empty."""
    return Context(
        labels=context.labels or {},
        namespace=context.namespace or "",
        gateways=context.gateways or frozenset(),
        port=context.port,
    )


def match_holds(match: HttpMatch, request: Request, context: Context) -> bool:
    # an empty selector applies to every proxy: skip building the fully known one
    if not match.selector.is_empty and not selector_applies(match.selector, _proxy(context)):
        return False
    if match.port is not None and match.port != request.port:
        return False
    for name, value in request_fields(request).items():
        cond: StrCond | None = getattr(match, name)
        if cond is not None and not cond_holds(cond, value):
            return False
    return all(cond_holds(c, header_value(request, k)) for k, c in match.headers) and all(
        cond_holds(c, request.query_params.get(k)) for k, c in match.query_params
    )


def request_fields(request: Request) -> dict[str, str]:
    """The request's values for the match fields ``uri``, ``method``, ``scheme``, ``authority``."""
    return {
        "uri": request.path,
        "method": request.method,
        "scheme": request.scheme,
        "authority": request.authority,
    }


def header_value(request: Request, key: str) -> str | None:
    """A header as Envoy matches it: pseudo-headers (``:path`` with the query) included."""
    query = "&".join(f"{k}={v}" for k, v in request.query_params.items())
    pseudo = {
        ":method": request.method,
        ":scheme": request.scheme,
        ":authority": request.authority,
        ":path": f"{request.path}?{query}" if query else request.path,
    }
    if key in pseudo:
        return pseudo[key]
    return request.headers.get(key)


def rule_holds(rule: HttpRule, request: Request, context: Context) -> bool:
    """A rule matches if any of its matches does; without matches it matches everything."""
    if not rule.matches:
        return True
    return any(match_holds(m, request, context) for m in rule.matches)


def first_match(rules: Sequence[HttpRule], request: Request, context: Context) -> int | None:
    """The index of the rule that serves ``request`` (first match wins), or None (404)."""
    return next((i for i, r in enumerate(rules) if rule_holds(r, request, context)), None)
