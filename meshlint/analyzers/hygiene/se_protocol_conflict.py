"""MESH504: ServiceEntries visible to one namespace give a host and port different protocols."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from meshlint.findings import Finding, Severity
from meshlint.matching import ExportTo, Protocol, parse_protocol
from meshlint.mesh.hygiene_queries import exports_overlap
from meshlint.model.base import Kind
from meshlint.model.networking import ServiceEntry
from meshlint.rule import Rule, RuleContext


@dataclass(frozen=True, slots=True)
class _Claim:
    entry: ServiceEntry
    index: int  # port index
    protocol: Protocol
    export: ExportTo


def check(ctx: RuleContext) -> Iterator[Finding]:
    reported: set[int] = set()
    for (host, port), claims in _claims(ctx).items():
        for a, b in combinations(claims, 2):
            if a.protocol is b.protocol or a.entry is b.entry:
                continue
            if not exports_overlap(a.export, b.export):
                continue
            for mine, other in ((a, b), (b, a)):
                if id(mine.entry) not in reported:
                    reported.add(id(mine.entry))
                    yield _finding(ctx, mine, other, host, port)


def _claims(ctx: RuleContext) -> dict[tuple[str, int], list[_Claim]]:
    found: dict[tuple[str, int], list[_Claim]] = {}
    for entry in ctx.mesh.all(ServiceEntry):
        export = ctx.mesh.export_to(entry)
        for index, port in enumerate(entry.spec.ports):
            if port.number is None:
                continue
            claim = _Claim(entry, index, parse_protocol(port.protocol), export)
            for host in dict.fromkeys(h.lower() for h in entry.spec.hosts):
                found.setdefault((host, port.number), []).append(claim)
    return found


def _finding(ctx: RuleContext, mine: _Claim, other: _Claim, host: str, port: int) -> Finding:
    other_ns = ctx.mesh.namespace_of(other.entry)
    name = f"ServiceEntry {other_ns}/{other.entry.name}"
    return ctx.finding(
        mine.entry,
        f"/spec/ports/{mine.index}",
        related=[(other.entry, f"/spec/ports/{other.index}", name)],
        host=host,
        port=port,
        protocol=_label(mine.protocol),
        other=name,
        other_protocol=_label(other.protocol),
    )


def _label(protocol: Protocol) -> str:
    return "auto-detect" if protocol.is_sniffed else str(protocol)


RULE = Rule(
    code="MESH504",
    name="se-protocol-conflict",
    summary="ServiceEntries give one host and port different protocols",
    message="{host}:{port} is {protocol} here but {other_protocol} in {other}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.SERVICE_ENTRY}),
    rationale=(
        "A sidecar builds one listener and one cluster per host and port. When several "
        "ServiceEntries visible to the same namespace declare the same host and port with "
        "different protocols, only one of them is used and traffic is handled with the other "
        "protocol's filter chain (for example plain HTTP sent to a TLS origin), so requests "
        "fail."
    ),
    remediation=(
        "Give the host and port one protocol in every ServiceEntry, or narrow exportTo so "
        "that no namespace sees both."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-https, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 8443, name: https, protocol: HTTPS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-http, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 8443, name: http, protocol: HTTP}]
  resolution: DNS
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-https, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 8443, name: https, protocol: HTTPS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api-http, namespace: shop}
spec:
  hosts: [api.example.com]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: DNS
""",
    since="0.1.0",
    istio=("IST0177",),
    check=check,
)
