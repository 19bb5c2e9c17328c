"""The mesh index and Istio's resolution semantics (one answer for rules, graph and explain)."""

from __future__ import annotations

from meshlint.mesh.core import Mesh
from meshlint.mesh.destinationrules import ResolvedDestinationRule
from meshlint.mesh.hosts import ServiceInfo, ServicePortInfo
from meshlint.mesh.security import MtlsDecision, MtlsLevel, MtlsMode
from meshlint.mesh.tls import ClientTLS
from meshlint.mesh.virtualservices import BoundVirtualService
from meshlint.mesh.visibility import SidecarScope
from meshlint.mesh.workloads import WorkloadInfo, WorkloadPort

__all__ = [
    "BoundVirtualService",
    "ClientTLS",
    "Mesh",
    "MtlsDecision",
    "MtlsLevel",
    "MtlsMode",
    "ResolvedDestinationRule",
    "ServiceInfo",
    "ServicePortInfo",
    "SidecarScope",
    "WorkloadInfo",
    "WorkloadPort",
]
