"""networking.istio.io models (VirtualService, DestinationRule, Gateway, ServiceEntry, ...).

Also Sidecar and WorkloadEntry.
Field coverage follows istio/api networking/v1alpha3/*.proto (the same messages are served as
v1, v1beta1 and v1alpha3). The module is long because it is a declaration of the API; it holds
no logic beyond a few derived properties.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from meshlint.model.base import Kind, MeshModel, Resource
from meshlint.model.common import (
    Duration,
    Int32,
    Labels,
    NonNegativeInt32,
    Percent,
    Percentage,
    PortNumber,
    PortOrZero,
    PortSelector,
    SchemaOnly,
    StringMap,
    Struct,
    UInt32,
    UInt64,
    WorkloadSelector,
    deprecated,
    deprecated_values,
    schema_required,
)

MESH_GATEWAY = "mesh"

# ---------------------------------------------------------------- shared


class StringMatch(MeshModel):
    """Exactly one of exact / prefix / regex (RE2, full match). ``{}`` means presence."""

    # The API's oneof: at most one match type (an empty object is a presence match).
    model_config = ConfigDict(json_schema_extra={"maxProperties": 1})

    exact: str | None = None
    prefix: str | None = None
    regex: str | None = None


class Destination(MeshModel):
    """A service (``host``), optional subset and port a request is forwarded to."""

    model_config = schema_required("host")

    host: str = ""
    subset: str | None = None
    port: PortSelector | None = None


class HeaderOperations(MeshModel):
    set: StringMap = Field(default_factory=dict)
    add: StringMap = Field(default_factory=dict)
    remove: tuple[str, ...] = ()


class WorkloadLabels(MeshModel):
    """Sidecar and ServiceEntry workloadSelector: ``labels`` (not ``matchLabels``)."""

    labels: Labels = Field(default_factory=dict)


class Headers(MeshModel):
    """Header manipulation for requests and responses."""

    request: HeaderOperations | None = None
    response: HeaderOperations | None = None


# ---------------------------------------------------------------- VirtualService


class HTTPMatchRequest(MeshModel):
    name: str | None = None
    uri: StringMatch | None = None
    scheme: StringMatch | None = None
    method: StringMatch | None = None
    authority: StringMatch | None = None
    headers: dict[str, StringMatch] = Field(default_factory=dict)
    port: PortOrZero | None = None
    source_labels: Labels = Field(default_factory=dict)
    gateways: tuple[str, ...] = ()
    query_params: dict[str, StringMatch] = Field(default_factory=dict)
    ignore_uri_case: bool | None = None
    without_headers: dict[str, StringMatch] = Field(default_factory=dict)
    source_namespace: str | None = None
    stat_prefix: str | None = None


class HTTPRouteDestination(MeshModel):
    model_config = schema_required("destination")

    destination: Destination | None = None
    # Relative weight; negative values are reported by schema validation, not dropped here.
    weight: NonNegativeInt32 | None = None
    headers: Headers | None = None


class RouteDestination(MeshModel):
    model_config = schema_required("destination")

    destination: Destination | None = None
    weight: NonNegativeInt32 | None = None


class Delegate(MeshModel):
    model_config = schema_required("name")

    name: str = ""
    namespace: str | None = None


class HTTPRedirect(MeshModel):
    uri: str | None = None
    authority: str | None = None
    port: PortOrZero | None = None
    derive_port: Literal["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"] | None = None
    scheme: str | None = None
    prefix_rewrite: str | None = None
    redirect_code: Annotated[int, SchemaOnly(minimum=300, maximum=399)] | None = None


class HTTPBody(MeshModel):
    model_config = ConfigDict(json_schema_extra={"maxProperties": 1})

    string: str | None = None
    bytes: str | None = None  # base64 in JSON


class HTTPDirectResponse(MeshModel):
    model_config = schema_required("status")

    status: Annotated[int, SchemaOnly(minimum=200, maximum=600)] = 0
    body: HTTPBody | None = None


class RegexRewrite(MeshModel):
    model_config = schema_required("match", "rewrite")

    match: str | None = None
    rewrite: str | None = None


class HTTPRewrite(MeshModel):
    uri: str | None = None
    authority: str | None = None
    uri_regex_rewrite: RegexRewrite | None = None


class HTTPRetry(MeshModel):
    attempts: Int32 | None = None
    per_try_timeout: Duration | None = None
    retry_on: str | None = None
    retry_remote_localities: bool | None = None
    retry_ignore_previous_hosts: bool | None = None
    backoff: Duration | None = None


class FaultDelay(MeshModel):
    fixed_delay: Duration | None = None
    exponential_delay: Duration | None = None
    percent: Annotated[int, SchemaOnly(minimum=0, maximum=100)] | None = Field(
        None, json_schema_extra=deprecated("use percentage instead")
    )
    percentage: Percent | None = None


class FaultAbort(MeshModel):
    http_status: Annotated[int, SchemaOnly(minimum=200, maximum=600)] | None = None
    grpc_status: str | None = None
    http2_error: str | None = None
    percentage: Percent | None = None


class HTTPFaultInjection(MeshModel):
    delay: FaultDelay | None = None
    abort: FaultAbort | None = None


class HTTPMirrorPolicy(MeshModel):
    model_config = schema_required("destination")

    destination: Destination | None = None
    percentage: Percent | None = None


class CorsPolicy(MeshModel):
    allow_origin: tuple[str, ...] = Field(
        (), json_schema_extra=deprecated("use allowOrigins instead")
    )
    allow_origins: tuple[StringMatch, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: Duration | None = None
    allow_credentials: bool | None = None
    unmatched_preflights: Literal["UNSPECIFIED", "FORWARD", "IGNORE"] | None = None


class HTTPRoute(MeshModel):
    name: str | None = None
    match: tuple[HTTPMatchRequest, ...] = ()
    route: tuple[HTTPRouteDestination, ...] = ()
    redirect: HTTPRedirect | None = None
    direct_response: HTTPDirectResponse | None = None
    delegate: Delegate | None = None
    rewrite: HTTPRewrite | None = None
    timeout: Duration | None = None
    retries: HTTPRetry | None = None
    fault: HTTPFaultInjection | None = None
    mirror: Destination | None = None
    mirrors: tuple[HTTPMirrorPolicy, ...] = ()
    mirror_percent: UInt32 | None = Field(
        None, json_schema_extra=deprecated("use mirrorPercentage instead")
    )
    mirror_percentage: Percent | None = None
    cors_policy: CorsPolicy | None = None
    headers: Headers | None = None


class L4MatchAttributes(MeshModel):
    destination_subnets: tuple[str, ...] = ()
    port: PortOrZero | None = None
    source_labels: Labels = Field(default_factory=dict)
    gateways: tuple[str, ...] = ()
    source_namespace: str | None = None


class TLSMatchAttributes(MeshModel):
    sni_hosts: tuple[str, ...] = ()
    destination_subnets: tuple[str, ...] = ()
    port: PortOrZero | None = None
    source_labels: Labels = Field(default_factory=dict)
    gateways: tuple[str, ...] = ()
    source_namespace: str | None = None


class TCPRoute(MeshModel):
    match: tuple[L4MatchAttributes, ...] = ()
    route: tuple[RouteDestination, ...] = ()


class TLSRoute(MeshModel):
    match: tuple[TLSMatchAttributes, ...] = ()
    route: tuple[RouteDestination, ...] = ()


class VirtualServiceSpec(MeshModel):
    hosts: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    http: tuple[HTTPRoute, ...] = ()
    tls: tuple[TLSRoute, ...] = ()
    tcp: tuple[TCPRoute, ...] = ()
    export_to: tuple[str, ...] = ()

    @property
    def applies_to_mesh(self) -> bool:
        """True when the sidecars use it: no ``gateways``, or ``mesh`` among them."""
        return not self.gateways or MESH_GATEWAY in self.gateways

    @property
    def is_delegate(self) -> bool:
        """A VirtualService without hosts can only be used through ``http[].delegate``."""
        return not self.hosts


class VirtualService(Resource):
    KIND: ClassVar[Kind] = Kind.VIRTUAL_SERVICE
    spec: VirtualServiceSpec = Field(default_factory=VirtualServiceSpec)


# ---------------------------------------------------------------- DestinationRule

SimpleLB = Literal[
    "UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"
]
TLSMode = Literal["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]


class HTTPCookieAttribute(MeshModel):
    model_config = schema_required("name")

    name: str = ""
    value: str | None = None


class HTTPCookie(MeshModel):
    model_config = schema_required("name")

    name: str = ""
    path: str | None = None
    ttl: Duration | None = None
    attributes: tuple[HTTPCookieAttribute, ...] = ()


class RingHash(MeshModel):
    minimum_ring_size: UInt64 | None = None


class MagLev(MeshModel):
    table_size: UInt64 | None = None


class ConsistentHashLB(MeshModel):
    http_header_name: str | None = None
    http_cookie: HTTPCookie | None = None
    use_source_ip: bool | None = None
    http_query_parameter_name: str | None = None
    ring_hash: RingHash | None = None
    maglev: MagLev | None = None
    minimum_ring_size: UInt64 | None = Field(
        None, json_schema_extra=deprecated("use ringHash.minimumRingSize instead")
    )


class LocalityDistribute(MeshModel):
    from_: str | None = Field(None, alias="from")
    to: dict[str, UInt32] = Field(default_factory=dict)


class LocalityFailover(MeshModel):
    from_: str | None = Field(None, alias="from")
    to: str | None = None


class LocalityLoadBalancerSetting(MeshModel):
    distribute: tuple[LocalityDistribute, ...] = ()
    failover: tuple[LocalityFailover, ...] = ()
    failover_priority: tuple[str, ...] = ()
    enabled: bool | None = None


class WarmupConfiguration(MeshModel):
    model_config = schema_required("duration")

    duration: Duration | None = None
    minimum_percent: Percentage | None = None
    aggression: Annotated[float, SchemaOnly(minimum=1)] | None = None


class LoadBalancerSettings(MeshModel):
    simple: SimpleLB | None = Field(
        None, json_schema_extra=deprecated_values(LEAST_CONN="use LEAST_REQUEST instead")
    )
    consistent_hash: ConsistentHashLB | None = None
    locality_lb_setting: LocalityLoadBalancerSetting | None = None
    warmup_duration_secs: Duration | None = Field(
        None, json_schema_extra=deprecated("use warmup.duration instead")
    )
    warmup: WarmupConfiguration | None = None
    # Added in Istio 1.31; sub-fields not modelled yet, so any object is accepted.
    zone_aware_lb_setting: Struct | None = None
    backend_utilization: Struct | None = None


class TcpKeepalive(MeshModel):
    probes: UInt32 | None = None
    time: Duration | None = None
    interval: Duration | None = None


class TCPSettings(MeshModel):
    max_connections: Int32 | None = None
    connect_timeout: Duration | None = None
    tcp_keepalive: TcpKeepalive | None = None
    max_connection_duration: Duration | None = None
    idle_timeout: Duration | None = None


class HTTP2KeepAlive(MeshModel):
    interval: Duration | None = None
    timeout: Duration | None = None


class HTTPSettings(MeshModel):
    http1_max_pending_requests: Int32 | None = None
    http2_max_requests: Int32 | None = None
    max_requests_per_connection: Int32 | None = None
    max_retries: Int32 | None = None
    idle_timeout: Duration | None = None
    h2_upgrade_policy: Literal["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"] | None = None
    use_client_protocol: bool | None = None
    max_concurrent_streams: Int32 | None = None
    http2_keep_alive: HTTP2KeepAlive | None = None


class ConnectionPoolSettings(MeshModel):
    tcp: TCPSettings | None = None
    http: HTTPSettings | None = None


class OutlierDetection(MeshModel):
    split_external_local_origin_errors: bool | None = None
    consecutive_local_origin_failures: UInt32 | None = None
    consecutive_gateway_errors: UInt32 | None = None
    consecutive_5xx_errors: UInt32 | None = Field(None, alias="consecutive5xxErrors")
    interval: Duration | None = None
    base_ejection_time: Duration | None = None
    max_ejection_percent: Annotated[int, SchemaOnly(minimum=0, maximum=100)] | None = None
    min_health_percent: Annotated[int, SchemaOnly(minimum=0, maximum=100)] | None = None
    consecutive_errors: Int32 | None = Field(
        None, json_schema_extra=deprecated("use consecutive5xxErrors instead")
    )


class ClientTLSSettings(MeshModel):
    mode: TLSMode | None = None
    client_certificate: str | None = None
    private_key: str | None = None
    ca_certificates: str | None = None
    credential_name: str | None = None
    subject_alt_names: tuple[str, ...] = ()
    sni: str | None = None
    insecure_skip_verify: bool | None = None
    ca_crl: str | None = None


class TunnelSettings(MeshModel):
    model_config = schema_required("protocol", "targetHost", "targetPort")

    protocol: str | None = None
    target_host: str = ""
    target_port: PortNumber | None = None


class ProxyProtocol(MeshModel):
    version: Literal["V1", "V2"] | None = None


class RetryBudget(MeshModel):
    percent: Percent | None = None
    min_retry_concurrency: UInt32 | None = None
    budget_interval: Duration | None = None


class PortTrafficPolicy(MeshModel):
    model_config = schema_required("port")

    port: PortSelector | None = None
    load_balancer: LoadBalancerSettings | None = None
    connection_pool: ConnectionPoolSettings | None = None
    outlier_detection: OutlierDetection | None = None
    tls: ClientTLSSettings | None = None


class TrafficPolicy(MeshModel):
    load_balancer: LoadBalancerSettings | None = None
    connection_pool: ConnectionPoolSettings | None = None
    outlier_detection: OutlierDetection | None = None
    tls: ClientTLSSettings | None = None
    port_level_settings: tuple[PortTrafficPolicy, ...] = ()
    tunnel: TunnelSettings | None = None
    proxy_protocol: ProxyProtocol | None = None
    retry_budget: RetryBudget | None = None


class Subset(MeshModel):
    model_config = schema_required("name")

    name: str = ""
    labels: Labels = Field(default_factory=dict)
    traffic_policy: TrafficPolicy | None = None


class DestinationRuleSpec(MeshModel):
    model_config = schema_required("host")

    host: str = ""
    traffic_policy: TrafficPolicy | None = None
    subsets: tuple[Subset, ...] = ()
    export_to: tuple[str, ...] = ()
    workload_selector: WorkloadSelector | None = None


class DestinationRule(Resource):
    KIND: ClassVar[Kind] = Kind.DESTINATION_RULE
    spec: DestinationRuleSpec = Field(default_factory=DestinationRuleSpec)


# ---------------------------------------------------------------- Gateway

ServerTLSMode = Literal[
    "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"
]
TLSProtocol = Literal["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"]


class Port(MeshModel):
    """A listener port: number, protocol and name (``targetPort`` only for ServiceEntry)."""

    model_config = schema_required("number", "protocol", "name")

    number: PortOrZero | None = None
    protocol: str = ""
    name: str = ""
    target_port: PortNumber | None = None


class TLSCertificate(MeshModel):
    server_certificate: str | None = None
    private_key: str | None = None
    ca_certificates: str | None = None


class ServerTLSSettings(MeshModel):
    https_redirect: bool | None = None
    mode: ServerTLSMode | None = None
    server_certificate: str | None = None
    private_key: str | None = None
    ca_certificates: str | None = None
    ca_crl: str | None = None
    credential_name: str | None = None
    credential_names: tuple[str, ...] = ()
    tls_certificates: tuple[TLSCertificate, ...] = ()
    subject_alt_names: tuple[str, ...] = ()
    verify_certificate_spki: tuple[str, ...] = ()
    verify_certificate_hash: tuple[str, ...] = ()
    min_protocol_version: TLSProtocol | None = None
    max_protocol_version: TLSProtocol | None = None
    cipher_suites: tuple[str, ...] = ()


class Server(MeshModel):
    model_config = schema_required("port", "hosts")

    port: Port | None = None
    bind: str | None = None
    hosts: tuple[str, ...] = ()
    tls: ServerTLSSettings | None = None
    default_endpoint: str | None = None
    name: str | None = None


class GatewaySpec(MeshModel):
    servers: tuple[Server, ...] = ()
    selector: Labels = Field(default_factory=dict)


class Gateway(Resource):
    KIND: ClassVar[Kind] = Kind.GATEWAY
    spec: GatewaySpec = Field(default_factory=GatewaySpec)


# ---------------------------------------------------------------- WorkloadEntry, ServiceEntry


class WorkloadEntrySpec(MeshModel):
    """A non-Kubernetes workload; also the type of ``ServiceEntry.spec.endpoints`` items."""

    address: str | None = None
    ports: dict[str, PortNumber] = Field(default_factory=dict)
    labels: Labels = Field(default_factory=dict)
    network: str | None = None
    locality: str | None = None
    weight: UInt32 | None = None
    service_account: str | None = None


class WorkloadEntry(Resource):
    KIND: ClassVar[Kind] = Kind.WORKLOAD_ENTRY
    spec: WorkloadEntrySpec = Field(default_factory=WorkloadEntrySpec)


class ServicePort(MeshModel):
    model_config = schema_required("number", "name")

    number: PortNumber | None = None
    protocol: str | None = None
    name: str = ""
    target_port: PortNumber | None = None


class ServiceEntrySpec(MeshModel):
    model_config = schema_required("hosts")

    hosts: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    ports: tuple[ServicePort, ...] = ()
    location: Literal["MESH_EXTERNAL", "MESH_INTERNAL"] | None = None
    resolution: Literal["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"] | None = None
    endpoints: tuple[WorkloadEntrySpec, ...] = ()
    workload_selector: WorkloadLabels | None = None
    export_to: tuple[str, ...] = ()
    subject_alt_names: tuple[str, ...] = ()


class ServiceEntry(Resource):
    KIND: ClassVar[Kind] = Kind.SERVICE_ENTRY
    spec: ServiceEntrySpec = Field(default_factory=ServiceEntrySpec)


# ---------------------------------------------------------------- Sidecar

CaptureMode = Literal["DEFAULT", "IPTABLES", "NONE"]


class SidecarPort(MeshModel):
    number: PortOrZero | None = None
    protocol: str | None = None
    name: str | None = None
    target_port: PortNumber | None = None


class IstioIngressListener(MeshModel):
    model_config = schema_required("port")

    port: SidecarPort | None = None
    bind: str | None = None
    capture_mode: CaptureMode | None = None
    default_endpoint: str | None = None
    tls: ServerTLSSettings | None = None
    connection_pool: ConnectionPoolSettings | None = None


class IstioEgressListener(MeshModel):
    model_config = schema_required("hosts")

    port: SidecarPort | None = None
    bind: str | None = None
    capture_mode: CaptureMode | None = None
    hosts: tuple[str, ...] = ()


class OutboundTrafficPolicy(MeshModel):
    # ALLOW_ANY_DYNAMIC_DNS parses but Istio accepts it only in MeshConfig (a rule reports it).
    mode: Literal["REGISTRY_ONLY", "ALLOW_ANY", "ALLOW_ANY_DYNAMIC_DNS"] | None = None
    # Istio's deprecation analyzer reports it (IST0002): it is ignored and slated for removal
    egress_proxy: Destination | None = Field(
        None, json_schema_extra=deprecated("Istio ignores egressProxy; it is deprecated")
    )


class SidecarSpec(MeshModel):
    workload_selector: WorkloadLabels | None = None
    ingress: tuple[IstioIngressListener, ...] = ()
    egress: tuple[IstioEgressListener, ...] = ()
    inbound_connection_pool: ConnectionPoolSettings | None = None
    outbound_traffic_policy: OutboundTrafficPolicy | None = None


class Sidecar(Resource):
    KIND: ClassVar[Kind] = Kind.SIDECAR
    spec: SidecarSpec = Field(default_factory=SidecarSpec)
