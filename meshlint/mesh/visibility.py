"""exportTo visibility (section 2.4) and Sidecar selection and egress imports (2.5, 7.2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from meshlint.matching import (
    PRIVATE,
    PUBLIC,
    ExportTo,
    NamespacedHost,
    imports_host,
    imports_vs_host,
    labels_subset,
    parse_export_to,
    parse_namespaced_host,
    split_export_annotation,
)
from meshlint.mesh.inventory import creation_key
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind, Resource
from meshlint.model.kubernetes import Service
from meshlint.model.networking import DestinationRule, ServiceEntry, Sidecar, VirtualService

EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo"
_ALL = (NamespacedHost(PUBLIC, PUBLIC),)  # implicit egress: [{hosts: ["*/*"]}]


def export_to_of(resource: Resource, namespace: str, settings: MeshSettings) -> ExportTo:
    """Effective visibility of a VS, DR, ServiceEntry or Service; other kinds are public."""
    if isinstance(resource, VirtualService):
        # initVirtualServices: a mesh default only honours "." and "*"
        default = _honoured(settings.default_virtual_service_export_to)
        return parse_export_to(resource.spec.export_to, namespace, default)
    if isinstance(resource, DestinationRule):
        if resource.spec.workload_selector is not None:
            # setDestinationRules: a DR with workloadSelector is always private
            return ExportTo(namespace, namespaces=frozenset({namespace}))
        default = _honoured(settings.default_destination_rule_export_to)
        return parse_export_to(resource.spec.export_to, namespace, default)
    if isinstance(resource, ServiceEntry):
        return parse_export_to(
            resource.spec.export_to, namespace, settings.default_service_export_to
        )
    if isinstance(resource, Service):
        values = split_export_annotation(resource.metadata.annotations.get(EXPORT_TO_ANNOTATION))
        return parse_export_to(values, namespace, settings.default_service_export_to)
    return ExportTo(namespace, public=True)


def _honoured(default: tuple[str, ...]) -> tuple[str, ...]:
    if PRIVATE in default:
        return (PRIVATE,)
    if PUBLIC in default:
        return (PUBLIC,)
    return ("~",)


@dataclass(frozen=True, slots=True)
class SidecarScope:
    """The Sidecar a workload uses (None: implicit default) and its egress imports."""

    sidecar: Sidecar | None
    namespace: str  # the workload's namespace: what "." means, also for the root default
    egress: tuple[NamespacedHost, ...] = _ALL

    def imports(self, host: str, object_namespace: str) -> bool:
        """Whether a service ``host`` defined in ``object_namespace`` is imported."""
        return imports_host(self.egress, host, object_namespace, self.namespace)

    def imports_virtual_service_host(self, host: str, object_namespace: str) -> bool:
        return imports_vs_host(self.egress, host, object_namespace, self.namespace)

    def outbound_traffic_policy(self, settings: MeshSettings) -> str:
        """The Sidecar's ``outboundTrafficPolicy.mode``, else the mesh default."""
        policy = self.sidecar.spec.outbound_traffic_policy if self.sidecar else None
        return (policy.mode if policy else None) or settings.outbound_traffic_policy


def sidecar_selector(sidecar: Sidecar) -> Mapping[str, str] | None:
    """The Sidecar's workloadSelector labels; None when it has no selector."""
    selector = sidecar.spec.workload_selector
    if selector is None:
        return None
    return dict(selector.labels)


class SidecarIndex:
    """Sidecars per namespace, oldest first, split by whether they have a selector."""

    __slots__ = ("_selected", "_unselected", "root")

    def __init__(self, sidecars: Iterable[tuple[Sidecar, str]], root_namespace: str) -> None:
        self.root = root_namespace
        ordered = sorted(sidecars, key=lambda item: creation_key(item[0], item[1]))
        self._selected: dict[str, list[Sidecar]] = {}
        self._unselected: dict[str, list[Sidecar]] = {}
        for sidecar, namespace in ordered:
            target = self._unselected if sidecar_selector(sidecar) is None else self._selected
            target.setdefault(namespace, []).append(sidecar)

    def scope_for(self, namespace: str, labels: Mapping[str, str]) -> SidecarScope:
        """``doGetSidecarScope``: selector Sidecars in the workload's namespace (oldest first),
        then its selector-less one, then the root namespace's selector-less one (with "."
        meaning the workload's namespace), else the implicit default."""
        for sidecar in self._selected.get(namespace, ()):
            if labels_subset(sidecar_selector(sidecar), labels):
                return _scope(sidecar, namespace)
        for candidate in (namespace, self.root):
            unselected = self._unselected.get(candidate)
            if unselected:
                return _scope(unselected[0], namespace)
        return SidecarScope(None, namespace)


def _scope(sidecar: Sidecar, namespace: str) -> SidecarScope:
    hosts = tuple(
        parse_namespaced_host(host) for listener in sidecar.spec.egress for host in listener.hosts
    )
    return SidecarScope(sidecar, namespace, hosts or _ALL)


KINDS_WITH_EXPORT = frozenset(
    {Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE, Kind.SERVICE_ENTRY, Kind.SERVICE}
)
