"""ServiceEntry checks (ISTIO-SEMANTICS 7.1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_list, as_map, as_str, maps, strings
from meshlint.schema.common import export_to, metadata_namespace, port, selector_labels
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_ip, is_ip_or_cidr, is_label, wildcard_domain_problem

HTTP_OR_TLS = frozenset({"HTTP", "HTTPS", "HTTP2", "GRPC", "GRPC-WEB", "TLS", "HTTP_PROXY"})


def check_service_entry(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    resolution = as_str(spec.get("resolution")) or "NONE"
    yield from _hosts(spec, resolution)
    yield from _addresses(spec, resolution)
    yield from _ports(spec.get("ports"))
    yield from _endpoints(spec, resolution)
    yield from export_to(spec, "/spec", metadata_namespace(data), service_entry=True)
    selector = as_map(spec.get("workloadSelector"))
    yield from selector_labels(selector.get("labels"), "/spec/workloadSelector/labels")


def _hosts(spec: Mapping[str, Any], resolution: object) -> Iterator[Issue]:
    hosts = list(strings(spec.get("hosts"), "/spec/hosts"))
    if not hosts:
        yield invalid("/spec/hosts", "a ServiceEntry needs at least one host")
    for at, host in hosts:
        problem = wildcard_domain_problem(host)
        if host == "*":
            yield invalid(at, "host '*' is not allowed in a ServiceEntry")
        elif problem:
            yield invalid(at, f"host {host!r} is not valid: {problem}")
        elif resolution == "DNS" and "*" in host and not spec.get("endpoints"):
            text = f"host {host!r} has a wildcard, but DNS resolution without endpoints needs FQDNs"
            yield invalid(at, text)
    multi_protocol = any(
        str(p.get("protocol", "")).upper() not in HTTP_OR_TLS
        for _, p in maps(spec.get("ports"), "")
    )
    if resolution != "NONE" and len(hosts) > 1 and multi_protocol:
        text = "several hosts with a non-HTTP, non-TLS port need resolution NONE"
        yield invalid("/spec/hosts", text)


def _addresses(spec: Mapping[str, Any], resolution: object) -> Iterator[Issue]:
    for at, address in strings(spec.get("addresses"), "/spec/addresses"):
        if not is_ip_or_cidr(address):
            yield invalid(at, f"address {address!r} is not an IP address or CIDR")
        elif "/" in address and resolution not in {"NONE", "STATIC"}:
            yield invalid(at, f"CIDR address {address!r} needs resolution NONE or STATIC")


def _ports(value: object) -> Iterator[Issue]:
    names: set[str] = set()
    numbers: set[int] = set()
    for at, entry in maps(value, "/spec/ports"):
        name = as_str(entry.get("name"))
        if "name" not in entry:
            yield invalid(f"{at}/name", 'required field "name" is missing in ServicePort')
        elif name is not None and not is_label(name):
            yield invalid(f"{at}/name", f"port name {name!r} is not a DNS-1123 label")
        elif name in names:
            yield invalid(f"{at}/name", f"duplicate port name {name!r}")
        number = as_int(entry.get("number"))
        if number is not None and number in numbers:
            yield invalid(f"{at}/number", f"duplicate port number {number}")
        names.add(name or "")
        numbers.add(-1 if number is None else number)
        yield from port(number, f"{at}/number")
        yield from port(entry.get("targetPort"), f"{at}/targetPort", "targetPort")


def _endpoints(spec: Mapping[str, Any], resolution: object) -> Iterator[Issue]:
    endpoints = as_list(spec.get("endpoints"))
    if endpoints and spec.get("workloadSelector") is not None:
        yield invalid(
            "/spec/workloadSelector",
            "workloadSelector and endpoints cannot both be set",
            on_key=True,
        )
    if endpoints and resolution == "NONE":
        yield invalid(
            "/spec/endpoints", "endpoints cannot be used with resolution NONE", on_key=True
        )
    if resolution == "DNS_ROUND_ROBIN" and len(endpoints) > 1:
        yield invalid("/spec/endpoints", "DNS_ROUND_ROBIN allows at most one endpoint", on_key=True)
    for at, endpoint in maps(endpoints, "/spec/endpoints"):
        address = as_str(endpoint.get("address"))
        if address is not None and resolution == "STATIC" and not _static_address(address):
            yield invalid(f"{at}/address", f"address {address!r} must be an IP or unix:// path")


def _static_address(address: str) -> bool:
    return is_ip(address) or address.startswith("unix://")
