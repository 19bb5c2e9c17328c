"""Steps 5 and 6 as trace steps: destinations with their policy, and target workloads."""

from __future__ import annotations

from meshlint.explain.backends import Backend, policy_components, route_policy
from meshlint.explain.route import Taken
from meshlint.explain.scene import Scene, span
from meshlint.explain.values import Item, Step, Tone, sub
from meshlint.matching import host_matches
from meshlint.mesh import ResolvedDestinationRule
from meshlint.model.networking import HTTPRoute

DEFAULTS = {
    "loadBalancer": "LEAST_REQUEST (default)",
    "timeout": "none (default)",
    "retries": "2 attempts on connect-failure,refused-stream,unavailable,cancelled,"
    "retriable-status-codes (default)",
}

TCP_DEFAULTS = {"loadBalancer": DEFAULTS["loadBalancer"]}


def percent_text(value: float | None) -> str:
    return "0% (weight 0)" if value is None else f"{value:g}%"


def destinations_step(scene: Scene, taken: Taken, found: tuple[Backend, ...]) -> Step:
    if not found:
        return Step("destinations", "none: the request reaches no backend", tone=Tone.FAIL)
    route = taken.candidate.route if taken.candidate is not None else None
    http = route if isinstance(route, HTTPRoute) else None
    items: list[Item] = []
    previous: list[Item] = []
    for backend in found:
        head, *rest = _backend_items(scene, taken, backend, http)
        items.append(head)
        if rest != previous:  # subsets sharing a DR and policy print it once
            items.extend(rest)
        previous = rest
    details = [_backend_detail(scene, b, http) for b in found]
    return Step("destinations", shares(found), None, {"destinations": details}, tuple(items))


def shares(found: tuple[Backend, ...]) -> str:
    """``reviews.bookinfo.svc.cluster.local:9080 → v1 80%, v2 10%, v3 10%``."""
    targets = {(b.host, b.port) for b in found}
    if len(targets) == 1:
        host, port = next(iter(targets))
        split = ", ".join(f"{b.subset or 'all endpoints'} {percent_text(b.percent)}" for b in found)
        return f"{host}:{port} → {split}"
    return ", ".join(f"{b.label}:{b.port} {percent_text(b.percent)}" for b in found)


def _backend_items(
    scene: Scene, taken: Taken, backend: Backend, route: HTTPRoute | None
) -> list[Item]:
    where = None
    if taken.candidate is not None and backend.pointer:
        where = span(taken.candidate.vs.resource, backend.pointer)
    weight = f" (weight {backend.weight})" if backend.weight is not None else ""
    items = [Item(f"{backend.label}:{backend.port} {percent_text(backend.percent)}{weight}", where)]
    if backend.direct:
        items.append(sub("no client proxy: no DestinationRule applies", None, Tone.NOTE))
        return items
    items.append(_dr_item(scene, backend))
    items.extend(
        sub(f"{text}", span(dr.rule), Tone.SKIPPED) for dr, text in _hidden(scene, backend)
    )
    defaults = DEFAULTS if scene.target.protocol.is_http_or_sniffed else TCP_DEFAULTS
    policy = {**defaults, **policy_components(backend.policy), **route_policy(route)}
    items.append(sub("policy: " + "; ".join(f"{k} {_short(v)}" for k, v in policy.items())))
    return items


