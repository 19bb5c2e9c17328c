"""The drawing view of the graph: exact nodes, edges, effective percentages and positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshlint.build import build
from meshlint.graph import GraphView, MeshGraph, ViewEdgeKind, build_view
from meshlint.graph.view import NodeKind, format_percent
from meshlint.loader import load, load_text
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings

ROOT = Path(__file__).resolve().parents[1]
BOOKINFO = ROOT / "fixtures" / "meshes" / "bookinfo"
BROKEN = ROOT / "fixtures" / "meshes" / "broken"
REVIEWS = "reviews.bookinfo.svc.cluster.local"
INGRESS = "source:principal cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"


def view_of_path(path: Path, *, focus: tuple[str, ...] = ()) -> GraphView:
    loaded = load([str(path)], root=ROOT)
    mesh = Mesh.build(build(loaded.documents).resources, MeshSettings())
    return build_view(MeshGraph.build(mesh), mesh, namespaces=focus)


def view_of_text(text: str) -> GraphView:
    mesh = Mesh.build(build(load_text(text).documents).resources, MeshSettings())
    return build_view(MeshGraph.build(mesh), mesh)


def edges(view: GraphView, kind: ViewEdgeKind) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in view.edges if e.kind is kind}


@pytest.fixture(scope="module")
def bookinfo() -> GraphView:
    return view_of_path(BOOKINFO)


@pytest.fixture(scope="module")
def broken() -> GraphView:
    return view_of_path(BROKEN)


def test_bookinfo_nodes(bookinfo: GraphView) -> None:
    by_kind: dict[str, set[str]] = {}
    for node in bookinfo.nodes:
        by_kind.setdefault(node.kind.value, set()).add(node.id)
    workloads = {"productpage-v1", "reviews-v1", "reviews-v2", "reviews-v3", "ratings-v1"}
    assert by_kind == {
        "mesh": {"mesh"},
        "gateway": {"gateway:bookinfo/bookinfo-gateway"},
        "source": {
            "source:principal cluster.local/ns/bookinfo/sa/bookinfo-productpage",
            "source:principal cluster.local/ns/bookinfo/sa/bookinfo-reviews",
            "source:principal cluster.local/ns/istio-system/sa/"
            "istio-ingressgateway-service-account",
        },
        "virtualservice": {
            f"vs:bookinfo/{n}" for n in ("bookinfo", "reviews", "ratings", "details")
        },
        # one-rule VirtualServices without a match (ratings, details) stand for their rule
        "route": {
            "route:bookinfo/bookinfo/spec/http/0",
            "route:bookinfo/reviews/spec/http/0",
            "route:bookinfo/reviews/spec/http/1",
        },
        "service": {
            f"service:{n}.bookinfo.svc.cluster.local"
            for n in ("productpage", "reviews", "ratings", "details")
        }
        | {"service:istio-ingressgateway.istio-system.svc.cluster.local"},
        "subset": {
            f"subset:{REVIEWS}/v1",
            f"subset:{REVIEWS}/v2",
            f"subset:{REVIEWS}/v3",
            "subset:productpage.bookinfo.svc.cluster.local/v1",
            "subset:ratings.bookinfo.svc.cluster.local/v1",
            "subset:details.bookinfo.svc.cluster.local/v1",
        },
        "workload": {f"workload:bookinfo/{n}" for n in workloads | {"details-v1"}}
        | {"workload:istio-system/istio-ingressgateway"},
        "policy": {
            f"policy:bookinfo/{n}"
            for n in (
                "allow-nothing",
                "productpage-viewer",
                "reviews-viewer",
                "details-viewer",
                "ratings-viewer",
            )
        },
    }
    assert bookinfo.namespaces == ("", "bookinfo", "istio-system")


def test_bookinfo_routes_carry_effective_percentages(bookinfo: GraphView) -> None:
    routes = {
        (e.source, e.target): (e.percent, e.label)
        for e in bookinfo.edges
        if e.kind is ViewEdgeKind.ROUTES
    }
    assert routes == {
        ("route:bookinfo/reviews/spec/http/0", f"subset:{REVIEWS}/v2"): (100.0, "100%"),
        ("route:bookinfo/reviews/spec/http/1", f"subset:{REVIEWS}/v1"): (80.0, "80%"),
        ("route:bookinfo/reviews/spec/http/1", f"subset:{REVIEWS}/v2"): (10.0, "10%"),
        ("route:bookinfo/reviews/spec/http/1", f"subset:{REVIEWS}/v3"): (10.0, "10%"),
        (
            "route:bookinfo/bookinfo/spec/http/0",
            "subset:productpage.bookinfo.svc.cluster.local/v1",
        ): (100.0, "100% :9080"),
        ("vs:bookinfo/ratings", "subset:ratings.bookinfo.svc.cluster.local/v1"): (100.0, "100%"),
        ("vs:bookinfo/details", "subset:details.bookinfo.svc.cluster.local/v1"): (100.0, "100%"),
    }


def test_bookinfo_binds_and_rules(bookinfo: GraphView) -> None:
    gateway = bookinfo.node("gateway:bookinfo/bookinfo-gateway")
    assert gateway is not None
    assert gateway.detail == ("runs on istio-system/istio-ingressgateway",)
    assert edges(bookinfo, ViewEdgeKind.BINDS) == {
        ("gateway:bookinfo/bookinfo-gateway", "vs:bookinfo/bookinfo", "bookinfo.example.com:80"),
        ("mesh", "vs:bookinfo/reviews", "reviews"),
        ("mesh", "vs:bookinfo/ratings", "ratings"),
        ("mesh", "vs:bookinfo/details", "details"),
    }
    assert edges(bookinfo, ViewEdgeKind.RULE) == {
        ("vs:bookinfo/bookinfo", "route:bookinfo/bookinfo/spec/http/0", ""),
        ("vs:bookinfo/reviews", "route:bookinfo/reviews/spec/http/0", ""),
        ("vs:bookinfo/reviews", "route:bookinfo/reviews/spec/http/1", ""),
    }


def test_bookinfo_subsets_select_their_version(bookinfo: GraphView) -> None:
    selects = edges(bookinfo, ViewEdgeKind.SELECTS)
    assert {(s, t) for s, t, _ in selects if s.startswith(f"subset:{REVIEWS}")} == {
        (f"subset:{REVIEWS}/v1", "workload:bookinfo/reviews-v1"),
        (f"subset:{REVIEWS}/v2", "workload:bookinfo/reviews-v2"),
        (f"subset:{REVIEWS}/v3", "workload:bookinfo/reviews-v3"),
    }
    assert len(selects) == 6
    # services reach workloads through their subsets; only the gateway Service backs directly
    assert edges(bookinfo, ViewEdgeKind.BACKS) == {
        (
            "service:istio-ingressgateway.istio-system.svc.cluster.local",
            "workload:istio-system/istio-ingressgateway",
            "",
        )
    }


def test_bookinfo_authorization_edges(bookinfo: GraphView) -> None:
    productpage = "source:principal cluster.local/ns/bookinfo/sa/bookinfo-productpage"
    ingress = INGRESS
    assert edges(bookinfo, ViewEdgeKind.ALLOW) == {
        (ingress, "workload:bookinfo/productpage-v1", "productpage-viewer · GET POST"),
        (productpage, "workload:bookinfo/reviews-v1", "reviews-viewer · GET"),
        (productpage, "workload:bookinfo/reviews-v2", "reviews-viewer · GET"),
        (productpage, "workload:bookinfo/reviews-v3", "reviews-viewer · GET"),
        (productpage, "workload:bookinfo/details-v1", "details-viewer · GET"),
        (
            "source:principal cluster.local/ns/bookinfo/sa/bookinfo-reviews",
            "workload:bookinfo/ratings-v1",
            "ratings-viewer · GET",
        ),
    }
    assert not edges(bookinfo, ViewEdgeKind.DENY)
    applies = edges(bookinfo, ViewEdgeKind.APPLIES)
    assert {t for s, t, _ in applies if s == "policy:bookinfo/allow-nothing"} == {
        f"workload:bookinfo/{n}"
        for n in ("productpage-v1", "reviews-v1", "reviews-v2", "reviews-v3", "ratings-v1")
    } | {"workload:bookinfo/details-v1"}
    nothing = bookinfo.node("policy:bookinfo/allow-nothing")
    assert nothing is not None
    assert (nothing.action, nothing.sublabel) == ("ALLOW", "ALLOW · no rules: denies all")


def test_bookinfo_mtls_per_workload(bookinfo: GraphView) -> None:
    modes = {n.id: n.mtls for n in bookinfo.nodes if n.kind is NodeKind.WORKLOAD}
    assert set(modes.values()) == {"STRICT"}
    reviews = bookinfo.node("workload:bookinfo/reviews-v2")
    assert reviews is not None
    assert reviews.sublabel == "Deployment · mTLS STRICT"
    assert reviews.detail == (
        "serviceAccount bookinfo-reviews",
        "mTLS from PeerAuthentication istio-system/default",
    )


@pytest.mark.parametrize(
    ("node_id", "location", "label", "sublabel"),
    [
        ("vs:bookinfo/reviews", "routing.yaml:2", "reviews", "reviews"),
        ("route:bookinfo/reviews/spec/http/0", "routing.yaml:11", "jason", "end-user=jason"),
        ("route:bookinfo/reviews/spec/http/1", "routing.yaml:21", "canary", "default"),
        (
            "route:bookinfo/bookinfo/spec/http/0",
            "gateway.yaml:29",
            "http[0]",
            "/productpage (+4)",
        ),
        (f"subset:{REVIEWS}/v2", "destination-rules.yaml:25", "reviews v2", "version=v2"),
        (
            "gateway:bookinfo/bookinfo-gateway",
            "gateway.yaml:2",
            "bookinfo-gateway",
            "Gateway · 80/HTTP",
        ),
        (
            "policy:bookinfo/reviews-viewer",
            "authorization.yaml:29",
            "reviews-viewer",
            "ALLOW · 1 rule",
        ),
    ],
)
def test_node_positions_and_labels(
    bookinfo: GraphView, node_id: str, location: str, label: str, sublabel: str
) -> None:
    node = bookinfo.node(node_id)
    assert node is not None
    assert node.location == f"fixtures/meshes/bookinfo/{location}"
    assert (node.label, node.sublabel) == (label, sublabel)


def test_broken_mesh_marks_missing_targets(broken: GraphView) -> None:
    missing = {n.id: n.sublabel for n in broken.nodes if n.missing}
    assert missing == {
        "service:ratings-v2.shop.svc.cluster.local": "not defined",
        "subset:reviews.shop.svc.cluster.local/v3": "not defined",
    }
    routes = {(e.source, e.target): e.label for e in broken.edges if e.kind is ViewEdgeKind.ROUTES}
    # reviews v1 written twice (short name and FQDN): one edge with the total and both shares
    canary = ("route:shop/reviews/spec/http/2", "subset:reviews.shop.svc.cluster.local/v1")
    assert routes[canary] == "100% (77.8% + 22.2%)"
    dark = ("route:shop/ratings/spec/http/0", "service:ratings-v2.shop.svc.cluster.local")
    assert routes[dark] == "0% (weight 0)"
    assert routes[("route:shop/ratings/spec/http/1", "service:ratings.shop.svc.cluster.local")] == (
        "100% :9090"
    )
    assert {n.mtls for n in broken.nodes if n.kind is NodeKind.WORKLOAD} == {"PERMISSIVE"}


SHOP = """\
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{port: 80, name: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec: {containers: [{name: app, image: app}]}
---
"""


def test_policy_sources_deny_any_and_negations() -> None:
    view = view_of_text(
        SHOP
        + """\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: block, namespace: shop}
