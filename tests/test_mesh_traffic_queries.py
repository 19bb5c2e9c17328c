"""Traffic queries: DR hosts and entries, effective subsets, subset use, subset workloads."""

from __future__ import annotations

from pathlib import Path

from meshlint.config import Config
from meshlint.lint import lint, lint_text
from meshlint.mesh import Mesh
from meshlint.mesh.traffic_queries import (
    SubsetUsage,
    dr_entry,
    dr_host,
    effective_subsets,
    services_with_pods,
    subset_selector,
    subset_workloads,
)
from meshlint.meshconfig import MeshSettings
from meshlint.model.kubernetes import Pod, Service
from meshlint.model.networking import (
    DestinationRule,
    Gateway,
    ServiceEntry,
    Subset,
    VirtualService,
)


def res(cls, name, ns, spec, *, labels=None, created=None):
    meta = {"name": name, "namespace": ns, "labels": labels or {}}
    if created is not None:
        meta["creationTimestamp"] = created
    kind = cls.KIND
    api = f"{kind.group}/v1" if kind.group else "v1"
    return cls.model_validate(
        {"apiVersion": api, "kind": kind.kind_name, "metadata": meta, "spec": spec}
    )


def dr(name, ns, host, subsets=(), **spec):
    subsets = [{"name": s, "labels": {"version": s}} for s in subsets]
    return res(DestinationRule, name, ns, {"host": host, "subsets": subsets, **spec})


def vs(name, ns, host, subset, **spec):
    http = [{"route": [{"destination": {"host": host, "subset": subset}}]}]
    return res(VirtualService, name, ns, {"hosts": [host], "http": http, **spec})


def build(*resources):
    return Mesh.build(list(resources), MeshSettings())


def test_dr_host_expands_short_names_in_the_dr_namespace():
    rule = dr("r", "shop", "Reviews")
    assert dr_host(build(rule), rule) == "reviews.shop.svc.cluster.local"


def test_effective_subsets_drop_duplicates_of_an_earlier_merged_rule():
    first = dr("a", "shop", "reviews", ["v1"], created="2024-01-01T00:00:00Z")
    later = dr("b", "shop", "reviews", ["v2", "v1"], created="2024-02-01T00:00:00Z")
    mesh = build(later, first)
    assert dr_entry(mesh, later) is dr_entry(mesh, first)
    assert [(i, s.name) for i, s in effective_subsets(mesh, first)] == [(0, "v1")]
    assert [(i, s.name) for i, s in effective_subsets(mesh, later)] == [(0, "v2")]


def test_usage_by_exact_host_route_and_mirror():
    rule = dr("r", "shop", "reviews", ["v1", "v2", "v3"])
    route = vs("v", "shop", "reviews.shop.svc.cluster.local", "v1")
    mirror = res(
        VirtualService,
        "m",
        "shop",
        {
            "hosts": ["reviews"],
            "http": [
                {
                    "route": [{"destination": {"host": "reviews"}}],
                    "mirror": {"host": "reviews", "subset": "v2"},
                }
            ],
        },
    )
    mesh = build(rule, route, mirror)
    usage = SubsetUsage(mesh)
    [use] = usage.uses(mesh, rule, "v1")
    assert (use.vs, use.ref.pointer, use.host) == (
        route,
        "/spec/http/0/route/0/destination",
        "reviews.shop.svc.cluster.local",
    )
    [mirrored] = usage.uses(mesh, rule, "v2")
    assert (mirrored.vs, mirrored.ref.mirror) == (mirror, True)
    assert usage.uses(mesh, rule, "v3") == ()


def test_usage_by_wildcard_rule():
    rule = dr("all", "shop", "*.shop.svc.cluster.local", ["v1"])
    route = vs("v", "shop", "reviews", "v1")
    other = vs("o", "shop", "reviews.other.svc.cluster.local", "v1")
    mesh = build(rule, route, other)
    assert [u.vs for u in SubsetUsage(mesh).uses(mesh, rule, "v1")] == [route]


