"""Routing queries: per-proxy route reachability, 404 witnesses, host claims, subset routing."""

from __future__ import annotations

import json

import pytest

from meshlint.build import build
from meshlint.loader import load_text
from meshlint.mesh import Mesh
from meshlint.mesh.routing_queries import (
    DeadRoute,
    attachments,
    host_conflicts,
    http_rules,
    ineffective_matches,
    sidecar_listener_ports,
    subset_routing_hosts,
    unreachable_rules,
    unrouted_request,
)
from meshlint.meshconfig import MeshSettings
from meshlint.model.networking import VirtualService
from meshlint.solver import Context


def mesh_of(text: str) -> Mesh:
    built = build(load_text(text).documents)
    return Mesh.build(built.resources, MeshSettings(), invalid=built.invalid)


def the_vs(mesh: Mesh, name: str) -> VirtualService:
    return next(v for v in mesh.all(VirtualService) if v.name == name)


def vs_yaml(name: str, spec: str, namespace: str = "shop") -> str:
    head = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
    return f"{head}metadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{spec}---\n"


API = vs_yaml(
    "api",
    """\
  hosts: [api]
  gateways: [mesh, gw]
  http:
  - name: gw-only
    match: [{gateways: [gw]}]
    route: [{destination: {host: api}}]
  - name: all
    match: [{uri: {prefix: /}}]
    route: [{destination: {host: api}}]
""",
)


def test_attachments_one_context_per_proxy_kind() -> None:
    mesh = mesh_of(API)
    found = attachments(mesh, the_vs(mesh, "api"))
    assert [a.gateway for a in found] == ["mesh", "shop/gw"]
    assert found[0].context == Context.sidecar()
    assert found[1].context == Context(gateways=frozenset({"shop/gw"}))


def test_http_rules_resolve_match_gateways_against_the_vs_namespace() -> None:
    mesh = mesh_of(API)
    rules = http_rules(mesh, the_vs(mesh, "api"))
    assert rules[0].matches[0].selector.gateways == ("shop/gw",)
    assert rules[1].name == "all"


def test_rules_after_a_delegate_are_left_out() -> None:
    spec = """\
  hosts: [orders]
  http:
  - match: [{uri: {prefix: /a}}]
    delegate: {name: a}
  - match: [{uri: {prefix: /a/b}}]
    route: [{destination: {host: b}}]
"""
    mesh = mesh_of(vs_yaml("orders", spec))
    vs = the_vs(mesh, "orders")
    assert len(http_rules(mesh, vs)) == 1
    assert list(unreachable_rules(mesh, vs)) == []
    assert unrouted_request(mesh, vs) is None


def test_rule_dead_on_one_proxy_but_reachable_on_another_is_not_reported() -> None:
    # on the gateway http[1] is covered by http[0]; on the sidecars it is reachable
    mesh = mesh_of(API)
    assert list(unreachable_rules(mesh, the_vs(mesh, "api"))) == []


def test_rule_covered_everywhere_names_covering_rule_and_proxies() -> None:
    spec = """\
  hosts: [api]
  gateways: [mesh, gw]
  http:
  - name: first
    match: [{uri: {prefix: /x}}]
    route: [{destination: {host: api}}]
  - match: [{uri: {prefix: /x/y}}]
    route: [{destination: {host: api}}]
"""
    mesh = mesh_of(vs_yaml("api", spec))
    (dead,) = unreachable_rules(mesh, the_vs(mesh, "api"))
    assert (dead.section, dead.rule, dead.match, dead.covering) == ("http", 1, None, (0,))
    assert dead.proxies == ("mesh", "shop/gw")
    assert dead.render(("first", "")) == "covered by http[0] (first)"
    data = dead.to_dict(("first", ""))
    assert json.loads(json.dumps(data)) == data
    assert data["covering"] == [{"rule": 0, "name": "first"}]


def test_empty_only_is_never_dead() -> None:
    # every match of http[1] is removed on the sidecars: "empty", not "covered"
    spec = """\
  hosts: [api]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: api}}]
  - match: [{gateways: [gw]}]
    route: [{destination: {host: api}}]
  - route: [{destination: {host: api}}]
"""
    mesh = mesh_of(vs_yaml("api", spec))
    assert list(unreachable_rules(mesh, the_vs(mesh, "api"))) == []