spec:
  action: DENY
  rules:
  - to: [{operation: {paths: [/admin]}}]
  - from: [{source: {namespaces: [web], notPrincipals: [cluster.local/ns/web/sa/ok]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: from-web, namespace: shop}
spec:
  rules: [{from: [{source: {namespaces: [web]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: two-callers, namespace: shop}
spec:
  rules: [{from: [{source: {principals: [cluster.local/ns/web/sa/a, cluster.local/ns/*/sa/b]}}]}]
"""
    )
    assert edges(view, ViewEdgeKind.DENY) == {
        ("source:any", "workload:shop/cart", "block · /admin"),
        (
            "source:not principal cluster.local/ns/web/sa/ok; namespace web",
            "workload:shop/cart",
            "block",
        ),
    }
    both = view.node("source:not principal cluster.local/ns/web/sa/ok; namespace web")
    assert both is not None
    assert (both.label, both.namespace, both.sublabel) == (
        "not principal cluster.local/ns/we…",
        "web",
        "namespace web",
    )
    # principals [a, b] means a or b: one source each
    assert edges(view, ViewEdgeKind.ALLOW) == {
        ("source:namespace web", "workload:shop/cart", "from-web"),
        ("source:principal cluster.local/ns/web/sa/a", "workload:shop/cart", "two-callers"),
        ("source:principal cluster.local/ns/*/sa/b", "workload:shop/cart", "two-callers"),
    }
    labels = {
        n.id.removeprefix("source:"): (n.label, n.namespace, n.sublabel)
        for n in view.nodes
        if n.kind is NodeKind.SOURCE
    }
    assert labels["principal cluster.local/ns/web/sa/a"] == (
        "a",
        "web",
        "principal · service account",
    )
    assert labels["principal cluster.local/ns/*/sa/b"] == (
        "cluster.local/ns/*/sa/b",
        "",
        "principal",
    )
    assert labels["any"] == ("any source", "", "every caller")
    web = view.node("source:namespace web")
    assert web is not None
    assert (web.label, web.namespace) == ("namespace web", "web")


def test_mirror_and_collapsed_rule() -> None:
    view = view_of_text(
        SHOP
        + """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
  - route: [{destination: {host: cart}}]
    mirror: {host: cart-shadow}
    mirrorPercentage: {value: 25}
"""
    )
    assert edges(view, ViewEdgeKind.ROUTES) == {
        ("vs:shop/cart", "service:cart.shop.svc.cluster.local", "100%")
    }
    assert edges(view, ViewEdgeKind.MIRRORS) == {
        ("vs:shop/cart", "service:cart-shadow.shop.svc.cluster.local", "mirror 25%")
    }
    shadow = view.node("service:cart-shadow.shop.svc.cluster.local")
    assert shadow is not None
    assert (shadow.missing, shadow.file) == (True, None)
    assert edges(view, ViewEdgeKind.BACKS) == {
        ("service:cart.shop.svc.cluster.local", "workload:shop/cart", "")
    }


def test_focus_keeps_a_namespace_and_its_neighbours() -> None:
    view = view_of_path(BOOKINFO, focus=("istio-system",))
    assert {n.id for n in view.nodes} == {
        INGRESS,
        "service:istio-ingressgateway.istio-system.svc.cluster.local",
        "workload:istio-system/istio-ingressgateway",
        "workload:bookinfo/productpage-v1",
    }
    assert {(e.source, e.target) for e in view.edges} == {
        (
            INGRESS,
            "workload:bookinfo/productpage-v1",
        ),
        (
            "service:istio-ingressgateway.istio-system.svc.cluster.local",
            "workload:istio-system/istio-ingressgateway",
        ),
    }


def test_every_edge_joins_two_nodes(bookinfo: GraphView, broken: GraphView) -> None:
    for view in (bookinfo, broken):
        ids = {n.id for n in view.nodes}
        assert len(ids) == len(view.nodes)
        assert {e.source for e in view.edges} | {e.target for e in view.edges} <= ids


@pytest.mark.parametrize(
    ("percent", "text"), [(100.0, "100%"), (77.77777, "77.8%"), (22.2222, "22.2%"), (0.04, "0%")]
)
def test_format_percent(percent: float, text: str) -> None:
    assert format_percent(percent) == text


def test_subset_no_caller_gets() -> None:
    """The subset exists, but only in a DestinationRule private to another namespace."""
    view = view_of_text(
        SHOP
        + """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: other}
spec:
  host: cart.shop.svc.cluster.local
  exportTo: ["."]
  subsets: [{name: v1, labels: {app: cart}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  exportTo: ["."]
  http: [{route: [{destination: {host: cart, subset: v1}}]}]
"""
    )
    assert edges(view, ViewEdgeKind.ROUTES) == {
        ("vs:shop/cart", "subset:cart.shop.svc.cluster.local/v1", "100% (no caller gets it)")
    }
    subset = view.node("subset:cart.shop.svc.cluster.local/v1")
    assert subset is not None
    assert (subset.missing, subset.namespace, subset.detail[0]) == (
        False,
        "other",
        "DestinationRule other/cart",
    )
