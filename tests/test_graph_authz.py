"""Authorization graph: PeerAuthentication mode per workload port, policies per workload."""

from __future__ import annotations

import pytest

from meshlint.build import build
from meshlint.graph import EdgeKind, MeshGraph, PeerAuthenticationNode, PolicyNode, WorkloadNode
from meshlint.loader import load_text
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: shop, labels: {{app: {name}}}}}
spec:
  containers:
  - name: app
    image: app
    ports: [{{containerPort: 8080}}, {{containerPort: 9090}}]
---
"""
MESH_PA = """\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
"""
NAMESPACE_PA = """\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
---
"""
PORT_PA = """\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart-metrics, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
  portLevelMtls: {"9090": {mode: DISABLE}}
---
"""
POLICIES = """\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-deny, namespace: istio-system}
spec:
  action: DENY
  rules: [{to: [{operation: {paths: [/admin]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-only, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop-audit, namespace: shop}
spec: {action: AUDIT, rules: [{}]}
---
"""
CART = WorkloadNode("Pod", "shop", "cart")
WEB = WorkloadNode("Pod", "shop", "web")


def graph_of(*parts: str) -> MeshGraph:
    text = POD.format(name="cart") + POD.format(name="web") + "".join(parts)
    resources = build(load_text(text).documents).resources
    return MeshGraph.build(Mesh.build(resources, MeshSettings()))


MTLS_CASES = [
    # (name, policies, workload, port, (PA namespace, PA name), mode, level)
    ("no policy: PERMISSIVE by default", (), WEB, 8080, ("", ""), "PERMISSIVE", "default"),
    ("mesh-wide STRICT", (MESH_PA,), WEB, 8080, ("istio-system", "default"), "STRICT", "mesh"),
    (
        "namespace overrides mesh",
        (MESH_PA, NAMESPACE_PA),
        WEB,
        None,
        ("shop", "default"),
        "PERMISSIVE",
        "namespace",
    ),
    (
        "workload policy, other port",
        (MESH_PA, NAMESPACE_PA, PORT_PA),
        CART,
        8080,
        ("shop", "cart-metrics"),
        "STRICT",
        "workload",
    ),
    (
        "port-level DISABLE",
        (MESH_PA, NAMESPACE_PA, PORT_PA),
        CART,
        9090,
        ("shop", "cart-metrics"),
        "DISABLE",
        "port",
    ),
    (
        "undeclared port falls back to the workload decision",
        (MESH_PA, NAMESPACE_PA, PORT_PA),
        CART,
        7070,
        ("shop", "cart-metrics"),
        "STRICT",
        "workload",
    ),
    (
        "port-level policy does not reach other workloads",
        (MESH_PA, NAMESPACE_PA, PORT_PA),
        WEB,
        9090,
        ("shop", "default"),
        "PERMISSIVE",
        "namespace",
    ),
]


@pytest.mark.parametrize(
    ("policies", "workload", "port", "expected"),
    [(*case[1:4], case[4:]) for case in MTLS_CASES],
    ids=[case[0] for case in MTLS_CASES],
)
def test_mtls_mode_per_port(
    policies: tuple[str, ...],
    workload: WorkloadNode,
    port: int | None,
    expected: tuple[tuple[str, str], str, str],
) -> None:
    decider, mode, level = expected
    graph = graph_of(*policies)
    found = graph.mtls_for(workload, port)
    assert found is not None
    node, edge = found
    assert node == PeerAuthenticationNode(*decider)
    assert (edge.kind, edge.mode, edge.level) == (EdgeKind.MTLS, mode, level)


def test_only_differing_ports_get_their_own_edge() -> None:
    graph = graph_of(MESH_PA, PORT_PA)
    ports = [e.port for _, e in graph.out_edges(CART, {EdgeKind.MTLS})]
    assert sorted(ports, key=lambda p: -1 if p is None else p) == [None, 9090]


@pytest.mark.parametrize(
    ("workload", "expected"),
    [
        (
            CART,
            {
                (PolicyNode("istio-system", "mesh-deny"), "DENY"),
                (PolicyNode("shop", "cart-only"), "ALLOW"),
                (PolicyNode("shop", "shop-audit"), "AUDIT"),
            },
        ),
        (
            WEB,
            {
                (PolicyNode("istio-system", "mesh-deny"), "DENY"),
                (PolicyNode("shop", "shop-audit"), "AUDIT"),
            },
        ),
    ],
)
def test_policies_per_workload(
    workload: WorkloadNode, expected: set[tuple[PolicyNode, str]]
) -> None:
    graph = graph_of(POLICIES)
    assert set(graph.policies_for(workload)) == expected
    policy = graph.resource(PolicyNode("shop", "shop-audit"))
    assert policy is not None and policy.name == "shop-audit"
