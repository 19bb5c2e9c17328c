"""Routing graph: which VS a client sees, route order, weights, DestinationRules, workloads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meshlint.build import build
from meshlint.graph import (
    ClientScope,
    DestinationNode,
    EdgeKind,
    MeshGraph,
    RouteRuleNode,
    SubsetNode,
    VirtualServiceNode,
    WorkloadNode,
)
from meshlint.graph.routing import effective_percents
from meshlint.loader import load, load_text
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings

ROOT = Path(__file__).resolve().parents[1]
ANY = ClientScope.sidecar("*")


def graph_of(text: str) -> MeshGraph:
    resources = build(load_text(text).documents).resources
    return MeshGraph(Mesh.build(resources, MeshSettings()))


def vs(name: str, ns: str, host: str, subset: str, *, extra: str = "", created: str = "") -> str:
    stamp = f", creationTimestamp: '{created}'" if created else ""
    return f"""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: {ns}{stamp}}}
spec:
  hosts: [{host}]
{extra}  http: [{{route: [{{destination: {{host: {host}, subset: {subset}}}}}]}}]
---
"""


def deployment(name: str, ns: str, labels: str) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec: {{containers: [{{name: app, image: app}}]}}
---
"""


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
"""
DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
---
"""
REVIEWS = "reviews.shop.svc.cluster.local"
WORKLOADS = deployment("reviews-v1", "shop", "{app: reviews, version: v1}") + deployment(
    "reviews-v2", "shop", "{app: reviews, version: v2}"
)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([None], [100.0]),  # one destination: 100% whatever the weight
        ([50], [100.0]),
        ([0], [100.0]),
        ([80, 10, 10], [80.0, 10.0, 10.0]),
        ([1, 3], [25.0, 75.0]),  # relative, not required to sum to 100
        ([0, 5], [None, 100.0]),  # weight 0 is dropped
        ([None, 5], [None, 100.0]),  # an omitted weight is 0
        ([0, 0], [None, None]),  # total 0: nothing routed (rejected by Istio)
    ],
)
def test_effective_percents(weights: list[int | None], expected: list[float | None]) -> None:
    assert effective_percents(weights) == expected


SIDECAR_CASES = [
    # (name, yaml, client, host, VSes that client uses)
    (
        "first VS wins for sidecars (oldest first)",
        vs("newer", "shop", "reviews", "v1", created="2024-02-01T00:00:00Z")
        + vs("older", "shop", "reviews", "v2", created="2024-01-01T00:00:00Z"),
        ClientScope.sidecar("web"),
        REVIEWS,
        (VirtualServiceNode("shop", "older"),),
    ),
    (
        "exportTo '.' shows the VS to its own namespace",
        vs("private", "shop", "reviews", "v1", extra='  exportTo: ["."]\n'),
        ClientScope.sidecar("shop"),
        REVIEWS,
        (VirtualServiceNode("shop", "private"),),
    ),
    (
        "exportTo '.' hides the VS from other namespaces",
        vs("private", "shop", "reviews", "v1", extra='  exportTo: ["."]\n'),
        ClientScope.sidecar("web"),
        REVIEWS,
        (),
    ),
    (
        "a private VS beats an older public one in its namespace",
        vs("public", "shop", "reviews", "v1", created="2020-01-01T00:00:00Z")
        + vs("mine", "web", REVIEWS, "v2", extra='  exportTo: ["."]\n'),
        ClientScope.sidecar("web"),
        REVIEWS,
        (VirtualServiceNode("web", "mine"),),
    ),
    (
        "Sidecar egress hides another namespace's VS",
        vs("reviews", "shop", "reviews", "v1")
        + """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: web}
spec: {egress: [{hosts: ["./*"]}]}
---
""",
        ClientScope.sidecar("web"),
        REVIEWS,
        (),
    ),
    (
        "Sidecar egress: the first imported VS wins when the older one is hidden",
        vs("older", "shop", "reviews", "v1", created="2020-01-01T00:00:00Z")
        + vs("mine", "web", REVIEWS, "v2", created="2024-01-01T00:00:00Z")
        + """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: web}
spec: {egress: [{hosts: ["./*"]}]}
---
""",
        ClientScope.sidecar("web"),
        REVIEWS,
        (VirtualServiceNode("web", "mine"),),
    ),
    (
        "a Sidecar importing the namespace keeps the VS",
        vs("reviews", "shop", "reviews", "v1")
        + """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: web}
spec: {egress: [{hosts: ["shop/*"]}]}
---
""",
        ClientScope.sidecar("web"),
        REVIEWS,
        (VirtualServiceNode("shop", "reviews"),),
    ),
]


