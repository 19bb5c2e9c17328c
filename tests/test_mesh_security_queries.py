"""Shared MESH3xx queries: DR TLS settings, endpoints, policy scope, identities, attributes."""

from __future__ import annotations

import pytest

from meshlint.matching import Protocol
from meshlint.mesh import Mesh
from meshlint.mesh import security_queries as q
from meshlint.meshconfig import MeshSettings
from meshlint.model.kubernetes import Namespace, Pod, Service, ServiceAccount
from meshlint.model.networking import DestinationRule
from meshlint.model.security import (
    AuthorizationPolicy,
    PeerAuthentication,
    RequestAuthentication,
)
from meshlint.model.security import Rule as AuthzRule


def res(cls, name, ns, spec=None, *, labels=None, annotations=None):
    meta = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
    if ns is not None:
        meta["namespace"] = ns
    return cls.model_validate({"kind": cls.KIND.kind_name, "metadata": meta, "spec": spec or {}})


def pod(name, ns, ports=((8080, "http"),), sa=None, **labels):
    containers = [{"name": "app", "ports": [{"containerPort": n, "name": m} for n, m in ports]}]
    spec = {"containers": containers, **({"serviceAccountName": sa} if sa else {})}
    return res(Pod, name, ns, spec, labels=labels or {"app": name})


def service(name, ns, ports, selector=None):
    return res(Service, name, ns, {"selector": selector or {"app": name}, "ports": ports})


def build(*resources, **settings):
    return Mesh.build(list(resources), MeshSettings(**settings))


DR = res(
    DestinationRule,
    "cart",
    "shop",
    {
        "host": "cart",
        "trafficPolicy": {
            "tls": {"mode": "DISABLE"},
            "portLevelSettings": [{"port": {"number": 9090}, "tls": {"mode": "SIMPLE"}}],
        },
        "subsets": [
            {"name": "v1", "labels": {"v": "1"}, "trafficPolicy": {"tls": {"mode": "MUTUAL"}}}
        ],
    },
)


def test_dr_tls_settings_every_level():
    found = [
        (s.mode, s.pointer, s.port, s.subset.name if s.subset else None)
        for s in q.dr_tls_settings(DR)
    ]
    assert found == [
        ("DISABLE", "/spec/trafficPolicy/tls/mode", None, None),
        ("SIMPLE", "/spec/trafficPolicy/portLevelSettings/0/tls/mode", 9090, None),
        ("MUTUAL", "/spec/subsets/0/trafficPolicy/tls/mode", None, "v1"),
    ]


def test_dr_tls_endpoints_follow_precedence_and_named_target_ports():
    cart = service(
        "cart",
        "shop",
        [
            {"name": "http", "port": 80, "targetPort": 8080},
            {"name": "grpc", "port": 9090, "targetPort": "grpc"},
        ],
    )
    v1 = pod("cart-v1", "shop", ((8080, "http"), (9000, "grpc")), app="cart", v="1")
    v2 = pod("cart-v2", "shop", app="cart", v="2")
    mesh = build(cart, v1, v2, DR)
    found = [
        (setting.mode, endpoint.workload.name, endpoint.port.number, endpoint.target)
        for setting, endpoint in q.dr_tls_endpoints(mesh, DR)
    ]
    assert found == [
        ("DISABLE", "cart-v1", 80, 8080),
        ("MUTUAL", "cart-v1", 80, 8080),  # subset v1 replaces tls wholesale
        ("SIMPLE", "cart-v1", 9090, 9000),  # port level replaces the top level
        ("MUTUAL", "cart-v1", 9090, 9000),
        ("DISABLE", "cart-v2", 80, 8080),
        ("SIMPLE", "cart-v2", 9090, None),  # named targetPort the pod does not declare
    ]


def test_port_level_without_tls_resets_to_auto():
    dr = res(
        DestinationRule,
        "db",
        "shop",
        {
            "host": "db",
            "trafficPolicy": {
                "tls": {"mode": "DISABLE"},
                "portLevelSettings": [
                    {"port": {"number": 80}, "loadBalancer": {"simple": "RANDOM"}}
                ],
            },
        },
    )
    mesh = build(service("db", "shop", [{"name": "http", "port": 80}]), pod("db", "shop"), dr)
    assert q.dr_tls_endpoints(mesh, dr) == ()


def test_policy_workloads_root_namespace_is_mesh_wide_and_target_refs_none():
    a, b = pod("a", "shop", version="v1"), pod("b", "pay", version="v1")
    root = res(
        AuthorizationPolicy, "r", "istio-system", {"selector": {"matchLabels": {"version": "v1"}}}
    )
    local = res(AuthorizationPolicy, "l", "shop", {})
    ref = res(AuthorizationPolicy, "t", "shop", {"targetRefs": [{"kind": "Service", "name": "a"}]})
    authn = res(RequestAuthentication, "j", "pay", {"selector": {"matchLabels": {"version": "v1"}}})
    mesh = build(a, b, root, local, ref, authn)
    assert [w.name for w in q.policy_workloads(mesh, root)] == ["a", "b"]
    assert [w.name for w in q.policy_workloads(mesh, local)] == ["a"]
    assert q.policy_workloads(mesh, ref) == ()
    assert [w.name for w in q.policy_workloads(mesh, authn)] == ["b"]
    assert q.policy_scope_known(mesh, local)
    assert not q.policy_scope_known(mesh, res(AuthorizationPolicy, "x", "empty", {}))


