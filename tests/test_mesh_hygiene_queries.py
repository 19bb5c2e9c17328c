"""Hygiene queries: injection labels, ambient mode, address allocation, exportTo overlap."""

from __future__ import annotations

import json

import pytest

from meshlint.build import build
from meshlint.loader import load_text
from meshlint.matching import ExportTo
from meshlint.mesh import Mesh
from meshlint.mesh.hygiene_queries import (
    InjectionLabels,
    addresses_allocated,
    app_containers,
    exports_overlap,
    has_proxy_container,
    injection_labels,
    injects_namespaces_by_default,
    is_istio_managed,
    is_system_namespace,
    namespace_is_ambient,
    resolve_target_port,
    workload_is_ambient,
)
from meshlint.meshconfig import MeshSettings
from meshlint.model.kubernetes import Namespace, Service
from meshlint.model.networking import ServiceEntry


def mesh_of(text: str, settings: MeshSettings | None = None) -> Mesh:
    built = build(load_text(text).documents)
    return Mesh.build(list(built.resources), settings or MeshSettings())


def namespace(labels: dict[str, str]) -> Namespace:
    return Namespace.model_validate({"metadata": {"name": "ns", "labels": labels}})


@pytest.mark.parametrize(
    ("labels", "injects", "ambient", "active"),
    [
        ({}, False, False, ()),
        ({"istio-injection": "enabled"}, True, False, ("istio-injection=enabled",)),
        ({"istio-injection": "disabled"}, False, False, ("istio-injection=disabled",)),
        ({"istio.io/rev": "canary"}, True, False, ("istio.io/rev=canary",)),
        (
            {"istio-injection": "enabled", "istio.io/rev": "canary"},
            True,
            False,
            ("istio-injection=enabled", "istio.io/rev=canary"),
        ),
        (
            {"istio-injection": "disabled", "istio.io/rev": "canary"},
            False,
            False,
            ("istio-injection=disabled",),
        ),
        ({"istio.io/dataplane-mode": "ambient"}, False, True, ("istio.io/dataplane-mode=ambient",)),
        (
            {"istio.io/dataplane-mode": "ambient", "istio.io/rev": "x"},
            True,
            False,
            ("istio.io/rev=x", "istio.io/dataplane-mode=ambient"),
        ),
        ({"istio.io/dataplane-mode": "none"}, False, False, ()),
    ],
)
def test_injection_labels(
    labels: dict[str, str], injects: bool, ambient: bool, active: tuple[str, ...]
) -> None:
    found = injection_labels(namespace(labels))
    assert isinstance(found, InjectionLabels)
    assert (found.injects, found.ambient, found.active()) == (injects, ambient, active)


def test_system_namespaces_and_istio_managed_objects() -> None:
    assert is_system_namespace("kube-system") and is_system_namespace("kube-public")
    assert not is_system_namespace("istio-system") and not is_system_namespace("shop")
    labelled = [{"istio": "pilot"}, {"release": "istio"}, {"gateway.istio.io/managed": "x"}]
    for labels in labelled:
        service = Service.model_validate({"metadata": {"name": "s", "labels": labels}})
        assert is_istio_managed(service)
    plain = Service.model_validate({"metadata": {"name": "s", "labels": {"release": "mine"}}})
    assert not is_istio_managed(plain)


AMBIENT = """\
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: amb}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: injected, namespace: amb}
spec: {containers: [{name: app, image: app}, {name: istio-proxy, image: proxyv2}]}
---
apiVersion: v1
kind: Pod
metadata: {name: redirected, namespace: other, annotations: {ambient.istio.io/redirection: enabled}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: unknown, namespace: other}
spec: {containers: [{name: app, image: app}]}
"""


def test_ambient_namespaces_and_workloads() -> None:
    mesh = mesh_of(AMBIENT)
    ambient = {w.name: workload_is_ambient(mesh, w) for w in mesh.workloads()}
    assert ambient == {"plain": True, "injected": False, "redirected": True, "unknown": False}
    assert namespace_is_ambient(mesh, "amb")
    assert not namespace_is_ambient(mesh, "other")


SERVICE_ENTRY = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: shop}
spec:
  hosts: [db.example.com]
  ports: [{number: 22, name: tcp, protocol: TCP}]
"""
ALLOCATED = SERVICE_ENTRY + "status:\n  addresses: [{host: db.example.com, value: 240.240.0.1}]\n"


@pytest.mark.parametrize(
    ("text", "capture", "allocate", "expected"),
    [
        (SERVICE_ENTRY, False, False, False),
        (SERVICE_ENTRY, True, False, False),
        (SERVICE_ENTRY, False, True, False),  # auto-allocation needs DNS capture too
        (SERVICE_ENTRY, True, True, True),
        (ALLOCATED, False, False, True),
    ],
)
def test_addresses_allocated(text: str, capture: bool, allocate: bool, expected: bool) -> None:
    settings = MeshSettings(dns_capture=capture, dns_auto_allocate=allocate)
    mesh = mesh_of(text, settings)
    (entry,) = mesh.all(ServiceEntry)
    assert addresses_allocated(mesh, entry) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ExportTo("a", public=True), ExportTo("b", public=True), True),
        (ExportTo("a", public=True), ExportTo("b", namespaces=frozenset({"b"})), True),
        (
            ExportTo("a", namespaces=frozenset({"a"})),
            ExportTo("b", namespaces=frozenset({"b"})),
            False,
        ),
        (
            ExportTo("a", namespaces=frozenset({"a", "web"})),
            ExportTo("b", namespaces=frozenset({"web"})),
            True,
        ),
        (ExportTo("a"), ExportTo("b", public=True), False),  # "~": visible to nobody
    ],
)
def test_exports_overlap(a: ExportTo, b: ExportTo, expected: bool) -> None:
    assert exports_overlap(a, b) is expected
    assert exports_overlap(b, a) is expected


CONTAINERS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers: [{name: istio-proxy, image: proxyv2}]
      containers:
      - {name: web, image: web, ports: [{name: main, containerPort: 8080}]}
      - {name: istio-proxy, image: proxyv2}
      - {name: helper, image: helper}
"""


def test_containers_and_target_ports() -> None:
    mesh = mesh_of(CONTAINERS)
    (workload,) = mesh.workloads()
    template = workload.pod_template
    assert template is not None
    assert [(i, c.name) for i, c in app_containers(template)] == [(0, "web"), (2, "helper")]
    assert has_proxy_container(template)
    assert resolve_target_port(workload, None, 80) == "80"
    assert resolve_target_port(workload, 0, 80) == "80"
    assert resolve_target_port(workload, 9090, 80) == "9090"
    assert resolve_target_port(workload, "9090", 80) == "9090"
    assert resolve_target_port(workload, "main", 80) == "8080"
    assert resolve_target_port(workload, "other", 80) == "other"


def injector(values: object) -> str:
    data = json.dumps(values) if not isinstance(values, str) else values
    return (
        "apiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: istio-sidecar-injector, namespace: istio-system}\n"
        f"data:\n  values: '{data}'\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        (injector({"sidecarInjectorWebhook": {"enableNamespacesByDefault": True}}), True),
        (injector({"sidecarInjectorWebhook": {"enableNamespacesByDefault": False}}), False),
        (injector({"global": {}}), False),
        (injector("not json"), False),
    ],
)
def test_injects_namespaces_by_default(text: str, expected: bool) -> None:
    assert injects_namespaces_by_default(mesh_of(text)) is expected
    settings = MeshSettings(inject_namespaces_by_default=True)
    assert injects_namespaces_by_default(mesh_of(text, settings)) is True
