"""MESH314: an AuthorizationPolicy names a namespace or service account the input lacks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import (
    WORKLOAD_KINDS,
    namespace_glob_matches,
    service_accounts,
)
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy, Source
from meshlint.rule import Rule, RuleContext

NAMESPACE_FIELDS = {"namespaces": "namespaces", "not_namespaces": "notNamespaces"}
PRINCIPAL_FIELDS = {"principals": "principals", "not_principals": "notPrincipals"}
ACCOUNT_FIELDS = {
    "service_accounts": "serviceAccounts",
    "not_service_accounts": "notServiceAccounts",
}
WHEN_KINDS = {
    "source.namespace": "namespace",
    "source.principal": "principal",
    "source.serviceAccount": "account",
}


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str  # namespace | principal | account
    value: str
    pointer: str


@dataclass(frozen=True, slots=True)
class Problem:
    text: str
    severity: Severity | None = None  # None: the rule's default


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        namespace = ctx.mesh.namespace_of(policy)
        for ref in _references(policy):
            problem = _problem(ctx, ref, namespace)
            if problem is not None:
                yield ctx.finding(
                    policy,
                    ref.pointer,
                    severity=ctx.severity or problem.severity,
                    kind=ref.kind.replace("account", "service account"),
                    value=ref.value,
                    problem=problem.text,
                )


def _references(policy: AuthorizationPolicy) -> Iterator[Reference]:
    for r, rule in enumerate(policy.spec.rules or ()):
        for f, entry in enumerate(rule.from_ or ()):
            if entry.source is not None:
                yield from _source_refs(entry.source, f"/spec/rules/{r}/from/{f}/source")
        for w, condition in enumerate(rule.when):
            kind = WHEN_KINDS.get(condition.key)
            if kind is None:
                continue
            for field, values in (
                ("values", condition.values),
                ("notValues", condition.not_values),
            ):
                for v, value in enumerate(values):
                    yield Reference(kind, value, f"/spec/rules/{r}/when/{w}/{field}/{v}")


def _source_refs(source: Source, at: str) -> Iterator[Reference]:
    for kind, fields in (
        ("namespace", NAMESPACE_FIELDS),
        ("principal", PRINCIPAL_FIELDS),
        ("account", ACCOUNT_FIELDS),
    ):
        for name, alias in fields.items():
            for index, value in enumerate(getattr(source, name)):
                yield Reference(kind, value, f"{at}/{alias}/{index}")


def _problem(ctx: RuleContext, ref: Reference, policy_namespace: str) -> Problem | None:
    if ref.kind == "namespace":
        return _namespace_problem(ctx, ref.value)
    if ref.kind == "account":
        namespace, _, account = ref.value.rpartition("/")
        return _account_problem(ctx, namespace or policy_namespace, account)
    # a principal's namespace is only part of an identity (it may be another cluster's): only
    # its service account is checked, and only where the input covers the namespace
    parsed = _principal(ctx, ref.value)
    return None if parsed is None else _account_problem(ctx, *parsed)


def _namespace_problem(ctx: RuleContext, pattern: str) -> Problem | None:
    """``namespaces`` values are globs (5.3); unknown namespaces are reported at info level
    unless the input is declared complete (SPEC §1 offline precision)."""
    if any(namespace_glob_matches(pattern, ns) for ns in ctx.mesh.namespaces_present):
        return None
    if ctx.mesh.settings.assume_complete:
        return Problem("which matches no namespace")
    return Problem("which matches no namespace in the input (it may be outside it)", Severity.INFO)


def _account_problem(ctx: RuleContext, namespace: str, account: str) -> Problem | None:
    if "*" in account or "*" in namespace or not ctx.mesh.namespace_known(namespace):
        return None
    known = service_accounts(ctx.mesh, namespace)
    if known is None or account in known:
        return None  # the input says nothing about that namespace's service accounts
    return Problem(f"but namespace {namespace} has no service account {account}")


def _principal(ctx: RuleContext, value: str) -> tuple[str, str] | None:
    """(namespace, account) of ``<trust domain>/ns/<ns>/sa/<sa>`` in this mesh's trust
    domain (or an alias, rewritten by istiod); None for other forms and foreign domains."""
    parts = value.split("/")
    if len(parts) != 5 or parts[1] != "ns" or parts[3] != "sa":
        return None
    domains = {ctx.mesh.settings.trust_domain, *ctx.mesh.settings.trust_domain_aliases, "*"}
    if parts[0] not in domains or "*" in parts[2]:
        return None
    return parts[2], parts[4]


RULE = Rule(
    code="MESH314",
    name="authz-unknown-source",
    summary="An AuthorizationPolicy names a namespace or service account that does not exist",
    message="{resource} names {kind} {value}, {problem}",
    severity=Severity.WARNING,
    kinds=frozenset(
        {Kind.AUTHORIZATION_POLICY, Kind.NAMESPACE, Kind.SERVICE_ACCOUNT, *WORKLOAD_KINDS}
    ),
    rationale=(
        "Sources are matched against the caller's SPIFFE identity "
        "(<trust domain>/ns/<namespace>/sa/<account>). A namespace or service account that "
        "does not exist never matches: an ALLOW rule allows nobody and a DENY rule denies "
        "nobody, usually because of a typo. Namespaces absent from the input are reported at "
        "info level, since the input may be a partial view of the cluster."
    ),
    remediation=(
        "Fix the namespace or service account name (namespaces accept * globs), or create the "
        "missing object."
    ),
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: frontend, namespace: shop}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontnd]}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: frontend, namespace: shop}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]}]
""",
    since="0.1.0",
    istio=("IST0101",),
    kiali=("KIA0101", "KIA0106"),
    check=check,
)