def _short(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _dr_item(scene: Scene, backend: Backend) -> Item:
    dr = backend.dr
    if dr is None:
        text = "no DestinationRule: default cluster settings"
        if backend.subset:
            text = f"no DestinationRule defines subset {backend.subset}: 503 (no cluster)"
        return sub(text, None, Tone.FAIL if backend.subset else Tone.OK)
    found_in = f"found in the {level(scene, dr)} {dr.namespace}"
    name = f"DestinationRule {dr.namespace}/{dr.rule.name} (host {dr.host}, {found_in})"
    if backend.subset_missing:
        return sub(
            f"{name} has no subset {backend.subset}: 503 (no cluster)", span(dr.rule), Tone.FAIL
        )
    return sub(f"{name}", span(dr.rule))


def level(scene: Scene, dr: ResolvedDestinationRule) -> str:
    """Which step of the lookup (3.4) found it: client, service or root namespace."""
    if dr.namespace == scene.caller.namespace:
        return "client namespace"
    if dr.namespace == scene.mesh.settings.root_namespace:
        return "root namespace"
    return "service namespace"


def _hidden(scene: Scene, backend: Backend) -> list[tuple[ResolvedDestinationRule, str]]:
    """DestinationRules for the host the lookup did not return, and why."""
    return [
        (entry, _why_hidden(scene, entry, backend.dr))
        for (_, host), entries in scene.mesh.destination_rule_groups().items()
        if host_matches(backend.host, host)
        for entry in entries
        if entry is not backend.dr
    ]


def _why_hidden(
    scene: Scene, entry: ResolvedDestinationRule, chosen: ResolvedDestinationRule | None
) -> str:
    name = f"DestinationRule {entry.namespace}/{entry.rule.name} (host {entry.host})"
    namespace = scene.caller.namespace
    if not entry.export_to.visible_to(namespace):
        return f"ignored {name}: not exported to {namespace}"
    if chosen is None:
        return f"ignored {name}: selects other workloads"
    if chosen.namespace != entry.namespace:
        return f"hidden {name}: the lookup stops at the {level(scene, chosen)} ({chosen.namespace})"
    return f"ignored {name}: {chosen.host} is the more specific host"


def _backend_detail(scene: Scene, backend: Backend, route: HTTPRoute | None) -> dict[str, object]:
    dr = backend.dr
    return {
        "host": backend.host,
        "subset": backend.subset,
        "port": backend.port,
        "percent": backend.percent,
        "weight": backend.weight,
        "destination_rule": None
        if dr is None
        else {
            "namespace": dr.namespace,
            "name": dr.rule.name,
            "host": dr.host,
            "level": level(scene, dr),
        },
        "hidden": [text for _, text in _hidden(scene, backend)] if not backend.direct else [],
        "subset_defined": not backend.subset_missing,
        "policy": policy_components(backend.policy),
        "route_policy": route_policy(route),
    }


def workloads_step(scene: Scene, found: tuple[Backend, ...]) -> Step:
    if not found:
        return Step("workloads", "none", tone=Tone.FAIL)
    items: list[Item] = []
    for backend in found:
        items.extend(_workload_items(scene, backend))
    names = sorted({f"{w.namespace}/{w.name}" for b in found for w in b.workloads})
    detail = {
        "destinations": [
            {
                "host": b.host,
                "subset": b.subset,
                "workloads": [f"{w.namespace}/{w.name}" for w in b.workloads],
            }
            for b in found
        ]
    }
    tone = Tone.FAIL if any(i.tone is Tone.FAIL for i in items) else Tone.OK
    summary = ", ".join(names) if names else "none"
    return Step("workloads", summary, None, detail, tuple(items), tone)


def _workload_items(scene: Scene, backend: Backend) -> list[Item]:
    service = backend.services[0] if backend.services else None
    if service is None:
        return [Item(f"{backend.label}: no Service in the input", None, Tone.NOTE)]
    selector = ",".join(f"{k}={v}" for k, v in (service.selector or {}).items()) or "none"
    subset = backend.dr.subset(backend.subset) if backend.dr and backend.subset else None
    labels = "" if subset is None else "," + ",".join(f"{k}={v}" for k, v in subset.labels.items())
    head = f"{backend.subset or 'all endpoints'} ({selector}{labels})"
    if backend.subset_missing:
        return [
            Item(
                f"{head}: subset not defined, no endpoints (503)", span(service.resource), Tone.FAIL
            )
        ]
    if not service.selector:
        text = f"{service.kind.kind_name} {service.namespace}/{service.resource.name}: endpoints "
        text += "are its hosts or addresses, not workloads of the input"
        return [Item(text, span(service.resource), Tone.NOTE)]
    if not backend.workloads:
        tone = Tone.FAIL if scene.mesh.workloads_selected(service.namespace, None) else Tone.NOTE
        return [Item(f"{head}: no workload carries these labels", span(service.resource), tone)]
    return [
        Item(f"{head} → {w.kind.kind_name} {w.namespace}/{w.name}", span(w.resource))
        for w in backend.workloads
    ]
