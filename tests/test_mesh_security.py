"""Mesh workload, injection, mTLS and policy-selection semantics."""

from __future__ import annotations

import pytest

from meshlint.mesh import Mesh, MtlsLevel, MtlsMode
from meshlint.meshconfig import MeshSettings
from meshlint.model.base import Kind
from meshlint.model.kubernetes import CronJob, Deployment, Namespace, Pod, Service
from meshlint.model.networking import DestinationRule, ServiceEntry, WorkloadEntry
from meshlint.model.security import (
    AuthorizationPolicy,
    PeerAuthentication,
    RequestAuthentication,
)

SETTINGS = MeshSettings()
T0, T1 = "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"


def res(cls, name, ns, spec=None, *, labels=None, annotations=None, created=None):
    meta = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
    if ns is not None:
        meta["namespace"] = ns
    if created:
        meta["creationTimestamp"] = created
    return cls.model_validate({"kind": cls.KIND.kind_name, "metadata": meta, "spec": spec or {}})


def pod(name, ns, labels=None, annotations=None, **spec):
    body = {
        "containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "http"}]}],
        **spec,
    }
    return res(Pod, name, ns, body, labels=labels or {"app": name}, annotations=annotations)


def namespace(name, **labels):
    return res(Namespace, name, None, labels=labels)


def mesh(*resources, settings=SETTINGS):
    return Mesh.build(list(resources), settings)


def workload(m, resource):
    found = m.workload_of(resource)
    assert found is not None
    return found


# ------------------------------------------------------------------ workloads


def test_workload_values_from_pod_and_templates():
    deployment = res(
        Deployment,
        "web",
        "shop",
        {
            "template": {
                "metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"}},
                "spec": {
                    "serviceAccountName": "web-sa",
                    "containers": [{"name": "c", "ports": [{"containerPort": 9080}]}],
                },
            }
        },
    )
    cron = res(
        CronJob,
        "job",
        "shop",
        {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "job"}}}}}},
    )
    entry = res(
        WorkloadEntry,
        "vm",
        "shop",
        {"address": "10.0.0.1", "labels": {"app": "vm"}, "ports": {"http": 8080}},
    )
    plain = pod("p", "shop")
    m = mesh(plain, deployment, cron, entry)
    info = workload(m, deployment)
    assert (info.kind, info.namespace, info.name, info.labels, info.annotations) == (
        Kind.DEPLOYMENT,
        "shop",
        "web",
        {"app": "web"},
        {"a": "b"},
    )
    assert info.service_account == "web-sa"
    assert [(p.number, p.protocol) for p in info.ports] == [(9080, "TCP")]
    assert workload(m, plain).service_account == "default"
    assert workload(m, cron).labels == {"app": "job"}
    vm = workload(m, entry)
    assert (vm.kind, vm.labels, [(p.name, p.number) for p in vm.ports], vm.has_sidecar) == (
        Kind.WORKLOAD_ENTRY,
        {"app": "vm"},
        [("http", 8080)],
        None,
    )
    assert [w.name for w in m.workloads()] == ["p", "web", "job", "vm"]


@pytest.mark.parametrize(
    ("ns_labels", "pod_labels", "pod_annotations", "extra", "expected"),
    [
        (None, {}, {}, {}, None),  # namespace not in the input: unknown
        (None, {"sidecar.istio.io/inject": "false"}, {}, {}, False),
        ({"istio-injection": "enabled"}, {}, {}, {}, True),
        ({"istio-injection": "enabled"}, {"sidecar.istio.io/inject": "false"}, {}, {}, False),
        ({"istio-injection": "disabled"}, {"sidecar.istio.io/inject": "true"}, {}, {}, False),
        ({"istio.io/rev": "canary"}, {}, {}, {}, True),
        ({"istio.io/rev": "canary"}, {"sidecar.istio.io/inject": "false"}, {}, {}, False),
        ({}, {}, {}, {}, False),
        ({}, {"sidecar.istio.io/inject": "true"}, {}, {}, True),
        ({}, {"istio.io/rev": "x"}, {}, {}, True),
        ({}, {}, {"sidecar.istio.io/inject": "true"}, {}, True),
        ({"istio-injection": "enabled"}, {}, {}, {"hostNetwork": True}, False),
        ({}, {}, {"sidecar.istio.io/status": "{}"}, {}, True),
    ],
)
def test_has_sidecar(ns_labels, pod_labels, pod_annotations, extra, expected):
    target = pod(
        "p", "shop", labels={"app": "p", **pod_labels}, annotations=pod_annotations, **extra
    )
    resources = [target] if ns_labels is None else [target, namespace("shop", **ns_labels)]
    assert workload(mesh(*resources), target).has_sidecar is expected


