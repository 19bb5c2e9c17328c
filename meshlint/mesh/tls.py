"""Client-side TLS origination: DestinationRule ``tls`` or auto mTLS (section 4.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from meshlint.mesh.destinationrules import ResolvedDestinationRule
from meshlint.mesh.hosts import ServiceInfo
from meshlint.mesh.security import MtlsDecision, MtlsMode
from meshlint.model.networking import TrafficPolicy

if TYPE_CHECKING:
    from meshlint.mesh.core import Mesh


@dataclass(frozen=True, slots=True)
class ClientTLS:
    """What a sidecar client originates towards a destination.

    ``mode`` is a DestinationRule TLS mode (``DISABLE``, ``SIMPLE``, ``MUTUAL``,
    ``ISTIO_MUTUAL``), or ``AUTO`` when auto mTLS decides per endpoint (``Mesh.endpoint_mtls``).
    ``reason``: destination-rule, auto-mtls-off, not-in-registry, mesh-external,
    namespace-disable, headless-plaintext or auto.
    """

    mode: str
    reason: str
    destination_rule: ResolvedDestinationRule | None = None
    service: ServiceInfo | None = None
    namespace_mode: MtlsDecision | None = None


def resolve_client_tls(
    mesh: Mesh,
    client_namespace: str,
    host: str,
    dr: ResolvedDestinationRule | None,
    policy: TrafficPolicy | None,
) -> ClientTLS:
    """``buildUpstreamTLSSettings`` / ``applyUpstreamTLSSettings`` (cluster_tls.go), steps 1-3.

    ``dr`` is the DR the client uses for ``host`` and ``policy`` its subset/port policy.
    """
    if policy is not None and policy.tls is not None and policy.tls.mode:
        return ClientTLS(policy.tls.mode, "destination-rule", dr)
    services = mesh.services_for_host(host, client_namespace)
    service = services[0] if services else None
    if not mesh.settings.enable_auto_mtls:
        return ClientTLS("DISABLE", "auto-mtls-off", dr, service)
    if service is None:
        return ClientTLS("DISABLE", "not-in-registry", dr)
    if service.mesh_external:
        return ClientTLS("DISABLE", "mesh-external", dr, service)
    return _auto(mesh, dr, service, policy)


def _auto(
    mesh: Mesh,
    dr: ResolvedDestinationRule | None,
    service: ServiceInfo,
    policy: TrafficPolicy | None,
) -> ClientTLS:
    # BestEffortInferServiceMTLSMode: namespace/mesh-level PeerAuthentication only
    estimate = mesh.namespace_mtls_mode(service.namespace)
    if estimate.mode is MtlsMode.DISABLE:
        return ClientTLS("DISABLE", "namespace-disable", dr, service, estimate)
    lb = policy.load_balancer if policy is not None else None
    if service.headless or (lb is not None and lb.simple == "PASSTHROUGH"):
        endpoints = mesh.workloads_for_service(service)
        # offline, "no endpoints" is trusted only if the input has workloads there
        known = bool(mesh.workloads_selected(service.namespace, None))
        no_endpoints = not endpoints and (known or mesh.settings.assume_complete)
        if no_endpoints or any(w.has_sidecar is False for w in endpoints):
            return ClientTLS("DISABLE", "headless-plaintext", dr, service, estimate)
    return ClientTLS("AUTO", "auto", dr, service, estimate)
