"""Gateway checks (ISTIO-SEMANTICS 6.1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_list, as_map, as_str, present, strings
from meshlint.schema.common import port, selector_labels
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_ip, is_label, namespaced_host_problem
from meshlint.source import join_pointer

PROTOCOLS = frozenset(
    {"HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY", "TCP", "TLS", "MONGO", "REDIS",
     "MYSQL", "UDP"}
)  # fmt: skip
HTTP_FAMILY = frozenset({"HTTP", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY"})
CERT_FIELDS = (
    "serverCertificate",
    "privateKey",
    "caCertificates",
    "tlsCertificates",
    "credentialName",
    "credentialNames",
)


def check_gateway(data: Mapping[str, Any]) -> Iterator[Issue]:
    name = as_str(as_map(data.get("metadata")).get("name"))
    if name is not None and not is_label(name):
        yield invalid("/metadata/name", f"Gateway name {name!r} must be a DNS-1123 label (no dots)")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from selector_labels(spec.get("selector"), "/spec/selector")
    if not as_list(spec.get("servers")):
        yield invalid("/spec/servers", "a Gateway needs at least one server")
    port_names: dict[str, str] = {}
    for index, server in enumerate(as_list(spec.get("servers"))):
        at = f"/spec/servers/{index}"
        if server is None:
            yield invalid(at, "server must not be null")
        elif isinstance(server, dict):
            yield from _server(server, at, port_names)


def _server(server: Mapping[str, Any], pointer: str, port_names: dict[str, str]) -> Iterator[Issue]:
    unix = str(server.get("bind") or "").startswith("unix://")
    yield from _port(server.get("port"), f"{pointer}/port", port_names, unix=unix)
    yield from _bind(server.get("bind"), f"{pointer}/bind")
    hosts_at = f"{pointer}/hosts"
    if not as_list(server.get("hosts")):
        yield invalid(hosts_at, "server needs at least one host")
    for at, host in strings(server.get("hosts"), hosts_at):
        problem = namespaced_host_problem(host, gateway=True)
        if problem:
            yield invalid(at, f"server host {host!r} is not valid: {problem}")
    protocol = str(as_map(server.get("port")).get("protocol") or "").upper()
    yield from _protocol_tls(server, pointer, protocol)
    if isinstance(server.get("tls"), dict):
        yield from server_tls(server["tls"], f"{pointer}/tls")


def _port(value: object, pointer: str, names: dict[str, str], *, unix: bool) -> Iterator[Issue]:
    if value is None:
        yield invalid(pointer, 'required field "port" is missing in Server')
    spec = as_map(value)
    number = spec.get("number")
    if unix and number != 0:
        yield invalid(f"{pointer}/number", "a server bound to a unix:// socket needs port number 0")
    elif not unix:
        yield from port(number, f"{pointer}/number")
    protocol = as_str(spec.get("protocol"))
    if protocol is not None and protocol.upper() not in PROTOCOLS:
        text = f"protocol {protocol!r} is not one of {', '.join(sorted(PROTOCOLS))}"
        yield invalid(f"{pointer}/protocol", text)
    name = as_str(spec.get("name"))
    if name is not None and name in names:
        yield invalid(f"{pointer}/name", f"port name {name!r} is already used at {names[name]}")
    if name is not None:
        names.setdefault(name, pointer)
    if spec.get("targetPort") is not None:
        text = "targetPort has no effect on a Gateway server (Istio rejects it)"
        yield invalid(f"{pointer}/targetPort", text, on_key=True)


def _bind(value: object, pointer: str) -> Iterator[Issue]:
    bind = as_str(value)
    if bind and not is_ip(bind) and not bind.startswith("unix://"):
        yield invalid(pointer, f"bind {bind!r} must be an IP address or unix:// path")


def _protocol_tls(server: Mapping[str, Any], pointer: str, protocol: str) -> Iterator[Issue]:
    tls = server.get("tls")
    if protocol in {"HTTPS", "TLS"} and tls is None:
        yield invalid(f"{pointer}/port/protocol", f"a {protocol} server needs tls settings")
    if tls is None or protocol in {"HTTPS", "TLS", ""}:
        return
    spec = as_map(tls)
    passthrough = _mode(spec) in {"PASSTHROUGH", "AUTO_PASSTHROUGH"}
    has_certs = any(present(spec, key) for key in CERT_FIELDS)
    if protocol not in HTTP_FAMILY or not passthrough or has_certs:
        text = f"a {protocol} server cannot terminate TLS (only tls.httpsRedirect is allowed)"
        yield invalid(f"{pointer}/tls", text, on_key=True)


def server_tls(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateTLSOptions: certificate sources per mode."""
    mode = _mode(spec)
    if mode == "ISTIO_MUTUAL":
        for key in CERT_FIELDS:
            if present(spec, key):
                yield invalid(
                    join_pointer(pointer, key),
                    f"{key} cannot be set with ISTIO_MUTUAL",
                    on_key=True,
                )
        return
    sources = _cert_sources(spec)
    if len(sources) > 1:
        text = f"only one certificate source may be set, found {', '.join(sources)}"
        yield invalid(join_pointer(pointer, sources[1]), text, on_key=True)
    if mode in {"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"}:
        yield from _terminating(spec, pointer, mode, sources)


def _mode(spec: Mapping[str, Any]) -> str:
    """The TLS mode; PASSTHROUGH is the enum's zero value."""
    return as_str(spec.get("mode")) or "PASSTHROUGH"


def _cert_sources(spec: Mapping[str, Any]) -> list[str]:
    sources = [
        k for k in ("credentialName", "credentialNames", "tlsCertificates") if present(spec, k)
    ]
    if present(spec, "serverCertificate") or present(spec, "privateKey"):
        sources.append("serverCertificate")
    return sources


def _terminating(
    spec: Mapping[str, Any], pointer: str, mode: str, sources: list[str]
) -> Iterator[Issue]:
    if present(spec, "caCrl") and (mode == "SIMPLE" or present(spec, "credentialName")):
        why = "SIMPLE TLS" if mode == "SIMPLE" else "credentialName"
        yield invalid(f"{pointer}/caCrl", f"caCrl cannot be used with {why}", on_key=True)
    if "credentialName" in sources or "credentialNames" in sources:
        return
    required = ["serverCertificate", "privateKey"] + (
        ["caCertificates"] if mode != "SIMPLE" else []
    )
    if "tlsCertificates" in sources:
        required = ["caCertificates"] if mode != "SIMPLE" else []
    for key in required:
        if not present(spec, key):
            text = f"{mode} TLS without credentialName requires {key}"
            yield invalid(join_pointer(pointer, key), text)