def test_ineffective_match_by_earlier_match_of_the_same_rule() -> None:
    spec = """\
  hosts: [api]
  http:
  - match: [{uri: {prefix: /a}}, {uri: {prefix: /a/b}}, {uri: {prefix: /c}}]
    route: [{destination: {host: api}}]
  - route: [{destination: {host: api}}]
"""
    mesh = mesh_of(vs_yaml("api", spec))
    (dead,) = ineffective_matches(mesh, the_vs(mesh, "api"))
    assert dead == DeadRoute("http", 0, 1, (), (0,), ("mesh",))
    assert dead.render() == "covered by match[0] of the same rule"


def test_whole_rule_dead_is_not_an_ineffective_match() -> None:
    spec = """\
  hosts: [api]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: api}}]
  - match: [{uri: {prefix: /a/b}}, {uri: {exact: /a}}]
    route: [{destination: {host: api}}]
"""
    mesh = mesh_of(vs_yaml("api", spec))
    vs = the_vs(mesh, "api")
    assert list(ineffective_matches(mesh, vs)) == []
    assert [d.rule for d in unreachable_rules(mesh, vs)] == [1]


def test_tcp_ineffective_match() -> None:
    spec = """\
  hosts: [db]
  tcp:
  - match: [{port: 5432}]
    route: [{destination: {host: db}}]
  - match: [{port: 5432}, {port: 5433}]
    route: [{destination: {host: db}}]
"""
    mesh = mesh_of(vs_yaml("db", spec))
    (dead,) = ineffective_matches(mesh, the_vs(mesh, "db"))
    assert (dead.section, dead.rule, dead.match, dead.covering) == ("tcp", 1, 0, (0,))


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 8080}, {name: http-admin, port: 9090}, {name: tcp-db, port: 5432}]
---
"""


def test_sidecar_listener_ports_are_http_ports_of_the_hosts() -> None:
    spec = "  hosts: [web, api.example.com]\n  http: [{route: [{destination: {host: web}}]}]\n"
    mesh = mesh_of(SERVICE + vs_yaml("web", spec))
    # api.example.com is no registry service: port 80 only (2.3); tcp-db is not HTTP
    assert sidecar_listener_ports(mesh, the_vs(mesh, "web")) == (80, 8080, 9090)


def test_sidecar_listener_ports_unknown_for_wildcards() -> None:
    spec = '  hosts: ["*.example.com"]\n  http: [{route: [{destination: {host: web}}]}]\n'
    mesh = mesh_of(vs_yaml("wild", spec))
    assert sidecar_listener_ports(mesh, the_vs(mesh, "wild")) is None


TO_WEB = "route: [{destination: {host: web}}]"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (f"  hosts: [web]\n  http: [{{match: [{{uri: {{prefix: /api}}}}], {TO_WEB}}}]\n", "GET /"),
        (
            f"  hosts: [web]\n  http: [{{match: [{{port: 8080}}], {TO_WEB}}}]\n",
            "GET / with port 9090",
        ),
        (
            "  hosts: [web]\n  http:\n  - {match: [{port: 8080}], " + TO_WEB + "}\n"
            "  - {match: [{port: 9090}], " + TO_WEB + "}\n",
            None,
        ),
        (
            "  hosts: [web]\n  gateways: [gw]\n"
            f"  http: [{{match: [{{uri: {{prefix: /api}}}}], {TO_WEB}}}]\n",
            None,
        ),
        (f"  hosts: [web]\n  http: [{{{TO_WEB}}}]\n", None),
    ],
    ids=["prefix-only", "port-9090-unrouted", "both-ports", "gateway-only", "catch-all"],
)
def test_unrouted_request(spec: str, expected: str | None) -> None:
    mesh = mesh_of(SERVICE + vs_yaml("web", spec))
    witness = unrouted_request(mesh, the_vs(mesh, "web"))
    assert (witness.render() if witness else None) == expected


def test_unrouted_request_witness_avoids_every_rule() -> None:
    spec = """\
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /}, method: {exact: GET}}]
    route: [{destination: {host: reviews}}]
