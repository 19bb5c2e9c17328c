"""Steps 7 and 8 as trace steps: mTLS per connection, authorization per destination."""

from __future__ import annotations

from collections.abc import Sequence

from meshlint.explain.backends import Backend
from meshlint.explain.scene import Scene, span
from meshlint.explain.security import Arrival, endpoint_tls, outside_endpoints
from meshlint.explain.values import Item, Step, Tone, sub
from meshlint.mesh.authz_decision import PolicyVerdict
from meshlint.mesh.authz_eval import RuleVerdict
from meshlint.mesh.connection import FAIL
from meshlint.source import Span

Flows = Sequence[tuple[Backend, tuple[Arrival, ...]]]


def _who(arrival: Arrival) -> str:
    port = f":{arrival.port}" if arrival.port is not None else ""
    return f"{arrival.workload.namespace}/{arrival.workload.name}{port}"


def _groups(flows: Flows) -> list[list[tuple[Backend, Arrival]]]:
    """Arrivals that read the same (same TLS and decision), in order, so that three subsets
    behind one policy print once."""
    groups: dict[tuple[object, ...], list[tuple[Backend, Arrival]]] = {}
    for backend, found in flows:
        for arrival in found:
            decision = arrival.decision
            names = () if decision is None else tuple(id(v.policy) for v in decision.policies)
            key = (arrival.connection.tls, arrival.connection.reason, arrival.reason, names)
            groups.setdefault(key, []).append((backend, arrival))
    return list(groups.values())


def _whom(group: Sequence[tuple[Backend, Arrival]]) -> str:
    return ", ".join(_who(a) for _, a in group)


def _outside_items(scene: Scene, flows: Flows) -> list[Item]:
    found = []
    for backend, _ in flows:
        if outside_endpoints(backend) and not backend.workloads:
            tls, why = endpoint_tls(scene, backend)
            found.append(Item(f"{tls} to the endpoints of {backend.host}: {why}"))
    return found


def mtls_step(scene: Scene, flows: Flows) -> Step:
    groups = _groups(flows)
    outside = _outside_items(scene, flows)
    if outside and not groups:
        return Step("mtls", outside[0].text, None, {"connections": []}, tuple(outside))
    if not groups:
        return Step("mtls", "no connection: the request reaches no known endpoint", tone=Tone.NOTE)
    items: list[Item] = []
    for group in groups:
        conn = group[0][1].connection
        tone = Tone.FAIL if conn.tls == FAIL else Tone.OK
        text = f"{conn.tls} to {_whom(group)}: {conn.reason}"
        items.append(Item(text, _server_span(group[0][1]), tone))
    details = [_mtls_detail(b, a) for b, found in flows for a in found]
    modes = sorted({a.connection.tls for group in groups for _, a in group})
    deciding = next((g[0][1] for g in groups if g[0][1].connection.tls == FAIL), groups[0][0][1])
    summary = f"{deciding.connection.tls}: {deciding.connection.reason}"
    if len(modes) > 1:
        summary = " / ".join(modes) + f"; {summary}"
    tone = Tone.FAIL if FAIL in modes else Tone.OK
    detail = {"connections": details}
    return Step("mtls", summary, _server_span(deciding), detail, tuple(items), tone)


def _server_span(arrival: Arrival) -> Span | None:
    server = arrival.connection.server
    if server is None or server.policy is None:
        return None
    return span(server.policy, "/spec/mtls/mode")


def _mtls_detail(backend: Backend, arrival: Arrival) -> dict[str, object]:
    server = arrival.connection.server
    policy = None if server is None or server.policy is None else server.policy
    return {
        "host": backend.host,
        "subset": backend.subset,
        "workload": f"{arrival.workload.namespace}/{arrival.workload.name}",
        "port": arrival.port,
        "tls": arrival.connection.tls,
        "reason": arrival.connection.reason,
        "server_mode": None if server is None else server.mode.value,
        "server_level": None if server is None else server.level.value,
        "peer_authentication": None
        if policy is None
        else f"{policy.metadata.namespace or ''}/{policy.name}",
    }


