"""What every step of a trace reads: the mesh, the caller, the target and the request."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.explain.caller import Caller
from meshlint.explain.target import Target
from meshlint.explain.values import Request
from meshlint.graph import MeshGraph
from meshlint.matching import MESH_GATEWAY
from meshlint.mesh import Mesh, SidecarScope
from meshlint.model.base import Resource
from meshlint.rule import span_of
from meshlint.solver.concrete import Request as SolverRequest
from meshlint.solver.conditions import Context
from meshlint.source import Span


@dataclass(frozen=True, slots=True)
class Scene:
    mesh: Mesh
    graph: MeshGraph
    request: Request
    caller: Caller
    target: Target

    @property
    def scope(self) -> SidecarScope | None:
        """The caller's Sidecar scope (sidecar callers only; gateways ignore Sidecars)."""
        workload = self.caller.workload
        if self.caller.kind != "workload" or workload is None or not self.caller.has_proxy:
            return None
        return self.mesh.sidecar_scope(workload)

    @property
    def gateway_name(self) -> str:
        """``mesh`` for sidecars, else the Gateway reference ``ns/name``."""
        return self.caller.gateway_ref or MESH_GATEWAY

    def context(self) -> Context:
        """The proxy the route table is evaluated for (match selectors, 1.6)."""
        workload = self.caller.workload
        labels = dict(workload.labels) if workload is not None else {}
        return Context(
            labels=labels,
            namespace=self.caller.namespace,
            gateways=frozenset({self.gateway_name}),
            port=self.target.port,
        )

    def solver_request(self) -> SolverRequest:
        path, _, query = self.request.path.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        return SolverRequest(
            path=path or "/",
            method=self.request.method,
            scheme=self.request.scheme,
            authority=self.request.host,
            port=self.target.port,
            headers={k.lower(): v for k, v in self.request.headers.items()},
            query_params=params,
        )


def span(resource: Resource, pointer: str = "") -> Span:
    return span_of(resource, pointer)
