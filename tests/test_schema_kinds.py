"""Istio value checks per kind (ISTIO-SEMANTICS 1, 3.1, 4.1, 5.1, 6.1, 7.1, 7.2): bad and good."""

from __future__ import annotations

import textwrap

import pytest

from meshlint.loader import load_text
from meshlint.schema import Validator


def _doc(api: str, kind: str, body: str) -> str:
    head = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: r, namespace: shop}}\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


def vs(body: str) -> str:
    return _doc("networking.istio.io/v1", "VirtualService", body)


def route(extra: str) -> str:
    """One HTTP route to ``r`` with ``extra`` (a flow mapping body) added to it."""
    return vs(f"hosts: [r]\nhttp: [{{route: [{{destination: {{host: r}}}}], {extra}}}]")


def policy(body: str) -> str:
    return _doc("networking.istio.io/v1", "DestinationRule", f"host: r\ntrafficPolicy: {body}")


def dr(body: str) -> str:
    return _doc("networking.istio.io/v1", "DestinationRule", body)


def se(body: str) -> str:
    return _doc("networking.istio.io/v1", "ServiceEntry", body)


def sc(body: str) -> str:
    return _doc("networking.istio.io/v1", "Sidecar", body)


def server(extra: str, protocol: str = "HTTPS", hosts: str = "[a.com]") -> str:
    port = f"{{number: 443, name: p, protocol: {protocol}}}"
    return _doc(
        "networking.istio.io/v1", "Gateway", f"servers: [{{port: {port}, hosts: {hosts}{extra}}}]"
    )


def gw(body: str) -> str:
    return _doc("networking.istio.io/v1", "Gateway", body)


def ap(body: str) -> str:
    return _doc("security.istio.io/v1", "AuthorizationPolicy", body)


def codes(text: str) -> list[tuple[str, str]]:
    loaded = load_text(text, "in.yaml")
    validator = Validator()
    return sorted((f.code, f.pointer) for d in loaded.documents for f in validator.validate(d))


E = "MESH004"
R0 = "/spec/http/0"
TP = "/spec/trafficPolicy"
LB = f"{TP}/loadBalancer"
HTTP_PORT = "{number: 80, name: http, protocol: HTTP}"
TCP_PORT = "{number: 3306, name: tcp, protocol: TCP}"

