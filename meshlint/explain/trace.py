"""``trace(mesh, graph, request) -> Trace``: the nine steps of SPEC §4 and the verdict."""

from __future__ import annotations

from collections.abc import Sequence

from meshlint.explain.backend_steps import destinations_step, percent_text, workloads_step
from meshlint.explain.backends import Backend, backends
from meshlint.explain.caller import resolve_caller
from meshlint.explain.origin import source_step, visibility_step
from meshlint.explain.route import Taken, route_step
from meshlint.explain.scene import Scene
from meshlint.explain.security import Arrival, arrivals, endpoint_tls, outside_endpoints
from meshlint.explain.security_steps import authorization_step, mtls_step
from meshlint.explain.target import resolve_target
from meshlint.explain.values import Item, Outcome, Ref, Request, Step, Tone, Trace, Verdict
from meshlint.explain.vservice import virtual_service_step
from meshlint.graph import MeshGraph
from meshlint.mesh import Mesh
from meshlint.mesh.connection import FAIL

Flow = tuple[Backend, tuple[Arrival, ...]]


def trace(mesh: Mesh, graph: MeshGraph, request: Request) -> Trace:
    """Explain ``request``; an unknown source or host raises ``ExplainError``."""
    caller = resolve_caller(mesh, request.source)
    target = resolve_target(mesh, caller, request.host, request.port)
    scene = Scene(mesh, graph, request, caller, target)
    source = source_step(scene)
    visibility, view = visibility_step(scene)
    vs_step, chosen = virtual_service_step(scene, view)
    route, taken = route_step(scene, view, chosen)
    found = backends(scene, taken)
    flows = [(b, arrivals(scene, b)) for b in found]
    verdict = _verdict(scene, taken, flows)
    steps = (
        source,
        visibility,
        vs_step,
        route,
        destinations_step(scene, taken, found),
        workloads_step(scene, found),
        mtls_step(scene, flows),
        authorization_step(scene, flows),
        _verdict_step(verdict, target.note),
    )
    return Trace(request, target.label, steps, verdict, target.protocol.value)


def _verdict(scene: Scene, taken: Taken, flows: Sequence[Flow]) -> Verdict:
    route = None
    if taken.candidate is not None:
        vs = taken.candidate.vs
        route = Ref("VirtualService", vs.namespace, vs.resource.name, taken.candidate.index)
    if not flows:
        reason = taken.reason or "the request reaches no backend"
        allowed = taken.kind == "answered"
        return Verdict(allowed, reason, None, route)
    outcomes = tuple(_outcome(scene, backend, found) for backend, found in flows)
    live = [(o, f) for o, f in zip(outcomes, flows, strict=True) if o.percent > 0]
    failing = [(o, f) for o, f in live if not o.allowed]
    chosen, flow = (failing or live or list(zip(outcomes, flows, strict=True)))[0]
    reason = chosen.reason
    if failing and len(failing) < len(live):  # only part of the traffic fails
        reason = f"{_dest(chosen)} ({percent_text(chosen.percent)}): {reason}"
    return Verdict(not failing, reason, _decided_by(scene, flow), route, outcomes)


def _dest(outcome: Outcome) -> str:
    return outcome.host + (f" subset {outcome.subset}" if outcome.subset else "")


def _outcome(scene: Scene, backend: Backend, found: tuple[Arrival, ...]) -> Outcome:
    names = tuple(f"{a.workload.namespace}/{a.workload.name}" for a in found)
    percent = backend.percent or 0.0
    tls = _worst(found)
    if backend.subset_missing:
        tls = FAIL
        reason = f"subset {backend.subset} is not defined for {backend.host}: 503 (no cluster)"
        return Outcome(
            backend.host, backend.subset, backend.port, percent, tls, names, False, reason
        )
    if not found and outside_endpoints(backend):
        tls, why = endpoint_tls(scene, backend)
        reason = f"sent to the endpoints of {backend.host} outside the mesh's workloads ({why})"
        return Outcome(
            backend.host, backend.subset, backend.port, percent, tls, names, True, reason
        )
    if not found:
        allowed, reason = _no_workloads(scene, backend)
        tls = tls if allowed else FAIL
        return Outcome(
            backend.host, backend.subset, backend.port, percent, tls, names, allowed, reason
        )
    bad = next((a for a in found if not a.allowed), None)
    deciding = bad or found[0]
    return Outcome(
        backend.host,
        backend.subset,
        backend.port,
        percent,
        tls,
        names,
        bad is None,
        deciding.reason,
    )


def _worst(found: Sequence[Arrival]) -> str:
    modes = [a.connection.tls for a in found]
    if FAIL in modes:
        return FAIL
    return modes[0] if modes else "unknown"


def _no_workloads(scene: Scene, backend: Backend) -> tuple[bool, str]:
    service = backend.services[0] if backend.services else None
    if service is not None and scene.mesh.workloads_selected(service.namespace, None):
        return False, f"no workload behind {backend.label}: 503 (no healthy upstream)"
    return True, f"routed to {backend.label}; its workloads are not in the input"


def _decided_by(scene: Scene, flow: Flow) -> Ref | None:
    """The PeerAuthentication that refused the connection, else the deciding policy."""
    _, found = flow
    bad = next((a for a in found if not a.allowed), None)
    arrival = bad or (found[0] if found else None)
    if arrival is None:
        return None
    server = arrival.connection.server
    if arrival.connection.tls == FAIL:
        if server is None or server.policy is None:
            return None
        policy = server.policy
        return Ref("PeerAuthentication", scene.mesh.namespace_of(policy), policy.name)
    decision = arrival.decision
    if decision is None or decision.policy is None:
        return None
    namespace = scene.mesh.namespace_of(decision.policy)
    return Ref("AuthorizationPolicy", namespace, decision.policy.name, decision.rule)


def _verdict_step(verdict: Verdict, note: str) -> Step:
    word = "ALLOWED" if verdict.allowed else "DENIED"
    reason = verdict.reason
    if reason.lower().startswith(word.lower()):
        summary = word + reason[len(word) :]
    else:
        summary = f"{word}: {reason}"
    items = tuple(
        Item(
            f"{_dest(o)}:{o.port} {percent_text(o.percent)} over {o.tls}: {o.reason}",
            None,
            Tone.OK if o.allowed else Tone.FAIL,
        )
        for o in verdict.destinations
    )
    items += (Item(note, None, Tone.NOTE),) if note else ()
    tone = Tone.OK if verdict.allowed else Tone.FAIL
    detail = {"allowed": verdict.allowed, "reason": verdict.reason}
    return Step("verdict", summary, None, detail, items, tone)
