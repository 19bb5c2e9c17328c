"""A minimal model of the Kubernetes Gateway API ``Gateway`` (gateway.networking.k8s.io)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from meshlint.model.base import Kind, MeshModel, Resource


class RouteNamespaces(MeshModel):
    """``allowedRoutes.namespaces``: ``from`` is All, Same (the default) or Selector."""

    from_: str | None = Field(default=None, alias="from")


class AllowedRoutes(MeshModel):
    namespaces: RouteNamespaces | None = None


class Listener(MeshModel):
    """One listener. No ``hostname`` means the listener accepts every host."""

    name: str = ""
    hostname: str | None = None
    port: int | None = None
    protocol: str = ""
    allowed_routes: AllowedRoutes | None = None


class K8sGatewaySpec(MeshModel):
    gateway_class_name: str = ""
    listeners: tuple[Listener, ...] = ()


class K8sGateway(Resource):
    """A Gateway API Gateway; Istio binds a VirtualService's ``ns/name`` gateway to it too."""

    KIND: ClassVar[Kind] = Kind.K8S_GATEWAY
    spec: K8sGatewaySpec = Field(default_factory=K8sGatewaySpec)