BAD: list[tuple[str, str, list[str]]] = [
    # VirtualService routes and policies
    ("retries-negative", route("retries: {attempts: -1}"), [f"{R0}/retries/attempts"]),
    ("fault-empty", route("fault: {}"), [f"{R0}/fault"]),
    ("fault-http2", route("fault: {abort: {http2Error: x}}"), [f"{R0}/fault/abort/http2Error"]),
    ("fault-grpc", route("fault: {abort: {grpcStatus: NOPE}}"), [f"{R0}/fault/abort/grpcStatus"]),
    (
        "fault-expo",
        route("fault: {delay: {exponentialDelay: 1s}}"),
        [f"{R0}/fault/delay/exponentialDelay"],
    ),
    ("fault-fixed", route("fault: {delay: {fixedDelay: 0.5ms}}"), [f"{R0}/fault/delay/fixedDelay"]),
    (
        "fault-tiny",
        route("fault: {abort: {httpStatus: 503, percentage: {value: 0.00001}}}"),
        [f"{R0}/fault/abort/percentage/value"],
    ),
    (
        "cors-origin",
        route("corsPolicy: {allowOrigins: [{exact: ''}]}"),
        [f"{R0}/corsPolicy/allowOrigins/0"],
    ),
    (
        "cors-method",
        route("corsPolicy: {allowMethods: [get]}"),
        [f"{R0}/corsPolicy/allowMethods/0"],
    ),
    ("cors-header", route("corsPolicy: {allowHeaders: ['']}"), [f"{R0}/corsPolicy/allowHeaders/0"]),
    ("cors-max-age", route("corsPolicy: {maxAge: 1.5s}"), [f"{R0}/corsPolicy/maxAge"]),
    (
        "redirect-empty",
        vs("hosts: [r]\nhttp: [{redirect: {redirectCode: 301}}]"),
        [f"{R0}/redirect"],
    ),
    (
        "redirect-scheme",
        vs("hosts: [r]\nhttp: [{redirect: {uri: /x, scheme: ftp}}]"),
        [f"{R0}/redirect/scheme"],
    ),
    (
        "redirect-uri-prefix",
        vs("hosts: [r]\nhttp: [{redirect: {uri: /x, prefixRewrite: /y}}]"),
        [f"{R0}/redirect/prefixRewrite"],
    ),
    ("rewrite-empty", route("rewrite: {}"), [f"{R0}/rewrite"]),
    (
        "rewrite-both",
        route("rewrite: {uri: /a, uriRegexRewrite: {match: a, rewrite: b}}"),
        [f"{R0}/rewrite/uriRegexRewrite"],
    ),
    (
        "rewrite-half",
        route("rewrite: {uriRegexRewrite: {match: a}}"),
        [f"{R0}/rewrite/uriRegexRewrite/rewrite"],
    ),
    (
        "mirrors-no-dest",
        route("mirrors: [{percentage: {value: 5}}]"),
        [f"{R0}/mirrors/0/destination"],
    ),
    (
        "mirror-percentage",
        route("mirror: {host: m}, mirrorPercentage: {value: 101}"),
        [f"{R0}/mirrorPercentage/value"],
    ),
    ("header-key", route("match: [{headers: {'a b': {exact: x}}}]"), [f"{R0}/match/0/headers/a b"]),
    ("header-null", route("match: [{headers: {x: null}}]"), [f"{R0}/match/0/headers/x"]),
    (
        "header-prefix",
        route("match: [{headers: {x: {prefix: ''}}}]"),
        [f"{R0}/match/0/headers/x/prefix"],
    ),
    (
        "jwt-on-mesh",
        route("match: [{headers: {'@request.auth.claims.g': {exact: a}}}]"),
        [f"{R0}/match/0/headers/@request.auth.claims.g"],
    ),
    ("match-port", route("match: [{port: 70000}]"), [f"{R0}/match/0/port"]),
    (
        "source-namespace",
        route("match: [{sourceNamespace: Bad_ns}]"),
        [f"{R0}/match/0/sourceNamespace"],
    ),
    ("delegate-twice", vs("http: [{delegate: {name: x}}]"), [R0, f"{R0}/delegate"]),
    (
        "delegate-gateways",
        vs("gateways: [gw]\nhttp: [{route: [{destination: {host: r}}]}]"),
        ["/spec/gateways"],
    ),
    ("http-null", vs("hosts: [r]\nhttp: [null]"), [R0]),
    ("tcp-no-route", vs("hosts: [r]\ntcp: [{match: [{port: 1}]}]"), ["/spec/tcp/0"]),
    (
        "tcp-subnet",
        vs(
            "hosts: [r]\ntcp: [{match: [{destinationSubnets: [x]}], "
            "route: [{destination: {host: r}}]}]"
        ),
        ["/spec/tcp/0/match/0/destinationSubnets/0"],
    ),
    ("tls-no-match", vs("hosts: [r]\ntls: [{route: [{destination: {host: r}}]}]"), ["/spec/tls/0"]),
    (
        "tls-sni-outside",
        vs(
            "hosts: [a.com]\ntls: [{match: [{sniHosts: [b.com]}], "
            "route: [{destination: {host: r}}]}]"
        ),
        ["/spec/tls/0/match/0/sniHosts/0"],
    ),
    (
        "tls-no-sni",
        vs("hosts: [a.com]\ntls: [{match: [{port: 443}], route: [{destination: {host: r}}]}]"),
        ["/spec/tls/0/match/0/sniHosts"],
    ),
    # DestinationRule
    ("dr-subset-dup", dr("host: r\nsubsets: [{name: v1}, {name: v1}]"), ["/spec/subsets/1/name"]),
    (
        "dr-subset-label",
        dr("host: r\nsubsets: [{name: v1, labels: {'a b': x}}]"),
        ["/spec/subsets/0/labels/a b"],
    ),
    ("dr-subset-null", dr("host: r\nsubsets: [null]"), ["/spec/subsets/0"]),
    ("dr-subset-no-name", dr("host: r\nsubsets: [{labels: {a: b}}]"), ["/spec/subsets/0/name"]),
    (
        "dr-selector-export",
        dr("host: r\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: [other]"),
        ["/spec/exportTo"],
    ),
    (
        "dr-selector-star",
        dr("host: r\nworkloadSelector: {matchLabels: {app: '*'}}"),
        ["/spec/workloadSelector/matchLabels/app"],
    ),
    ("dr-policy-empty", policy("{}"), [TP]),
    (
        "dr-tunnel-proxy",
        policy(
            "{tunnel: {protocol: CONNECT, targetHost: a, targetPort: 1}, "
            "proxyProtocol: {version: V1}}"
        ),
        [f"{TP}/proxyProtocol"],
    ),
    (
        "dr-port-empty",
        policy("{portLevelSettings: [{port: {number: 80}}]}"),
        [f"{TP}/portLevelSettings/0"],
    ),
    (
        "dr-port-missing",
        policy("{portLevelSettings: [{tls: {mode: DISABLE}}]}"),
        [f"{TP}/portLevelSettings/0/port"],
    ),
    ("dr-port-null", policy("{portLevelSettings: [null]}"), [f"{TP}/portLevelSettings/0"]),
    ("dr-pool-empty", policy("{connectionPool: {}}"), [f"{TP}/connectionPool"]),
    (
        "dr-h2",
        policy("{connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}"),
        [f"{TP}/connectionPool/http/h2UpgradePolicy"],
    ),
    (
        "dr-keepalive",
        policy("{connectionPool: {http: {http2KeepAlive: {interval: 1s}}}}"),
        [f"{TP}/connectionPool/http/http2KeepAlive/timeout"],
    ),
    (
        "dr-tcp-timeout",
        policy("{connectionPool: {tcp: {connectTimeout: 0s}}}"),
        [f"{TP}/connectionPool/tcp/connectTimeout"],
    ),
    (
        "dr-local-origin",
        policy("{outlierDetection: {consecutiveLocalOriginFailures: 3}}"),
        [f"{TP}/outlierDetection/consecutiveLocalOriginFailures"],
    ),
    (
        "dr-mutual",
        policy("{tls: {mode: MUTUAL}}"),
        [f"{TP}/tls/clientCertificate", f"{TP}/tls/privateKey"],
    ),
    (
        "dr-credential-ca",
        policy("{tls: {mode: SIMPLE, credentialName: c, caCertificates: /ca}}"),
        [f"{TP}/tls/caCertificates"],
    ),
    (
        "dr-insecure-san",
        policy("{tls: {mode: SIMPLE, insecureSkipVerify: true, subjectAltNames: [a]}}"),
        [f"{TP}/tls/subjectAltNames"],
    ),
    (
        "dr-lb-two",
        policy("{loadBalancer: {simple: RANDOM, consistentHash: {httpHeaderName: x}}}"),
        [f"{LB}/consistentHash"],
    ),
    (
        "dr-cookie",
        policy("{loadBalancer: {consistentHash: {httpCookie: {ttl: 1s}}}}"),
        [f"{LB}/consistentHash/httpCookie/name"],
    ),
    (
        "dr-ring-both",
        policy(
            "{loadBalancer: {consistentHash: {minimumRingSize: 1, ringHash: {minimumRingSize: 2}}}}"
        ),
        [f"{LB}/consistentHash/minimumRingSize", f"MESH006 {LB}/consistentHash/minimumRingSize"],
    ),
    (
        "dr-maglev",
        policy("{loadBalancer: {consistentHash: {maglev: {tableSize: 100}}}}"),
        [f"{LB}/consistentHash/maglev/tableSize"],
    ),
    (
        "dr-locality-both",
        policy(
            "{loadBalancer: {localityLbSetting: {distribute: [{from: a, to: {b: 100}}], "
            "failover: [{from: a, to: b}]}}}"
        ),
        [f"{LB}/localityLbSetting/failover"],
    ),
    (
        "dr-distribute-sum",
        policy(
            "{loadBalancer: {localityLbSetting: {distribute: [{from: a, to: {b: 60, c: 30}}]}}}"
        ),
        [f"{LB}/localityLbSetting/distribute/0/to"],
    ),
    (
        "dr-distribute-range",
        policy(
            "{loadBalancer: {localityLbSetting: {distribute: [{from: a, to: {b: 0, c: 100}}]}}}"
        ),
        [f"{LB}/localityLbSetting/distribute/0/to"],
    ),
    (
        "dr-failover-same",
        policy("{loadBalancer: {localityLbSetting: {failover: [{from: a, to: a}]}}}"),
        [f"{LB}/localityLbSetting/failover/0/to"],
    ),
    ("dr-warmup", policy("{loadBalancer: {warmup: {duration: 0s}}}"), [f"{LB}/warmup/duration"]),
    # ServiceEntry
    ("se-no-hosts", se(f"hosts: []\nports: [{HTTP_PORT}]"), ["/spec/hosts"]),
    (
        "se-dns-wildcard",
        se(f"hosts: ['*.a.com']\nresolution: DNS\nports: [{HTTP_PORT}]"),
        ["/spec/hosts/0"],
    ),
    (
        "se-multi-host-tcp",
        se(f"hosts: [a.com, b.com]\nresolution: DNS\nports: [{TCP_PORT}]"),
        ["/spec/hosts"],
    ),
    (
        "se-address",
        se(f"hosts: [a.com]\naddresses: [x]\nports: [{HTTP_PORT}]"),
        ["/spec/addresses/0"],
    ),
    (
        "se-cidr-dns",
        se(f"hosts: [a.com]\naddresses: [10.0.0.0/24]\nresolution: DNS\nports: [{HTTP_PORT}]"),
        ["/spec/addresses/0"],
    ),
    (
        "se-port-dups",
        se(f"hosts: [a.com]\nports: [{HTTP_PORT}, {HTTP_PORT}]"),
        ["/spec/ports/1/name", "/spec/ports/1/number"],
    ),
    (
        "se-port-name",
        se("hosts: [a.com]\nports: [{number: 80, name: Bad_name, protocol: HTTP}]"),
        ["/spec/ports/0/name"],
    ),
    (
        "se-selector-endpoints",
        se(
            f"hosts: [a.com]\nresolution: STATIC\nports: [{HTTP_PORT}]\n"
            "workloadSelector: {labels: {app: a}}\nendpoints: [{address: 1.1.1.1}]"
        ),
        ["/spec/workloadSelector"],
    ),
    (
        "se-none-endpoints",
        se(f"hosts: [a.com]\nports: [{HTTP_PORT}]\nendpoints: [{{address: 1.1.1.1}}]"),
        ["/spec/endpoints"],
    ),
    (
        "se-rr-two",
        se(
            f"hosts: [a.com]\nresolution: DNS_ROUND_ROBIN\nports: [{HTTP_PORT}]\n"
            "endpoints: [{address: a.com}, {address: b.com}]"
        ),
        ["/spec/endpoints"],
    ),
    (
        "se-static-address",
        se(
            f"hosts: [a.com]\nresolution: STATIC\nports: [{HTTP_PORT}]\n"
            "endpoints: [{address: foo.com}]"
        ),
        ["/spec/endpoints/0/address"],
    ),
    # Sidecar
    ("sidecar-empty", sc("{}"), ["/spec"]),
    (
        "sidecar-portless-first",
        sc(f"egress: [{{hosts: ['*/*']}}, {{port: {HTTP_PORT}, hosts: ['*/*']}}]"),
        ["/spec/egress/0"],
    ),
    ("sidecar-no-hosts", sc(f"egress: [{{port: {HTTP_PORT}}}]"), ["/spec/egress/0/hosts"]),
    ("sidecar-egress-null", sc("egress: [null]"), ["/spec/egress/0"]),
    (
        "sidecar-ingress-port",
        sc("ingress: [{defaultEndpoint: '127.0.0.1:8080'}]"),
        ["/spec/ingress/0/port"],
    ),
    (
        "sidecar-ingress-dup",
        sc(f"ingress: [{{port: {HTTP_PORT}}}, {{port: {HTTP_PORT}}}]"),
        ["/spec/ingress/1/port/number"],
    ),
    (
        "sidecar-target-port",
        sc("ingress: [{port: {number: 80, name: h, protocol: HTTP, targetPort: 8080}}]"),
        ["/spec/ingress/0/port/targetPort"],
    ),
    (
        "sidecar-endpoint",
        sc(f"ingress: [{{port: {HTTP_PORT}, defaultEndpoint: 'localhost:8080'}}]"),
        ["/spec/ingress/0/defaultEndpoint"],
    ),
    (
        "sidecar-dynamic-dns",
        sc("outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}"),
        ["/spec/outboundTrafficPolicy/mode"],
    ),
    (
        "sidecar-selector",
        sc("workloadSelector: {labels: {'a*': b}}\negress: [{hosts: ['*/*']}]"),
        ["/spec/workloadSelector/labels/a*"],
    ),
    # Gateway
    ("gw-no-servers", gw("servers: []"), ["/spec/servers"]),
    ("gw-null-server", gw("servers: [null]"), ["/spec/servers/0"]),
    (
        "gw-port-name-dup",
        gw(
            f"servers: [{{port: {HTTP_PORT}, hosts: [a.com]}}, {{port: {HTTP_PORT}, "
            "hosts: [b.com]}]"
        ),
        ["/spec/servers/1/port/name"],
    ),
    ("gw-protocol", server("", "FOO"), ["/spec/servers/0/port/protocol"]),
    (
        "gw-target-port",
        gw(
            "servers: [{port: {number: 80, name: h, protocol: HTTP, targetPort: 8080}, "
            "hosts: [a.com]}]"
        ),
        ["/spec/servers/0/port/targetPort"],
    ),
    (
        "gw-bind",
        server(", bind: foo, tls: {mode: SIMPLE, credentialName: c}"),
        ["/spec/servers/0/bind"],
    ),
    (
        "gw-unix-port",
        server(", bind: 'unix:///s', tls: {mode: SIMPLE, credentialName: c}"),
        ["/spec/servers/0/port/number"],
    ),
    (
        "gw-no-hosts",
        server(", tls: {mode: SIMPLE, credentialName: c}", hosts="[]"),
        ["/spec/servers/0/hosts"],
    ),
    (
        "gw-istio-mutual",
        server(", tls: {mode: ISTIO_MUTUAL, credentialName: c}"),
        ["/spec/servers/0/tls/credentialName"],
    ),
    (
        "gw-simple-no-cert",
        server(", tls: {mode: SIMPLE}"),
        ["/spec/servers/0/tls/privateKey", "/spec/servers/0/tls/serverCertificate"],
    ),
    (
        "gw-mutual-no-ca",
        server(", tls: {mode: MUTUAL, serverCertificate: /c, privateKey: /k}"),
        ["/spec/servers/0/tls/caCertificates"],
    ),
    (
        "gw-ca-crl",
        server(", tls: {mode: SIMPLE, credentialName: c, caCrl: /crl}"),
        ["/spec/servers/0/tls/caCrl"],
    ),
    (
        "gw-http-terminates",
        server(", tls: {mode: SIMPLE, credentialName: c}", "HTTP"),
        ["/spec/servers/0/tls"],
    ),
    (
        "gw-selector",
        gw(f"selector: {{'': x}}\nservers: [{{port: {HTTP_PORT}, hosts: [a.com]}}]"),
        ["/spec/selector/"],
    ),
    # security
    (
        "authz-two-targets",
        ap("selector: {matchLabels: {app: a}}\ntargetRef: {kind: Service, name: a}"),
        ["/spec/targetRef"],
    ),
    ("authz-source-empty", ap("rules: [{from: [{source: {}}]}]"), ["/spec/rules/0/from/0/source"]),
    (
        "authz-operation-null",
        ap("rules: [{to: [{operation: null}]}]"),
        ["/spec/rules/0/to/0/operation"],
    ),
    (
        "authz-sa-format",
        ap("rules: [{from: [{source: {serviceAccounts: [a/b/c]}}]}]"),
        ["/spec/rules/0/from/0/source/serviceAccounts/0"],
    ),
    (
        "authz-ip",
        ap("rules: [{from: [{source: {ipBlocks: [x]}}]}]"),
        ["/spec/rules/0/from/0/source/ipBlocks/0"],
    ),
    ("authz-null-rule", ap("rules: [null]"), ["/spec/rules/0"]),
    ("authz-custom-no-rules", ap("action: CUSTOM\nprovider: {name: ext}"), ["/spec/action"]),
    (
        "ra-no-issuer",
        _doc("security.istio.io/v1", "RequestAuthentication", "jwtRules: [{audiences: [a]}]"),
        ["/spec/jwtRules/0"],
    ),
    (
        "ra-jwks-both",
        _doc(
            "security.istio.io/v1",
            "RequestAuthentication",
            "jwtRules: [{issuer: a, jwks: x, jwksUri: 'https://x'}]",
        ),
        ["/spec/jwtRules/0/jwks"],
    ),
    (
        "pa-selector-star",
        _doc("security.istio.io/v1", "PeerAuthentication", "selector: {matchLabels: {app: '*'}}"),
        ["/spec/selector/matchLabels/app"],
    ),
]