def authorization_step(scene: Scene, flows: Flows) -> Step:
    groups = _groups(flows)
    if not groups and any(outside_endpoints(b) for b, _ in flows):
        summary = "not enforced by the mesh: the endpoints are not mesh workloads"
        return Step("authorization", summary, tone=Tone.NOTE)
    if not groups:
        summary = "not evaluated: the request reaches no known endpoint"
        return Step("authorization", summary, tone=Tone.NOTE)
    items: list[Item] = []
    for group in groups:
        items.extend(_group_items(group))
    denied = [g[0][1] for g in groups if not g[0][1].allowed]
    deciding = denied[0] if denied else groups[0][0][1]
    principal = scene.caller.principal(scene.mesh.settings.trust_domain)
    identity = "no identity"
    if principal and deciding.connection.has_identity:
        identity = f"spiffe://{principal}"
    detail = {
        "identity": identity,
        "decisions": [_authz_detail(b, a) for b, found in flows for a in found],
    }
    summary = f"{deciding.reason} (caller: {identity})"
    tone = Tone.FAIL if denied else Tone.OK
    return Step("authorization", summary, _decision_span(deciding), detail, tuple(items), tone)


def _group_items(group: Sequence[tuple[Backend, Arrival]]) -> list[Item]:
    arrival = group[0][1]
    head = f"at {_whom(group)}"
    decision = arrival.decision
    if arrival.connection.tls == FAIL:
        text = f"{head}: not evaluated, the connection fails before authorization"
        return [Item(text, None, Tone.FAIL)]
    if decision is None:
        return [Item(f"{head}: {arrival.reason}", None, Tone.NOTE)]
    tone = Tone.OK if decision.allowed else Tone.FAIL
    items = [Item(f"{head}: {decision.reason}", _decision_span(arrival), tone)]
    for verdict in _ordered(decision.policies):
        items.extend(_policy_items(verdict))
    note = "CUSTOM provider {} is asked first (its answer is unknown offline)"
    items.extend(sub(note.format(p), None, Tone.NOTE) for p in decision.custom)
    shadow = "{}: istio.io/dry-run, evaluated in shadow mode only (not enforced)"
    items.extend(sub(shadow.format(name), None, Tone.NOTE) for name in arrival.dry_run)
    return items


def _decision_span(arrival: Arrival) -> Span | None:
    decision = arrival.decision
    if decision is None or decision.policy is None:
        return None
    pointer = f"/spec/rules/{decision.rule}" if decision.rule is not None else ""
    return span(decision.policy, pointer)


def _ordered(verdicts: Sequence[PolicyVerdict]) -> list[PolicyVerdict]:
    order = {"CUSTOM": 0, "DENY": 1, "ALLOW": 2}
    return sorted(verdicts, key=lambda v: order.get(v.action, 3))


def _policy_items(verdict: PolicyVerdict) -> list[Item]:
    name = f"{verdict.action} {verdict.namespace}/{verdict.policy.name}"
    if not verdict.rules:
        text = (
            f"{name}: no rules, matches nothing"
            if verdict.action == "ALLOW"
            else f"{name}: no rules"
        )
        return [sub(text, span(verdict.policy), Tone.SKIPPED)]
    return [_rule_item(verdict, name, rule) for rule in verdict.rules]


def _rule_item(verdict: PolicyVerdict, name: str, rule: RuleVerdict) -> Item:
    pointer = rule.failed.pointer if rule.failed is not None else f"/spec/rules/{rule.index}"
    tone = Tone.OK if rule.matched else Tone.SKIPPED
    if rule.matched and verdict.action == "DENY":
        tone = Tone.FAIL
    return sub(f"{name} rule {rule.index}: {rule.reason}", span(verdict.policy, pointer), tone)


def _authz_detail(backend: Backend, arrival: Arrival) -> dict[str, object]:
    decision = arrival.decision
    return {
        "host": backend.host,
        "subset": backend.subset,
        "workload": f"{arrival.workload.namespace}/{arrival.workload.name}",
        "port": arrival.port,
        "allowed": arrival.allowed,
        "reason": arrival.reason,
        "policies": []
        if decision is None
        else [
            {
                "action": v.action,
                "namespace": v.namespace,
                "name": v.policy.name,
                "rules": [
                    {"rule": r.index, "matched": r.matched, "reason": r.reason} for r in v.rules
                ],
            }
            for v in _ordered(decision.policies)
        ],
    }