@pytest.mark.parametrize(
    ("text", "client", "host", "expected"),
    [case[1:] for case in SIDECAR_CASES],
    ids=[case[0] for case in SIDECAR_CASES],
)
def test_sidecar_virtual_service(
    text: str, client: ClientScope, host: str, expected: tuple[VirtualServiceNode, ...]
) -> None:
    graph = graph_of(text)
    client = client if client in graph else graph.client_for_namespace(client.name)
    assert graph.virtual_services_for(client, host) == expected


GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*.example.com"]}]
---
"""


def test_gateway_merges_virtual_services_in_creation_order() -> None:
    extra = "  gateways: [public]\n"
    text = (
        GATEWAY
        + vs("b", "shop", "web.example.com", "v1", extra=extra, created="2024-02-01T00:00:00Z")
        + vs("a", "shop", "web.example.com", "v2", extra=extra, created="2024-01-01T00:00:00Z")
    )
    graph = graph_of(text)
    client = ClientScope.gateway("shop/public")
    assert graph.virtual_services_for(client, "web.example.com") == (
        VirtualServiceNode("shop", "a"),
        VirtualServiceNode("shop", "b"),
    )
    assert graph.virtual_services_for(client, "web.example.com", port=443) == ()
    assert graph.routes_for(client, "web.example.com") == (
        RouteRuleNode(VirtualServiceNode("shop", "a"), "http", 0),
        RouteRuleNode(VirtualServiceNode("shop", "b"), "http", 0),
    )
    # sidecars never see a VS bound only to a gateway
    assert graph.virtual_services_for(ANY, "web.example.com") == ()


def test_service_without_virtual_service_gets_the_default_route() -> None:
    graph = graph_of(SERVICE + WORKLOADS)
    assert graph.virtual_services_for(ANY, REVIEWS) == ()
    destination = graph.default_route(ANY, REVIEWS)
    assert destination == DestinationNode(REVIEWS)
    assert {w.name for w in graph.workloads_for(destination, ANY)} == {"reviews-v1", "reviews-v2"}


def test_subset_selects_its_workloads() -> None:
    graph = graph_of(SERVICE + WORKLOADS + DR + vs("reviews", "shop", "reviews", "v2"))
    (rule,) = graph.routes_for(ANY, REVIEWS)
    ((destination, edge),) = graph.destinations_of(rule)
    assert destination == DestinationNode(REVIEWS, "v2")
    assert (edge.kind, edge.percent) == (EdgeKind.ROUTES_TO, 100.0)
    dr, subset = graph.destination_rule_for(destination, ANY)
    assert dr is not None and (dr.namespace, dr.name) == ("shop", "reviews")
    assert subset == SubsetNode(dr, "v2")
    assert graph.workloads_for(destination, ANY) == (
        WorkloadNode("Deployment", "shop", "reviews-v2"),
    )
    assert graph.subset_users(SubsetNode(dr, "v2")) == (rule,)
    assert graph.subset_users(SubsetNode(dr, "v1")) == ()


def test_wildcard_destination_rule_in_client_namespace_hides_the_exact_one() -> None:
    """ISTIO-SEMANTICS 3.4: the client namespace's wildcard DR wins before the service
    namespace is searched, so `subset: v1` is undefined for clients in `web`."""
    wildcard = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: web}
spec: {host: "*.svc.cluster.local"}
---
"""
    text = SERVICE + WORKLOADS + DR + wildcard + vs("reviews", "shop", "reviews", "v1")
    graph = graph_of(text)
    destination = DestinationNode(REVIEWS, "v1")
    web = graph.client_for_namespace("web")
    dr, subset = graph.destination_rule_for(destination, web)
    assert dr is not None and (dr.namespace, dr.name, subset) == ("web", "all", None)
    assert graph.workloads_for(destination, web) == ()
    other = graph.client_for_namespace("other")
    dr, subset = graph.destination_rule_for(destination, other)
    assert dr is not None and (dr.namespace, dr.name) == ("shop", "reviews")
    assert graph.workloads_for(destination, other) == (
        WorkloadNode("Deployment", "shop", "reviews-v1"),
    )
    # the exact DR's v1 is still used by the callers that get it
    assert graph.subset_users(SubsetNode(dr, "v1"), chosen_only=True)


