"""Gateway queries: gateway proxies, gateway groups, Service ports, servers and Secrets."""

from __future__ import annotations

import pytest

from meshlint.build import build
from meshlint.config import Config
from meshlint.lint import lint_text
from meshlint.loader import load_text
from meshlint.mesh import Mesh
from meshlint.mesh.gateway_queries import (
    accepted_ports,
    gateway_groups,
    gateway_pods_known,
    gateway_servers,
    is_gateway_proxy,
    ordered_gateways,
    resolve_server_port,
    secret_keys,
    secret_namespaces,
)
from meshlint.meshconfig import MeshSettings
from meshlint.model.kubernetes import Secret
from meshlint.model.networking import Gateway

INGRESS = """\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec:
  containers:
  - name: istio-proxy
    ports: [{name: https-port, containerPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: https-port}
  - {name: tcp, port: 31400}
"""


def gateway(name: str, selector: str, extra: str = "") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: {name}, namespace: shop{extra}}}
spec:
  selector: {selector}
  servers: [{{port: {{number: 80, name: http, protocol: HTTP}}, hosts: [a.example.com]}}]
"""


def mesh_of(text: str, settings: MeshSettings | None = None) -> Mesh:
    built = build(load_text(text).documents)
    return Mesh.build(list(built.resources), settings or MeshSettings())


def names(gateways: tuple[Gateway, ...]) -> list[str]:
    return [g.name for g in gateways]


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ("labels: {istio: ingressgateway}}\nspec: {}", True),
        ("labels: {istio: egressgateway}}\nspec: {}", True),
        ("labels: {app: x}}\nspec: {containers: [{name: istio-proxy}]}", True),
        (
            "labels: {app: x}, annotations: {inject.istio.io/templates: gateway}}\nspec: {}",
            True,
        ),
        (
            "labels: {app: x}, annotations: {sidecar.istio.io/status: '{}'}}\n"
            "spec: {containers: [{name: app}, {name: istio-proxy}]}",
            False,
        ),
        ("labels: {app: x}}\nspec: {containers: [{name: app}]}", False),
    ],
)
def test_is_gateway_proxy(pod: str, expected: bool) -> None:
    mesh = mesh_of(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p, {pod}\n")
    assert [is_gateway_proxy(w) for w in mesh.workloads()] == [expected]


def test_gateway_pods_known_needs_a_gateway_workload_or_assume_complete() -> None:
    app = "apiVersion: v1\nkind: Pod\nmetadata: {name: app, labels: {app: x}}\n"
    assert not gateway_pods_known(mesh_of(app))
    assert gateway_pods_known(mesh_of(app, MeshSettings().with_options(assume_complete=True)))
    assert gateway_pods_known(mesh_of(INGRESS))


def test_groups_from_pods_follow_selection_and_creation_order() -> None:
    text = (
        INGRESS
        + gateway("newer", "{istio: ingressgateway}", ", creationTimestamp: '2024-02-01T00:00:00Z'")
        + gateway("older", "{istio: ingressgateway}", ", creationTimestamp: '2024-01-01T00:00:00Z'")
        + gateway("elsewhere", "{istio: other}")
    )
    groups = gateway_groups(mesh_of(text))
    # a Gateway selecting no pod in the input falls back to its selector
    assert [names(g.gateways) for g in groups] == [["older", "newer"], ["elsewhere"]]
    assert [[w.name for w in g.workloads] for g in groups] == [["ingress"], []]


def test_groups_from_selectors_when_no_gateway_pod_is_in_the_input() -> None:
    text = (
        gateway("broad", "{istio: ingressgateway}")
        + gateway("narrow", "{istio: ingressgateway, tier: edge}")
        + gateway("other", "{istio: internal}")
    )
    groups = gateway_groups(mesh_of(text))
    assert sorted(names(g.gateways) for g in groups) == [["broad"], ["broad", "narrow"], ["other"]]
    assert all(g.workloads == () for g in groups)


def test_ordered_gateways_sorts_by_creation_then_name() -> None:
    text = gateway("b", "{a: b}") + gateway("a", "{a: b}", ", creationTimestamp: '2024-01-01'")
    mesh = mesh_of(text)
    assert names(ordered_gateways(mesh, mesh.all(Gateway))) == ["b", "a"]


def test_accepted_ports_are_service_and_target_ports() -> None:
    mesh = mesh_of(INGRESS)
    assert accepted_ports(mesh, mesh.workloads()) == frozenset({80, 8080, 443, 8443, 31400})


def test_accepted_ports_unknown_without_service_or_with_unresolved_target() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: g, labels: {istio: ingressgateway}}\n"
    assert accepted_ports(mesh_of(pod), mesh_of(pod).workloads()) is None
    unresolved = INGRESS.replace("name: https-port, ", "name: other, ")
    mesh = mesh_of(unresolved)
    assert accepted_ports(mesh, mesh.workloads()) is None
    second = INGRESS + "---\n" + pod.replace("name: g,", "name: g, namespace: edge,")
    mesh = mesh_of(second)
    assert len(mesh.workloads()) == 2
    assert accepted_ports(mesh, mesh.workloads()) is None
    assert accepted_ports(mesh, ()) is None


@pytest.mark.parametrize(("number", "resolved"), [(80, 8080), (443, 8443), (31400, 31400)])
def test_resolve_server_port_translates_service_ports(number: int, resolved: int) -> None:
    mesh = mesh_of(INGRESS)
    assert resolve_server_port(mesh, mesh.workloads(), number) == resolved


def test_resolve_server_port_keeps_unknown_numbers() -> None:
    mesh = mesh_of(INGRESS)
    assert resolve_server_port(mesh, mesh.workloads(), 9000) == 9000
    assert resolve_server_port(mesh, (), 80) == 80


SECRETS = """\
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: istio-system}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: v1
kind: Secret
metadata: {name: generic, namespace: istio-system}
stringData: {cert: c, key: k, a/b: x}
"""


def test_secret_keys_reads_data_and_string_data_keys_only() -> None:
    mesh = mesh_of(SECRETS)
    tls, generic = mesh.all(Secret)
    candidates = ("tls.crt", "tls.key", "cert", "key", "ca.crt", "a/b")
    assert secret_keys(tls, candidates) == frozenset({"tls.crt", "tls.key"})
    assert secret_keys(generic, candidates) == frozenset({"cert", "key", "a/b"})


def test_secret_namespaces_are_those_holding_secrets() -> None:
    assert secret_namespaces(mesh_of(SECRETS)) == frozenset({"istio-system"})
    assert secret_namespaces(mesh_of(INGRESS)) == frozenset()
    complete = mesh_of(SECRETS, MeshSettings().with_options(assume_complete=True))
    assert secret_namespaces(complete) is None


def test_gateway_server_properties() -> None:
    text = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: g}
spec:
  servers:
  - {port: {number: 443, name: a, protocol: https}, hosts: [a.com], tls: {mode: SIMPLE}}
  - {port: {number: 443, name: b, protocol: TLS}, hosts: [b.com], tls: {}}
  - {port: {number: 80, name: c, protocol: HTTP}, hosts: [c.com], tls: {httpsRedirect: true}}
  - {port: {number: 81, name: d, protocol: HTTP}, hosts: [d.com]}
"""
    servers = gateway_servers(mesh_of(text).all(Gateway)[0])
    assert [s.pointer for s in servers] == [f"/spec/servers/{i}" for i in range(4)]
    assert [s.protocol for s in servers] == ["HTTPS", "TLS", "HTTP", "HTTP"]
    assert [s.is_tls for s in servers] == [True, True, False, False]
    assert [s.tls_mode for s in servers] == ["SIMPLE", "PASSTHROUGH", "PASSTHROUGH", ""]


