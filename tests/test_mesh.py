"""Mesh index: inventory, namespaces, hosts, visibility, Sidecar scopes and gateways."""

from __future__ import annotations

import gc
import time

import pytest

from meshlint.findings import ResourceRef
from meshlint.matching import Protocol
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind
from meshlint.model.kubernetes import Deployment, Namespace, Pod, Service
from meshlint.model.networking import (
    DestinationRule,
    Gateway,
    ServiceEntry,
    Sidecar,
    VirtualService,
    WorkloadEntry,
)

SETTINGS = MeshSettings()


def res(cls, name, ns=None, spec=None, *, labels=None, annotations=None, created=None):
    meta = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
    if ns is not None:
        meta["namespace"] = ns
    if created is not None:
        meta["creationTimestamp"] = created
    kind = cls.KIND
    api = f"{kind.group}/v1" if kind.group else "v1"
    return cls.model_validate(
        {"apiVersion": api, "kind": kind.kind_name, "metadata": meta, "spec": spec or {}}
    )


def svc(name, ns, ports=({"name": "http", "port": 80},), selector=None, annotations=None):
    spec = {"ports": list(ports), "selector": selector if selector is not None else {"app": name}}
    return res(Service, name, ns, spec, annotations=annotations)


def pod(name, ns, labels, **spec):
    return res(Pod, name, ns, {"containers": [{"name": "app"}], **spec}, labels=labels)


def mesh(*resources, settings=SETTINGS, invalid=()):
    return Mesh.build(list(resources), settings, invalid=invalid)


# ------------------------------------------------------------------ inventory


def test_all_get_count_kinds():
    a = res(VirtualService, "a", "ns1", {"hosts": ["a"]})
    b = res(VirtualService, "b", None, {"hosts": ["b"]})
    gw = res(Gateway, "gw", "ns1")
    m = mesh(a, gw, b)
    assert m.all(VirtualService) == (a, b)
    assert m.get(VirtualService, "ns1", "a") is a
    assert m.get(VirtualService, "default", "b") is b
    assert m.get(VirtualService, "ns1", "b") is None
    assert m.get(Gateway, "ns1", "gw") is gw
    assert m.count == 3
    assert m.kinds_present() == frozenset({Kind.VIRTUAL_SERVICE, Kind.GATEWAY})
    assert m.all(DestinationRule) == ()


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (res(VirtualService, "a", "prod"), "prod"),
        (res(VirtualService, "a"), "apps"),
        (res(Namespace, "team"), "team"),
    ],
)
def test_namespace_of(resource, expected):
    m = mesh(settings=MeshSettings(default_namespace="apps"))
    assert m.namespace_of(resource) == expected


def test_namespaces_present_and_known():
    m = mesh(res(VirtualService, "a", "prod"), res(Namespace, "team"), res(Gateway, "g"))
    assert m.namespaces_present == frozenset({"prod", "team", "default"})
    assert m.namespace_known("prod") is True
    assert m.namespace_known("elsewhere") is False  # absent from the input: unknown
    complete = mesh(res(VirtualService, "a", "prod"), settings=MeshSettings(assume_complete=True))
    assert complete.namespace_known("elsewhere") is True


def test_exists_counts_invalid_resources():
    bad = ResourceRef("Gateway", "broken", "edge", "networking.istio.io/v1")
    m = mesh(res(Gateway, "gw", "edge"), invalid=[bad])
    assert m.exists(Kind.GATEWAY, "edge", "gw") is True
    assert m.exists(Kind.GATEWAY, "edge", "broken") is True
    assert m.exists(Kind.GATEWAY, "edge", "missing") is False
    assert m.get(Gateway, "edge", "broken") is None
    assert m.namespace_known("edge") is True


# ------------------------------------------------------------------ hosts


@pytest.mark.parametrize(
    ("host", "ns", "expected"),
    [
        ("reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local"),
        ("reviews.prod", "bookinfo", "reviews.prod"),  # dotted names are verbatim
        ("*", "bookinfo", "*"),
        ("10.1.1.1", "bookinfo", "10.1.1.1"),
    ],
)
def test_fqdn(host, ns, expected):
    assert mesh().fqdn(host, ns) == expected


def test_service_fqdn_and_info_ports():
    service = svc(
        "Reviews",
        "bookinfo",
        ports=[
            {"name": "http-api", "port": 9080, "targetPort": 8080},
            {"name": "metrics", "port": 15000},
            {"name": "tcp", "port": 5000, "appProtocol": "http"},
        ],
    )
    m = mesh(service)
    assert m.service_fqdn(service) == "reviews.bookinfo.svc.cluster.local"
    (info,) = m.services_for_host("reviews.bookinfo.svc.cluster.local")
    assert info.resource is service
    assert [(p.number, p.protocol, p.target_port) for p in info.ports] == [
        (9080, Protocol.HTTP, 8080),
        (15000, Protocol.UNSUPPORTED, None),
        (5000, Protocol.HTTP, None),
    ]
    assert info.port(15000).name == "metrics"
    assert info.port(1) is None
    assert m.service_infos(service) == (info,)


