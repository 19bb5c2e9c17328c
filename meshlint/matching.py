"""Istio's host, label-selector, reference and protocol semantics as pure functions."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MESH_GATEWAY = "mesh"  # constants.IstioMeshGateway: the sidecars, never a Gateway object
PUBLIC = "*"
PRIVATE = "."
NONE = "~"

# ---------------------------------------------------------------------------- hosts


def is_wildcard(host: str) -> bool:
    """``host.Name.IsWildCarded``: the first character is ``*``."""
    return host.startswith("*")


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (not a CIDR)."""
    if not host or not (host[0].isdigit() or ":" in host):
        return False  # cheap rejection of DNS names before ipaddress (which raises)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_matches(a: str, b: str, *, case_sensitive: bool = False) -> bool:
    """Istio ``host.Name.Matches``: the two hosts overlap (symmetric).

    ``*.foo.com`` matches ``a.foo.com`` and ``a.b.foo.com`` but not ``foo.com``; ``*`` matches
    everything; ``*foo.com`` matches ``foo.com``. Lookups are case-insensitive; validation's
    duplicate-host check compares case-sensitively (pass ``case_sensitive=True``).
    """
    if not case_sensitive:
        a, b = a.lower(), b.lower()
    a_wild, b_wild = is_wildcard(a), is_wildcard(b)
    if a_wild and b_wild:
        shorter, longer = (a, b) if len(a) < len(b) else (b, a)
        return longer[1:].endswith(shorter[1:])
    if a_wild:
        return b.endswith(a[1:])
    if b_wild:
        return a.endswith(b[1:])
    return a == b


def host_subset_of(a: str, b: str, *, case_sensitive: bool = False) -> bool:
    """Istio ``host.Name.SubsetOf``: every name matched by ``a`` is matched by ``b``."""
    if not case_sensitive:
        a, b = a.lower(), b.lower()
    a_wild, b_wild = is_wildcard(a), is_wildcard(b)
    if a_wild:
        return b_wild and len(a) >= len(b) and a[1:].endswith(b[1:])
    if b_wild:
        return a.endswith(b[1:])
    return a == b


def more_specific(a: str, b: str) -> bool:
    """Whether ``a`` is a more specific host than ``b`` (``host.MoreSpecific``).

    An exact host beats a wildcard; among two of the same sort the longer wins; equal lengths
    fall back to string order so the answer is deterministic.
    """
    a_wild, b_wild = is_wildcard(a), is_wildcard(b)
    if a_wild != b_wild:
        return b_wild
    if len(a) != len(b):
        return len(a) > len(b)
    return a < b


def most_specific_match(needle: str, hosts: Iterable[str]) -> str | None:
    """The host of ``hosts`` that best matches ``needle`` (``MostSpecificHostMatch``).

    An exact (case-insensitive) equal host wins; otherwise the longest wildcard whose suffix
    the needle ends with. A wildcard needle only matches wildcards (its own suffix is compared).
    Returns the host as given, or None.
    """
    low = needle.lower()
    suffix = low[1:] if is_wildcard(low) else low
    best: str | None = None
    for host in hosts:
        candidate = host.lower()
        if candidate == low:
            return host
        wild_match = is_wildcard(candidate) and suffix.endswith(candidate[1:])
        if wild_match and (best is None or more_specific(candidate, best.lower())):
            best = host
    return best


def intersect_hosts(a: str, b: str) -> str | None:
    """Gateway server host vs VirtualService host (``host.Names.Intersection``).

    If either is a subset of the other, the more specific one (lower-cased) becomes the
    virtual-host domain; otherwise they do not intersect.
    """
    a, b = a.lower(), b.lower()
    if host_subset_of(a, b):
        return a
    if host_subset_of(b, a):
        return b
    return None


def expand_short_name(host: str, namespace: str, domain_suffix: str = "cluster.local") -> str:
    """``ResolveShortnameToFQDN``: ``name`` -> ``name.<ns>.svc.<suffix>``.

    Names with a dot are verbatim (``reviews.prod`` is *not* expanded); ``*`` and IP addresses
    are left as they are. The namespace is that of the object that wrote the host.
    """
    # an IPv4 address has dots and an IPv6 address has colons: neither is a short name
    if "." in host or ":" in host or host == PUBLIC or not host:
        return host
    return f"{host}.{namespace}.svc.{domain_suffix}"


# ---------------------------------------------------------------------------- labels


