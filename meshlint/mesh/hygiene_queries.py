"""Queries the hygiene rules (MESH5xx) share: injection labels, ambient mode, address allocation."""

from __future__ import annotations

import json
from dataclasses import dataclass

from meshlint.matching import ExportTo
from meshlint.mesh.core import Mesh
from meshlint.mesh.workloads import (
    INJECTION_LABEL,
    PROXY_CONTAINER,
    REVISION_LABEL,
    SYSTEM_NAMESPACES,
    WorkloadInfo,
)
from meshlint.model.base import Resource
from meshlint.model.kubernetes import ConfigMap, Container, Namespace, PodTemplateSpec
from meshlint.model.networking import ServiceEntry

DATAPLANE_MODE = "istio.io/dataplane-mode"
AMBIENT = "ambient"
AMBIENT_REDIRECTION = "ambient.istio.io/redirection"
MANAGED_GATEWAY = "gateway.istio.io/managed"
PROXY_UID = 1337  # the UID istio-proxy runs as; iptables lets its traffic out uncaptured


@dataclass(frozen=True, slots=True)
class InjectionLabels:
    """The namespace labels that decide sidecar injection and ambient mode (ISTIO-SEMANTICS §8)."""

    injection: str | None  # istio-injection value
    revision: str | None  # istio.io/rev value
    dataplane_mode: str | None  # istio.io/dataplane-mode value

    @property
    def injects(self) -> bool:
        """The webhook injects pods of this namespace by label (no opt-in needed)."""
        if self.injection is not None:
            return self.injection == "enabled"
        return self.revision is not None

    @property
    def ambient(self) -> bool:
        """Ambient mode and no sidecar injection label overriding it."""
        return self.dataplane_mode == AMBIENT and not self.injects

    def active(self) -> tuple[str, ...]:
        """The labels that each ask for a data plane (``label=value``); more than one is a
        conflict. A disabled ``istio-injection`` silences the others: nothing is injected."""
        found: list[str] = []
        if self.injection is not None:
            found.append(f"{INJECTION_LABEL}={self.injection}")
        if self.injection in (None, "enabled"):
            if self.revision is not None:
                found.append(f"{REVISION_LABEL}={self.revision}")
            if self.dataplane_mode == AMBIENT:
                found.append(f"{DATAPLANE_MODE}={self.dataplane_mode}")
        return tuple(found)


def injection_labels(namespace: Namespace) -> InjectionLabels:
    labels = namespace.metadata.labels
    return InjectionLabels(
        labels.get(INJECTION_LABEL), labels.get(REVISION_LABEL), labels.get(DATAPLANE_MODE)
    )


def is_system_namespace(name: str) -> bool:
    """Namespaces istioctl's analyzers skip (``util.IsSystemNamespace``) plus the Istio one."""
    return name in SYSTEM_NAMESPACES


def is_istio_managed(resource: Resource) -> bool:
    """Istio's own objects: control plane (``istio`` / ``release=istio`` labels) or generated
    waypoints and gateways (``gateway.istio.io/managed``)."""
    labels = resource.metadata.labels
    return "istio" in labels or labels.get("release") == "istio" or MANAGED_GATEWAY in labels


def workload_is_ambient(mesh: Mesh, workload: WorkloadInfo) -> bool:
    """A workload captured by ambient mode instead of a sidecar."""
    if workload.annotations.get(AMBIENT_REDIRECTION) == "enabled":
        return True
    own = workload.labels.get(DATAPLANE_MODE)
    if own is not None:
        return own == AMBIENT and workload.has_sidecar is not True
    namespace = mesh.namespace_object(workload.namespace)
    if namespace is None or workload.has_sidecar is True:
        return False
    return injection_labels(namespace).ambient


def namespace_is_ambient(mesh: Mesh, name: str) -> bool:
    namespace = mesh.namespace_object(name)
    return namespace is not None and injection_labels(namespace).ambient


def addresses_allocated(mesh: Mesh, entry: ServiceEntry) -> bool:
    """Whether Istio gives an address-less ServiceEntry VIPs: DNS proxy auto-allocation
    (``ISTIO_META_DNS_CAPTURE`` and ``ISTIO_META_DNS_AUTO_ALLOCATE``) or the allocator
    controller's ``status.addresses``."""
    settings = mesh.settings
    if settings.dns_capture and settings.dns_auto_allocate:
        return True
    origin = entry.origin
    return origin is not None and origin.source.has("/status/addresses/0")


def exports_overlap(a: ExportTo, b: ExportTo) -> bool:
    """Whether some namespace sees both objects."""
    if a.hidden or b.hidden:
        return False
    return a.public or b.public or bool(a.namespaces & b.namespaces)


def app_containers(template: PodTemplateSpec) -> tuple[tuple[int, Container], ...]:
    """(index, container) of every container but istio-proxy."""
    return tuple(
        (i, c) for i, c in enumerate(template.spec.containers) if c.name != PROXY_CONTAINER
    )


def has_proxy_container(template: PodTemplateSpec) -> bool:
    """istio-proxy as a container or (native sidecar) an init container."""
    containers = (*template.spec.containers, *template.spec.init_containers)
    return any(c.name == PROXY_CONTAINER for c in containers)


def resolve_target_port(workload: WorkloadInfo, target: int | str | None, port: int) -> str:
    """A Service port's target as the workload sees it: a number, a named container port
    resolved to its number, or the name itself when the workload does not declare it."""
    number = workload.target_port(target, port)
    return str(target) if number is None else str(number)


INJECTOR_CONFIG_MAP = "istio-sidecar-injector"


def injects_namespaces_by_default(mesh: Mesh) -> bool:
    """``sidecarInjectorWebhook.enableNamespacesByDefault``: from the settings, else from the
    injector ConfigMap's ``values`` JSON in the root namespace when the input has it."""
    if mesh.settings.inject_namespaces_by_default:
        return True
    config_map = mesh.get(ConfigMap, mesh.settings.root_namespace, INJECTOR_CONFIG_MAP)
    if config_map is None:
        return False
    try:
        values = json.loads(str(config_map.data.get("values", "")))
    except ValueError:
        return False
    webhook = values.get("sidecarInjectorWebhook") if isinstance(values, dict) else None
    return isinstance(webhook, dict) and webhook.get("enableNamespacesByDefault") is True