def test_reviews_prod_is_not_expanded():
    m = mesh(svc("reviews", "prod"))
    assert m.services_for_host("reviews.prod") == ()
    assert len(m.services_for_host("reviews.prod.svc.cluster.local")) == 1


def test_service_entry_hosts_are_verbatim_and_per_host():
    entry = res(
        ServiceEntry,
        "ext",
        "egress",
        {
            "hosts": ["api.example.com", "db", "*.wild.com"],
            "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}],
        },
    )
    m = mesh(entry)
    assert [i.fqdn for i in m.service_infos(entry)] == ["api.example.com", "db", "*.wild.com"]
    assert m.services_for_host("db.egress.svc.cluster.local") == ()
    (db,) = m.services_for_host("db")
    assert db.mesh_external is True
    assert db.ports[0].protocol is Protocol.TLS
    # exact lookup does not use wildcard entries; the dedicated query does
    assert m.services_for_host("a.wild.com") == ()
    assert [i.fqdn for i in m.wildcard_entries_for("a.wild.com")] == ["*.wild.com"]


def test_wildcard_host_query_matches_services():
    m = mesh(svc("a", "x"), svc("b", "y"), res(ServiceEntry, "e", "z", {"hosts": ["foo.com"]}))
    hosts = sorted(i.fqdn for i in m.services_for_host("*.svc.cluster.local"))
    assert hosts == ["a.x.svc.cluster.local", "b.y.svc.cluster.local"]
    assert len(m.services_for_host("*")) == 3


def test_services_for_host_visibility_and_preference():
    own = res(ServiceEntry, "e-own", "client", {"hosts": ["api.corp"], "location": "MESH_INTERNAL"})
    other_se = res(ServiceEntry, "e-other", "other", {"hosts": ["api.corp"]})
    private = res(ServiceEntry, "e-private", "third", {"hosts": ["api.corp"], "exportTo": ["."]})
    m = mesh(other_se, private, own)
    assert [i.resource for i in m.services_for_host("api.corp", "client")] == [own, other_se]
    assert [i.resource for i in m.services_for_host("api.corp", "third")] == [
        private,
        other_se,
        own,
    ]
    assert len(m.services_for_host("api.corp")) == 3
    assert m.services_for_host("api.corp", "client")[0].mesh_external is False


# ------------------------------------------------------------------ visibility


@pytest.mark.parametrize(
    ("resource", "to", "expected"),
    [
        (res(VirtualService, "v", "a", {"hosts": ["x"]}), "b", True),
        (res(VirtualService, "v", "a", {"hosts": ["x"], "exportTo": ["."]}), "b", False),
        (res(VirtualService, "v", "a", {"hosts": ["x"], "exportTo": ["."]}), "a", True),
        (res(VirtualService, "v", "a", {"hosts": ["x"], "exportTo": ["b"]}), "b", True),
        (res(VirtualService, "v", "a", {"hosts": ["x"], "exportTo": ["b"]}), "a", False),
        (res(DestinationRule, "d", "a", {"host": "x", "exportTo": ["*"]}), "b", True),
        (
            res(
                DestinationRule,
                "d",
                "a",
                {"host": "x", "workloadSelector": {"matchLabels": {"app": "x"}}},
            ),
            "b",
            False,
        ),
        (
            res(
                DestinationRule,
                "d",
                "a",
                {"host": "x", "workloadSelector": {"matchLabels": {"app": "x"}}},
            ),
            "a",
            True,
        ),
        (res(ServiceEntry, "s", "a", {"hosts": ["x.com"], "exportTo": ["~"]}), "a", False),
        (svc("s", "a", annotations={"networking.istio.io/exportTo": "."}), "b", False),
        (svc("s", "a", annotations={"networking.istio.io/exportTo": " b , c"}), "c", True),
        (svc("s", "a"), "z", True),
        (res(Gateway, "g", "a"), "z", True),
    ],
)
def test_is_exported(resource, to, expected):
    assert mesh(resource).is_exported(resource, to) is expected