def test_usage_needs_a_caller_that_sees_the_rule():
    private = dr("p", "shop", "reviews", ["v1"], exportTo=["."])
    elsewhere = vs("v", "frontend", "reviews.shop.svc.cluster.local", "v1", exportTo=["."])
    exported = vs("w", "frontend", "reviews.shop.svc.cluster.local", "v1")
    mesh = build(private, elsewhere)
    assert SubsetUsage(mesh).uses(mesh, private, "v1") == ()
    mesh = build(private, exported)  # exported everywhere: shop's sidecars use it too
    assert [u.vs for u in SubsetUsage(mesh).uses(mesh, private, "v1")] == [exported]


def test_usage_counts_gateway_proxy_namespaces():
    rule = dr("r", "shop", "web", ["blue"], exportTo=["istio-system"])
    gateway = res(Gateway, "gw", "shop", {"selector": {"istio": "ingressgateway"}})
    pod = res(Pod, "ingress", "istio-system", {}, labels={"istio": "ingressgateway"})
    http = [{"route": [{"destination": {"host": "web.shop.svc.cluster.local", "subset": "blue"}}]}]
    spec = {"hosts": ["web.example.com"], "gateways": ["gw"], "exportTo": ["."], "http": http}
    route = res(VirtualService, "v", "shop", spec)
    mesh = build(rule, gateway, pod, route)
    [use] = SubsetUsage(mesh).uses(mesh, rule, "blue")
    assert use.callers.visible_to("istio-system")


def test_subset_selector_ignores_topology_labels_but_keeps_empty_ones():
    subset = Subset.model_validate(
        {
            "name": "s",
            "labels": {
                "version": "v1",
                "topology.kubernetes.io/region": "us",
                "topology.istio.io/subzone": "",
            },
        }
    )
    assert subset_selector(subset) == {"version": "v1", "topology.istio.io/subzone": ""}


def test_services_with_pods_and_subset_workloads():
    service = res(Service, "reviews", "shop", {"selector": {"app": "reviews"}})
    bare = res(Service, "manual", "shop", {"ports": [{"port": 80}]})
    pod = res(Pod, "p", "shop", {}, labels={"app": "reviews", "version": "v1"})
    stranger = res(Pod, "q", "shop", {}, labels={"app": "other", "version": "v2"})
    entry = res(
        ServiceEntry,
        "se",
        "shop",
        {"hosts": ["legacy.internal"], "workloadSelector": {"labels": {"app": "reviews"}}},
    )
    rules = [dr("a", "shop", "reviews"), dr("b", "shop", "manual"), dr("c", "shop", "*.shop")]
    rules.append(dr("d", "shop", "legacy.internal"))
    mesh = build(service, bare, pod, stranger, entry, *rules)
    [info] = services_with_pods(mesh, rules[0])
    assert info.resource is service
    assert services_with_pods(mesh, rules[1]) == ()  # no selector
    assert services_with_pods(mesh, rules[2]) == ()  # wildcard host
    [se_info] = services_with_pods(mesh, rules[3])
    assert se_info.resource is entry
    assert [w.resource for w in subset_workloads(mesh, info, {"version": "v1"})] == [pod]
    assert subset_workloads(mesh, info, {"version": "v2"}) == ()


def test_mesh201_is_an_error_only_for_routed_subsets_of_services_with_workloads():
    bad = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "MESH201" / "bad.yaml"
    result = lint([bad], Config(select=("MESH201",)))
    severities = {(f.span.line, f.severity.value) for f in result.findings}
    assert severities == {
        (26, "error"),
        (28, "info"),
        (30, "info"),
        (32, "info"),
        (58, "info"),
        (84, "info"),
        (99, "info"),
    }


def test_mesh201_is_silent_when_the_input_has_no_workload_at_all():
    text = """\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
"""
    assert lint_text(text, Config(select=("MESH201",))).findings == ()
    found = lint_text(text, Config(select=("MESH201",), assume_complete=True)).findings
    assert [(f.code, f.pointer) for f in found] == [("MESH201", "/spec/subsets/0/labels")]
