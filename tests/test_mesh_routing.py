"""Mesh routing semantics: VirtualService selection and merging, DestinationRule lookup."""

from __future__ import annotations

import pytest

from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings
from meshlint.model.kubernetes import Pod, Service
from meshlint.model.networking import DestinationRule, Gateway, VirtualService

SETTINGS = MeshSettings()
T0, T1, T2 = "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"
ROUTE = [{"route": [{"destination": {"host": "x"}}]}]


def res(cls, name, ns, spec, *, created=None, labels=None):
    meta = {"name": name, "namespace": ns, "labels": labels or {}}
    if created:
        meta["creationTimestamp"] = created
    return cls.model_validate({"kind": cls.KIND.kind_name, "metadata": meta, "spec": spec})


def vs(name, ns, hosts, created=None, **spec):
    return res(VirtualService, name, ns, {"hosts": hosts, "http": ROUTE, **spec}, created=created)


def dr(name, ns, host, created=None, **spec):
    return res(DestinationRule, name, ns, {"host": host, **spec}, created=created)


def svc(name, ns):
    return res(
        Service, name, ns, {"ports": [{"name": "http", "port": 80}], "selector": {"app": name}}
    )


def mesh(*resources, settings=SETTINGS):
    return Mesh.build(list(resources), settings)


REVIEWS = "reviews.prod.svc.cluster.local"


# ------------------------------------------------------------------ sidecar VS selection


def _chosen(m, client, host=REVIEWS):
    found = m.virtual_service_for_host(client, host)
    return None if found is None else found.resource.name


def test_same_namespace_default_export_does_not_outrank_older_vs_elsewhere():
    local_new = vs("local-new", "client", [REVIEWS], T2)
    remote_old = vs("remote-old", "other", [REVIEWS], T0)
    assert _chosen(mesh(local_new, remote_old), "client") == "remote-old"


def test_private_vs_outranks_public_and_exported():
    public_old = vs("public-old", "other", [REVIEWS], T0)
    exported = vs("exported", "third", [REVIEWS], T0, exportTo=["client"])
    private = vs("private", "client", [REVIEWS], T2, exportTo=["."])
    m = mesh(public_old, exported, private)
    assert _chosen(m, "client") == "private"
    assert _chosen(mesh(public_old, exported), "client") == "exported"
    assert _chosen(mesh(public_old, exported), "elsewhere") == "public-old"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("b-name", "ns1", T1), ("a-name", "ns2", T1), ("a-name", "ns2")),  # tie: name
        (("same", "zz", T1), ("same", "aa", T1), ("same", "aa")),  # tie: then namespace
        (("new", "ns", T2), ("old", "ns", T1), ("old", "ns")),  # oldest first
        (("untimed", "ns", None), ("timed", "ns", T0), ("untimed", "ns")),  # no time = zero
    ],
)
def test_creation_order(a, b, expected):
    first = vs(a[0], a[1], [REVIEWS], a[2])
    second = vs(b[0], b[1], [REVIEWS], b[2])
    found = mesh(first, second).virtual_service_for_host("client", REVIEWS)
    assert (found.resource.name, found.namespace) == expected


def test_most_specific_host_wins():
    wildcard_old = vs("wild", "ns", ["*.prod.svc.cluster.local"], T0)
    broader = vs("broad", "ns", ["*.svc.cluster.local"], T0)
    exact_new = vs("exact", "ns", ["reviews.prod.svc.cluster.local"], T2)
    m = mesh(wildcard_old, broader, exact_new)
    assert _chosen(m, "client") == "exact"
    assert _chosen(m, "client", "ratings.prod.svc.cluster.local") == "wild"
    assert _chosen(m, "client", "x.other.svc.cluster.local") == "broad"
    assert _chosen(m, "client", "example.com") is None


