"""MESH131: fault injection left in a route (warning when it hits every request)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import FaultAbort, FaultDelay, VirtualService
from meshlint.rule import Rule, RuleContext

FULL = 100.0


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for index, route in enumerate(vs.spec.http):
            fault = route.fault
            if fault is None:
                continue
            base = f"/spec/http/{index}/fault"
            for kind, percent in (("abort", _abort(fault.abort)), ("delay", _delay(fault.delay))):
                if percent is None or percent <= 0:
                    continue  # an absent or zero percentage injects nothing (1.11)
                severity = Severity.WARNING if percent >= FULL else Severity.INFO
                yield ctx.finding(
                    vs,
                    f"{base}/{kind}",
                    severity=severity,
                    what=_describe(kind, fault.abort, fault.delay),
                    percent=f"{min(percent, FULL):g}",
                )


def _abort(abort: FaultAbort | None) -> float | None:
    if abort is None or abort.percentage is None:
        return None
    return abort.percentage.value


def _delay(delay: FaultDelay | None) -> float | None:
    if delay is None or delay.fixed_delay is None:
        return None
    if delay.percentage is not None:
        return delay.percentage.value
    return float(delay.percent) if delay.percent is not None else None


def _describe(kind: str, abort: FaultAbort | None, delay: FaultDelay | None) -> str:
    if kind == "delay" and delay is not None:
        return f"a delay of {delay.fixed_delay}"
    status = None
    if abort is not None:
        status = abort.http_status if abort.http_status is not None else abort.grpc_status
    return f"an abort ({status})" if status is not None else "an abort"


RULE = Rule(
    code="MESH131",
    name="vs-fault-injection",
    summary="Fault injection delays or aborts requests",
    message="fault injection adds {what} to {percent}% of the requests",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Fault injection is a testing tool. Left in a route it delays or fails real "
        "requests; at 100% the route always fails or is always slow, which is almost never "
        "meant outside a test. Below 100% it is reported as information so it is not "
        "forgotten."
    ),
    remediation="Remove the fault block once the test is over, or lower its percentage.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - fault: {abort: {httpStatus: 500, percentage: {value: 100}}}
    route: [{destination: {host: ratings}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings]
  http:
  - route: [{destination: {host: ratings}}]
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
