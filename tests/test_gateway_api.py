"""The Gateway API Gateway: Kind, model, schema, and how VirtualServices bind to it."""

from __future__ import annotations

import pytest

from meshlint.build import build
from meshlint.config import Config
from meshlint.findings import ResourceRef
from meshlint.lint import lint_text
from meshlint.loader import load_text
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings
from meshlint.model import MODELS, K8sGateway
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway
from meshlint.policy.catalogue import _KINDS
from meshlint.schema import Validator

K8S_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/{version}
kind: Gateway
metadata: {{name: edge, namespace: web}}
spec:
  gatewayClassName: istio
  addresses: [{{value: 10.0.0.1}}]
  listeners:
  - name: http
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
    allowedRoutes: {{namespaces: {{from: All}}}}
  - {{name: any, port: 8080, protocol: HTTP}}
"""


@pytest.mark.parametrize(
    ("api_version", "expected"),
    [
        ("gateway.networking.k8s.io/v1", Kind.K8S_GATEWAY),
        ("gateway.networking.k8s.io/v1beta1", Kind.K8S_GATEWAY),
        ("gateway.networking.k8s.io/v1alpha2", None),  # no longer served since Gateway API v0.6
        ("networking.istio.io/v1", Kind.GATEWAY),
        ("example.com/v1", None),
    ],
)
def test_kind_from_api_is_group_precise(api_version, expected):
    assert Kind.from_api(api_version, "Gateway") is expected


def test_kind_names_and_registration():
    assert Kind.K8S_GATEWAY.kind_name == Kind.GATEWAY.kind_name == "Gateway"
    assert Kind.K8S_GATEWAY.schema_name == "KubernetesGateway"
    assert Kind.GATEWAY.schema_name == "Gateway"
    assert MODELS[Kind.K8S_GATEWAY] is K8sGateway
    assert _KINDS["Gateway"] is Kind.GATEWAY  # a policy's "Gateway" stays Istio's


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_build_makes_a_typed_gateway_api_gateway(version):
    built = build(load_text(K8S_GATEWAY.format(version=version)).documents)
    assert built.foreign == () and built.invalid == () and built.findings == ()
    (gateway,) = built.resources
    assert isinstance(gateway, K8sGateway)
    assert gateway.spec.gateway_class_name == "istio"
    first, second = gateway.spec.listeners
    assert (first.name, first.hostname, first.port, first.protocol) == (
        "http",
        "*.example.com",
        80,
        "HTTP",
    )
    assert first.allowed_routes is not None and first.allowed_routes.namespaces is not None
    assert first.allowed_routes.namespaces.from_ == "All"
    assert (second.hostname, second.allowed_routes) == (None, None)


def test_lenient_schema_accepts_unmodelled_fields():
    """addresses, tls, infrastructure...: not modelled, and not "unknown field" either."""
    result = lint_text(K8S_GATEWAY.format(version="v1"), Config())
    assert [f.code for f in result.findings] == []


def test_schema_types_modelled_fields():
    text = K8S_GATEWAY.format(version="v1").replace("port: 80\n", "port: eighty\n")
    data = load_text(text).documents[0]
    codes = [(f.code, f.span.line) for f in Validator().validate(data)]
    assert codes == [("MESH004", 10)]


def _mesh(text: str) -> Mesh:
    built = build(load_text(text).documents)
    return Mesh.build(built.resources, MeshSettings(), invalid=(*built.invalid, *built.foreign))


def test_mesh_resolves_a_gateway_ref_to_either_kind():
    istio = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: web}
spec: {servers: []}
"""
    mesh = _mesh(K8S_GATEWAY.format(version="v1") + "---\n" + istio)
    k8s = mesh.k8s_gateway("web/edge")
    assert k8s is not None and k8s.name == "edge"
    assert mesh.gateway("web/edge") is None
    assert isinstance(mesh.gateway("web/public"), Gateway)
    assert mesh.k8s_gateway("web/public") is None
    assert mesh.k8s_gateway("mesh") is None
    assert mesh.exists(Kind.K8S_GATEWAY, "web", "edge") is True
    assert mesh.exists(Kind.GATEWAY, "web", "edge") is False


def test_exists_matches_unmodelled_objects_by_group_and_kind():
    refs = [
        ResourceRef("Gateway", "other", "web", "example.com/v1"),
        ResourceRef("Gateway", "old", "web", "gateway.networking.k8s.io/v1alpha2"),
    ]
    mesh = Mesh.build([], MeshSettings(), invalid=refs)
    assert mesh.exists(Kind.GATEWAY, "web", "other") is False
    assert mesh.exists(Kind.K8S_GATEWAY, "web", "other") is False
    assert mesh.exists(Kind.K8S_GATEWAY, "web", "old") is True
    assert mesh.exists(Kind.GATEWAY, "web", "old") is False
    assert mesh.namespace_known("web") is True


VS = """\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: shop, namespace: web}}
spec:
  hosts: [{hosts}]
  gateways: [{gateways}]
  http: [{{route: [{{destination: {{host: shop}}}}]}}]
"""


@pytest.mark.parametrize(
    ("hosts", "gateways", "expected"),
    [
        ("a.example.com", "edge", []),
        ("a.example.org", "web/edge", []),  # the hostname-less listener takes any host
        ("a.example.com", "web/missing", ["MESH123"]),
        ("a.example.com", "other/edge", []),  # namespace other is unknown
    ],
)
def test_rules_on_gateway_api_bindings(hosts, gateways, expected):
    text = K8S_GATEWAY.format(version="v1") + VS.format(hosts=hosts, gateways=gateways)
    config = Config(select=("MESH123", "MESH124"))
    assert [f.code for f in lint_text(text, config).findings] == expected


def test_mesh124_reports_a_host_no_listener_matches():
    gateway = K8S_GATEWAY.format(version="v1").replace(
        "  - {name: any, port: 8080, protocol: HTTP}\n", ""
    )
    text = gateway + VS.format(hosts="example.org, a.example.com", gateways="edge")
    config = Config(select=("MESH124",))
    found = [(f.code, f.pointer) for f in lint_text(text, config).findings]
    assert found == [("MESH124", "/spec/hosts/0")]