def test_private_wildcard_vs_public_exact():
    private_wild = vs("private-wild", "client", ["*.prod.svc.cluster.local"], T0, exportTo=["."])
    public_exact = vs("public-exact", "other", [REVIEWS], T2)
    assert _chosen(mesh(private_wild, public_exact), "client") == "public-exact"


def test_short_hosts_resolve_against_vs_namespace_and_gateway_only_vs_is_ignored():
    short = vs("short", "prod", ["reviews"])
    gateway_only = vs("edge", "client", [REVIEWS], T0, gateways=["edge/gw"])
    m = mesh(short, gateway_only)
    assert _chosen(m, "client") == "short"
    assert m.bound(short).hosts == (REVIEWS,)
    assert m.bound(gateway_only).gateways == frozenset({"edge/gw"})
    assert m.bound(short).gateways == frozenset({"mesh"})


def test_vs_with_mesh_and_gateway_applies_to_both():
    both = vs("both", "shop", ["shop.example.com"], gateways=["mesh", "gw"])
    m = mesh(both)
    assert [b.resource.name for b in m.virtual_services("anyone")] == ["both"]
    assert [b.resource.name for b in m.virtual_services("anyone", "shop/gw")] == ["both"]


def test_sidecar_scope_filters_vs_candidates():
    from meshlint.model.networking import Sidecar

    sidecar = res(Sidecar, "s", "client", {"egress": [{"hosts": ["./*"]}]})
    elsewhere = vs("elsewhere", "other", [REVIEWS], T0)
    m = mesh(sidecar, elsewhere)
    scope = m.sidecar_scope_for_namespace("client")
    assert m.virtual_service_for_host("client", REVIEWS, scope=scope) is None
    assert m.virtual_service_for_host("client", REVIEWS).resource is elsewhere


# ------------------------------------------------------------------ gateway binding


def test_gateway_virtual_hosts_merge_in_candidate_order():
    gw = res(
        Gateway,
        "gw",
        "edge",
        {
            "selector": {"istio": "ingressgateway"},
            "servers": [
                {
                    "port": {"number": 80, "name": "http", "protocol": "HTTP"},
                    "hosts": ["*.example.com", "edge/admin.corp.com"],
                },
            ],
        },
    )
    gw_pod = res(Pod, "ingress", "istio-system", {}, labels={"istio": "ingressgateway"})
    old = vs("old", "shop", ["a.example.com"], T0, gateways=["edge/gw"])
    new = vs("new", "shop", ["*.example.com"], T2, gateways=["edge/gw"])
    admin_wrong_ns = vs("admin", "shop", ["admin.corp.com"], T0, gateways=["edge/gw"])
    admin_ok = vs("admin", "edge", ["admin.corp.com"], T1, gateways=["gw"])
    private_to_shop = vs(
        "private", "shop", ["p.example.com"], T0, gateways=["edge/gw"], exportTo=["."]
    )
    same_new = vs("same-new", "shop", ["A.example.com"], T2, gateways=["edge/gw"])
    m = mesh(gw, gw_pod, same_new, new, old, admin_wrong_ns, admin_ok, private_to_shop)
    hosts = m.gateway_virtual_hosts(gw, gw.spec.servers[0])
    named = {h: [b.resource.name for b in items] for h, items in hosts.items()}
    assert named == {
        "a.example.com": ["old", "same-new"],  # merged, oldest first; lower-cased
        # the wildcard VS only forms the *.example.com vhost
        "*.example.com": ["new"],
        "admin.corp.com": ["admin"],
    }
    assert hosts["admin.corp.com"][0].resource is admin_ok
    # seen from a proxy in "shop" the private VS is visible
    shop_view = m.gateway_virtual_hosts(gw, gw.spec.servers[0], proxy_namespace="shop")
    assert "p.example.com" in shop_view


