"""What one connection to one endpoint carries: client TLS vs the server's mode (4.3, 4.4)."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.mesh.core import Mesh
from meshlint.mesh.security import MtlsDecision, MtlsMode
from meshlint.mesh.tls import ClientTLS
from meshlint.mesh.workloads import WorkloadInfo

ISTIO_MUTUAL = "istio-mutual"
PLAINTEXT = "plaintext"
FAIL = "fail"
USER_TLS = {"SIMPLE": "simple", "MUTUAL": "mutual"}


@dataclass(frozen=True, slots=True)
class Connection:
    """``tls`` is istio-mutual, plaintext, simple, mutual or fail; ``server`` is the
    endpoint sidecar's effective PeerAuthentication decision (None: no sidecar)."""

    tls: str
    reason: str
    server: MtlsDecision | None = None

    @property
    def has_identity(self) -> bool:
        """Only Istio mTLS carries the peer's SPIFFE identity (4.5)."""
        return self.tls == ISTIO_MUTUAL


def connection(
    mesh: Mesh, client: ClientTLS | None, workload: WorkloadInfo, port: int | None
) -> Connection:
    """``client`` None is a plaintext origin with no sidecar (or a passthrough); ``port`` is the
    workload (target) port. An unknown injection (``has_sidecar`` None) counts as injected."""
    if workload.has_sidecar is False:
        return _to_plain_app(client)
    server = mesh.peer_authentication_mode(workload, port)
    origin = _origin(mesh, client, workload, port)
    if server.mode is MtlsMode.STRICT and origin != ISTIO_MUTUAL:
        what = "plaintext" if origin == PLAINTEXT else f"{origin} TLS without an Istio cert"
        reason = (
            f"{what} ({_client_text(client)}) refused: the server requires mTLS, "
            f"{server_text(mesh, server)}"
        )
        return Connection(FAIL, reason, server)
    if server.mode is MtlsMode.DISABLE and origin == ISTIO_MUTUAL:
        reason = "ISTIO_MUTUAL toward a DISABLE port: the app receives TLS bytes"
        return Connection(FAIL, reason, server)
    return Connection(origin, _why(origin, client, server_text(mesh, server)), server)


def _to_plain_app(client: ClientTLS | None) -> Connection:
    if client is not None and client.mode == "ISTIO_MUTUAL":
        reason = "ISTIO_MUTUAL toward a workload with no sidecar to terminate it"
        return Connection(FAIL, reason)
    if client is not None and client.mode in USER_TLS:
        return Connection(USER_TLS[client.mode], "TLS originated to the application")
    return Connection(PLAINTEXT, "the workload has no sidecar: plaintext")


def _origin(mesh: Mesh, client: ClientTLS | None, workload: WorkloadInfo, port: int | None) -> str:
    if client is None or client.mode == "DISABLE":
        return PLAINTEXT
    if client.mode in USER_TLS:
        return USER_TLS[client.mode]
    if client.mode == "ISTIO_MUTUAL":
        return ISTIO_MUTUAL
    # auto mTLS: per endpoint (None: injection unknown offline, assumed injected)
    return PLAINTEXT if mesh.endpoint_mtls(client, workload, port) is False else ISTIO_MUTUAL


def server_text(mesh: Mesh, server: MtlsDecision) -> str:
    """``STRICT (mesh-level PeerAuthentication istio-system/default)``."""
    if server.policy is None:
        return f"{server.mode.value} (no PeerAuthentication: Istio's default)"
    name = f"{mesh.namespace_of(server.policy)}/{server.policy.name}"
    return f"{server.mode.value} ({server.level.value}-level PeerAuthentication {name})"


def _client_text(client: ClientTLS | None) -> str:
    if client is None:
        return "no client sidecar"
    if client.reason == "destination-rule":
        return f"DestinationRule tls {client.mode}"
    if client.mode == "AUTO":
        return "auto mTLS found no sidecar or a DISABLE port"
    return client.reason.replace("-", " ")


def _why(origin: str, client: ClientTLS | None, server: str) -> str:
    mode = f"server {server}"
    if client is None:
        return f"plaintext client, {mode}"
    if client.reason == "destination-rule":
        return f"DestinationRule tls {client.mode}, {mode}"
    if client.mode == "AUTO":
        return f"auto mTLS, {mode}"
    return f"{client.reason.replace('-', ' ')}: {origin}, {mode}"