@pytest.mark.parametrize(
    ("settings", "resource", "to", "expected"),
    [
        (
            MeshSettings(default_virtual_service_export_to=(".",)),
            res(VirtualService, "v", "a"),
            "b",
            False,
        ),
        (
            MeshSettings(default_virtual_service_export_to=(".",)),
            res(VirtualService, "v", "a"),
            "a",
            True,
        ),
        # the VS/DR defaults honour only "." and "*" (initVirtualServices, setDestinationRules)
        (
            MeshSettings(default_virtual_service_export_to=("b",)),
            res(VirtualService, "v", "a"),
            "b",
            False,
        ),
        (
            MeshSettings(default_destination_rule_export_to=(".",)),
            res(DestinationRule, "d", "a", {"host": "x"}),
            "b",
            False,
        ),
        (MeshSettings(default_service_export_to=("b",)), svc("s", "a"), "b", True),
        (MeshSettings(default_service_export_to=("b",)), svc("s", "a"), "c", False),
    ],
)
def test_export_defaults(settings, resource, to, expected):
    assert mesh(resource, settings=settings).is_exported(resource, to) is expected


def _sidecar(name, ns, hosts=("./*",), selector=None, created=None, **spec):
    body = {"egress": [{"hosts": list(hosts)}], **spec}
    if selector is not None:
        body["workloadSelector"] = {"labels": selector}
    return res(Sidecar, name, ns, body, created=created)


def test_sidecar_selection_order():
    older = _sidecar("old", "web", selector={"app": "a"}, created="2020-01-01T00:00:00Z")
    newer = _sidecar("new", "web", selector={"app": "a"}, created="2021-01-01T00:00:00Z")
    ns_default = _sidecar("ns", "web")
    root_default = _sidecar("root", "istio-system")
    workload_a = pod("a", "web", {"app": "a"})
    workload_b = pod("b", "web", {"app": "b"})
    workload_c = pod("c", "other", {"app": "c"})
    m = mesh(newer, older, ns_default, root_default, workload_a, workload_b, workload_c)
    scope = lambda p: m.sidecar_scope(m.workload_of(p))  # noqa: E731
    assert scope(workload_a).sidecar is older
    assert scope(workload_b).sidecar is ns_default
    assert scope(workload_c).sidecar is root_default
    assert mesh(workload_c).sidecar_scope(mesh(workload_c).workload_of(workload_c)).sidecar is None


def test_root_default_sidecar_dot_means_workload_namespace():
    root_default = _sidecar("default", "istio-system", hosts=("./*", "istio-system/*"))
    m = mesh(root_default)
    scope = m.sidecar_scope_for_namespace("shop")
    assert scope.sidecar is root_default
    assert scope.imports("cart.shop.svc.cluster.local", "shop") is True
    assert scope.imports("x.istio-system.svc.cluster.local", "istio-system") is True
    assert scope.imports("pay.billing.svc.cluster.local", "billing") is False


def test_sidecar_without_egress_imports_everything_and_outbound_policy():
    sidecar = res(Sidecar, "s", "web", {"outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}})
    m = mesh(sidecar)
    scope = m.sidecar_scope_for_namespace("web")
    assert scope.imports("anything.com", "elsewhere") is True
    assert scope.outbound_traffic_policy(SETTINGS) == "REGISTRY_ONLY"
    assert (
        mesh().sidecar_scope_for_namespace("web").outbound_traffic_policy(SETTINGS) == "ALLOW_ANY"
    )


def test_gateway_workloads_ignore_sidecars():
    gw_pod = pod("gw", "web", {"istio": "ingressgateway"})
    m = mesh(_sidecar("s", "web"), gw_pod)
    assert m.sidecar_scope(m.workload_of(gw_pod)).sidecar is None


# ------------------------------------------------------------------ gateways


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("mesh", "mesh"),
        ("gw", "shop/gw"),
        ("edge/gw", "edge/gw"),
        ("gw.edge.svc.cluster.local", "edge/gw"),
    ],
)
def test_resolve_gateway_ref(ref, expected):
    vs = res(VirtualService, "v", "shop", {"hosts": ["a.com"], "gateways": [ref]})
    assert mesh(vs).resolve_gateway_ref(vs, ref) == expected


def test_gateway_lookup():
    gw = res(Gateway, "gw", "edge")
    m = mesh(gw)
    assert m.gateway("edge/gw") is gw
    assert m.gateway("mesh") is None
    assert m.gateway("edge/other") is None
    assert m.gateway("gw") is None


def test_gateway_workloads_and_services_in_front():
    ingress = pod("ingress", "istio-system", {"istio": "ingressgateway"})
    custom = pod("custom", "edge", {"app": "edge-gw", "istio": "ingressgateway"})
    app = pod("app", "shop", {"app": "shop"})
    front = svc("istio-ingressgateway", "istio-system", selector={"istio": "ingressgateway"})
    unrelated = svc("other", "istio-system", selector={"istio": "egressgateway"})
    no_selector = svc("headless", "istio-system", selector={})
    selected = res(Gateway, "gw", "shop", {"selector": {"app": "edge-gw"}})
    everything = res(Gateway, "all", "shop", {})
    m = mesh(ingress, custom, app, front, unrelated, no_selector, selected, everything)
    assert [w.resource for w in m.gateway_workloads(selected)] == [custom]
    assert [w.resource for w in m.gateway_workloads(everything)] == [ingress, custom]
    assert [s.resource for s in m.services_in_front(m.gateway_workloads(everything))] == [front]
    assert m.gateway_proxy_namespaces(selected) == ("edge",)
    lonely = res(Gateway, "lonely", "nowhere", {"selector": {"app": "missing"}})
    assert mesh(lonely).gateway_proxy_namespaces(lonely) == ("nowhere",)


