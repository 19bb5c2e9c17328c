"""MESH509: exportTo names a namespace that the input, which lists its namespaces, lacks."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import NONE, PRIVATE, PUBLIC, split_export_annotation
from meshlint.mesh.visibility import EXPORT_TO_ANNOTATION
from meshlint.model.base import Kind, Resource
from meshlint.model.kubernetes import Namespace, Service
from meshlint.model.networking import DestinationRule, ServiceEntry, VirtualService
from meshlint.rule import Rule, RuleContext
from meshlint.source import join_pointer

SPECIAL = frozenset({PUBLIC, PRIVATE, NONE})


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.mesh.settings.assume_complete and not ctx.mesh.all(Namespace):
        return  # without Namespace objects the input says nothing about which exist
    for resource, pointer, values in _export_lists(ctx):
        for index, value in enumerate(values):
            name = value.strip()
            if name in SPECIAL or not name or _exists(ctx, name):
                continue
            at = pointer if pointer.startswith("/metadata") else join_pointer(pointer, index)
            yield ctx.finding(resource, at, namespace=name)


def _export_lists(ctx: RuleContext) -> Iterator[tuple[Resource, str, tuple[str, ...]]]:
    for vs in ctx.mesh.all(VirtualService):
        yield vs, "/spec/exportTo", vs.spec.export_to
    for dr in ctx.mesh.all(DestinationRule):
        yield dr, "/spec/exportTo", dr.spec.export_to
    for entry in ctx.mesh.all(ServiceEntry):
        yield entry, "/spec/exportTo", entry.spec.export_to
    for service in ctx.mesh.all(Service):
        value = service.metadata.annotations.get(EXPORT_TO_ANNOTATION)
        if value:
            pointer = join_pointer("/metadata/annotations", EXPORT_TO_ANNOTATION)
            yield service, pointer, split_export_annotation(value)


def _exists(ctx: RuleContext, name: str) -> bool:
    return ctx.mesh.namespace_object(name) is not None or name in ctx.mesh.namespaces_present


RULE = Rule(
    code="MESH509",
    name="exportto-unknown-namespace",
    summary="exportTo names a namespace absent from an input that defines its namespaces",
    message="exportTo names namespace {namespace}, which is not in the input",
    severity=Severity.WARNING,
    kinds=frozenset(
        {
            Kind.NAMESPACE,
            Kind.VIRTUAL_SERVICE,
            Kind.DESTINATION_RULE,
            Kind.SERVICE_ENTRY,
            Kind.SERVICE,
        }
    ),
    rationale=(
        "exportTo entries are namespace names matched exactly against the client proxy's "
        "namespace; Istio does not check that they exist. A typo or a renamed namespace makes "
        "the object invisible to the clients it was meant for, and they fall back to default "
        "routing or policy without any error."
    ),
    remediation="Fix the namespace name in exportTo, or create the namespace.",
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  exportTo: [".", frontnd]
  http: [{route: [{destination: {host: reviews}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  exportTo: [".", frontend]
  http: [{route: [{destination: {host: reviews}}]}]
""",
    since="0.1.0",
    kiali=("KIA0005",),
    check=check,
)
