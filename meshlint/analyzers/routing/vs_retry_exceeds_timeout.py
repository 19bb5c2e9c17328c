"""MESH130: retries that the route timeout cuts short (perTryTimeout vs timeout)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import HTTPRoute, VirtualService
from meshlint.rule import Rule, RuleContext
from meshlint.schema.durations import parse_duration


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for index, route in enumerate(vs.spec.http):
            problem = retry_problem(route)
            if problem is not None:
                base = f"/spec/http/{index}"
                yield ctx.finding(
                    vs,
                    f"{base}/retries/perTryTimeout",
                    related=[(vs, f"{base}/timeout", "the route timeout")],
                    problem=problem,
                )


def retry_problem(route: HTTPRoute) -> str | None:
    """Why the retries cannot all run within the route timeout (1.10), or None."""
    retries = route.retries
    if route.timeout is None or retries is None or retries.per_try_timeout is None:
        return None
    attempts = retries.attempts or 0
    timeout = parse_duration(route.timeout)
    per_try = parse_duration(retries.per_try_timeout)
    if attempts <= 0 or not timeout or not per_try or timeout < 0 or per_try < 0:
        return None  # no retries, no timeout (0 disables it) or invalid (MESH004)
    if per_try >= timeout:
        return (
            f"perTryTimeout {retries.per_try_timeout} is not shorter than the route timeout "
            f"{route.timeout}: a timed-out first try leaves no time for any retry"
        )
    if attempts * per_try > timeout:
        return (
            f"{attempts} attempts x perTryTimeout {retries.per_try_timeout} exceed the route "
            f"timeout {route.timeout}: the last retries are cut short"
        )
    return None


RULE = Rule(
    code="MESH130",
    name="vs-retry-exceeds-timeout",
    summary="Retries do not fit in the route timeout",
    message="{problem}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "The route timeout bounds the whole request, retries included; perTryTimeout bounds "
        "each try. When one try may take as long as the whole timeout, or the attempts "
        "together take longer, Envoy gives up with 504 before the configured retries run, "
        "so the retry policy promises more resilience than it gives."
    ),
    remediation=("Make perTryTimeout x attempts fit within timeout, or raise the timeout."),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - timeout: 2s
    retries: {attempts: 3, perTryTimeout: 2s}
    route: [{destination: {host: ratings}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - timeout: 6s
    retries: {attempts: 3, perTryTimeout: 2s}
    route: [{destination: {host: ratings}}]
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
