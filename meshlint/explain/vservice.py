"""Step 3: which VirtualService the caller's proxy uses for the host, and why not the others."""

from __future__ import annotations

from meshlint.explain.origin import View
from meshlint.explain.scene import Scene, span
from meshlint.explain.values import Item, Step, Tone
from meshlint.graph import ClientScope, EdgeKind, VirtualHostNode
from meshlint.matching import MESH_GATEWAY, host_matches, is_wildcard, most_specific_match
from meshlint.mesh import BoundVirtualService
from meshlint.model.networking import VirtualService


def _claims(bound: BoundVirtualService, host: str) -> str | None:
    """The VS host that covers ``host`` (exact, else a matching wildcard)."""
    if host in bound.hosts:
        return host
    return next((h for h in bound.hosts if is_wildcard(h) and host_matches(host, h)), None)


def _ref(bound: BoundVirtualService) -> str:
    return f"{bound.namespace}/{bound.resource.name}"


def chosen_virtual_services(scene: Scene) -> tuple[BoundVirtualService, ...]:
    """Sidecars: the one VS that claims the host first (no merging, 2.2); gateways: every VS
    bound to the Gateway for the most specific virtual-host domain, in merge order."""
    mesh = scene.mesh
    if scene.caller.kind == "gateway":
        return _gateway_chosen(scene)
    scope = scene.scope
    scoped = scope if scope is not None and scope.sidecar is not None else None
    found = mesh.virtual_service_for_host(scene.caller.namespace, scene.target.host, scope=scoped)
    return () if found is None else (found,)


def _gateway_chosen(scene: Scene) -> tuple[BoundVirtualService, ...]:
    graph = scene.graph
    client = ClientScope.gateway(scene.caller.gateway_ref)
    vhosts = [
        v
        for v, _ in graph.out_edges(client, {EdgeKind.HAS_HOST})
        if isinstance(v, VirtualHostNode) and v.port == scene.target.port
    ]
    domains = {v.host for v in vhosts if host_matches(scene.target.host, v.host)}
    best = scene.target.host if scene.target.host in domains else None
    best = best or most_specific_match(scene.target.host, domains)
    if best is None:
        return ()
    nodes = graph.virtual_services_for(client, best, scene.target.port)
    resources = (graph.resource(n) for n in nodes)
    return tuple(scene.mesh.bound(r) for r in resources if isinstance(r, VirtualService))


def virtual_service_step(scene: Scene, view: View) -> tuple[Step, tuple[BoundVirtualService, ...]]:
    host = scene.target.host
    if not scene.caller.has_proxy:
        return Step("virtualservice", "none: the client has no proxy to apply them"), ()
    if not view.known:
        summary = f"none: {host} is not in the proxy's registry ({view.fallback})"
        return Step("virtualservice", summary, tone=Tone.FAIL), ()
    chosen = chosen_virtual_services(scene)
    claimants = [
        scene.mesh.bound(vs)
        for vs in scene.mesh.all(VirtualService)
        if _claims(scene.mesh.bound(vs), host) is not None
    ]
    items = tuple(
        Item(f"ignored {_ref(b)}: {_why_not(scene, b, chosen)}", span(b.resource), Tone.SKIPPED)
        for b in claimants
        if b not in chosen
    )
    detail = {
        "chosen": [_ref(b) for b in chosen],
        "ignored": [
            {"name": _ref(b), "reason": _why_not(scene, b, chosen)}
            for b in claimants
            if b not in chosen
        ],
    }
    if not chosen:
        summary = f"none for {host}: default route to the service"
        if scene.caller.kind == "gateway":
            summary = f"none bound to Gateway {scene.caller.gateway_ref} for {host}"
        return Step("virtualservice", summary, None, detail, items), ()
    names = " + ".join(f"VirtualService {_ref(b)}" for b in chosen)
    merged = " (merged, in this order)" if len(chosen) > 1 else ""
    summary = f"{names}{merged} for host {_claims(chosen[0], host)}"
    return Step("virtualservice", summary, span(chosen[0].resource), detail, items), chosen


def _why_not(
    scene: Scene, bound: BoundVirtualService, chosen: tuple[BoundVirtualService, ...]
) -> str:
    mesh = scene.mesh
    namespace = scene.caller.namespace
    gateway = scene.gateway_name
    if gateway not in bound.gateways:
        listed = ", ".join(sorted(bound.gateways))
        where = "sidecars (mesh)" if gateway == MESH_GATEWAY else f"Gateway {gateway}"
        return f"bound to {listed}, not to {where}"
    if not mesh.export_to(bound.resource).visible_to(namespace):
        return f"exportTo does not include {namespace}"
    scope = scene.scope
    if (
        scope is not None
        and scope.sidecar is not None
        and not any(scope.imports_virtual_service_host(h, bound.namespace) for h in bound.hosts)
    ):
        return "not imported by the Sidecar egress hosts"
    if not chosen:
        return "its server hosts do not admit it"
    return _shadowed(scene, bound, chosen[0])


def _shadowed(scene: Scene, bound: BoundVirtualService, winner: BoundVirtualService) -> str:
    host = scene.target.host
    mine, theirs = _claims(bound, host), _claims(winner, host)
    if mine != theirs:
        return f"host {theirs} of {_ref(winner)} is more specific than {mine}"
    if scene.caller.kind == "gateway":
        return "its server hosts do not admit it"
    return (
        f"{_ref(winner)} claims {host} first (exportTo group, then creation time); "
        "sidecars use one VirtualService per host and ignore the rest"
    )