def test_gateway_server_dot_namespace_means_gateway_namespace():
    gw = res(
        Gateway,
        "gw",
        "edge",
        {
            "servers": [
                {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["./*"]},
            ]
        },
    )
    inside = vs("inside", "edge", ["a.com"], gateways=["gw"])
    outside = vs("outside", "shop", ["b.com"], gateways=["edge/gw"])
    hosts = mesh(gw, inside, outside).gateway_virtual_hosts(gw, gw.spec.servers[0])
    assert list(hosts) == ["a.com"]


# ------------------------------------------------------------------ DestinationRule lookup


def _dr_name(m, client, host=REVIEWS, **kwargs):
    found = m.destination_rule_for(client, host, **kwargs)
    return None if found is None else found.rule.name


def test_wildcard_dr_in_client_namespace_hides_exact_dr_in_service_namespace():
    exact = dr("exact", "prod", "reviews")
    wildcard = dr("wild", "client", "*.svc.cluster.local")
    m = mesh(svc("reviews", "prod"), exact, wildcard)
    assert _dr_name(m, "client") == "wild"
    assert _dr_name(m, "prod") == "exact"
    assert _dr_name(m, "third") == "exact"


def test_dr_lookup_levels():
    root = dr("root", "istio-system", "*.local")
    service_ns = dr("svc", "prod", "reviews", exportTo=["."])
    m = mesh(svc("reviews", "prod"), root, service_ns)
    assert _dr_name(m, "prod") == "svc"  # private DR, own namespace
    assert _dr_name(m, "client") == "root"  # private DR in prod is not exported
    assert _dr_name(m, "client", "x.other.svc.cluster.local") == "root"
    assert _dr_name(mesh(), "client") is None


def test_exported_dr_best_host_not_visible_falls_through_without_lesser_wildcard():
    exact_hidden = dr("exact", "prod", "reviews", exportTo=["friends"])
    wildcard = dr("wild", "prod", "*.prod.svc.cluster.local")
    root = dr("root", "istio-system", "*.cluster.local")
    m = mesh(svc("reviews", "prod"), exact_hidden, wildcard, root)
    assert _dr_name(m, "friends") == "exact"
    assert _dr_name(m, "client") == "root"


def test_root_namespace_client_only_sees_private_root_drs_first():
    public_root = dr("public", "istio-system", "*.local")
    private_root = dr("private", "istio-system", "reviews.prod.svc.cluster.local", exportTo=["."])
    m = mesh(public_root, private_root, svc("reviews", "prod"))
    assert _dr_name(m, "istio-system") == "private"
    assert _dr_name(mesh(public_root, svc("reviews", "prod")), "istio-system") == "public"


def test_dr_with_workload_selector_is_private_and_needs_matching_labels():
    selector_dr = dr(
        "sel",
        "client",
        "reviews.prod.svc.cluster.local",
        workloadSelector={"matchLabels": {"app": "a"}},
    )
    plain = dr("plain", "client", "reviews.prod.svc.cluster.local", T2)
    m = mesh(svc("reviews", "prod"), selector_dr, plain)
    assert _dr_name(m, "client", client_labels={"app": "a"}) == "sel"
    assert _dr_name(m, "client", client_labels={"app": "b"}) == "plain"
    assert _dr_name(m, "client") == "plain"  # unknown labels
    assert _dr_name(m, "other", client_labels={"app": "a"}) is None
    only_selector = mesh(svc("reviews", "prod"), selector_dr, dr("svc-ns", "prod", "reviews"))
    # the client level matched the host, so the lookup stops there with nothing applicable
    assert _dr_name(only_selector, "client", client_labels={"app": "b"}) is None
    assert _dr_name(only_selector, "other") == "svc-ns"


