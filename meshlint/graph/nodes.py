"""Typed node keys and edge values of the routing and authorization graph (no networkx here)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TypeVar

K = TypeVar("K")

ANY_NAMESPACE = "*"  # the sidecar client of a namespace with no private view of its own


class _Key:
    """Base of node keys: the hash is computed once, at construction (networkx and the
    builder hash every key many times; a generated dataclass ``__hash__`` rebuilds a tuple)."""

    __slots__ = ("_hash",)
    _key_values: Callable[[_Key], object] = staticmethod(lambda _: ())  # per class

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((type(self).__name__, self._key_values(self))))


def _cached_hash(cls: type[K]) -> type[K]:
    """Install ``_Key``'s stored hash over the one ``@dataclass`` generated."""

    def stored_hash(self: _Key) -> int:
        value: int = getattr(self, "_hash")  # noqa: B009 - a slot mypy cannot see
        return value

    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    setattr(cls, "__hash__", stored_hash)  # noqa: B010 - after @dataclass made its own
    setattr(cls, "_key_values", staticmethod(attrgetter(*names)))  # noqa: B010
    return cls


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class ClientScope(_Key):
    """Where traffic starts: the sidecars of a namespace, or a Gateway (``ns/name``).

    ``ClientScope.sidecar("*")`` stands for every namespace whose view equals the public one
    (no private/exported VirtualService, Service or DestinationRule, no namespace Sidecar).
    """

    kind: str  # "sidecar" or "gateway"
    name: str  # namespace, or the gateway reference "ns/name"

    @classmethod
    def sidecar(cls, namespace: str) -> ClientScope:
        return cls("sidecar", namespace)

    @classmethod
    def gateway(cls, ref: str) -> ClientScope:
        return cls("gateway", ref)

    @property
    def is_gateway(self) -> bool:
        return self.kind == "gateway"

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class VirtualHostNode(_Key):
    """One route table (attachment point): a client, a host and (gateways) a server port."""

    client: ClientScope
    host: str
    port: int | None = None

    def __str__(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"vhost:{self.client.name}/{self.host}{port}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class VirtualServiceNode(_Key):
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"vs:{self.namespace}/{self.name}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class RouteRuleNode(_Key):
    """``spec.<section>[index]`` of a VirtualService."""

    vs: VirtualServiceNode
    section: str  # "http", "tcp" or "tls"
    index: int

    @property
    def pointer(self) -> str:
        return f"/spec/{self.section}/{self.index}"

    def __str__(self) -> str:
        return f"rule:{self.vs.namespace}/{self.vs.name}{self.pointer}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class DestinationNode(_Key):
    """A backend: FQDN host (lower-cased), optional subset and port."""

    host: str
    subset: str | None = None
    port: int | None = None

    def __str__(self) -> str:
        text = f"dest:{self.host}"
        text += f" {self.subset}" if self.subset else ""
        return text + (f":{self.port}" if self.port is not None else "")


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class ServiceNode(_Key):
    """A registry host (every Service / ServiceEntry with that FQDN): its endpoints."""

    host: str

    def __str__(self) -> str:
        return f"service:{self.host}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class DestinationRuleNode(_Key):
    """One consolidated DestinationRule entry (same namespace, host, exportTo, selector)."""

    namespace: str
    host: str
    index: int  # position among the entries for (namespace, host)
    name: str  # the first merged DestinationRule's name

    def __str__(self) -> str:
        return f"dr:{self.namespace}/{self.name}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class SubsetNode(_Key):
    rule: DestinationRuleNode
    name: str

    def __str__(self) -> str:
        return f"subset:{self.rule.namespace}/{self.rule.name}/{self.name}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class WorkloadNode(_Key):
    kind: str  # "Deployment", "Pod", "WorkloadEntry", ...
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"workload:{self.kind}/{self.namespace}/{self.name}"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class PeerAuthenticationNode(_Key):
    """A PeerAuthentication; ``name == ""`` is the built-in default (no policy: PERMISSIVE)."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"pa:{self.namespace}/{self.name}" if self.name else "pa:<default>"


@_cached_hash
@dataclass(frozen=True, slots=True, order=True)
class PolicyNode(_Key):
    """An AuthorizationPolicy."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"authz:{self.namespace}/{self.name}"


Node = (
    ClientScope
    | VirtualHostNode
    | VirtualServiceNode
    | RouteRuleNode
    | DestinationNode
    | ServiceNode
    | DestinationRuleNode
    | SubsetNode
    | WorkloadNode
    | PeerAuthenticationNode
    | PolicyNode
)


class EdgeKind(enum.StrEnum):
    HAS_HOST = "has-host"  # client -> virtual host
    SELECTS_VS = "selects-vs"  # virtual host -> VS (order: merge order; sidecars: one)
    DEFAULT_ROUTE = "default-route"  # virtual host -> destination (no VirtualService)
    HAS_RULE = "has-rule"  # VS -> route rule (order: position in the VS)
    ROUTES_TO = "routes-to"  # route rule -> destination (weight, percent, order)
    MIRRORS_TO = "mirrors-to"  # route rule -> destination (percent)
    DELEGATES_TO = "delegates-to"  # route rule -> delegate VS
    USES_RULE = "uses-rule"  # destination -> DR entry a client gets (clients)
    USES_SUBSET = "uses-subset"  # destination -> subset (clients: who gets it; may be none)
    HAS_SUBSET = "has-subset"  # DR entry -> subset
    TO_SERVICE = "to-service"  # destination -> its registry host
    BACKED_BY = "backed-by"  # registry host -> workload behind it
    SELECTS_WORKLOAD = "selects-workload"  # subset -> workload carrying its labels
    MTLS = "mtls"  # workload -> deciding PeerAuthentication (port, mode, level)
    AUTHORIZED_BY = "authorized-by"  # workload -> AuthorizationPolicy (action)


@dataclass(frozen=True, slots=True)
class Edge:
    """Typed edge attributes; only the fields meaningful for ``kind`` are set."""

    kind: EdgeKind
    order: int | None = None
    weight: int | None = None  # as written
    percent: float | None = None  # effective share of traffic
    clients: frozenset[str] = frozenset()  # client namespaces ("*": any other namespace)
    port: int | None = None
    mode: str | None = None  # PeerAuthentication mode
    level: str | None = None  # mesh / namespace / workload / port
    action: str | None = None  # AuthorizationPolicy action
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind.value}
        for name in ("order", "weight", "percent", "port", "mode", "level", "action"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.clients:
            data["clients"] = sorted(self.clients)
        if self.reason:
            data["reason"] = self.reason
        return data