def test_namespaces_by_default_injection():
    settings = MeshSettings(inject_namespaces_by_default=True)
    app = pod("a", "shop")
    system = pod("s", "kube-system")
    m = mesh(app, system, namespace("shop"), namespace("kube-system"), settings=settings)
    assert (workload(m, app).has_sidecar, workload(m, system).has_sidecar) == (True, False)


def test_istio_proxy_container_counts_as_sidecar():
    gw = res(
        Pod,
        "gw",
        "istio-system",
        {"containers": [{"name": "istio-proxy"}]},
        labels={"istio": "ingressgateway"},
    )
    info = workload(mesh(gw), gw)
    assert (info.has_sidecar, info.is_gateway) == (True, True)


def test_selection_between_services_and_workloads():
    web = pod("web", "shop", labels={"app": "web", "version": "v1"})
    web_other_ns = pod("web2", "other", labels={"app": "web"})
    service = res(Service, "web", "shop", {"selector": {"app": "web"}, "ports": [{"port": 80}]})
    no_selector = res(Service, "ext", "shop", {"ports": [{"port": 80}]})
    entry = res(
        ServiceEntry,
        "se",
        "shop",
        {"hosts": ["web.internal"], "workloadSelector": {"labels": {"app": "web"}}},
    )
    m = mesh(web, web_other_ns, service, no_selector, entry)
    (info,) = m.service_infos(service)
    assert [w.resource for w in m.workloads_for_service(info)] == [web]
    assert m.workloads_for_service(m.service_infos(no_selector)[0]) == ()
    assert [s.resource for s in m.services_for_workload(workload(m, web))] == [service, entry]
    assert [w.name for w in m.workloads_selected("shop", {"version": "v1"})] == ["web"]
    assert [w.name for w in m.workloads_selected(None, {"app": "web"})] == ["web", "web2"]
    assert [w.name for w in m.workloads_selected("shop", {})] == ["web"]


# ------------------------------------------------------------------ PeerAuthentication


def pa(name, ns, mode=None, selector=None, *, ports=None, created=None):
    spec = {}
    if mode is not None:
        spec["mtls"] = {"mode": mode}
    if selector is not None:
        spec["selector"] = {"matchLabels": selector}
    if ports is not None:
        spec["portLevelMtls"] = {str(k): {"mode": v} for k, v in ports.items()}
    return res(PeerAuthentication, name, ns, spec, created=created)


APP = {"app": "web"}