@pytest.mark.parametrize("code", ["MESH401", "MESH402", "MESH404"])
def test_rules_stay_silent_on_gateway_config_without_pods(code: str) -> None:
    """Offline precision: a Gateway repo without the gateway deployment or Secrets."""
    text = (
        gateway("a", "{istio: ingresgateway}")
        + gateway("b", "{istio: ingressgateway}")
        + """\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: tls, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [a.example.com]
    tls: {mode: SIMPLE, credentialName: missing}
"""
    )
    assert lint_text(text, Config(select=(code,))).findings == ()


def test_server_conflict_found_from_selectors_without_pods() -> None:
    text = gateway("web", "{istio: ingressgateway}") + gateway(
        "raw", "{istio: ingressgateway, tier: edge}"
    ).replace("protocol: HTTP", "protocol: TCP")
    findings = lint_text(text, Config(select=("MESH402",))).findings
    assert [(f.resource and f.resource.name, f.pointer) for f in findings] == [
        ("web", "/spec/servers/0/port"),
        ("raw", "/spec/servers/0/port"),
    ]


def test_assume_complete_turns_unknown_into_missing() -> None:
    text = gateway("typo", "{istio: ingresgateway}")
    complete = Config(select=("MESH401", "MESH406"), assume_complete=True)
    findings = lint_text(text, complete).findings
    assert [(f.code, f.pointer) for f in findings] == [
        ("MESH401", "/spec/selector"),
        ("MESH406", "/spec/servers/0/hosts/0"),
    ]