def test_mirror_and_weight_zero_edges() -> None:
    text = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - {destination: {host: reviews, subset: v1}, weight: 0}
    - {destination: {host: reviews, subset: v2}, weight: 5}
    mirror: {host: reviews, subset: v1}
    mirrorPercentage: {value: 12.5}
"""
    graph = graph_of(text)
    (rule,) = graph.routes_for(ANY, REVIEWS)
    shares = [(d.subset, e.weight, e.percent) for d, e in graph.destinations_of(rule)]
    assert shares == [("v1", 0, None), ("v2", 5, 100.0)]
    mirrors = [(d.subset, e.percent) for d, e in graph.destinations_of(rule, mirrors=True)]
    assert mirrors == [("v1", 12.5)]


def bookinfo() -> MeshGraph:
    loaded = load([str(ROOT / "fixtures" / "meshes" / "bookinfo")])
    resources = build(loaded.documents).resources
    return MeshGraph.build(Mesh.build(resources, MeshSettings()))


def test_bookinfo_productpage_to_reviews_is_80_10_10() -> None:
    graph = bookinfo()
    productpage = WorkloadNode("Deployment", "bookinfo", "productpage-v1")
    assert productpage in graph
    client = graph.client_for_workload(productpage)
    rules = graph.routes_for(client, "reviews.bookinfo.svc.cluster.local")
    assert [r.index for r in rules] == [0, 1]  # jason first, then the canary split
    split = [
        (d.subset, e.percent, tuple(w.name for w in graph.workloads_for(d, client)))
        for d, e in graph.destinations_of(rules[1])
    ]
    assert split == [
        ("v1", 80.0, ("reviews-v1",)),
        ("v2", 10.0, ("reviews-v2",)),
        ("v3", 10.0, ("reviews-v3",)),
    ]


def test_to_json_is_deterministic_and_typed() -> None:
    first, second = bookinfo().to_json(), bookinfo().to_json()
    assert first == second
    ids = {node["id"]: node["type"] for node in first["nodes"]}
    assert ids["vs:bookinfo/reviews"] == "VirtualServiceNode"
    assert ids["gateway:bookinfo/bookinfo-gateway"] == "ClientScope"
    edge = next(
        e
        for e in first["edges"]
        if e["target"] == "dest:reviews.bookinfo.svc.cluster.local v1" and e["kind"] == "routes-to"
    )
    assert (edge["source"], edge["percent"], edge["weight"]) == (
        "rule:bookinfo/reviews/spec/http/1",
        80.0,
        80,
    )


def test_graph_is_built_lazily_and_networkx_is_not_imported_by_the_pipeline_modules() -> None:
    graph = graph_of(SERVICE)
    assert not graph.is_built
    graph.clients()
    assert graph.is_built
    code = "import sys, meshlint.lint, meshlint.cli; print('networkx' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
