"""Workloads (pods, pod templates, WorkloadEntries): labels, ports, identity, sidecar injection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from meshlint.matching import labels_subset
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind, Resource
from meshlint.model.kubernetes import Namespace, Pod, PodTemplateSpec, Workload
from meshlint.model.networking import WorkloadEntry

INJECT = "sidecar.istio.io/inject"
INJECTION_LABEL = "istio-injection"
REVISION_LABEL = "istio.io/rev"
SIDECAR_STATUS = "sidecar.istio.io/status"
PROXY_CONTAINER = "istio-proxy"
GATEWAY_LABEL_VALUES = frozenset({"ingressgateway", "egressgateway"})
# never injected by enableNamespacesByDefault (Helm mutatingwebhook.yaml)
SYSTEM_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}
)


@dataclass(frozen=True, slots=True)
class WorkloadPort:
    """A container port (or a WorkloadEntry port)."""

    number: int
    name: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True, eq=False)
class WorkloadInfo:
    """A Pod, a controller's pod template, or a WorkloadEntry, as the mesh sees it."""

    resource: Resource
    namespace: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    service_account: str
    ports: tuple[WorkloadPort, ...]
    # None when it cannot be known offline (namespace object not in the input)
    has_sidecar: bool | None

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def kind(self) -> Kind:
        return self.resource.KIND

    @property
    def pod_template(self) -> PodTemplateSpec | None:
        """The pod template of a Pod or workload controller; None for a WorkloadEntry."""
        resource = self.resource
        return resource.pod_template if isinstance(resource, Workload) else None

    def target_port(self, target: int | str | None, port: int) -> int | None:
        """The container port a Service port (``port``, ``targetPort: target``) forwards to.

        An unset target means the Service port itself (Kubernetes' default); a named target
        resolves through the declared container ports, None when the workload lacks it.
        """
        if target is None or target in {0, ""}:
            return port
        if isinstance(target, int) or target.isdigit():
            return int(target)
        return next((p.number for p in self.ports if p.name == target), None)

    @property
    def is_gateway(self) -> bool:
        """A gateway proxy: ``istio: ingressgateway|egressgateway`` or a Gateway API gateway."""
        return (
            self.labels.get("istio") in GATEWAY_LABEL_VALUES
            or "gateway.networking.k8s.io/gateway-name" in self.labels
        )


def injection(
    template: PodTemplateSpec, namespace: Namespace | None, settings: MeshSettings
) -> bool | None:
    """Whether the webhook injects a sidecar (ISTIO-SEMANTICS §8, Helm mutatingwebhook.yaml)."""
    meta = template.metadata
    if SIDECAR_STATUS in meta.annotations or any(
        c.name == PROXY_CONTAINER for c in template.spec.containers
    ):
        return True  # already injected, or a gateway proxy
    pod_says = meta.labels.get(INJECT, meta.annotations.get(INJECT))
    if pod_says == "false" or template.spec.host_network:
        return False
    if namespace is None:
        return None
    return _namespace_injects(
        namespace, pod_says == "true" or REVISION_LABEL in meta.labels, settings
    )


def _namespace_injects(namespace: Namespace, pod_asks: bool, settings: MeshSettings) -> bool:
    labels = namespace.metadata.labels
    if INJECTION_LABEL in labels:
        # istio-injection=enabled injects; any other value never does, even if the pod asks
        return labels[INJECTION_LABEL] == "enabled"
    if REVISION_LABEL in labels or pod_asks:
        return True
    return settings.inject_namespaces_by_default and namespace.name not in SYSTEM_NAMESPACES


def from_workload(
    workload: Workload, namespace: str, ns_object: Namespace | None, settings: MeshSettings
) -> WorkloadInfo:
    # a Pod is its own template; skip building a PodTemplateSpec model for it
    if isinstance(workload, Pod):
        template = PodTemplateSpec.model_construct(metadata=workload.metadata, spec=workload.spec)
    else:
        template = workload.pod_template
    ports = tuple(
        WorkloadPort(p.container_port, p.name or "", p.protocol or "TCP")
        for c in template.spec.containers
        for p in c.ports
        if p.container_port is not None
    )
    return WorkloadInfo(
        resource=workload,
        namespace=namespace,
        labels=dict(template.metadata.labels),
        annotations=dict(template.metadata.annotations),
        service_account=template.spec.effective_service_account,
        ports=ports,
        has_sidecar=injection(template, ns_object, settings),
    )


def from_workload_entry(entry: WorkloadEntry, namespace: str) -> WorkloadInfo:
    return WorkloadInfo(
        resource=entry,
        namespace=namespace,
        labels=dict(entry.spec.labels),
        annotations=dict(entry.metadata.annotations),
        service_account=entry.spec.service_account or "default",
        ports=tuple(WorkloadPort(n, name) for name, n in entry.spec.ports.items()),
        has_sidecar=None,  # a VM may or may not run istio-proxy
    )


class WorkloadIndex:
    """Workloads per namespace and per label, in input order."""

    __slots__ = ("_by_label", "_by_namespace", "all")

    def __init__(self, workloads: Iterable[WorkloadInfo]) -> None:
        self.all = tuple(workloads)
        self._by_namespace: dict[str, list[WorkloadInfo]] = {}
        # (namespace or None for every namespace, key, value) -> workloads carrying that label
        self._by_label: dict[tuple[str | None, str, str], list[WorkloadInfo]] = {}
        for info in self.all:
            self._by_namespace.setdefault(info.namespace, []).append(info)
            for key, value in info.labels.items():
                self._by_label.setdefault((info.namespace, key, value), []).append(info)
                self._by_label.setdefault((None, key, value), []).append(info)

    def in_namespace(self, namespace: str | None) -> tuple[WorkloadInfo, ...]:
        return self.all if namespace is None else tuple(self._by_namespace.get(namespace, ()))

    def selected(
        self, namespace: str | None, selector: Mapping[str, str] | None
    ) -> tuple[WorkloadInfo, ...]:
        """Workloads whose labels contain ``selector`` (empty selector: all of them).

        Starts from the workloads carrying the selector's rarest label, so a lookup costs
        the size of that list, not of the namespace.
        """
        if not selector:
            return self.in_namespace(namespace)
        lists = [self._by_label.get((namespace, k, v), []) for k, v in selector.items()]
        rarest = min(lists, key=len)
        return tuple(w for w in rarest if labels_subset(selector, w.labels))
