"""Step 4: the route rule that takes the request, and for each earlier rule why it did not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from meshlint.explain.conditions import Failure, failure
from meshlint.explain.origin import View
from meshlint.explain.scene import Scene, span
from meshlint.explain.values import Item, Step, Tone
from meshlint.mesh import BoundVirtualService
from meshlint.mesh.routing_queries import l4_rules
from meshlint.model.networking import HTTPRoute, TCPRoute, VirtualService
from meshlint.solver.adapt import from_http_route
from meshlint.solver.concrete import match_holds
from meshlint.solver.conditions import CondKind, HttpRule, selector_applies
from meshlint.solver.l4 import L4Rule


@dataclass(frozen=True, slots=True)
class Candidate:
    """One route rule in evaluation order."""

    vs: BoundVirtualService
    section: str
    index: int
    route: HTTPRoute | TCPRoute

    @property
    def pointer(self) -> str:
        return f"/spec/{self.section}/{self.index}"

    @property
    def label(self) -> str:
        name = self.route.name if isinstance(self.route, HTTPRoute) else None
        where = f"{self.vs.namespace}/{self.vs.resource.name} {self.section}[{self.index}]"
        return where + (f" ({name})" if name else "")


Holds = Callable[[Scene, Candidate, HttpRule | L4Rule], Failure | None]
Rules = Sequence[tuple[Candidate, HttpRule | L4Rule]]
FALLBACKS = {
    "passthrough": "ALLOW_ANY, so PassthroughCluster forwards it unrouted",
    "blackhole": "REGISTRY_ONLY, so BlackHoleCluster answers 502",
}
CATCH_ALL_URIS = frozenset({(CondKind.PREFIX, "/"), (CondKind.REGEX, ".*")})


@dataclass(frozen=True, slots=True)
class Taken:
    """``kind``: rule, answered (redirect, direct response), default (no VirtualService), none
    (404), passthrough, blackhole, direct (no client proxy) or unrouted (TLS, not evaluated)."""

    kind: str
    candidate: Candidate | None = None
    reason: str = ""


def route_step(
    scene: Scene, view: View, chosen: tuple[BoundVirtualService, ...]
) -> tuple[Step, Taken]:
    early = _without_rules(scene, view, chosen)
    if early is not None:
        return early
    protocol = scene.target.protocol
    if protocol.is_http_or_sniffed:
        candidates = _http_candidates(scene, chosen)
        step, taken = _evaluate(scene, candidates, _http_holds)
        return _with_notes(step, _moved(scene, chosen, candidates)), taken
    if protocol.is_tcp:
        return _evaluate(scene, _tcp_candidates(scene, chosen), _tcp_holds)
    summary = f"{protocol.value} port: SNI-based tls routes are not evaluated"
    return Step("route", summary, tone=Tone.NOTE), Taken("unrouted", reason=summary)


def _without_rules(
    scene: Scene, view: View, chosen: tuple[BoundVirtualService, ...]
) -> tuple[Step, Taken] | None:
    """No proxy, a host the proxy does not know, or no VirtualService: no rule to evaluate."""
    if not scene.caller.has_proxy:
        return Step("route", "no client-side routing: straight to the Service"), Taken("direct")
    if not view.known:
        summary = f"{scene.target.host} is not imported by the caller's Sidecar: "
        summary += FALLBACKS[view.fallback]
        return Step("route", summary, tone=Tone.FAIL), Taken(view.fallback, None, summary)
    if chosen:
        return None
    if scene.caller.kind == "gateway":
        summary = f"no route for {scene.target.label} on this Gateway: the proxy answers 404"
        return Step("route", summary, tone=Tone.FAIL), Taken("none", None, summary)
    summary = f"default route: all traffic to {scene.target.host}"
    return Step("route", summary), Taken("default")


def _http_candidates(
    scene: Scene, chosen: Sequence[BoundVirtualService]
) -> list[tuple[Candidate, HttpRule | L4Rule]]:
    found: list[tuple[Candidate, HttpRule | L4Rule]] = []
    for bound in chosen:
        # every rule, also after a delegate (``http_rules`` stops there for reachability)
        resolve = partial(scene.mesh.resolve_gateway_ref, bound.resource)
        for index, route in enumerate(bound.resource.spec.http):
            found.append((Candidate(bound, "http", index, route), from_http_route(route, resolve)))
    if scene.caller.kind == "gateway":
        # SortVHostRoutes: gateways move catch-all routes after the specific ones (2.1)
        found.sort(key=lambda pair: isinstance(pair[1], HttpRule) and _catch_all(pair[1]))
    return found


def _moved(
    scene: Scene, chosen: Sequence[BoundVirtualService], candidates: Rules
) -> tuple[Item, ...]:
    """Gateways: catch-all rules that the merge moved after more specific ones (2.1)."""
    if scene.caller.kind != "gateway" or len(chosen) < 2:
        return ()
    written = [c.label for bound in chosen for c, _ in _http_candidates_of(bound)]
    evaluated = [c.label for c, _ in candidates]
    return tuple(
        Item(
            f"{label}: a catch-all, moved after the specific routes (gateway merge)",
            None,
            Tone.NOTE,
        )
        for position, label in enumerate(evaluated)
        if written.index(label) < position
    )


def _http_candidates_of(bound: BoundVirtualService) -> Rules:
    return [
        (Candidate(bound, "http", i, r), HttpRule()) for i, r in enumerate(bound.resource.spec.http)
    ]


def _with_notes(step: Step, notes: tuple[Item, ...]) -> Step:
    if not notes:
        return step
    return Step(step.step, step.summary, step.span, step.detail, notes + step.items, step.tone)


def _catch_all(rule: HttpRule) -> bool:
    if not rule.matches:
        return True
    return any(
        (m.uri is None or (m.uri.kind, m.uri.value) in CATCH_ALL_URIS)
        and not (m.headers or m.query_params or m.method or m.scheme or m.authority)
        for m in rule.matches
    )


def _http_holds(scene: Scene, candidate: Candidate, rule: HttpRule | L4Rule) -> Failure | None:
    """None when the rule takes the request, else the failure of its first match."""
    assert isinstance(rule, HttpRule) and isinstance(candidate.route, HTTPRoute)
    if not rule.matches:
        return None
    request, context = scene.solver_request(), scene.context()
    if any(match_holds(m, request, context) for m in rule.matches):
        return None
    failures = [
        (i, failure(m, candidate.route.match[i], request, context))
        for i, m in enumerate(rule.matches)
    ]
    index, found = next(((i, f) for i, f in failures if f is not None), (0, None))
    if found is None:
        return Failure("no match holds", "")
    more = f" (and {len(rule.matches) - 1} more match(es) fail)" if len(rule.matches) > 1 else ""
    return Failure(found.text + more, f"/match/{index}{found.pointer}")


def _tcp_candidates(
    scene: Scene, chosen: Sequence[BoundVirtualService]
) -> list[tuple[Candidate, HttpRule | L4Rule]]:
    return [
        (Candidate(bound, "tcp", index, bound.resource.spec.tcp[index]), rule)
        for bound in chosen
        for index, rule in enumerate(l4_rules(scene.mesh, bound.resource, "tcp"))
    ]


def _tcp_holds(scene: Scene, candidate: Candidate, rule: HttpRule | L4Rule) -> Failure | None:
    assert isinstance(rule, L4Rule)
    if not rule.matches:
        return None
    context = scene.context()
    for match in rule.matches:
        if match.port is not None and match.port != scene.target.port:
            continue
        if selector_applies(match.selector, context) is False:
            continue
        return None
    return Failure(f"no match applies to port {scene.target.port} from this proxy", "/match")


def _evaluate(scene: Scene, candidates: Rules, holds: Holds) -> tuple[Step, Taken]:
    """First match wins; every rule before it is listed with the condition that failed."""
    items: list[Item] = []
    skipped: list[dict[str, object]] = []
    for candidate, rule in candidates:
        found = holds(scene, candidate, rule)
        resource = candidate.vs.resource
        if found is None:
            items.append(Item(f"{candidate.label}: matches", span(resource, candidate.pointer)))
            return _taken(scene, candidate, tuple(items), skipped)
        where = span(resource, candidate.pointer + found.pointer)
        items.append(Item(f"{candidate.label}: {found.text}", where, Tone.SKIPPED))
        skipped.append({"rule": candidate.label, "condition": found.text, **_at(where)})
    summary = "no rule matches: the proxy answers 404 (no fall-through to another route)"
    detail = {"matched": None, "not_matched": skipped}
    return Step("route", summary, None, detail, tuple(items), Tone.FAIL), Taken(
        "none", None, summary
    )


def _at(where: object) -> dict[str, object]:
    return {"file": getattr(where, "path", None), "line": getattr(where, "line", None)}


def _taken(
    scene: Scene, candidate: Candidate, items: tuple[Item, ...], skipped: list[dict[str, object]]
) -> tuple[Step, Taken]:
    route = candidate.route
    if isinstance(route, HTTPRoute) and route.delegate is not None and candidate.vs.hosts:
        return _delegate(scene, candidate, items)
    action = _action(route)
    summary = f"{candidate.label}: {action or 'takes the request'}"
    detail = {
        "matched": {
            "virtualservice": f"{candidate.vs.namespace}/{candidate.vs.resource.name}",
            "section": candidate.section,
            "rule": candidate.index,
            "name": route.name if isinstance(route, HTTPRoute) else None,
        },
        "not_matched": skipped,
    }
    where = span(candidate.vs.resource, candidate.pointer)
    kind = "answered" if action else "rule"
    return Step("route", summary, where, detail, items), Taken(kind, candidate, action)


def _action(route: HTTPRoute | TCPRoute) -> str:
    if not isinstance(route, HTTPRoute):
        return ""
    if route.redirect is not None:
        return "answered by the proxy with a redirect"
    if route.direct_response is not None:
        return f"answered by the proxy with status {route.direct_response.status}"
    return ""


def _delegate(scene: Scene, candidate: Candidate, items: tuple[Item, ...]) -> tuple[Step, Taken]:
    """Follow ``delegate`` (1.13): the delegate's rules decide within the root rule."""
    route = candidate.route
    assert isinstance(route, HTTPRoute) and route.delegate is not None
    target = scene.mesh.delegate_target(candidate.vs.resource, route.delegate)
    if target is None or not isinstance(target, VirtualService):
        summary = f"{candidate.label} delegates to a missing VirtualService: route dropped"
        return Step("route", summary, tone=Tone.FAIL, items=items), Taken("none", None, summary)
    step, taken = _evaluate(scene, _http_candidates(scene, [scene.mesh.bound(target)]), _http_holds)
    summary = f"{candidate.label} delegates: {step.summary}"
    merged = Step("route", summary, step.span, step.detail, items + step.items, step.tone)
    return merged, taken
