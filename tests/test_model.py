"""Typed models: every kind builds from a realistic document, aliases, defaults, coercion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from meshlint.model import (
    MODELS,
    AuthorizationPolicy,
    ConfigMap,
    CronJob,
    DaemonSet,
    Deployment,
    DestinationRule,
    Gateway,
    Job,
    Kind,
    Namespace,
    PeerAuthentication,
    Pod,
    ReplicaSet,
    RequestAuthentication,
    Secret,
    Service,
    ServiceAccount,
    ServiceEntry,
    Sidecar,
    StatefulSet,
    VirtualService,
    WorkloadEntry,
)
from meshlint.model.base import NETWORKING_VERSIONS, SECURITY_VERSIONS
from meshlint.resources import data_dir


def doc(api_version: str, kind: str, spec: dict[str, Any] | None = None, **top: Any):
    data: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "reviews", "namespace": "shop", "labels": {"app": "reviews"}},
    }
    if spec is not None:
        data["spec"] = spec
    data.update(top)
    return data


VS_SPEC: dict[str, Any] = {
    "hosts": ["reviews.shop.svc.cluster.local"],
    "gateways": ["mesh", "istio-system/public"],
    "exportTo": ["."],
    "http": [
        {
            "name": "canary",
            "match": [
                {
                    "name": "m1",
                    "uri": {"prefix": "/api"},
                    "method": {"exact": "GET"},
                    "headers": {"end-user": {"exact": "jason"}, "x-present": {}},
                    "queryParams": {"debug": {"regex": "1|true"}},
                    "withoutHeaders": {"x-skip": {"exact": "1"}},
                    "port": 9080,
                    "sourceLabels": {"app": "productpage"},
                    "sourceNamespace": "shop",
                    "ignoreUriCase": True,
                    "statPrefix": "canary",
                    "gateways": ["mesh"],
                }
            ],
            "route": [
                {
                    "destination": {"host": "reviews", "subset": "v1", "port": {"number": 9080}},
                    "weight": 90,
                    "headers": {"request": {"set": {"x-v": "1"}, "remove": ["x-old"]}},
                },
                {"destination": {"host": "reviews", "subset": "v2"}, "weight": 10},
            ],
            "timeout": "5s",
            "retries": {
                "attempts": 3,
                "perTryTimeout": "2s",
                "retryOn": "5xx,reset",
                "retryRemoteLocalities": True,
                "retryIgnorePreviousHosts": True,
                "backoff": "25ms",
            },
            "fault": {
                "delay": {"fixedDelay": "1s", "percentage": {"value": 0.5}},
                "abort": {"httpStatus": 503, "percentage": {"value": 1}},
            },
            "mirror": {"host": "reviews", "subset": "shadow"},
            "mirrorPercentage": {"value": 5.0},
            "corsPolicy": {
                "allowOrigins": [{"exact": "https://example.com"}],
                "allowMethods": ["GET"],
                "allowCredentials": False,
                "maxAge": "24h",
                "unmatchedPreflights": "IGNORE",
            },
            "headers": {"response": {"add": {"x-served-by": "reviews"}}},
        },
        {"redirect": {"uri": "/v2", "redirectCode": 301, "derivePort": "FROM_REQUEST_PORT"}},
        {"directResponse": {"status": 404, "body": {"string": "gone"}}},
        {"delegate": {"name": "reviews-delegate", "namespace": "shop"}},
        {
            "rewrite": {"uriRegexRewrite": {"match": "^/a(.*)", "rewrite": "/b\\1"}},
            "route": [{"destination": {"host": "reviews"}}],
            "mirrors": [{"destination": {"host": "audit"}, "percentage": {"value": 10}}],
        },
    ],
    "tcp": [
        {
            "match": [{"port": 27017, "destinationSubnets": ["10.0.0.0/8"]}],
            "route": [{"destination": {"host": "mongo", "port": {"number": 27017}}}],
        }
    ],
    "tls": [
        {
            "match": [{"sniHosts": ["reviews.example.com"], "port": 443}],
            "route": [{"destination": {"host": "reviews"}, "weight": 100}],
        }
    ],
}


@pytest.mark.parametrize("version", NETWORKING_VERSIONS)
def test_virtual_service_every_served_version(version):
    vs = VirtualService.model_validate(
        doc(f"networking.istio.io/{version}", "VirtualService", VS_SPEC)
    )
    spec = vs.spec
    assert vs.api_version == f"networking.istio.io/{version}"
    assert vs.name == "reviews" and vs.written_namespace == "shop"
    assert spec.export_to == (".",)
    http = spec.http[0]
    match = http.match[0]
    assert match.uri is not None and match.uri.prefix == "/api"
    assert match.headers["x-present"].exact is None
    assert match.query_params["debug"].regex == "1|true"
    assert match.without_headers["x-skip"].exact == "1"
    assert match.source_labels == {"app": "productpage"}
    assert (match.port, match.ignore_uri_case, match.stat_prefix) == (9080, True, "canary")
    first = http.route[0]
    assert first.destination is not None and first.destination.port is not None
    assert (first.destination.subset, first.destination.port.number, first.weight) == (
        "v1",
        9080,
        90,
    )
    assert first.headers is not None and first.headers.request is not None
    assert first.headers.request.remove == ("x-old",)
    assert http.retries is not None and http.retries.retry_ignore_previous_hosts is True
    assert http.fault is not None and http.fault.abort is not None
    assert http.fault.abort.http_status == 503
    assert http.mirror_percentage is not None and http.mirror_percentage.value == 5.0
    assert http.cors_policy is not None and http.cors_policy.allow_origins[0].exact
    assert spec.http[1].redirect is not None and spec.http[1].redirect.redirect_code == 301
    assert spec.http[2].direct_response is not None
    assert spec.http[2].direct_response.status == 404
    assert spec.http[3].delegate is not None and spec.http[3].delegate.name == "reviews-delegate"
    rewrite = spec.http[4].rewrite
    assert rewrite is not None and rewrite.uri_regex_rewrite is not None
    assert spec.http[4].mirrors[0].percentage is not None
    assert spec.tcp[0].match[0].destination_subnets == ("10.0.0.0/8",)
    assert spec.tls[0].match[0].sni_hosts == ("reviews.example.com",)
    assert spec.applies_to_mesh and not spec.is_delegate


def test_virtual_service_defaults():
    vs = VirtualService.model_validate(doc("networking.istio.io/v1", "VirtualService"))
    assert vs.spec.hosts == () and vs.spec.http == () and vs.spec.export_to == ()
    assert vs.spec.applies_to_mesh and vs.spec.is_delegate
    assert vs.origin is None


def test_gateway_only_virtual_service_does_not_apply_to_mesh():
    vs = VirtualService.model_validate(
        doc("networking.istio.io/v1", "VirtualService", {"hosts": ["a.com"], "gateways": ["gw"]})
    )
    assert not vs.spec.applies_to_mesh


def test_deprecated_fields_still_build():
    spec = {
        "hosts": ["r"],
        "http": [
            {
                "route": [{"destination": {"host": "r"}, "weight": -1}],
                "mirrorPercent": 50,
                "corsPolicy": {"allowOrigin": ["https://a.com"]},
                "fault": {"delay": {"fixedDelay": "1s", "percent": 10}},
            }
        ],
    }
    http = VirtualService.model_validate(doc("networking.istio.io/v1beta1", "VirtualService", spec))
    route = http.spec.http[0]
    assert route.mirror_percent == 50
    assert route.cors_policy is not None and route.cors_policy.allow_origin == ("https://a.com",)
    assert route.fault is not None and route.fault.delay is not None
    assert route.fault.delay.percent == 10
    # Out-of-range values are the schema's to report; the model keeps the resource.
    assert route.route[0].weight == -1


DR_SPEC: dict[str, Any] = {
    "host": "reviews",
    "exportTo": ["*"],
    "workloadSelector": {"matchLabels": {"app": "client"}},
    "trafficPolicy": {
        "loadBalancer": {
            "consistentHash": {
                "httpCookie": {
                    "name": "user",
                    "ttl": "0s",
                    "path": "/",
                    "attributes": [{"name": "SameSite", "value": "Strict"}],
                },
                "ringHash": {"minimumRingSize": 1024},
            },
            "localityLbSetting": {
                "enabled": True,
                "distribute": [{"from": "us-west/zone1/*", "to": {"us-west/zone1/*": 80}}],
                "failover": [{"from": "us-east", "to": "eu-west"}],
                "failoverPriority": ["topology.kubernetes.io/region"],
            },
            "warmup": {"duration": "60s", "minimumPercent": 10, "aggression": 1.5},
        },
        "connectionPool": {
            "tcp": {
                "maxConnections": 100,
                "connectTimeout": "30ms",
                "tcpKeepalive": {"time": "7200s", "interval": "75s", "probes": 9},
            },
            "http": {
                "http1MaxPendingRequests": 10,
                "http2MaxRequests": 1000,
                "maxRequestsPerConnection": 10,
                "maxRetries": 3,
                "h2UpgradePolicy": "UPGRADE",
                "useClientProtocol": False,
            },
        },
        "outlierDetection": {
            "consecutive5xxErrors": 7,
            "consecutiveGatewayErrors": 5,
            "consecutiveErrors": 3,
            "interval": "5m",
            "baseEjectionTime": "15m",
            "maxEjectionPercent": 50,
        },
        "tls": {"mode": "ISTIO_MUTUAL", "sni": "reviews.shop", "subjectAltNames": ["spiffe://x"]},
        "portLevelSettings": [
            {"port": {"number": 80}, "loadBalancer": {"simple": "LEAST_REQUEST"}},
            {"port": {"number": 443}, "tls": {"mode": "SIMPLE", "credentialName": "cert"}},
        ],
        "tunnel": {"protocol": "CONNECT", "targetHost": "proxy", "targetPort": 3128},
        "retryBudget": {"percent": {"value": 20}, "minRetryConcurrency": 3},
    },
    "subsets": [
        {"name": "v1", "labels": {"version": "v1"}},
        {
            "name": "v2",
            "labels": {"version": "v2"},
            "trafficPolicy": {"loadBalancer": {"simple": "ROUND_ROBIN"}},
        },
    ],
}


@pytest.mark.parametrize("version", NETWORKING_VERSIONS)
def test_destination_rule_every_served_version(version):
    dr = DestinationRule.model_validate(
        doc(f"networking.istio.io/{version}", "DestinationRule", DR_SPEC)
    )
    policy = dr.spec.traffic_policy
    assert dr.spec.host == "reviews" and dr.spec.export_to == ("*",)
    assert dr.spec.workload_selector is not None
    assert dr.spec.workload_selector.match_labels == {"app": "client"}
    assert policy is not None and policy.load_balancer is not None
    lb = policy.load_balancer
    assert lb.consistent_hash is not None and lb.consistent_hash.http_cookie is not None
    assert lb.consistent_hash.http_cookie.attributes[0].name == "SameSite"
    assert lb.consistent_hash.ring_hash is not None
    assert lb.consistent_hash.ring_hash.minimum_ring_size == 1024
    assert lb.locality_lb_setting is not None
    assert lb.locality_lb_setting.distribute[0].from_ == "us-west/zone1/*"
    assert lb.locality_lb_setting.failover[0].to == "eu-west"
    assert policy.connection_pool is not None and policy.connection_pool.http is not None
    assert policy.connection_pool.http.http1_max_pending_requests == 10
    assert policy.outlier_detection is not None
    assert policy.outlier_detection.consecutive_5xx_errors == 7
    assert policy.outlier_detection.consecutive_errors == 3
    assert policy.tls is not None and policy.tls.mode == "ISTIO_MUTUAL"
    assert [p.port.number for p in policy.port_level_settings if p.port] == [80, 443]
    assert policy.tunnel is not None and policy.tunnel.target_port == 3128
    assert policy.retry_budget is not None and policy.retry_budget.min_retry_concurrency == 3
    assert [s.name for s in dr.spec.subsets] == ["v1", "v2"]
    assert dr.spec.subsets[1].traffic_policy is not None


def test_enum_values_are_checked_by_the_model():
    bad = {"host": "r", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTAL"}}}
    with pytest.raises(ValidationError) as info:
        DestinationRule.model_validate(doc("networking.istio.io/v1", "DestinationRule", bad))
    assert info.value.errors()[0]["loc"] == ("spec", "trafficPolicy", "tls", "mode")


GATEWAY_SPEC: dict[str, Any] = {
    "selector": {"istio": "ingressgateway"},
    "servers": [
        {
            "port": {"number": 80, "name": "http", "protocol": "HTTP"},
            "hosts": ["shop/*.example.com"],
            "tls": {"httpsRedirect": True},
            "name": "plain",
        },
        {
            "port": {"number": 443, "name": "https", "protocol": "HTTPS", "targetPort": 8443},
            "bind": "0.0.0.0",
            "hosts": ["*.example.com"],
            "defaultEndpoint": "127.0.0.1:8080",
            "tls": {
                "mode": "MUTUAL",
                "credentialNames": ["a", "b"],
                "tlsCertificates": [{"serverCertificate": "/c", "privateKey": "/k"}],
                "subjectAltNames": ["client"],
                "verifyCertificateSpki": ["abc"],
                "verifyCertificateHash": ["def"],
                "minProtocolVersion": "TLSV1_2",
                "maxProtocolVersion": "TLSV1_3",
                "cipherSuites": ["ECDHE-RSA-AES256-GCM-SHA384"],
                "caCrl": "/crl",
            },
        },
    ],
}


@pytest.mark.parametrize("version", NETWORKING_VERSIONS)
def test_gateway(version):
    gw = Gateway.model_validate(doc(f"networking.istio.io/{version}", "Gateway", GATEWAY_SPEC))
    first, second = gw.spec.servers
    assert gw.spec.selector == {"istio": "ingressgateway"}
    assert first.port is not None and (first.port.number, first.port.protocol) == (80, "HTTP")
    assert first.tls is not None and first.tls.https_redirect is True
    assert second.port is not None and second.port.target_port == 8443
    assert second.tls is not None and second.tls.credential_names == ("a", "b")
    assert second.tls.tls_certificates[0].private_key == "/k"
    assert second.tls.min_protocol_version == "TLSV1_2"
    assert second.default_endpoint == "127.0.0.1:8080"


def test_service_entry_and_workload_entry():
    se = ServiceEntry.model_validate(
        doc(
            "networking.istio.io/v1",
            "ServiceEntry",
            {
                "hosts": ["api.example.com"],
                "addresses": ["240.0.0.1"],
                "ports": [{"number": 443, "name": "https", "protocol": "TLS", "targetPort": 8443}],
                "location": "MESH_EXTERNAL",
                "resolution": "DNS",
                "endpoints": [{"address": "1.2.3.4", "ports": {"https": 8443}, "weight": 2}],
                "exportTo": ["."],
                "subjectAltNames": ["spiffe://x"],
            },
        )
    )
    assert se.spec.ports[0].target_port == 8443
    assert se.spec.endpoints[0].ports == {"https": 8443}
    assert (se.spec.location, se.spec.resolution) == ("MESH_EXTERNAL", "DNS")
    we = WorkloadEntry.model_validate(
        doc(
            "networking.istio.io/v1alpha3",
            "WorkloadEntry",
            {
                "address": "10.0.0.5",
                "labels": {"app": "vm", "version": 2},
                "serviceAccount": "vm-sa",
                "network": "n1",
                "locality": "us-west/z1",
            },
        )
    )
    assert we.spec.labels == {"app": "vm", "version": "2"}
    assert we.spec.service_account == "vm-sa"


def test_sidecar():
    sc = Sidecar.model_validate(
        doc(
            "networking.istio.io/v1",
            "Sidecar",
            {
                "workloadSelector": {"labels": {"app": "x"}},
                "ingress": [
                    {
                        "port": {"number": 9080, "protocol": "HTTP", "name": "http"},
                        "defaultEndpoint": "127.0.0.1:8080",
                        "captureMode": "IPTABLES",
                        "connectionPool": {"http": {"idleTimeout": "10s"}},
                    }
                ],
                "egress": [{"hosts": ["./*", "istio-system/*"], "captureMode": "NONE"}],
                "outboundTrafficPolicy": {
                    "mode": "ALLOW_ANY",
                    "egressProxy": {"host": "egress", "port": {"number": 443}},
                },
                "inboundConnectionPool": {"tcp": {"maxConnections": 5}},
            },
        )
    )
    assert sc.spec.workload_selector is not None
    assert sc.spec.workload_selector.labels == {"app": "x"}
    assert sc.spec.ingress[0].capture_mode == "IPTABLES"
    assert sc.spec.egress[0].hosts == ("./*", "istio-system/*")
    assert sc.spec.outbound_traffic_policy is not None
    assert sc.spec.outbound_traffic_policy.egress_proxy is not None
    assert sc.spec.inbound_connection_pool is not None


@pytest.mark.parametrize("version", SECURITY_VERSIONS)
def test_peer_authentication(version):
    pa = PeerAuthentication.model_validate(
        doc(
            f"security.istio.io/{version}",
            "PeerAuthentication",
            {
                "selector": {"matchLabels": {"app": "reviews"}},
                "mtls": {"mode": "STRICT"},
                "portLevelMtls": {8080: {"mode": "DISABLE"}, "9090": {"mode": "PERMISSIVE"}},
            },
        )
    )
    assert pa.spec.mtls is not None and pa.spec.mtls.mode == "STRICT"
    assert {port: m.mode for port, m in pa.spec.port_level_mtls.items()} == {
        8080: "DISABLE",
        9090: "PERMISSIVE",
    }


@pytest.mark.parametrize("version", SECURITY_VERSIONS)
def test_request_authentication(version):
    ra = RequestAuthentication.model_validate(
        doc(
            f"security.istio.io/{version}",
            "RequestAuthentication",
            {
                "targetRefs": [
                    {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "g"}
                ],
                "jwtRules": [
                    {
                        "issuer": "https://issuer",
                        "audiences": ["a"],
                        "jwksUri": "https://issuer/jwks",
                        "fromHeaders": [{"name": "x-jwt", "prefix": "Bearer "}],
                        "fromParams": ["token"],
                        "fromCookies": ["session"],
                        "outputPayloadToHeader": "x-payload",
                        "forwardOriginalToken": True,
                        "outputClaimToHeaders": [{"header": "x-sub", "claim": "sub"}],
                        "timeout": "5s",
                    }
                ],
            },
        )
    )
    rule = ra.spec.jwt_rules[0]
    assert ra.spec.target_refs[0].name == "g"
    assert rule.from_headers[0].prefix == "Bearer "
    assert rule.output_claim_to_headers[0].claim == "sub"
    assert rule.forward_original_token is True


@pytest.mark.parametrize("version", SECURITY_VERSIONS)
def test_authorization_policy_from_keyword(version):
    ap = AuthorizationPolicy.model_validate(
        doc(
            f"security.istio.io/{version}",
            "AuthorizationPolicy",
            {
                "selector": {"matchLabels": {"app": "reviews"}},
                "action": "DENY",
                "rules": [
                    {
                        "from": [
                            {
                                "source": {
                                    "principals": ["cluster.local/ns/shop/sa/pp"],
                                    "notNamespaces": ["dev"],
                                    "serviceAccounts": ["shop/pp"],
                                    "notServiceAccounts": ["x"],
                                    "trustDomains": ["td"],
                                    "notTrustDomains": ["other"],
                                    "remoteIpBlocks": ["1.2.3.0/24"],
                                }
                            }
                        ],
                        "to": [{"operation": {"methods": ["GET"], "notPaths": ["/admin*"]}}],
                        "when": [{"key": "request.auth.claims[iss]", "notValues": ["x"]}],
                    }
                ],
            },
        )
    )
    assert ap.spec.rules is not None
    rule = ap.spec.rules[0]
    assert rule.from_ is not None and rule.from_[0].source is not None
    source = rule.from_[0].source
    assert source.service_accounts == ("shop/pp",) and source.not_trust_domains == ("other",)
    assert rule.to is not None and rule.to[0].operation is not None
    assert rule.to[0].operation.not_paths == ("/admin*",)
    assert rule.when[0].not_values == ("x",)
    assert ap.spec.effective_action == "DENY"


def test_authorization_policy_absent_rules_differ_from_empty():
    absent = AuthorizationPolicy.model_validate(
        doc("security.istio.io/v1", "AuthorizationPolicy", {})
    )
    empty = AuthorizationPolicy.model_validate(
        doc("security.istio.io/v1", "AuthorizationPolicy", {"rules": [{}]})
    )
    assert absent.spec.rules is None and absent.spec.effective_action == "ALLOW"
    assert empty.spec.rules is not None and empty.spec.rules[0].from_ is None


def test_model_attributes_also_accept_python_names():
    rule = AuthorizationPolicy.model_validate(
        {"spec": {"rules": [{"from_": [{"source": {"namespaces": ["a"]}}]}]}}
    ).spec.rules
    assert rule is not None and rule[0].from_ is not None


def test_label_numbers_are_coerced_to_strings():
    data = doc("networking.istio.io/v1", "DestinationRule", {"host": "r"})
    data["metadata"]["labels"] = {"version": 1, "ratio": 0.5}
    data["metadata"]["annotations"] = {"revision": 3}
    data["spec"]["subsets"] = [{"name": "v1", "labels": {"version": 1}}]
    dr = DestinationRule.model_validate(data)
    assert dr.metadata.labels == {"version": "1", "ratio": "0.5"}
    assert dr.metadata.annotations == {"revision": "3"}
    assert dr.spec.subsets[0].labels == {"version": "1"}


def test_unknown_fields_are_ignored_by_the_model():
    data = doc("networking.istio.io/v1", "VirtualService", {"hosts": ["a"], "hostz": ["b"]})
    assert VirtualService.model_validate(data).spec.hosts == ("a",)


def test_service():
    svc = Service.model_validate(
        doc(
            "v1",
            "Service",
            {
                "selector": {"app": "reviews"},
                "clusterIP": "None",
                "ports": [
                    {"name": "http", "port": 9080, "targetPort": "http-web", "appProtocol": "http"},
                    {"name": "grpc", "port": 9090, "targetPort": 9091, "protocol": "TCP"},
                ],
                "sessionAffinity": "None",
            },
        )
    )
    assert svc.spec.is_headless and svc.spec.selector == {"app": "reviews"}
    assert [p.target_port for p in svc.spec.ports] == ["http-web", 9091]
    assert svc.spec.ports[0].app_protocol == "http"


def test_secret_keeps_no_data():
    secret = Secret.model_validate(
        doc("v1", "Secret", type="kubernetes.io/tls", data={"tls.key": "c2VjcmV0"})
    )
    assert secret.type == "kubernetes.io/tls"
    assert "c2VjcmV0" not in repr(secret) and "data" not in secret.model_dump()
    assert secret.data_keys == ("tls.key",) and secret.certificates == {}
    assert secret.has_value("tls.key")


def test_configmap_data_and_metadata_only_kinds():
    cm = ConfigMap.model_validate(
        doc("v1", "ConfigMap", data={"mesh": "rootNamespace: istio-system", "n": 1})
    )
    assert cm.data_keys == ("mesh", "n") and cm.data["n"] == "1"
    assert Namespace.model_validate(doc("v1", "Namespace")).name == "reviews"
    assert ServiceAccount.model_validate(doc("v1", "ServiceAccount")).written_namespace == "shop"


POD_SPEC: dict[str, Any] = {
    "serviceAccountName": "reviews",
    "hostNetwork": True,
    "securityContext": {"runAsUser": 1000},
    "containers": [
        {
            "name": "app",
            "image": "reviews:1",
            "ports": [{"containerPort": 9080, "name": "http", "protocol": "TCP"}],
            "securityContext": {"runAsUser": 1337},
            "env": [{"name": "A", "value": "b"}],
        }
    ],
    "initContainers": [{"name": "init", "image": "busybox"}],
}
TEMPLATE = {"metadata": {"labels": {"app": "reviews", "version": 1}}, "spec": POD_SPEC}


@pytest.mark.parametrize(
    ("model", "api_version", "spec"),
    [
        (Deployment, "apps/v1", {"replicas": 2, "template": TEMPLATE}),
        (StatefulSet, "apps/v1", {"template": TEMPLATE, "serviceName": "x"}),
        (DaemonSet, "apps/v1", {"template": TEMPLATE}),
        (ReplicaSet, "apps/v1", {"template": TEMPLATE}),
        (Job, "batch/v1", {"template": TEMPLATE}),
        (
            CronJob,
            "batch/v1",
            {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}},
        ),
    ],
)
def test_workload_pod_templates(model, api_version, spec):
    data = doc(
        api_version, model.KIND.kind_name, {"selector": {"matchLabels": {"app": "reviews"}}, **spec}
    )
    template = model.model_validate(data).pod_template
    assert template.metadata.labels == {"app": "reviews", "version": "1"}
    assert template.spec.service_account_name == "reviews"
    assert template.spec.host_network is True
    assert template.spec.security_context is not None
    assert template.spec.security_context.run_as_user == 1000
    container = template.spec.containers[0]
    assert (container.name, container.image) == ("app", "reviews:1")
    assert container.ports[0].container_port == 9080
    assert container.security_context is not None and container.security_context.run_as_user == 1337
    assert template.spec.init_containers[0].name == "init"


def test_pod_template_is_the_pod_itself():
    pod = Pod.model_validate(doc("v1", "Pod", {"containers": [{"name": "c"}]}))
    assert pod.pod_template.metadata.labels == {"app": "reviews"}
    assert pod.pod_template.spec.containers[0].name == "c"
    assert pod.pod_template.spec.effective_service_account == "default"


def test_models_registry_is_complete():
    assert set(MODELS) == set(Kind)
    assert all(model.KIND is kind for kind, model in MODELS.items())


def test_models_are_frozen():
    vs = VirtualService.model_validate(doc("networking.istio.io/v1", "VirtualService"))
    with pytest.raises(ValidationError):
        vs.kind = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        (Kind.VIRTUAL_SERVICE, VS_SPEC),
        (Kind.DESTINATION_RULE, DR_SPEC),
        (Kind.GATEWAY, GATEWAY_SPEC),
        (Kind.DEPLOYMENT, {"template": {**TEMPLATE, "metadata": {"labels": {"app": "r"}}}}),
        (Kind.POD, POD_SPEC),
    ],
)
def test_realistic_documents_also_pass_the_generated_schema(kind, spec):
    """The examples above are valid Istio/Kubernetes YAML: the strict schema must agree."""
    path = data_dir("schemas") / "kinds" / f"{kind.schema_name}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    data = doc(f"{kind.group}/{kind.served_versions[0]}".lstrip("/"), kind.kind_name, spec)
    assert [e.json_path for e in Draft202012Validator(schema).iter_errors(data)] == []
