"""Who sends the request: ``NS/WORKLOAD``, ``gateway:NS/NAME`` or ``external``.

``external`` is a client outside the mesh with no gateway in between (a NodePort or an
out-of-mesh pod): no sidecar, so no VirtualService, DestinationRule or Sidecar applies on
its side; it reaches the Service's endpoints directly, in plaintext and with no identity.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from meshlint.errors import MeshlintError
from meshlint.mesh import Mesh, WorkloadInfo
from meshlint.model.networking import Gateway

EXTERNAL = "external"
GATEWAY_PREFIX = "gateway:"


class ExplainError(MeshlintError):
    """The request cannot be explained as given (unknown source or host, bad port)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """``namespace`` is the namespace whose view applies (gateways: their pods')."""

    kind: str  # "workload", "gateway" or "external"
    namespace: str
    workload: WorkloadInfo | None = None
    gateway: Gateway | None = None
    gateway_ref: str = ""  # "ns/name" of the Gateway

    @property
    def has_proxy(self) -> bool:
        """Whether an Istio proxy originates the request (unknown injection counts as yes)."""
        if self.kind == "gateway":
            return True
        return self.workload is not None and self.workload.has_sidecar is not False

    def principal(self, trust_domain: str) -> str | None:
        """``td/ns/N/sa/S`` as AuthorizationPolicy ``principals`` spell it; None: no identity."""
        if self.workload is None or not self.has_proxy:
            return None
        return f"{trust_domain}/ns/{self.workload.namespace}/sa/{self.workload.service_account}"


def resolve_caller(mesh: Mesh, text: str) -> Caller:
    """Parse ``--from``; an unknown workload or gateway lists the closest names."""
    if text == EXTERNAL:
        return Caller("external", mesh.settings.default_namespace)
    if text.startswith(GATEWAY_PREFIX):
        return _gateway(mesh, text.removeprefix(GATEWAY_PREFIX))
    namespace, slash, name = text.partition("/")
    if not slash or not namespace or not name:
        raise ExplainError(f"--from {text!r}: expected NS/WORKLOAD, gateway:NS/NAME or external")
    found = [w for w in mesh.workloads() if w.namespace == namespace and w.name == name]
    if not found:
        names = (f"{w.namespace}/{w.name}" for w in mesh.workloads())
        raise ExplainError(f"--from {text!r}: no such workload in the input{_close(text, names)}")
    return Caller("workload", namespace, found[0])


def _gateway(mesh: Mesh, ref: str) -> Caller:
    namespace, slash, name = ref.partition("/")
    gateway = mesh.get(Gateway, namespace, name) if slash else None
    if gateway is None:
        names = (f"{GATEWAY_PREFIX}{mesh.namespace_of(g)}/{g.name}" for g in mesh.all(Gateway))
        message = f"--from gateway:{ref!r}: no such Gateway in the input"
        raise ExplainError(message + _close(GATEWAY_PREFIX + ref, names))
    workloads = mesh.gateway_workloads(gateway)
    proxy_namespace = mesh.gateway_proxy_namespaces(gateway)[0]
    workload = workloads[0] if workloads else None
    return Caller("gateway", proxy_namespace, workload, gateway, f"{namespace}/{name}")


def _close(wanted: str, names: Iterable[str]) -> str:
    found = difflib.get_close_matches(wanted, sorted(set(names)), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(found)}?" if found else ""