def test_same_namespace_same_host_drs_merge_first_wins():
    first = dr("first", "prod", "reviews", T0, subsets=[{"name": "v1", "labels": {"v": "1"}}])
    second = dr(
        "second",
        "prod",
        "reviews.prod.svc.cluster.local",
        T1,
        trafficPolicy={"tls": {"mode": "ISTIO_MUTUAL"}},
        subsets=[{"name": "v1", "labels": {"v": "x"}}, {"name": "v2", "labels": {"v": "2"}}],
    )
    other_export = dr("third", "prod", "reviews", T2, exportTo=["."], subsets=[{"name": "v3"}])
    m = mesh(svc("reviews", "prod"), second, first, other_export)
    merged = m.destination_rule_for("client", REVIEWS)
    assert [r.name for r in merged.rules] == ["first", "second"]
    assert [(s.name, s.labels) for s in merged.subsets] == [("v1", {"v": "1"}), ("v2", {"v": "2"})]
    assert merged.traffic_policy.tls.mode == "ISTIO_MUTUAL"  # first had none
    assert [(n, r.name) for n, r in merged.dropped_subsets] == [("v1", "second")]
    entries = m.destination_rule_entries("prod", REVIEWS)
    assert [[r.name for r in e.rules] for e in entries] == [["first", "second"], ["third"]]
    assert merged.subset("v2").labels == {"v": "2"}
    assert merged.subset("v9") is None


def test_wildcard_and_exact_drs_never_merge():
    m = mesh(dr("a", "prod", "*.prod.svc.cluster.local"), dr("b", "prod", "reviews"))
    assert len(m.destination_rule_groups()) == 2


# ------------------------------------------------------------------ policy precedence


def _policy_dr():
    return dr(
        "p",
        "prod",
        "reviews",
        trafficPolicy={
            "tls": {"mode": "ISTIO_MUTUAL"},
            "loadBalancer": {"simple": "ROUND_ROBIN"},
            "tunnel": {"targetHost": "t", "targetPort": 1},
            "portLevelSettings": [
                {"port": {"number": 80}, "loadBalancer": {"simple": "RANDOM"}},
                {"port": {"number": 80}, "loadBalancer": {"simple": "LEAST_REQUEST"}},
            ],
        },
        subsets=[
            {"name": "v1", "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 1}}}},
            {
                "name": "v2",
                "trafficPolicy": {
                    "tls": {"mode": "DISABLE"},
                    "portLevelSettings": [
                        {"port": {"number": 9080}, "outlierDetection": {"interval": "1s"}}
                    ],
                },
            },
        ],
    )


@pytest.mark.parametrize(
    ("subset", "port", "expected"),
    [
        (None, None, ("ISTIO_MUTUAL", "ROUND_ROBIN", False, False)),
        (None, 80, (None, "RANDOM", False, False)),  # port level replaces; first entry wins
        (None, 9080, ("ISTIO_MUTUAL", "ROUND_ROBIN", False, False)),
        ("v1", None, ("ISTIO_MUTUAL", "ROUND_ROBIN", True, False)),
        ("v1", 80, (None, "RANDOM", True, False)),
        ("v2", None, ("DISABLE", "ROUND_ROBIN", False, False)),
        ("v2", 9080, (None, None, False, True)),  # subset port level replaces the four
        ("v9", None, ("ISTIO_MUTUAL", "ROUND_ROBIN", False, False)),
    ],
)
def test_subset_policy(subset, port, expected):
    tls, lb, pool, outlier = expected
    rule = _policy_dr()
    m = mesh(rule)
    resolved = m.destination_rule_for("prod", REVIEWS)
    for source in (resolved, rule):
        policy = Mesh.subset_policy(source, subset, port)
        assert (policy.tls.mode if policy.tls else None) == tls
        assert (policy.load_balancer.simple if policy.load_balancer else None) == lb
        assert (policy.connection_pool is not None, policy.outlier_detection is not None) == (
            pool,
            outlier,
        )
        assert policy.tunnel is not None  # not a port-level component
        assert policy.port_level_settings == ()


def test_subset_policy_without_any_policy():
    rule = dr("d", "prod", "reviews", subsets=[{"name": "v1"}])
    assert Mesh.subset_policy(rule, "v1", 80) is None
