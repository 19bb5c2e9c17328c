"""Steps 1 and 2: who sends the request, and what its proxy can see of the target host."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.explain.scene import Scene, span
from meshlint.explain.values import Item, Step, Tone
from meshlint.mesh import ServiceInfo, SidecarScope

PASSTHROUGH = "passthrough"
BLACKHOLE = "blackhole"


@dataclass(frozen=True, slots=True)
class View:
    """Whether the caller's proxy has the host in its registry; if not, ``fallback`` is what
    the catch-all does (``passthrough`` with ALLOW_ANY, ``blackhole`` with REGISTRY_ONLY)."""

    known: bool
    fallback: str = ""


def source_step(scene: Scene) -> Step:
    caller = scene.caller
    settings = scene.mesh.settings
    if caller.kind == "external":
        summary = "external client: no sidecar, no identity, plaintext; no client-side routing"
        detail = {"kind": "external", "sidecar": False, "principal": None}
        return Step("source", summary, None, detail, (Item(_EXTERNAL_NOTE, None, Tone.NOTE),))
    workload = caller.workload
    principal = caller.principal(settings.trust_domain)
    spiffe = f"spiffe://{principal}" if principal else "no identity"
    detail = {
        "kind": caller.kind,
        "namespace": caller.namespace,
        "workload": None if workload is None else f"{workload.namespace}/{workload.name}",
        "workload_kind": None if workload is None else workload.kind.kind_name,
        "service_account": None if workload is None else workload.service_account,
        "principal": principal,
        "sidecar": caller.has_proxy if workload is None else workload.has_sidecar,
    }
    if caller.kind == "gateway":
        return _gateway_source(scene, spiffe, detail)
    assert workload is not None
    sidecar = _sidecar_text(workload.has_sidecar)
    summary = (
        f"{workload.kind.kind_name} {workload.namespace}/{workload.name}, service account "
        f"{workload.service_account}, {spiffe}, {sidecar}"
    )
    tone = Tone.OK if caller.has_proxy else Tone.NOTE
    return Step("source", summary, span(workload.resource), detail, tone=tone)


_EXTERNAL_NOTE = (
    "reaches the Service's endpoints directly (NodePort, LoadBalancer or an out-of-mesh pod): "
    "VirtualServices, DestinationRules and Sidecars of the mesh do not apply on its side"
)


def _sidecar_text(has_sidecar: bool | None) -> str:
    if has_sidecar is None:
        return "sidecar injection unknown (namespace not in the input): assumed injected"
    return "sidecar injected" if has_sidecar else "no sidecar"


def _gateway_source(scene: Scene, spiffe: str, detail: dict[str, object]) -> Step:
    caller = scene.caller
    assert caller.gateway is not None
    pods = "no gateway workload in the input"
    if caller.workload is not None:
        pods = f"pods of {caller.workload.namespace}/{caller.workload.name}"
    summary = f"Gateway {caller.gateway_ref} ({pods}), {spiffe}"
    detail = {**detail, "gateway": caller.gateway_ref}
    return Step("source", summary, span(caller.gateway), detail)


def visibility_step(scene: Scene) -> tuple[Step, View]:
    caller = scene.caller
    if caller.kind == "gateway":
        summary = (
            f"gateway proxies ignore Sidecars; VirtualServices must be exported to "
            f"{caller.namespace} (the gateway pods' namespace)"
        )
        return Step("visibility", summary, None, {"scope": "gateway"}), View(True)
    scope = scene.scope
    if scope is None:
        summary = "no client proxy: nothing filters the configuration the caller sees"
        return Step("visibility", summary, None, {"scope": "none"}), View(True)
    return _sidecar_visibility(scene, scope)


def _sidecar_visibility(scene: Scene, scope: SidecarScope) -> tuple[Step, View]:
    namespace = scene.caller.namespace
    host = scene.target.host
    items = [_service_item(scene, scope, s) for s in scene.target.services]
    known = any(item.tone is Tone.OK for item in items) or not scene.target.services
    policy = scope.outbound_traffic_policy(scene.mesh.settings)
    egress = ", ".join(f"{'~' if e.excluded else ''}{e.namespace}/{e.host}" for e in scope.egress)
    where = span(scope.sidecar, "/spec/egress") if scope.sidecar is not None else None
    owner = "no Sidecar" if scope.sidecar is None else f"Sidecar {_ref(scene, scope)}"
    detail = {
        "sidecar": None if scope.sidecar is None else _ref(scene, scope),
        "egress": [f"{e.namespace}/{e.host}" for e in scope.egress if not e.excluded],
        "excluded": [f"{e.namespace}/{e.host}" for e in scope.egress if e.excluded],
        "outbound_traffic_policy": policy,
        "host_visible": known,
    }
    if known:
        summary = f"{owner} (egress {egress}): {host} is visible to {namespace}"
        return Step("visibility", summary, where, detail, tuple(items)), View(True)
    fallback = BLACKHOLE if policy == "REGISTRY_ONLY" else PASSTHROUGH
    effect = {
        PASSTHROUGH: "ALLOW_ANY: PassthroughCluster, sent to the original destination with no "
        "routing, no DestinationRule and no mTLS",
        BLACKHOLE: "REGISTRY_ONLY: BlackHoleCluster, the request fails with 502",
    }[fallback]
    summary = f"{owner} (egress {egress}) does not import {host}: {effect}"
    detail = {**detail, "fallback": fallback}
    step = Step("visibility", summary, where, detail, tuple(items), Tone.FAIL)
    return step, View(False, fallback)


def _ref(scene: Scene, scope: SidecarScope) -> str:
    assert scope.sidecar is not None
    return f"{scene.mesh.namespace_of(scope.sidecar)}/{scope.sidecar.name}"


def _service_item(scene: Scene, scope: SidecarScope, service: ServiceInfo) -> Item:
    namespace = scene.caller.namespace
    what = f"{service.kind.kind_name} {service.namespace}/{service.resource.name}"
    if not service.export_to.visible_to(namespace):
        return Item(f"{what}: not exported to {namespace}", span(service.resource), Tone.SKIPPED)
    if not scope.imports(service.fqdn, service.namespace):
        text = f"{what}: exported, but not imported by the Sidecar egress hosts"
        return Item(text, span(service.resource), Tone.SKIPPED)
    return Item(f"{what}: exported to {namespace} and imported", span(service.resource))