# ------------------------------------------------------------------ scale


def test_build_and_hot_queries_are_fast():
    resources = []
    for i in range(5000):
        ns = f"ns{i % 50}"
        resources.append(svc(f"s{i}", ns))
        resources.append(
            res(
                VirtualService,
                f"v{i}",
                ns,
                {"hosts": [f"s{i}"], "http": [{"route": [{"destination": {"host": f"s{i}"}}]}]},
            )
        )
        resources.append(
            res(DestinationRule, f"d{i}", ns, {"host": f"s{i}", "subsets": [{"name": "v1"}]})
        )
        resources.append(
            res(Deployment, f"w{i}", ns, {"template": {"metadata": {"labels": {"app": f"s{i}"}}}})
        )
        resources.append(pod(f"p{i}", ns, {"app": f"s{i}"}))
        if i % 10 == 0:
            resources.append(res(WorkloadEntry, f"we{i}", ns, {"address": "1.1.1.1"}))
    assert len(resources) > 25_000
    gc.freeze()  # as the pipeline does after loading (DESIGN "Loading fast")
    try:
        start = time.perf_counter()
        m = Mesh.build(resources, SETTINGS)
        for i in range(0, 5000, 7):
            host = f"s{i}.ns{i % 50}.svc.cluster.local"
            assert m.virtual_service_for_host(f"ns{(i + 1) % 50}", host) is not None
            assert m.destination_rule_for(f"ns{(i + 3) % 50}", host) is not None
            assert m.services_for_host(host, "ns0")
            assert m.services_for_workload(m.workloads()[i])
        elapsed = time.perf_counter() - start
    finally:
        gc.unfreeze()
    assert elapsed < 3.0  # ~0.5 s on an idle 2-core machine; slack for a loaded CI


def test_get_with_namespaced_ref():
    gw = res(Gateway, "gw", "edge")
    m = mesh(gw)
    assert m.get(Gateway, "edge/gw") is gw
    assert m.get(Gateway, "edge/none") is None


def test_delegate_target_defaults_to_vs_namespace():
    from meshlint.model.networking import Delegate

    root = res(
        VirtualService,
        "root",
        "shop",
        {"hosts": ["a.com"], "http": [{"delegate": {"name": "child"}}]},
    )
    child = res(
        VirtualService, "child", "shop", {"http": [{"route": [{"destination": {"host": "x"}}]}]}
    )
    other = res(VirtualService, "child", "team", {})
    m = mesh(root, child, other)
    assert m.delegate_target(root, root.spec.http[0].delegate) is child
    assert m.delegate_target(root, Delegate(name="child", namespace="team")) is other
    assert m.delegate_target(root, Delegate(name="missing")) is None


def test_workloads_for_service_accepts_resources():
    service = svc("web", "shop")
    web = pod("web", "shop", {"app": "web"})
    entry = res(
        ServiceEntry,
        "se",
        "shop",
        {"hosts": ["w.internal"], "workloadSelector": {"labels": {"app": "web"}}},
    )
    m = mesh(service, web, entry)
    assert [w.resource for w in m.workloads_for_service(service)] == [web]
    assert [w.resource for w in m.workloads_for_service(entry)] == [web]
    assert m.workloads_for_service(svc("unknown", "shop")) == ()


def test_namespace_sidecar_beats_root_default():
    ns_sidecar = _sidecar("ns", "web", hosts=("./*",))
    root_sidecar = _sidecar("root", "istio-system", hosts=("*/*",))
    m = mesh(root_sidecar, ns_sidecar)
    assert m.sidecar_scope_for_namespace("web").sidecar is ns_sidecar
    assert (
        m.sidecar_scope_for_namespace("web").imports("x.other.svc.cluster.local", "other") is False
    )
    assert m.sidecar_scope_for_namespace("shop").sidecar is root_sidecar


def test_namespace_object_and_first_duplicate_wins():
    team = res(Namespace, "team")
    first = res(Gateway, "gw", "edge")
    second = res(Gateway, "gw", "edge")
    m = mesh(team, first, second)
    assert m.namespace_object("team") is team
    assert m.namespace_object("edge") is None
    assert m.get(Gateway, "edge", "gw") is first
    assert m.all(Gateway) == (first, second)
