"""MESH503: a ServiceEntry with a TCP or auto-detected port but no addresses (7.1)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import parse_protocol
from meshlint.mesh.hygiene_queries import addresses_allocated
from meshlint.model.base import Kind
from meshlint.model.networking import ServiceEntry, ServicePort
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for entry in ctx.mesh.all(ServiceEntry):
        if entry.spec.addresses or addresses_allocated(ctx.mesh, entry):
            continue
        for index, port in enumerate(entry.spec.ports):
            if _needs_address(port):
                yield ctx.finding(
                    entry,
                    f"/spec/ports/{index}" + ("/protocol" if port.protocol else ""),
                    port=port.number,
                    protocol=port.protocol or "unset (auto-detected)",
                )


def _needs_address(port: ServicePort) -> bool:
    """TCP (any case, or a TCP-family protocol, whose filters are off) or empty: Envoy can
    only match such traffic by destination address."""
    if port.number is None:
        return False
    return not port.protocol or parse_protocol(port.protocol).is_tcp


RULE = Rule(
    code="MESH503",
    name="se-addresses-required",
    summary="A ServiceEntry with a TCP or auto-detected port needs addresses",
    message="port {port} has protocol {protocol} but the ServiceEntry has no addresses",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.SERVICE_ENTRY}),
    rationale=(
        "Sidecars tell TCP connections apart only by destination IP and port. A ServiceEntry "
        "without addresses gets a 0.0.0.0:<port> listener for a TCP or auto-detected port, so "
        "it captures every connection to that port number that no other listener claims, and "
        "different hosts on the same port conflict. Istio warns about this at validation time "
        "unless DNS proxying auto-allocates addresses (ISTIO_META_DNS_CAPTURE and "
        "ISTIO_META_DNS_AUTO_ALLOCATE) or the allocator has written status.addresses."
    ),
    remediation=(
        "Add spec.addresses, set the port protocol to HTTP, HTTPS or TLS when it is one, or "
        "enable DNS auto-allocation in the mesh config."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp-db, protocol: TCP}]
  resolution: DNS
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.example.com]
  addresses: [10.20.0.5]
  ports: [{number: 5432, name: tcp-db, protocol: TCP}]
  resolution: DNS
""",
    since="0.1.0",
    istio=("IST0134",),
    check=check,
)
