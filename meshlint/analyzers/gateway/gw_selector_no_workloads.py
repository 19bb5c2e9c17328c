"""MESH401: a Gateway whose selector matches no gateway workload in the input."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.gateway_queries import POD_KINDS, gateway_pods_known
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    # Offline precision (SPEC §1): gateway pods are usually installed apart from the config
    # (Helm, operator), so "matches nothing" is only trusted when the input holds at least
    # one gateway proxy workload (or --assume-complete).
    if not gateway_pods_known(ctx.mesh):
        return
    for gateway in ctx.mesh.all(Gateway):
        selector = gateway.spec.selector
        # an empty selector selects every gateway proxy (6.2): nothing to resolve
        if selector and not ctx.mesh.workloads_selected(None, selector):
            labels = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            yield ctx.finding(gateway, "/spec/selector", selector=labels)


RULE = Rule(
    code="MESH401",
    name="gw-selector-no-workloads",
    summary="The Gateway selector matches no gateway workload",
    message="{resource} selects {selector}, but no workload in the input has these labels",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.GATEWAY}) | POD_KINDS,
    rationale=(
        "A Gateway configures only the gateway proxies whose labels contain all of its "
        "selector labels, in any namespace. When no pod matches, no proxy listens on its "
        "servers and every VirtualService bound to it is dead configuration. The rule runs "
        "only when the input contains gateway workloads, so a partial view stays silent."
    ),
    remediation=(
        "Fix the selector labels to match the gateway deployment's pod labels, or deploy a "
        "gateway with these labels."
    ),
    example_bad="""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingresgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
""",
    example_good="""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
""",
    since="0.1.0",
    istio=("IST0101",),
    kiali=("KIA0302",),
    check=check,
)