@pytest.mark.parametrize(
    ("policies", "port", "mode", "level", "decider"),
    [
        ([], None, MtlsMode.PERMISSIVE, MtlsLevel.DEFAULT, None),
        ([pa("mesh", "istio-system", "STRICT")], None, MtlsMode.STRICT, MtlsLevel.MESH, "mesh"),
        ([pa("mesh", "istio-system", "UNSET")], None, MtlsMode.PERMISSIVE, MtlsLevel.DEFAULT, None),
        (
            [pa("mesh", "istio-system", "STRICT"), pa("ns", "shop", "DISABLE")],
            None,
            MtlsMode.DISABLE,
            MtlsLevel.NAMESPACE,
            "ns",
        ),
        (
            [pa("mesh", "istio-system", "STRICT"), pa("ns", "shop", "UNSET")],
            None,
            MtlsMode.STRICT,
            MtlsLevel.MESH,
            "mesh",
        ),
        ([pa("ns", "shop")], None, MtlsMode.PERMISSIVE, MtlsLevel.DEFAULT, None),  # no mtls = UNSET
        (
            [pa("ns", "shop", "STRICT"), pa("wl", "shop", "PERMISSIVE", APP)],
            None,
            MtlsMode.PERMISSIVE,
            MtlsLevel.WORKLOAD,
            "wl",
        ),
        (
            [pa("ns", "shop", "STRICT"), pa("wl", "shop", "UNSET", APP)],
            None,
            MtlsMode.STRICT,
            MtlsLevel.NAMESPACE,
            "ns",
        ),
        # a selector policy in the root namespace is ignored
        (
            [pa("root-sel", "istio-system", "DISABLE", APP)],
            None,
            MtlsMode.PERMISSIVE,
            MtlsLevel.DEFAULT,
            None,
        ),
        (
            [pa("other", "shop", "DISABLE", {"app": "other"})],
            None,
            MtlsMode.PERMISSIVE,
            MtlsLevel.DEFAULT,
            None,
        ),
        # port-level, keyed by the container/target port
        (
            [pa("wl", "shop", "STRICT", APP, ports={8080: "DISABLE"})],
            8080,
            MtlsMode.DISABLE,
            MtlsLevel.PORT,
            "wl",
        ),
        (
            [pa("wl", "shop", "STRICT", APP, ports={8080: "DISABLE"})],
            80,
            MtlsMode.STRICT,
            MtlsLevel.WORKLOAD,
            "wl",
        ),
        (
            [pa("wl", "shop", "STRICT", APP, ports={8080: "UNSET"})],
            8080,
            MtlsMode.STRICT,
            MtlsLevel.WORKLOAD,
            "wl",
        ),
        (
            [pa("wl", "shop", None, APP, ports={8080: "STRICT"})],
            8080,
            MtlsMode.STRICT,
            MtlsLevel.PORT,
            "wl",
        ),
        # oldest wins within a level
        (
            [pa("new", "shop", "DISABLE", created=T1), pa("old", "shop", "STRICT", created=T0)],
            None,
            MtlsMode.STRICT,
            MtlsLevel.NAMESPACE,
            "old",
        ),
        (
            [
                pa("new", "shop", "DISABLE", APP, created=T1),
                pa("old", "shop", "STRICT", APP, created=T0),
            ],
            None,
            MtlsMode.STRICT,
            MtlsLevel.WORKLOAD,
            "old",
        ),
    ],
)
def test_peer_authentication_mode(policies, port, mode, level, decider):
    web = pod("web", "shop", labels=APP)
    m = mesh(web, *policies)
    decision = m.peer_authentication_mode(workload(m, web), port)
    assert (decision.mode, decision.level) == (mode, level)
    assert (decision.policy.name if decision.policy else None) == decider


def test_root_namespace_workload_uses_mesh_policy_only():
    gw = pod("gw", "istio-system")
    m = mesh(gw, pa("mesh", "istio-system", "STRICT"))
    assert m.peer_authentication_mode(workload(m, gw)).level is MtlsLevel.MESH


# ------------------------------------------------------------------ client TLS


def _svc(ns="shop", **spec):
    return res(
        Service,
        "web",
        ns,
        {"selector": APP, "ports": [{"name": "http", "port": 80, "targetPort": 8080}], **spec},
    )


HOST = "web.shop.svc.cluster.local"


def test_client_tls_from_destination_rule_port_level_and_subset():
    rule = res(
        DestinationRule,
        "web",
        "shop",
        {
            "host": "web",
            "trafficPolicy": {
                "tls": {"mode": "ISTIO_MUTUAL"},
                "portLevelSettings": [
                    {"port": {"number": 80}, "loadBalancer": {"simple": "RANDOM"}}
                ],
            },
            "subsets": [{"name": "plain", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}],
        },
    )
    m = mesh(
        _svc(),
        rule,
        pod("web", "shop", labels=APP),
        namespace("shop", **{"istio-injection": "enabled"}),
    )
    tls = m.client_tls("client", HOST)
    assert (tls.mode, tls.reason, tls.destination_rule.rule) == (
        "ISTIO_MUTUAL",
        "destination-rule",
        rule,
    )
    assert m.client_tls("client", HOST, port=80).mode == "AUTO"  # port level has no tls
    assert m.client_tls("client", HOST, subset="plain").mode == "DISABLE"
    endpoint = m.workloads_for_service(m.services_for_host(HOST)[0])[0]
    assert m.endpoint_mtls(tls, endpoint, 8080) is True
    assert m.endpoint_mtls(m.client_tls("client", HOST, subset="plain"), endpoint, 8080) is False