"""
    mesh = mesh_of(vs_yaml("reviews", spec))
    witness = unrouted_request(mesh, the_vs(mesh, "reviews"))
    assert witness is not None
    assert witness.request.method != "GET"
    assert witness.request.headers.get("end-user") != "jason"


CLAIMS = (
    vs_yaml("a", "  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]\n")
    + vs_yaml(
        "b",
        "  hosts: [reviews.shop.svc.cluster.local]\n  exportTo: [front]\n"
        "  http: [{route: [{destination: {host: reviews}}]}]\n",
    )
    + vs_yaml(
        "c",
        "  hosts: [reviews.shop.svc.cluster.local]\n  exportTo: [back]\n"
        "  http: [{route: [{destination: {host: reviews}}]}]\n",
        namespace="other",
    )
    + vs_yaml(
        "d",
        "  hosts: [reviews.shop.svc.cluster.local]\n  gateways: [gw]\n"
        "  http: [{route: [{destination: {host: reviews}}]}]\n",
    )
)


def test_host_conflicts_need_a_shared_namespace() -> None:
    mesh = mesh_of(CLAIMS)
    found = {
        (c.claim.bound.resource.name, tuple(sorted(o.bound.resource.name for o in c.others)))
        for c in host_conflicts(mesh)
    }
    # a (public) meets b and c; b (front) and c (back) never meet; d is gateway-only
    assert found == {("a", ("b", "c")), ("b", ("a",)), ("c", ("a",))}


def test_scoped_wildcard_overlapping_a_public_host_conflicts() -> None:
    text = (
        vs_yaml(
            "scoped",
            '  hosts: ["*.api.example.com"]\n  exportTo: ["."]\n'
            "  http: [{route: [{destination: {host: x.example.com}}]}]\n",
        )
        + vs_yaml(
            "public",
            '  hosts: ["*.example.com"]\n'
            "  http: [{route: [{destination: {host: x.example.com}}]}]\n",
        )
        + vs_yaml(
            "exact",
            "  hosts: [www.example.com]\n"
            "  http: [{route: [{destination: {host: x.example.com}}]}]\n",
        )
    )
    mesh = mesh_of(text)
    found = {c.claim.bound.resource.name: {o.host for o in c.others} for c in host_conflicts(mesh)}
    # two public hosts that only overlap are resolved by "most specific wins": no conflict
    assert found == {"scoped": {"*.example.com"}, "public": {"*.api.example.com"}}


def test_subset_routing_hosts() -> None:
    text = (
        vs_yaml(
            "reviews",
            "  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews, subset: v1}}]}]\n",
        )
        + vs_yaml(
            "ratings",
            "  hosts: [ratings]\n  http: [{route: [{destination: {host: reviews, subset: v1}}]}]\n",
        )
        + vs_yaml(
            "edge",
            "  hosts: [details]\n  gateways: [gw]\n"
            "  http: [{route: [{destination: {host: details, subset: v1}}]}]\n",
        )
    )
    mesh = mesh_of(text)
    found = subset_routing_hosts(mesh)
    assert {h: b.resource.name for h, b in found.items()} == {
        "reviews.shop.svc.cluster.local": "reviews"
    }


def test_build_records_foreign_kubernetes_objects() -> None:
    text = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: edge, namespace: web}
spec: {parentRefs: [{name: edge}]}
---
plain: yaml
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
"""
    built = build(load_text(text).documents)
    refs = [(r.api_version, r.kind, r.namespace, r.name) for r in built.foreign]
    assert refs == [
        ("gateway.networking.k8s.io/v1", "HTTPRoute", "web", "edge"),
        ("policy/v1", "PodDisruptionBudget", None, "web"),
    ]
    assert built.skipped == 2  # the plain YAML never reaches the build


def test_delegate_virtual_services_are_not_judged() -> None:
    spec = """\
  http:
  - match: [{uri: {regex: "/a.*"}}]
    route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /a/b}}]
    route: [{destination: {host: b}}]
"""
    mesh = mesh_of(vs_yaml("routes", spec))
    vs = the_vs(mesh, "routes")
    # merging drops a delegate route whose regex conflicts with the root, reviving http[1]
    assert list(unreachable_rules(mesh, vs)) == []
    assert list(ineffective_matches(mesh, vs)) == []


@pytest.mark.parametrize(
    ("gateways", "dead"),
    [("[mesh]", [2]), ("[gw]", []), ("[gw, mesh]", [])],
)
def test_gateways_move_catch_all_routes_last(gateways: str, dead: list[int]) -> None:
    spec = f"""\
  hosts: [api.example.com]
  gateways: {gateways}
  http:
  - match: [{{headers: {{x-beta: {{exact: "1"}}}}}}]
    route: [{{destination: {{host: beta}}}}]
  - match: [{{uri: {{prefix: /}}}}]
    route: [{{destination: {{host: api}}}}]
  - match: [{{uri: {{prefix: /admin}}}}]
    route: [{{destination: {{host: admin}}}}]
"""
    mesh = mesh_of(vs_yaml("api", spec))
    assert [d.rule for d in unreachable_rules(mesh, the_vs(mesh, "api"))] == dead
