"""Services by host: Kubernetes Services and ServiceEntries with FQDNs, ports and visibility."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from meshlint.matching import (
    ExportTo,
    Protocol,
    expand_short_name,
    host_matches,
    is_wildcard,
    parse_protocol,
    service_port_protocol,
)
from meshlint.mesh.visibility import export_to_of
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind, Resource
from meshlint.model.kubernetes import Service
from meshlint.model.networking import ServiceEntry


@dataclass(frozen=True, slots=True)
class ServicePortInfo:
    """One service port with the protocol Istio gives it."""

    number: int
    name: str
    protocol: Protocol
    target_port: int | str | None = None  # None: same as ``number``


@dataclass(frozen=True, slots=True, eq=False)
class ServiceInfo:
    """A registry service as a sidecar sees it: one per (host, defining object)."""

    fqdn: str  # lower-cased
    namespace: str  # where the Service/ServiceEntry object lives
    ports: tuple[ServicePortInfo, ...]
    resource: Resource
    export_to: ExportTo
    selector: Mapping[str, str] | None = field(default=None)  # None: no selector (no pods)
    mesh_external: bool = False  # ServiceEntry location MESH_EXTERNAL (the default)
    headless: bool = False

    @property
    def kind(self) -> Kind:
        return self.resource.KIND

    def port(self, number: int) -> ServicePortInfo | None:
        return next((p for p in self.ports if p.number == number), None)


def service_fqdn(service: Service, namespace: str, settings: MeshSettings) -> str:
    return f"{service.name}.{namespace}.svc.{settings.domain_suffix}".lower()


def kube_service_info(service: Service, namespace: str, settings: MeshSettings) -> ServiceInfo:
    ports = tuple(
        ServicePortInfo(
            number=p.port,
            name=p.name or "",
            protocol=service_port_protocol(p.port, p.name, p.protocol, p.app_protocol),
            target_port=p.target_port,
        )
        for p in service.spec.ports
        if p.port is not None
    )
    return ServiceInfo(
        fqdn=service_fqdn(service, namespace, settings),
        namespace=namespace,
        ports=ports,
        resource=service,
        export_to=export_to_of(service, namespace, settings),
        selector=dict(service.spec.selector) or None,
        headless=service.spec.is_headless,
    )


def service_entry_infos(
    entry: ServiceEntry, namespace: str, settings: MeshSettings
) -> tuple[ServiceInfo, ...]:
    """One ServiceInfo per host; ServiceEntry hosts are verbatim (never short-name expanded)."""
    ports = tuple(
        ServicePortInfo(p.number, p.name, parse_protocol(p.protocol), p.target_port)
        for p in entry.spec.ports
        if p.number is not None
    )
    selector = entry.spec.workload_selector
    labels = dict(selector.labels) if selector is not None else None
    export = export_to_of(entry, namespace, settings)
    external = entry.spec.location != "MESH_INTERNAL"
    return tuple(
        ServiceInfo(host.lower(), namespace, ports, entry, export, labels, external)
        for host in dict.fromkeys(entry.spec.hosts)
    )


class HostIndex:
    """Registry services by lower-cased host, in input order."""

    __slots__ = ("_all", "_by_host", "_wildcards", "settings")

    def __init__(self, services: Iterable[ServiceInfo], settings: MeshSettings) -> None:
        self.settings = settings
        self._by_host: dict[str, list[ServiceInfo]] = {}
        for info in services:
            self._by_host.setdefault(info.fqdn, []).append(info)
        self._wildcards = tuple(h for h in self._by_host if is_wildcard(h))
        self._all = tuple(s for group in self._by_host.values() for s in group)

    def fqdn(self, host: str, namespace: str) -> str:
        """Short name -> ``<name>.<ns>.svc.<suffix>``; dotted names, ``*`` and IPs verbatim."""
        return expand_short_name(host, namespace, self.settings.domain_suffix)

    def services_for_host(
        self, host: str, client_namespace: str | None = None
    ) -> tuple[ServiceInfo, ...]:
        """Registry services for ``host`` (an FQDN, already expanded), visible to the client.

        Exact hosts are looked up exactly (a ServiceEntry ``*.foo.com`` does not answer for
        ``a.foo.com``); a wildcard host matches with ``Matches`` (section 2.3). Ordered as
        ``selectServices`` prefers them: client namespace first, then Kubernetes Services
        before ServiceEntries, then input order.
        """
        key = host.lower()
        if is_wildcard(key):
            found = [s for h, group in self._by_host.items() if host_matches(key, h) for s in group]
        else:
            found = list(self._by_host.get(key, ()))
        if client_namespace is not None:
            found = [s for s in found if s.export_to.visible_to(client_namespace)]
        return tuple(sorted(found, key=lambda s: _preference(s, client_namespace)))

    def wildcard_entries_for(self, host: str) -> tuple[ServiceInfo, ...]:
        """ServiceEntries whose wildcard host covers the exact ``host`` (e.g. DYNAMIC_DNS)."""
        key = host.lower()
        return tuple(s for h in self._wildcards if host_matches(key, h) for s in self._by_host[h])

    def all_services(self) -> tuple[ServiceInfo, ...]:
        return self._all


def _preference(info: ServiceInfo, client_namespace: str | None) -> tuple[bool, bool]:
    return (info.namespace != client_namespace, info.kind is not Kind.SERVICE)
