"""Why a route match does not take a request: the first condition that fails, in words.

The decision itself is the solver's concrete evaluation (``meshlint.solver.concrete``); this
module only names the condition, using the same per-condition test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from meshlint.model.networking import HTTPMatchRequest
from meshlint.solver.concrete import Request, cond_holds, header_value, request_fields
from meshlint.solver.conditions import CondKind, Context, HttpMatch, StrCond, selector_applies
from meshlint.source import join_pointer


@dataclass(frozen=True, slots=True)
class Failure:
    """``pointer`` is relative to the match (``/headers/end-user``); ``""`` for the match."""

    text: str
    pointer: str


def describe(cond: StrCond) -> str:
    """``exact "jason"``, ``prefix "/api"``, ``regex "v[0-9]+"``, ``present``, ``absent``."""
    if cond.kind in (CondKind.PRESENT, CondKind.ABSENT):
        return str(cond.kind.value)
    text = f"{cond.kind.value} {json.dumps(cond.value)}"
    if cond.ignore_case and cond.kind is not CondKind.REGEX:
        text += " (ignore case)"
    return f"not {text}" if cond.inverted else text


def _shown(value: str | None) -> str:
    return "absent" if value is None else json.dumps(value)


def _selector_failure(match: HttpMatch, context: Context) -> Failure | None:
    """Selectors decide at config time (1.6): the match is not even generated for this proxy."""
    found = _selector_mismatch(match, context)
    if found is None:
        return None
    return Failure(f"{found.text} (match not generated for this proxy)", found.pointer)


def _selector_mismatch(match: HttpMatch, context: Context) -> Failure | None:
    if selector_applies(match.selector, context) is not False:
        return None
    selector = match.selector
    if selector.gateways:
        gateways = ", ".join(sorted(context.gateways or ()))
        text = f"gateways [{', '.join(selector.gateways)}] do not include {gateways}"
        return Failure(text, "/gateways")
    labels = dict(context.labels or {})
    for key, value in selector.source_labels:
        if labels.get(key) != value:
            text = f"sourceLabels.{key} {json.dumps(value)} ≠ {_shown(labels.get(key))}"
            return Failure(text, join_pointer("/sourceLabels", key))
    wanted = json.dumps(selector.source_namespace)
    return Failure(f"sourceNamespace {wanted} ≠ {_shown(context.namespace)}", "/sourceNamespace")


def failure(
    match: HttpMatch, written: HTTPMatchRequest, request: Request, context: Context
) -> Failure | None:
    """The first condition of ``match`` that ``request`` on this proxy fails (None: it holds)."""
    found = _selector_failure(match, context)
    if found is not None:
        return found
    if match.port is not None and match.port != request.port:
        return Failure(f"port {match.port} ≠ {request.port}", "/port")
    for name, value in request_fields(request).items():
        cond: StrCond | None = getattr(match, name)
        if cond is not None and not cond_holds(cond, value):
            return Failure(f"{name} {describe(cond)} ≠ {_shown(value)}", f"/{name}")
    return _header_failure(match, written, request) or _query_failure(match, request)


def _header_failure(
    match: HttpMatch, written: HTTPMatchRequest, request: Request
) -> Failure | None:
    keys = [("headers", k) for k in written.headers]
    keys += [("withoutHeaders", k) for k in written.without_headers]
    for (key, cond), (section, original) in zip(match.headers, keys, strict=False):
        value = header_value(request, key)
        if not cond_holds(cond, value):
            text = f"{section}.{original} {describe(cond)} ≠ {_shown(value)}"
            return Failure(text, join_pointer(f"/{section}", original))
    return None


def _query_failure(match: HttpMatch, request: Request) -> Failure | None:
    for key, cond in match.query_params:
        value = request.query_params.get(key)
        if not cond_holds(cond, value):
            text = f"queryParams.{key} {describe(cond)} ≠ {_shown(value)}"
            return Failure(text, join_pointer("/queryParams", key))
    return None