def test_workload_ports_and_protocols():
    db = service(
        "db",
        "shop",
        [{"name": "tcp-pg", "port": 5432}, {"name": "http-admin", "port": 80, "targetPort": 8080}],
    )
    mesh = build(db, pod("db", "shop", ((5432, "pg"), (9100, "metrics"))))
    workload = mesh.workloads()[0]
    assert q.workload_ports(mesh, workload) == (5432, 8080, 9100)
    assert q.port_protocols(mesh, workload) == {5432: Protocol.TCP, 8080: Protocol.HTTP}
    assert q.is_opaque(Protocol.TCP) and q.is_opaque(Protocol.TLS)
    assert not q.is_opaque(Protocol.HTTP) and not q.is_opaque(Protocol.UNSUPPORTED)


def test_service_accounts_need_evidence():
    mesh = build(res(ServiceAccount, "frontend", "shop"), pod("cart", "pay", sa="cart"))
    assert q.service_accounts(mesh, "shop") == {"frontend", "default"}
    assert q.service_accounts(mesh, "pay") == {"cart", "default"}
    assert q.service_accounts(mesh, "other") is None
    complete = build(res(Namespace, "other", None), assume_complete=True)
    assert q.service_accounts(complete, "other") == {"default"}


@pytest.mark.parametrize(
    ("pattern", "namespace", "expected"),
    [
        ("*", "x", True),
        ("prod-*", "prod-eu", True),
        ("*-test", "a-test", True),
        ("a*c", "abbc", True),
        ("prod-*", "dev", False),
        ("a.b", "axb", False),
    ],
)
def test_namespace_glob(pattern, namespace, expected):
    assert q.namespace_glob_matches(pattern, namespace) is expected


def test_dry_run_and_ambient():
    dry = res(AuthorizationPolicy, "p", "s", annotations={"istio.io/dry-run": "true"})
    assert q.is_dry_run(dry) and not q.is_dry_run(res(AuthorizationPolicy, "p", "s"))
    mesh = build(
        res(
            Pod,
            "z",
            "s",
            {"containers": [{"name": "a"}]},
            annotations={"ambient.istio.io/redirection": "enabled"},
        )
    )
    assert q.is_ambient(mesh.workloads()[0])


def test_mtls_explicitly_off():
    cart = service("cart", "shop", [{"name": "http", "port": 80, "targetPort": 8080}])
    workload_pod = pod("cart", "shop")
    plain = build(cart, workload_pod)
    w = plain.workloads()[0]
    assert not q.mtls_explicitly_off(plain, w, 8080)
    assert q.mtls_explicitly_off(build(cart, workload_pod, enable_auto_mtls=False), w, 8080)
    disable = res(PeerAuthentication, "d", "shop", {"mtls": {"mode": "DISABLE"}})
    mesh = build(cart, workload_pod, disable)
    assert q.mtls_explicitly_off(mesh, mesh.workloads()[0], 8080)
    dr = res(
        DestinationRule,
        "c",
        "shop",
        {"host": "cart", "trafficPolicy": {"tls": {"mode": "DISABLE"}}},
    )
    mesh = build(cart, workload_pod, dr)
    assert q.dr_disables_tls_to(mesh, mesh.workloads()[0]) is dr


def rule(data):
    return AuthzRule.model_validate(data)


def test_identity_and_http_pointers():
    r = rule(
        {
            "from": [
                {
                    "source": {
                        "principals": ["a"],
                        "notNamespaces": ["b"],
                        "requestPrincipals": ["*"],
                    }
                }
            ],
            "to": [{"operation": {"methods": ["GET"], "ports": ["80"]}}],
            "when": [
                {"key": "source.namespace", "values": ["x"]},
                {"key": "source.principal", "notValues": ["y"]},
                {"key": "request.headers[x]", "values": ["1"]},
            ],
        }
    )
    assert q.identity_pointers(r, "/r") == ("/r/from/0/source/principals", "/r/when/0/key")
    assert q.http_only_pointers(r, "/r") == (
        "/r/from/0/source/requestPrincipals",
        "/r/to/0/operation/methods",
        "/r/when/2/key",
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, None),
        ({"to": [{"operation": {"ports": ["80", "x", "443"]}}]}, (80, 443)),
        ({"to": [{"operation": {"ports": ["80"]}}, {"operation": {"methods": ["GET"]}}]}, None),
    ],
)
def test_rule_ports(data, expected):
    assert q.rule_ports(rule(data)) == expected
