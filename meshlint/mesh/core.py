"""Mesh: the immutable index every rule, the graph and explain query for Istio semantics."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from meshlint.findings import ResourceRef
from meshlint.matching import (
    MESH_GATEWAY,
    ExportTo,
    labels_subset,
    resolve_gateway_name,
    split_ref,
)
from meshlint.mesh.destinationrules import (
    DestinationRuleIndex,
    ResolvedDestinationRule,
    subset_policy,
)
from meshlint.mesh.hosts import (
    HostIndex,
    ServiceInfo,
    kube_service_info,
    service_entry_infos,
    service_fqdn,
)
from meshlint.mesh.inventory import Inventory
from meshlint.mesh.security import (
    MtlsDecision,
    MtlsMode,
    PeerAuthenticationIndex,
    PolicySelector,
)
from meshlint.mesh.tls import ClientTLS, resolve_client_tls
from meshlint.mesh.virtualservices import (
    BoundVirtualService,
    VirtualServiceIndex,
    server_virtual_hosts,
)
from meshlint.mesh.visibility import SidecarIndex, SidecarScope, export_to_of
from meshlint.mesh.workloads import (
    WorkloadIndex,
    WorkloadInfo,
    from_workload,
    from_workload_entry,
)
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind, Resource
from meshlint.model.gateway_api import K8sGateway
from meshlint.model.kubernetes import Namespace, Service, Workload
from meshlint.model.networking import (
    Delegate,
    DestinationRule,
    Gateway,
    Server,
    ServiceEntry,
    Sidecar,
    Subset,
    TrafficPolicy,
    VirtualService,
    WorkloadEntry,
)
from meshlint.model.security import (
    AuthorizationPolicy,
    PeerAuthentication,
    RequestAuthentication,
)

R = TypeVar("R", bound=Resource)
T = TypeVar("T")
WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
)


class Mesh:
    """Read-only index over the loaded resources plus Istio's resolution rules.

    Built once per run (``Mesh.build``); every query is answered from dict indexes.
    """

    def __init__(self, inventory: Inventory) -> None:
        self._inv = inventory
        self.settings = inventory.settings
        self._memo: dict[Hashable, Any] = {}
        self._build_hosts()
        self._build_workloads()
        self._build_routing()
        self._build_security()

    @classmethod
    def build(
        cls,
        resources: Sequence[Resource],
        settings: MeshSettings,
        *,
        invalid: Sequence[ResourceRef] = (),
    ) -> Mesh:
        return cls(Inventory(resources, settings, invalid))

    def _with_ns(self, cls: type[R]) -> list[tuple[R, str]]:
        return [(r, self.namespace_of(r)) for r in self._inv.all(cls)]

    def _build_hosts(self) -> None:
        self._service_infos: dict[int, tuple[ServiceInfo, ...]] = {}
        for service, ns in self._with_ns(Service):
            self._service_infos[id(service)] = (kube_service_info(service, ns, self.settings),)
        for entry, ns in self._with_ns(ServiceEntry):
            self._service_infos[id(entry)] = service_entry_infos(entry, ns, self.settings)
        infos = (i for group in self._service_infos.values() for i in group)
        self._hosts = HostIndex(infos, self.settings)
        # services by (namespace, one selector label): candidates for services_for_workload
        self._services_by_label: dict[tuple[str, str, str], list[ServiceInfo]] = {}
        self._service_order: dict[int, int] = {}
        for info in self._hosts.all_services():
            self._service_order[id(info)] = len(self._service_order)
            if info.selector:
                key, value = min(info.selector.items())
                self._services_by_label.setdefault((info.namespace, key, value), []).append(info)

    def _build_workloads(self) -> None:
        infos: list[WorkloadInfo] = []
        for kind in WORKLOAD_KINDS:
            for resource in self._inv.of_kind(kind):
                if isinstance(resource, Workload):
                    ns = self.namespace_of(resource)
                    ns_object = self.namespace_object(ns)
                    infos.append(from_workload(resource, ns, ns_object, self.settings))
        infos.extend(from_workload_entry(e, ns) for e, ns in self._with_ns(WorkloadEntry))
        self._workloads = WorkloadIndex(infos)
        self._workload_of = {id(w.resource): w for w in infos}

    def _build_routing(self) -> None:
        self._vs = VirtualServiceIndex(self._with_ns(VirtualService), self.settings)
        self._bound = {id(b.resource): b for b in self._vs.bound}
        self._dr = DestinationRuleIndex(self._with_ns(DestinationRule), self.settings)
        self._sidecars = SidecarIndex(self._with_ns(Sidecar), self.settings.root_namespace)

    def _build_security(self) -> None:
        root = self.settings.root_namespace
        self._pa = PeerAuthenticationIndex(self._with_ns(PeerAuthentication), root)
        self._authz = PolicySelector(self._with_ns(AuthorizationPolicy), root)
        self._authn = PolicySelector(self._with_ns(RequestAuthentication), root)

    # ------------------------------------------------------------------ inventory

    def all(self, cls: type[R]) -> tuple[R, ...]:
        """Every resource of ``cls`` in input order."""
        return self._inv.all(cls)

    def get(self, cls: type[R], namespace: str, name: str | None = None) -> R | None:
        """The resource ``namespace/name``; with one string, ``namespace`` is an ``ns/name``
        reference (as ``resolve_gateway_ref`` returns)."""
        if name is None:
            namespace, name = split_ref(namespace)
        return self._inv.get(cls, namespace, name)

    def namespace_object(self, name: str) -> Namespace | None:
        """The Namespace resource called ``name``, if the input has it."""
        return self._inv.get(Namespace, name, name)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per run for ``key``: derived facts several rules need (the
        resolved route tables the solver rules share, for example). The answer depends on
        the mesh only, so caching it cannot change a result."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def memo_for(self, owner: object, name: str, compute: Callable[[], T]) -> T:
        """``memo`` keyed by an object's identity: the entry holds the object, so its id cannot
        be reused for another one while the answer is cached."""
        key = (name, id(owner))
        entry = self._memo.get(key)
        if entry is None or entry[0] is not owner:
            entry = self._memo[key] = (owner, compute())
        return cast(T, entry[1])

    def kinds_present(self) -> frozenset[Kind]:
        return self._inv.kinds_present()

    @property
    def count(self) -> int:
        return self._inv.count

    def namespace_of(self, resource: Resource) -> str:
        """The written namespace, else ``settings.default_namespace`` (Namespace: its name)."""
        return self._inv.namespace_of(resource)

    @property
    def namespaces_present(self) -> frozenset[str]:
        return self._inv.namespaces_present

    def namespace_known(self, namespace: str) -> bool:
        """Whether "not found in ``namespace``" can be trusted (SPEC §1 offline precision)."""
        return self._inv.namespace_known(namespace)

    def exists(self, kind: Kind, namespace: str, name: str) -> bool:
        """Whether the input has that object (resources that failed to build count)."""
        return self._inv.exists(kind, namespace, name)

    # ------------------------------------------------------------------ hosts

    def fqdn(self, host: str, namespace: str) -> str:
        """``ResolveShortnameToFQDN`` against ``namespace`` (the namespace of the writer)."""
        key = ("fqdn", host, namespace)
        found: str | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._hosts.fqdn(host, namespace)
        return found

    def host_namespace(self, host: str, *, partial: bool = False) -> str | None:
        """The namespace a cluster-local name points into: ``ns`` of ``name.ns.svc.<suffix>``.

        With ``partial``, the shortened forms ``name.ns`` and ``name.ns.svc`` count too (the
        names a client's resolver search path accepts); anything else gives None.
        """
        labels = host.lower().split(".")
        suffix = ["svc", *self.settings.domain_suffix.split(".")]
        if len(labels) < 2:
            return None
        if labels[2:] == suffix or (partial and labels[2:] == suffix[: len(labels) - 2]):
            return labels[1]
        return None

    def service_fqdn(self, service: Service) -> str:
        return service_fqdn(service, self.namespace_of(service), self.settings)

    def service_infos(self, resource: Service | ServiceEntry) -> tuple[ServiceInfo, ...]:
        """The registry services a Service (one) or ServiceEntry (one per host) defines."""
        return self._service_infos.get(id(resource), ())

    def services(self) -> tuple[ServiceInfo, ...]:
        return self._hosts.all_services()

    def services_for_host(
        self, host: str, client_namespace: str | None = None
    ) -> tuple[ServiceInfo, ...]:
        """Services with hostname ``host`` (FQDN) visible to ``client_namespace`` (None: all)."""
        key = ("services_for_host", host, client_namespace)
        found: tuple[ServiceInfo, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._hosts.services_for_host(host, client_namespace)
        return found

    def wildcard_entries_for(self, host: str) -> tuple[ServiceInfo, ...]:
        """Wildcard ServiceEntry hosts covering the exact ``host``."""
        return self._hosts.wildcard_entries_for(host)

    # ------------------------------------------------------------------ visibility

    def export_to(self, resource: Resource) -> ExportTo:
        return export_to_of(resource, self.namespace_of(resource), self.settings)

    def is_exported(self, resource: Resource, to_namespace: str) -> bool:
        """exportTo (or the Service annotation) with mesh defaults, ``.``, ``*`` and ``~``."""
        return self.export_to(resource).visible_to(to_namespace)

    def sidecar_scope(self, workload: WorkloadInfo) -> SidecarScope:
        """The Sidecar that applies to ``workload`` (7.2); gateways always get the default."""
        if workload.is_gateway:
            return SidecarScope(None, workload.namespace)
        return self._sidecars.scope_for(workload.namespace, workload.labels)

    def sidecar_scope_for_namespace(self, namespace: str) -> SidecarScope:
        """The scope of a workload in ``namespace`` matched by no selector Sidecar."""
        return self._sidecars.scope_for(namespace, {})

    # ------------------------------------------------------------------ gateways

    def resolve_gateway_ref(self, vs: VirtualService, ref: str) -> str:
        """``mesh`` or ``ns/name`` (section 1.3 ``resolveGatewayName``)."""
        return resolve_gateway_name(ref, self.namespace_of(vs))

    def gateway(self, ref: str) -> Gateway | None:
        """The Gateway for a resolved ``ns/name`` reference (None for ``mesh`` or unknown)."""
        namespace, name = split_ref(ref)
        if ref == MESH_GATEWAY or not namespace:
            return None
        return self.get(Gateway, namespace, name)

    def k8s_gateway(self, ref: str) -> K8sGateway | None:
        """The Gateway API Gateway for a resolved ``ns/name`` reference: Istio binds a
        VirtualService's gateway reference to a Gateway API Gateway of that namespace/name."""
        namespace, name = split_ref(ref)
        if ref == MESH_GATEWAY or not namespace:
            return None
        return self.get(K8sGateway, namespace, name)

    def gateway_workloads(self, gateway: Gateway) -> tuple[WorkloadInfo, ...]:
        """Gateway proxies the Gateway configures (6.2), from any namespace.

        An empty selector selects every gateway workload: those labelled
        ``istio: ingressgateway|egressgateway`` (or Gateway API gateway pods).
        """
        selector = gateway.spec.selector
        if not selector:
            return tuple(w for w in self._workloads.all if w.is_gateway)
        return self._workloads.selected(None, selector)

    def gateway_proxy_namespaces(self, gateway: Gateway) -> tuple[str, ...]:
        """Namespaces of the gateway pods (the VS visibility check uses them, 6.3); the
        Gateway's own namespace when no gateway workload is in the input."""
        found = dict.fromkeys(w.namespace for w in self.gateway_workloads(gateway))
        return tuple(found) or (self.namespace_of(gateway),)

    def services_in_front(self, workloads: Iterable[WorkloadInfo]) -> tuple[ServiceInfo, ...]:
        """Services whose selector (non-empty) is contained in some workload's labels."""
        seen: dict[int, ServiceInfo] = {}
        for workload in workloads:
            for info in self.services_for_workload(workload):
                seen.setdefault(id(info), info)
        return tuple(seen.values())

    # ------------------------------------------------------------------ VirtualServices

    def bound(self, vs: VirtualService) -> BoundVirtualService:
        """The VS with FQDN hosts and resolved gateway names."""
        return self._bound[id(vs)]

    def virtual_services(
        self, client_namespace: str, gateway: str = MESH_GATEWAY
    ) -> tuple[BoundVirtualService, ...]:
        """Candidate order for a proxy in ``client_namespace`` bound to ``gateway`` (2.2)."""
        return self._vs.candidates(client_namespace, gateway)

    def virtual_service_for_host(
        self, client_namespace: str, host: str, *, scope: SidecarScope | None = None
    ) -> BoundVirtualService | None:
        """The one VS whose routes a sidecar uses for ``host`` (FQDN); optional Sidecar scope."""
        return self._vs.for_host(client_namespace, host, scope)

    def gateway_virtual_hosts(
        self, gateway: Gateway, server: Server, proxy_namespace: str | None = None
    ) -> dict[str, tuple[BoundVirtualService, ...]]:
        """Virtual-host domain -> merged VSes for one server of ``gateway`` (2.2, 6.3)."""
        gw_ns = self.namespace_of(gateway)
        ref = f"{gw_ns}/{gateway.name}"
        proxy_ns = proxy_namespace or self.gateway_proxy_namespaces(gateway)[0]
        return server_virtual_hosts(self._vs.candidates(proxy_ns, ref), server, gw_ns)

    # ------------------------------------------------------------------ DestinationRules

    def destination_rule_for(
        self,
        client_namespace: str,
        host: str,
        *,
        client_labels: Mapping[str, str] | None = None,
        service_namespace: str | None = None,
    ) -> ResolvedDestinationRule | None:
        """The (merged) DR a client in ``client_namespace`` uses for ``host`` (FQDN), per 3.4.

        ``service_namespace`` defaults to the namespace of the registry service for ``host``.
        """
        if service_namespace is None:
            services = self.services_for_host(host, client_namespace)
            service_namespace = services[0].namespace if services else None
        return self._dr.lookup(client_namespace, host, service_namespace, client_labels)

    def destination_rule_entries(
        self, namespace: str, host: str
    ) -> tuple[ResolvedDestinationRule, ...]:
        """The consolidated entries for one (namespace, FQDN host) (3.3)."""
        return tuple(self._dr.table.get((namespace, host.lower()), ()))

    def destination_rule_groups(
        self,
    ) -> Mapping[tuple[str, str], Sequence[ResolvedDestinationRule]]:
        return self._dr.table

    @staticmethod
    def subset_policy(
        dr: ResolvedDestinationRule | DestinationRule, subset: str | None, port: int | None
    ) -> TrafficPolicy | None:
        """Effective traffic policy for a subset and port (3.2)."""
        if isinstance(dr, DestinationRule):
            found = next((s for s in dr.spec.subsets if s.name == subset), None)
            return subset_policy(dr.spec.traffic_policy, found, port)
        chosen: Subset | None = dr.subset(subset) if subset else None
        return subset_policy(dr.traffic_policy, chosen, port)

    # ------------------------------------------------------------------ workloads

    def workloads(self) -> tuple[WorkloadInfo, ...]:
        return self._workloads.all

    def workload_of(self, resource: Resource) -> WorkloadInfo | None:
        return self._workload_of.get(id(resource))

    def workloads_selected(
        self, namespace: str | None, selector: Mapping[str, str] | None
    ) -> tuple[WorkloadInfo, ...]:
        """Workloads in ``namespace`` (None: all) whose labels contain ``selector``.

        An empty selector matches every workload; callers for which "no selector" means
        "nothing" (Services) must check that first.
        """
        return self._workloads.selected(namespace, selector)

    def workloads_for_service(
        self, service: ServiceInfo | Service | ServiceEntry
    ) -> tuple[WorkloadInfo, ...]:
        """Endpoints' workloads: same namespace, non-empty selector ⊆ labels."""
        if not isinstance(service, ServiceInfo):
            infos = self.service_infos(service)
            return self.workloads_for_service(infos[0]) if infos else ()
        if not service.selector:
            return ()
        return self._workloads.selected(service.namespace, service.selector)

    def delegate_target(self, vs: VirtualService, delegate: Delegate) -> VirtualService | None:
        """The VirtualService an ``http[].delegate`` names (namespace defaults to the VS's)."""
        namespace = delegate.namespace or self.namespace_of(vs)
        return self.get(VirtualService, namespace, delegate.name)

    def services_for_workload(self, workload: WorkloadInfo) -> tuple[ServiceInfo, ...]:
        """Services (and ServiceEntries with workloadSelector) in the workload's namespace whose
        non-empty selector is contained in its labels, in input order."""
        return self.memo_for(
            workload, "services_for_workload", partial(self._services_for_workload, workload)
        )

    def _services_for_workload(self, workload: WorkloadInfo) -> tuple[ServiceInfo, ...]:
        found = [
            info
            for key, value in workload.labels.items()
            for info in self._services_by_label.get((workload.namespace, key, value), ())
            if labels_subset(info.selector, workload.labels)
        ]
        return tuple(sorted(found, key=lambda info: self._service_order[id(info)]))

    # ------------------------------------------------------------------ mTLS

    def peer_authentication_mode(
        self, workload: WorkloadInfo, port: int | None = None
    ) -> MtlsDecision:
        """Server-side mode for a workload (target/container) port, with the deciding PA."""
        return self._pa.mode_for(workload, port)

    def namespace_mtls_mode(self, namespace: str) -> MtlsDecision:
        """Mesh + namespace level only: auto mTLS's service-level estimate (4.3 step 3)."""
        return self._pa.namespace_mode(namespace)

    def client_tls(
        self,
        client_namespace: str,
        host: str,
        subset: str | None = None,
        port: int | None = None,
        *,
        client_labels: Mapping[str, str] | None = None,
    ) -> ClientTLS:
        """What a sidecar client originates towards ``host`` (FQDN) (4.3 steps 1-3)."""
        dr = self.destination_rule_for(client_namespace, host, client_labels=client_labels)
        policy = self.subset_policy(dr, subset, port) if dr is not None else None
        return resolve_client_tls(self, client_namespace, host, dr, policy)

    def endpoint_mtls(
        self, tls: ClientTLS, workload: WorkloadInfo, port: int | None
    ) -> bool | None:
        """Whether traffic to this endpoint is Istio mTLS (4.3 step 4); None when unknown."""
        if tls.mode != "AUTO":
            return tls.mode == "ISTIO_MUTUAL"
        if workload.has_sidecar is None:
            return None
        if not workload.has_sidecar:
            return False
        return self.peer_authentication_mode(workload, port).mode is not MtlsMode.DISABLE

    # ------------------------------------------------------------------ authorization

    def policies_for_workload(self, workload: WorkloadInfo) -> tuple[AuthorizationPolicy, ...]:
        """AuthorizationPolicies enforced on a sidecar workload (5.2)."""
        return tuple(
            p for p in self._authz.for_workload(workload) if isinstance(p, AuthorizationPolicy)
        )

    def request_authentications_for_workload(
        self, workload: WorkloadInfo
    ) -> tuple[RequestAuthentication, ...]:
        """RequestAuthentications whose jwtRules combine on a sidecar workload (5.6)."""
        found = self._authn.for_workload(workload)
        return tuple(p for p in found if isinstance(p, RequestAuthentication))
