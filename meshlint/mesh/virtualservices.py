"""Which VirtualServices a sidecar or a gateway uses, in Istio's order (sections 2.2, 6.3)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from meshlint.matching import (
    MESH_GATEWAY,
    expand_short_name,
    intersect_hosts,
    is_wildcard,
    most_specific_match,
    parse_namespaced_host,
    resolve_gateway_name,
)
from meshlint.mesh.inventory import creation_key
from meshlint.mesh.visibility import SidecarScope, export_to_of
from meshlint.meshconfig import MeshSettings
from meshlint.model.networking import Server, VirtualService


@dataclass(frozen=True, slots=True, eq=False)
class BoundVirtualService:
    """A VirtualService with its namespace, FQDN hosts and resolved gateway names."""

    resource: VirtualService
    namespace: str
    hosts: tuple[str, ...]  # lower-cased, short names expanded against the VS namespace
    gateways: frozenset[str]  # "mesh" and/or "ns/name"


@dataclass(slots=True)
class _HostClaims:
    """First claimant per exact host and per wildcard host, for one candidate group."""

    exact: dict[str, BoundVirtualService]
    wildcard: dict[str, BoundVirtualService]

    @classmethod
    def of(cls, candidates: Iterable[BoundVirtualService]) -> _HostClaims:
        claims = cls({}, {})
        for bound in candidates:
            for host in bound.hosts:
                target = claims.wildcard if is_wildcard(host) else claims.exact
                target.setdefault(host, bound)
        return claims


_Groups = tuple[list[BoundVirtualService], list[BoundVirtualService], list[BoundVirtualService]]


class VirtualServiceIndex:
    """``initVirtualServices``: VSes filed per gateway name as private / exported / public."""

    __slots__ = ("_claims", "_exported", "_private", "_public", "_public_claims", "bound")

    def __init__(
        self, services: Iterable[tuple[VirtualService, str]], settings: MeshSettings
    ) -> None:
        bound = [_bind(vs, ns, settings) for vs, ns in services]
        bound.sort(key=lambda b: creation_key(b.resource, b.namespace))
        self.bound = tuple(bound)
        self._private: dict[tuple[str, str], list[BoundVirtualService]] = {}
        self._exported: dict[tuple[str, str], list[BoundVirtualService]] = {}
        self._public: dict[str, list[BoundVirtualService]] = {}
        for item in self.bound:
            self._file(item, settings)
        self._public_claims = _HostClaims.of(self._public.get(MESH_GATEWAY, ()))
        self._claims: dict[str, _HostClaims] = {}

    def _file(self, item: BoundVirtualService, settings: MeshSettings) -> None:
        export = export_to_of(item.resource, item.namespace, settings)
        for gateway in item.gateways:
            if export.public:
                self._public.setdefault(gateway, []).append(item)
                continue
            for namespace in export.namespaces:
                group = self._private if namespace == item.namespace else self._exported
                group.setdefault((namespace, gateway), []).append(item)

    def _groups(self, namespace: str, gateway: str) -> _Groups:
        key = (namespace, gateway)
        return (
            self._private.get(key, []),
            self._exported.get(key, []),
            self._public.get(gateway, []),
        )

    def candidates(
        self, namespace: str, gateway: str = MESH_GATEWAY
    ) -> tuple[BoundVirtualService, ...]:
        """``SelectVirtualServices`` / ``VirtualServicesForGateway`` order for a proxy in
        ``namespace``: private to it, exported to it by name, then public; each group oldest
        first (creationTimestamp, name, namespace)."""
        private, exported, public = self._groups(namespace, gateway)
        return (*private, *exported, *public)

    def for_host(
        self, namespace: str, host: str, scope: SidecarScope | None = None
    ) -> BoundVirtualService | None:
        """The VS whose routes a sidecar in ``namespace`` uses for ``host`` (sidecars never merge).

        The most specific VS host wins (``computeWildcardHostVirtualServiceIndex`` with
        ``MostSpecificHostMatch``); among equal hosts the first VS in candidate order.
        """
        if scope is not None:
            visible = [b for b in self.candidates(namespace) if _imported(b, scope)]
            return _first_claim([_HostClaims.of(visible)], host)
        claims = self._claims.get(namespace)
        if claims is None:
            private, exported, _ = self._groups(namespace, MESH_GATEWAY)
            claims = self._claims.setdefault(namespace, _HostClaims.of([*private, *exported]))
        return _first_claim([claims, self._public_claims], host)


def _first_claim(groups: Sequence[_HostClaims], host: str) -> BoundVirtualService | None:
    key = host.lower()
    for claims in groups:
        if key in claims.exact:
            return claims.exact[key]
    wildcards = {h for claims in groups for h in claims.wildcard}
    best = most_specific_match(key, wildcards)
    if best is None:
        return None
    return next(claims.wildcard[best] for claims in groups if best in claims.wildcard)


def _imported(bound: BoundVirtualService, scope: SidecarScope) -> bool:
    return any(scope.imports_virtual_service_host(h, bound.namespace) for h in bound.hosts)


def _bind(vs: VirtualService, namespace: str, settings: MeshSettings) -> BoundVirtualService:
    hosts = tuple(
        expand_short_name(h, namespace, settings.domain_suffix).lower() for h in vs.spec.hosts
    )
    # getGatewayNames: no gateways => "mesh" only
    refs = vs.spec.gateways or (MESH_GATEWAY,)
    gateways = frozenset(resolve_gateway_name(ref, namespace) for ref in refs)
    return BoundVirtualService(vs, namespace, hosts, gateways)


def server_virtual_hosts(
    candidates: Sequence[BoundVirtualService], server: Server, gateway_namespace: str
) -> dict[str, tuple[BoundVirtualService, ...]]:
    """Gateway merge (``buildGatewayHTTPRouteConfig``): vhost domain -> contributing VSes.

    A server host ``ns/host`` admits only VSes from ``ns`` (``./host``: the Gateway's
    namespace); the vhost is the more specific of server host and VS host. VSes keep
    candidate order, so an older VS's routes come first for the same host.
    """
    entries = [parse_namespaced_host(h) for h in server.hosts]
    vhosts: dict[str, list[BoundVirtualService]] = {}
    for bound in candidates:
        for entry in entries:
            if not entry.namespace_matches(bound.namespace, gateway_namespace):
                continue
            for host in bound.hosts:
                domain = intersect_hosts(entry.host, host)
                if domain is not None and bound not in vhosts.get(domain, ()):
                    vhosts.setdefault(domain, []).append(bound)
    return {domain: tuple(items) for domain, items in vhosts.items()}
