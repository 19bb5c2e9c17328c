"""Steps 7 and 8: the TLS each connection carries and the authorization decision at the
destination, per destination and workload."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.explain.backends import Backend
from meshlint.explain.scene import Scene
from meshlint.mesh import ClientTLS, WorkloadInfo
from meshlint.mesh.authz_decision import AuthzDecision, decide
from meshlint.mesh.authz_eval import AuthzRequest
from meshlint.mesh.connection import FAIL, Connection, connection
from meshlint.mesh.security_queries import is_dry_run


@dataclass(frozen=True, slots=True)
class Arrival:
    """One workload behind a destination: the port it receives on, the connection, and the
    authorization decision (None: no sidecar, so no policy is enforced)."""

    workload: WorkloadInfo
    port: int | None
    connection: Connection
    decision: AuthzDecision | None
    dry_run: tuple[str, ...] = ()  # ns/name of dry-run policies: evaluated in shadow only

    @property
    def allowed(self) -> bool:
        if self.connection.tls == FAIL:
            return False
        return self.decision is None or self.decision.allowed

    @property
    def reason(self) -> str:
        if self.connection.tls == FAIL:
            return f"connection fails: {self.connection.reason}"
        if self.decision is None:
            return "no sidecar at the destination: no AuthorizationPolicy is enforced"
        return self.decision.reason


def arrivals(scene: Scene, backend: Backend) -> tuple[Arrival, ...]:
    client = _client_tls(scene, backend)
    return tuple(_arrival(scene, backend, client, w) for w in backend.workloads)


def _client_tls(scene: Scene, backend: Backend) -> ClientTLS | None:
    """What the caller's proxy originates (None: no proxy, or a passthrough: plaintext)."""
    caller = scene.caller
    if backend.direct or not caller.has_proxy:
        return None
    labels = caller.workload.labels if caller.workload is not None else None
    return scene.mesh.client_tls(
        caller.namespace, backend.host, backend.subset, backend.port, client_labels=labels
    )


CLIENT_MODES = {
    "DISABLE": "plaintext",
    "SIMPLE": "simple",
    "MUTUAL": "mutual",
    "ISTIO_MUTUAL": "istio-mutual",
    "AUTO": "plaintext",  # auto mTLS: plaintext to endpoints without an Istio sidecar
}


def outside_endpoints(backend: Backend) -> bool:
    """Endpoints that are not workloads: a ServiceEntry's hosts or addresses, or a Service
    without selector (its Endpoints are managed elsewhere)."""
    return bool(backend.services) and not backend.services[0].selector


def endpoint_tls(scene: Scene, backend: Backend) -> tuple[str, str]:
    """What the caller sends to endpoints that are not workloads, and why."""
    client = _client_tls(scene, backend)
    if client is None:
        return "plaintext", "no client sidecar"
    reason = "DestinationRule tls " + client.mode
    if client.reason != "destination-rule":
        reason = client.reason.replace("-", " ")
    return CLIENT_MODES.get(client.mode, "plaintext"), reason


def target_port(backend: Backend, workload: WorkloadInfo) -> int | None:
    """The container port the Service port forwards to (PeerAuthentication and
    AuthorizationPolicy ``ports`` use it)."""
    for service in backend.services:
        port = service.port(backend.port)
        if port is not None:
            return workload.target_port(port.target_port, port.number)
    return backend.port


def _arrival(
    scene: Scene, backend: Backend, client: ClientTLS | None, workload: WorkloadInfo
) -> Arrival:
    port = target_port(backend, workload)
    conn = connection(scene.mesh, client, workload, port)
    if workload.has_sidecar is False:
        return Arrival(workload, port, conn, None)
    settings = scene.mesh.settings
    principal = scene.caller.principal(settings.trust_domain) if conn.has_identity else None
    request = AuthzRequest(
        principal=principal,
        method=scene.request.method,
        path=scene.request.path,
        host=scene.request.host,
        headers={k.lower(): v for k, v in scene.request.headers.items()},
        port=port,
        http=scene.target.protocol.is_http_or_sniffed,
    )
    mesh = scene.mesh
    found = mesh.policies_for_workload(workload)
    policies = [(p, mesh.namespace_of(p)) for p in found if not is_dry_run(p)]
    shadow = tuple(f"{mesh.namespace_of(p)}/{p.name}" for p in found if is_dry_run(p))
    return Arrival(workload, port, conn, decide(policies, request), shadow)