def labels_subset(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    """``matchLabels ⊆ labels``. An absent or empty selector is the empty set: always True."""
    if not selector:
        return True
    return all(labels.get(key) == value for key, value in selector.items())


def selector_selects(
    selector: Mapping[str, str] | None, labels: Mapping[str, str], *, empty: bool
) -> bool:
    """A selector's verdict where an absent/empty selector means ``empty``.

    Callers choose: PeerAuthentication/AuthorizationPolicy with no selector select every
    workload (``empty=True``); a Service with no selector selects no pods (``empty=False``).
    """
    if not selector:
        return empty
    return labels_subset(selector, labels)


# ---------------------------------------------------------------------------- references


def resolve_gateway_name(ref: str, vs_namespace: str) -> str:
    """``resolveGatewayName`` (pilot/pkg/model/config.go): a VS gateway entry -> ``ns/name``.

    ``mesh`` stays ``mesh``; ``name`` -> ``<vs-ns>/name``; ``./name`` -> ``<vs-ns>/name``;
    legacy ``name.ns[.svc.cluster.local]`` -> ``ns/name``; ``ns/name`` unchanged.
    """
    if ref == MESH_GATEWAY:
        return ref
    if "/" in ref:
        namespace, _, name = ref.partition("/")
        return f"{vs_namespace}/{name}" if namespace == PRIVATE else ref
    if "." not in ref:
        return f"{vs_namespace}/{ref}"
    name, _, rest = ref.partition(".")
    return f"{rest.partition('.')[0]}/{name}"


def split_ref(ref: str) -> tuple[str, str]:
    """``ns/name`` -> (ns, name); a bare name -> ("", name)."""
    namespace, slash, name = ref.partition("/")
    return (namespace, name) if slash else ("", ref)


@dataclass(frozen=True, slots=True)
class NamespacedHost:
    """A ``[~]ns/host`` entry of a Gateway server or a Sidecar egress listener."""

    namespace: str  # "*", ".", or a namespace name ("*" also for a bare "~")
    host: str
    excluded: bool = False

    def namespace_matches(self, namespace: str, own_namespace: str) -> bool:
        """Whether an object in ``namespace`` is in scope; ``.`` means ``own_namespace``."""
        if self.namespace == PUBLIC:
            return True
        if self.namespace == PRIVATE:
            return namespace == own_namespace
        return namespace == self.namespace


def parse_namespaced_host(value: str) -> NamespacedHost:
    """Parse ``ns/host``, ``~ns/host``, ``~/host`` or a bare ``host`` (namespace ``*``).

    Used for Gateway ``servers[].hosts`` (``sanitizeServerHostNamespace``) and Sidecar
    ``egress[].hosts`` (``hostClassification``).
    """
    namespace, slash, host = value.partition("/")
    if not slash:
        return NamespacedHost(PUBLIC, value)
    excluded = namespace.startswith(NONE)
    if excluded:
        namespace = namespace[1:] or PUBLIC  # bare "~" = every namespace
    return NamespacedHost(namespace, host, excluded)


def imports_host(
    entries: Sequence[NamespacedHost], host: str, namespace: str, own_namespace: str
) -> bool:
    """Sidecar egress semantics (section 2.5): imported by an entry and not excluded.

    ``namespace`` is where the Service/ServiceEntry object lives; ``own_namespace`` is what
    ``.`` means (the workload's namespace, also for the root-namespace default Sidecar).
    Imports use ``SubsetOf`` for wildcard entries; exclusions are subtracted with ``SubsetOf``.
    """
    imported = excluded = False
    for entry in entries:
        if not entry.namespace_matches(namespace, own_namespace):
            continue
        if entry.excluded:
            excluded = excluded or host_subset_of(host, entry.host)
        else:
            imported = imported or host_subset_of(host, entry.host)
    return imported and not excluded


def imports_vs_host(
    entries: Sequence[NamespacedHost], host: str, namespace: str, own_namespace: str
) -> bool:
    """Sidecar import of a VirtualService host: bidirectional ``Matches`` (``VSMatches``)."""
    imported = excluded = False
    for entry in entries:
        if not entry.namespace_matches(namespace, own_namespace):
            continue
        if entry.excluded:
            excluded = excluded or host_subset_of(host, entry.host)
        else:
            imported = imported or host_matches(host, entry.host)
    return imported and not excluded


@dataclass(frozen=True, slots=True)
class ExportTo:
    """An object's effective visibility, with ``.`` already resolved to its namespace."""

    owner: str  # the object's namespace
    public: bool = False
    namespaces: frozenset[str] = frozenset()

    def visible_to(self, namespace: str) -> bool:
        return self.public or namespace in self.namespaces

    @property
    def private(self) -> bool:
        """Visible only to the owner namespace (``.`` or its own name, no ``*``)."""
        return not self.public and self.namespaces == {self.owner}

    @property
    def hidden(self) -> bool:
        """Visible to no namespace at all (``~``)."""
        return not self.public and not self.namespaces


def parse_export_to(values: Sequence[str], owner: str, default: Sequence[str]) -> ExportTo:
    """Effective exportTo: ``values`` or ``default`` when empty; ``*`` wins; ``~`` = nobody."""
    entries = [v.strip() for v in (values or default) if v.strip()]
    if PUBLIC in entries:
        return ExportTo(owner, public=True)
    if NONE in entries:
        return ExportTo(owner)
    resolved = frozenset(owner if v == PRIVATE else v for v in entries)
    return ExportTo(owner, namespaces=resolved)


def split_export_annotation(value: str | None) -> tuple[str, ...]:
    """The ``networking.istio.io/exportTo`` annotation: a comma list, trimmed."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


# ---------------------------------------------------------------------------- protocols


class Protocol(enum.StrEnum):
    """Istio ``protocol.Instance`` values (``pkg/config/protocol/instance.go``)."""

    HTTP = "HTTP"
    HTTP2 = "HTTP2"
    HTTPS = "HTTPS"
    GRPC = "GRPC"
    GRPC_WEB = "GRPC-Web"
    HTTP_PROXY = "HTTP_PROXY"
    TCP = "TCP"
    TLS = "TLS"
    UDP = "UDP"
    MONGO = "Mongo"
    REDIS = "Redis"
    MYSQL = "MySQL"
    UNSUPPORTED = "UnsupportedProtocol"  # auto-detected ("sniffed")

    @property
    def is_http(self) -> bool:
        return self in _HTTP_FAMILY

    @property
    def is_tls(self) -> bool:
        return self in (Protocol.HTTPS, Protocol.TLS)

    @property
    def is_sniffed(self) -> bool:
        return self is Protocol.UNSUPPORTED

    @property
    def is_http_or_sniffed(self) -> bool:
        """``IsHTTPOrSniffed``: the port gets HTTP routing (VS ``http`` rules)."""
        return self.is_http or self.is_sniffed

    @property
    def is_tcp(self) -> bool:
        """Opaque TCP (``IsTCP``): TCP and the TCP-family protocols (filters off by default)."""
        return self in (Protocol.TCP, Protocol.MONGO, Protocol.REDIS, Protocol.MYSQL)


_HTTP_FAMILY = frozenset(
    {Protocol.HTTP, Protocol.HTTP2, Protocol.GRPC, Protocol.GRPC_WEB, Protocol.HTTP_PROXY}
)
_BY_NAME = {
    "http": Protocol.HTTP,
    "http2": Protocol.HTTP2,
    "https": Protocol.HTTPS,
    "grpc": Protocol.GRPC,
    "grpc-web": Protocol.GRPC_WEB,
    "http_proxy": Protocol.HTTP_PROXY,
    "tcp": Protocol.TCP,
    "tls": Protocol.TLS,
    "udp": Protocol.UDP,
    "mongo": Protocol.MONGO,
    "redis": Protocol.REDIS,
    "mysql": Protocol.MYSQL,
}
_APP_PROTOCOLS = {
    "kubernetes.io/h2c": Protocol.HTTP2,
    "kubernetes.io/ws": Protocol.HTTP,
    "kubernetes.io/wss": Protocol.HTTPS,
}
_WELL_KNOWN_TCP_PORTS = frozenset({25, 53, 3306, 27017})  # SMTP, DNS, MySQL, MongoDB


def parse_protocol(value: str | None) -> Protocol:
    """``protocol.Parse``: case-insensitive; unknown or empty -> UNSUPPORTED (auto-detect)."""
    return _BY_NAME.get((value or "").lower(), Protocol.UNSUPPORTED)


def service_port_protocol(
    port: int, name: str | None, protocol: str | None = None, app_protocol: str | None = None
) -> Protocol:
    """``kube.ConvertProtocol``: the protocol Istio gives a Kubernetes Service port (7.3)."""
    if (protocol or "").upper() == "UDP":
        return Protocol.UDP
    label = name or ""
    if app_protocol is not None:
        if app_protocol in _APP_PROTOCOLS:
            return _APP_PROTOCOLS[app_protocol]
        label = app_protocol  # appProtocol replaces the port name entirely
    if label[:8].lower() == "grpc-web":
        return Protocol.GRPC_WEB
    parsed = parse_protocol(label.partition("-")[0])
    if parsed is Protocol.UNSUPPORTED and port in _WELL_KNOWN_TCP_PORTS:
        return Protocol.TCP
    return parsed