@pytest.mark.parametrize(
    ("resources", "settings", "mode", "reason"),
    [
        ([_svc()], MeshSettings(enable_auto_mtls=False), "DISABLE", "auto-mtls-off"),
        ([], SETTINGS, "DISABLE", "not-in-registry"),
        ([_svc(), pa("ns", "shop", "DISABLE")], SETTINGS, "DISABLE", "namespace-disable"),
        (
            [_svc(), pa("mesh", "istio-system", "DISABLE"), pa("ns", "shop", "STRICT")],
            SETTINGS,
            "AUTO",
            "auto",
        ),
        ([_svc()], SETTINGS, "AUTO", "auto"),
        (
            [_svc(clusterIP="None"), pod("web", "shop", labels=APP), namespace("shop")],
            SETTINGS,
            "DISABLE",
            "headless-plaintext",
        ),
        ([_svc(clusterIP="None"), pod("x", "shop")], SETTINGS, "DISABLE", "headless-plaintext"),
        (
            [_svc(clusterIP="None")],
            MeshSettings(assume_complete=True),
            "DISABLE",
            "headless-plaintext",
        ),
        ([_svc(clusterIP="None"), namespace("shop")], SETTINGS, "AUTO", "auto"),  # pods unknown
        (
            [
                _svc(clusterIP="None"),
                pod("web", "shop", labels=APP),
                namespace("shop", **{"istio-injection": "enabled"}),
            ],
            SETTINGS,
            "AUTO",
            "auto",
        ),
    ],
)
def test_client_tls_auto(resources, settings, mode, reason):
    tls = mesh(*resources, settings=settings).client_tls("client", HOST)
    assert (tls.mode, tls.reason) == (mode, reason)


def test_client_tls_mesh_external_service_entry():
    entry = res(
        ServiceEntry,
        "ext",
        "shop",
        {
            "hosts": ["api.example.com"],
            "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}],
        },
    )
    internal = res(
        ServiceEntry, "int", "shop", {"hosts": ["db.internal"], "location": "MESH_INTERNAL"}
    )
    m = mesh(entry, internal)
    assert m.client_tls("client", "api.example.com").reason == "mesh-external"
    assert m.client_tls("client", "db.internal").reason == "auto"


@pytest.mark.parametrize(
    ("ns_labels", "policies", "port", "expected"),
    [
        ({"istio-injection": "enabled"}, [], 8080, True),
        ({"istio-injection": "enabled"}, [pa("wl", "shop", "DISABLE", APP)], 8080, False),
        (
            {"istio-injection": "enabled"},
            [pa("wl", "shop", "STRICT", APP, ports={8080: "DISABLE"})],
            8080,
            False,
        ),
        ({}, [], 8080, False),  # no sidecar: plaintext
        (None, [], 8080, None),  # unknown
    ],
)
def test_endpoint_mtls_under_auto(ns_labels, policies, port, expected):
    web = pod("web", "shop", labels=APP)
    resources = [_svc(), web, *policies]
    if ns_labels is not None:
        resources.append(namespace("shop", **ns_labels))
    m = mesh(*resources)
    tls = m.client_tls("client", HOST)
    assert tls.mode == "AUTO"
    assert m.endpoint_mtls(tls, workload(m, web), port) is expected


def test_namespace_mtls_mode_ignores_workload_policies():
    m = mesh(pa("ns", "shop", "DISABLE"), pa("wl", "shop", "STRICT", APP))
    decision = m.namespace_mtls_mode("shop")
    assert (decision.mode, decision.policy.name) == (MtlsMode.DISABLE, "ns")


# ------------------------------------------------------------------ authorization


def authz(name, ns, selector=None, **spec):
    if selector is not None:
        spec["selector"] = {"matchLabels": selector}
    return res(AuthorizationPolicy, name, ns, spec)


def test_policies_for_workload():
    web = pod("web", "shop", labels=APP)
    policies = [
        authz("mesh-wide", "istio-system"),
        authz("root-selector", "istio-system", APP),
        authz("root-selector-miss", "istio-system", {"app": "x"}),
        authz("ns-wide", "shop"),
        authz("selected", "shop", APP),
        authz("other-ns", "other"),
        authz("target-ref", "shop", targetRefs=[{"kind": "Service", "name": "web"}]),
        authz(
            "target-ref-single",
            "shop",
            targetRef={"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "gw"},
        ),
    ]
    m = mesh(web, *policies)
    names = [p.name for p in m.policies_for_workload(workload(m, web))]
    assert names == ["mesh-wide", "root-selector", "ns-wide", "selected"]


def test_request_authentications_for_workload():
    web = pod("web", "shop", labels=APP)
    ra = res(
        RequestAuthentication,
        "jwt",
        "shop",
        {"selector": {"matchLabels": APP}, "jwtRules": [{"issuer": "i"}]},
    )
    miss = res(RequestAuthentication, "miss", "shop", {"selector": {"matchLabels": {"app": "x"}}})
    root = res(RequestAuthentication, "root", "istio-system", {})
    m = mesh(web, ra, miss, root)
    assert [p.name for p in m.request_authentications_for_workload(workload(m, web))] == [
        "root",
        "jwt",
    ]