@pytest.mark.parametrize(("text", "pointers"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad(text: str, pointers: list[str]) -> None:
    """Each expected entry is a MESH004 pointer, or "CODE pointer" for another code."""
    expected = [tuple(p.split(" ", 1)) if p.startswith("MESH") else (E, p) for p in pointers]
    assert codes(text) == sorted(expected)


GOOD: list[tuple[str, str]] = [
    (
        "tls-sni-wildcard",
        vs(
            "hosts: ['*.a.com']\ntls: [{match: [{sniHosts: [b.a.com]}], "
            "route: [{destination: {host: r}}]}]"
        ),
    ),
    ("tcp-catch-all", vs("hosts: [r]\ntcp: [{route: [{destination: {host: r}}]}]")),
    ("delegate-child", vs("http: [{route: [{destination: {host: r}}]}]")),
    (
        "jwt-on-gateway",
        vs(
            "hosts: [r]\ngateways: [gw]\n"
            "http: [{match: [{headers: {'@request.auth.claims.g': {exact: a}}}], "
            "route: [{destination: {host: r}}]}]"
        ),
    ),
    (
        "cors",
        route(
            "corsPolicy: {allowOrigins: [{prefix: 'https://'}], allowMethods: [GET, '*'], "
            "maxAge: 24h}"
        ),
    ),
    ("rewrite-regex", route("rewrite: {uriRegexRewrite: {match: '^/a(.*)', rewrite: '/b\\1'}}")),
    ("redirect-port", vs("hosts: [r]\nhttp: [{redirect: {port: 8443}}]")),
    (
        "dr-full",
        dr(
            "host: r\nsubsets: [{name: v1, labels: {version: v1}}]\n"
            "trafficPolicy: {tls: {mode: MUTUAL, credentialName: c}, "
            "connectionPool: {tcp: {connectTimeout: 2s}}, outlierDetection: {interval: 10s, "
            "baseEjectionTime: 30s, maxEjectionPercent: 100}}"
        ),
    ),
    (
        "dr-selector-own-ns",
        dr("host: r\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: [shop]"),
    ),
    ("dr-port-level", policy("{portLevelSettings: [{port: {number: 80}, tls: {mode: DISABLE}}]}")),
    ("dr-maglev-prime", policy("{loadBalancer: {consistentHash: {maglev: {tableSize: 65537}}}}")),
    ("se-dns-fqdn", se(f"hosts: [a.com, b.com]\nresolution: DNS\nports: [{HTTP_PORT}]")),
    (
        "se-static",
        se(
            f"hosts: [a.com]\nresolution: STATIC\nports: [{HTTP_PORT}]\n"
            "endpoints: [{address: 1.1.1.1}]"
        ),
    ),
    ("se-cidr-none", se(f"hosts: [a.com]\naddresses: [10.0.0.0/24]\nports: [{TCP_PORT}]")),
    (
        "sidecar-catch-all-last",
        sc(f"egress: [{{port: {HTTP_PORT}, hosts: ['*/*']}}, {{hosts: ['istio-system/*']}}]"),
    ),
    ("sidecar-ingress", sc(f"ingress: [{{port: {HTTP_PORT}, defaultEndpoint: '127.0.0.1:8080'}}]")),
    ("gw-mutual-credential", server(", tls: {mode: MUTUAL, credentialName: c}")),
    ("gw-files", server(", tls: {mode: SIMPLE, serverCertificate: /c, privateKey: /k}")),
    ("gw-istio-mutual", server(", tls: {mode: ISTIO_MUTUAL}")),
    (
        "gw-unix",
        server(", bind: 'unix:///s', tls: {mode: SIMPLE, credentialName: c}").replace(
            "number: 443", "number: 0"
        ),
    ),
    (
        "authz-deny",
        ap(
            "action: DENY\nrules: [{from: [{source: {serviceAccounts: [shop/a], "
            "ipBlocks: [10.0.0.0/8]}}]}]"
        ),
    ),
    ("authz-audit-no-rules", ap("action: AUDIT")),
    (
        "ra",
        _doc(
            "security.istio.io/v1", "RequestAuthentication", "jwtRules: [{issuer: a, timeout: 5s}]"
        ),
    ),
]


@pytest.mark.parametrize("text", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_good(text: str) -> None:
    assert codes(text) == []
