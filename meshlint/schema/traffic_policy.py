"""DestinationRule traffic policies: pools, outlier detection, load balancing, TLS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_list, as_map, as_str, present
from meshlint.schema.common import duration
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.load_balancer import load_balancer
from meshlint.source import join_pointer

POLICY_PARTS = ("outlierDetection", "connectionPool", "loadBalancer", "tls")
TOP_ONLY = ("portLevelSettings", "tunnel", "proxyProtocol", "retryBudget")


def traffic_policy(value: object, pointer: str, *, port_level: bool = False) -> Iterator[Issue]:
    """validateTrafficPolicy / validatePortTrafficPolicies."""
    if not isinstance(value, dict):
        return
    parts = POLICY_PARTS if port_level else POLICY_PARTS + TOP_ONLY
    if not any(value.get(key) is not None for key in parts):
        yield invalid(pointer, f"traffic policy must set at least one of {', '.join(parts)}")
    if (
        not port_level
        and value.get("tunnel") is not None
        and value.get("proxyProtocol") is not None
    ):
        yield invalid(f"{pointer}/proxyProtocol", "tunnel and proxyProtocol cannot both be set")
    yield from _connection_pool(value, pointer)
    yield from _outlier(as_map(value.get("outlierDetection")), f"{pointer}/outlierDetection")
    yield from load_balancer(as_map(value.get("loadBalancer")), f"{pointer}/loadBalancer")
    yield from client_tls(as_map(value.get("tls")), f"{pointer}/tls")
    if not port_level:
        yield from _port_levels(value.get("portLevelSettings"), f"{pointer}/portLevelSettings")


def _port_levels(value: object, pointer: str) -> Iterator[Issue]:
    for index, entry in enumerate(as_list(value)):
        at = f"{pointer}/{index}"
        if entry is None:
            yield invalid(at, "portLevelSettings entry must not be null")
        elif isinstance(entry, dict):
            if entry.get("port") is None:
                yield invalid(f"{at}/port", 'required field "port" is missing')
            yield from traffic_policy(entry, at, port_level=True)


def _connection_pool(policy: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    if not isinstance(policy.get("connectionPool"), dict):
        return
    at = f"{pointer}/connectionPool"
    pool = policy["connectionPool"]
    if pool.get("tcp") is None and pool.get("http") is None:
        yield invalid(at, "connectionPool must set tcp or http")
    tcp_at, tcp = f"{at}/tcp", as_map(pool.get("tcp"))
    for key in ("connectTimeout", "maxConnectionDuration"):
        yield from duration(tcp, tcp_at, key)
    yield from duration(tcp, tcp_at, "idleTimeout", allow_zero=True)
    keepalive = as_map(tcp.get("tcpKeepalive"))
    for key in ("time", "interval"):
        yield from duration(keepalive, f"{tcp_at}/tcpKeepalive", key)
    http_at, http = f"{at}/http", as_map(pool.get("http"))
    yield from duration(http, http_at, "idleTimeout")
    if isinstance(http.get("http2KeepAlive"), dict):
        keepalive_at = f"{http_at}/http2KeepAlive"
        for key in ("interval", "timeout"):
            if http["http2KeepAlive"].get(key) is None:
                yield invalid(f"{keepalive_at}/{key}", f"http2KeepAlive needs {key}")
            yield from duration(http["http2KeepAlive"], keepalive_at, key)
    if http.get("h2UpgradePolicy") == "UPGRADE" and http.get("useClientProtocol") is True:
        text = "h2UpgradePolicy UPGRADE cannot be used with useClientProtocol: true"
        yield invalid(f"{http_at}/h2UpgradePolicy", text)


def _outlier(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    for key in ("baseEjectionTime", "interval"):
        yield from duration(spec, pointer, key)
    for key in ("maxEjectionPercent", "minHealthPercent"):
        value = as_int(spec.get(key))
        if value is not None and not 0 <= value <= 100:
            yield invalid(join_pointer(pointer, key), f"{key} {value} is outside 0-100")
    local = as_int(spec.get("consecutiveLocalOriginFailures"))
    if local and spec.get("splitExternalLocalOriginErrors") is not True:
        text = "consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true"
        yield invalid(f"{pointer}/consecutiveLocalOriginFailures", text)


def client_tls(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """ValidateTLS for a client (DestinationRule) TLS setting."""
    mode = as_str(spec.get("mode"))
    if spec.get("insecureSkipVerify") is True and mode in {"SIMPLE", "MUTUAL"}:
        banned = ("caCertificates", "subjectAltNames") + (
            ("credentialName",) if mode == "SIMPLE" else ()
        )
        yield from _banned(spec, pointer, banned, f"insecureSkipVerify with {mode}")
    if mode in {"SIMPLE", "MUTUAL"} and present(spec, "credentialName"):
        banned = ("clientCertificate", "caCertificates", "privateKey", "caCrl")
        yield from _banned(spec, pointer, banned, "credentialName")
    elif mode == "MUTUAL":
        for key in ("clientCertificate", "privateKey"):
            if not present(spec, key):
                text = f"MUTUAL TLS without credentialName requires {key}"
                yield invalid(join_pointer(pointer, key), text)


def _banned(
    spec: Mapping[str, Any], pointer: str, keys: tuple[str, ...], why: str
) -> Iterator[Issue]:
    for key in keys:
        if present(spec, key):
            yield invalid(
                join_pointer(pointer, key), f"{key} cannot be set with {why}", on_key=True
            )
