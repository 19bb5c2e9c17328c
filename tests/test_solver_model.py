"""From the pydantic VirtualService model to solver conditions, and verdicts on real specs."""

from __future__ import annotations

from meshlint.model.networking import VirtualService
from meshlint.solver import (
    CondKind,
    Context,
    HttpAnalysis,
    Outcome,
    absent,
    exact,
    prefix,
    regex,
    tcp_unreachable,
    tls_unreachable,
)
from meshlint.solver.adapt import from_http_match, from_http_route, from_l4_route


def vs(spec: dict[str, object]) -> VirtualService:
    return VirtualService.model_validate(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": {"name": "reviews", "namespace": "shop"},
            "spec": spec,
        }
    )


def test_http_match_fields_are_converted() -> None:
    service = vs(
        {
            "hosts": ["reviews"],
            "http": [
                {
                    "name": "jason",
                    "match": [
                        {
                            "uri": {"prefix": "/API"},
                            "ignoreUriCase": True,
                            "method": {"exact": "GET"},
                            "authority": {},
                            "headers": {"End-User": {"exact": "jason"}, "x-any": {}},
                            "withoutHeaders": {
                                "x-debug": {"regex": "*"},
                                "x-env": {"prefix": "dev"},
                            },
                            "queryParams": {"v": {"regex": "[0-9]+"}},
                            "port": 8080,
                            "sourceLabels": {"app": "web"},
                            "sourceNamespace": "front",
                            "gateways": ["mesh"],
                        }
                    ],
                    "route": [{"destination": {"host": "reviews"}}],
                }
            ],
        }
    )
    rule = from_http_route(service.spec.http[0])
    match = rule.matches[0]
    assert rule.name == "jason"
    assert match.uri == prefix("/API", ignore_case=True)
    assert (match.method, match.authority, match.scheme) == (exact("GET"), None, None)
    headers = dict(match.headers)
    assert headers["end-user"] == exact("jason")
    assert headers["x-any"].kind is CondKind.PRESENT
    assert headers["x-debug"] == absent()
    assert headers["x-env"].inverted and headers["x-env"].value == "dev"
    assert dict(match.query_params) == {"v": regex("[0-9]+")}
    assert match.port == 8080
    assert match.selector.gateways == ("mesh",)
    assert match.selector.source_labels == (("app", "web"),)
    assert match.selector.source_namespace == "front"


def test_gateway_names_are_resolved() -> None:
    service = vs({"hosts": ["r"], "http": [{"match": [{"gateways": ["gw"]}], "route": []}]})
    match = from_http_match(service.spec.http[0].match[0], lambda g: f"shop/{g}")
    assert match.selector.gateways == ("shop/gw",)


def test_bookinfo_like_routes() -> None:
    service = vs(
        {
            "hosts": ["reviews"],
            "http": [
                {
                    "match": [{"headers": {"end-user": {"exact": "jason"}}}],
                    "route": [{"destination": {"host": "reviews", "subset": "v2"}}],
                },
                {
                    "match": [{"uri": {"prefix": "/"}}],
                    "route": [{"destination": {"host": "reviews", "subset": "v1"}}],
                },
                {
                    "match": [{"uri": {"prefix": "/ratings"}}],
                    "route": [{"destination": {"host": "ratings"}}],
                },
            ],
        }
    )
    analysis = HttpAnalysis(
        [from_http_route(r) for r in service.spec.http], Context.sidecar("shop")
    )
    assert analysis.rule_unreachable(1).outcome is Outcome.REACHABLE
    assert analysis.rule_unreachable(2).covering == (1,)
    assert analysis.uncovered_request().outcome is Outcome.COVERED


def test_tcp_and_tls_routes() -> None:
    service = vs(
        {
            "hosts": ["db"],
            "tcp": [
                {"match": [{"destinationSubnets": ["10.0.0.0/16"], "port": 5432}], "route": []},
                {"match": [{"destinationSubnets": ["10.0.0.0/16"], "port": 5432}], "route": []},
            ],
            "tls": [
                {"match": [{"sniHosts": ["db.example.com"]}], "route": []},
                {"match": [{"sniHosts": ["*.example.com"]}], "route": []},
            ],
        }
    )
    tcp = [from_l4_route(r) for r in service.spec.tcp]
    tls = [from_l4_route(r) for r in service.spec.tls]
    assert tcp_unreachable(tcp, 1).covering == (0,)
    assert tls[1].matches[0].sni_hosts == ("*.example.com",)
    assert tls_unreachable(tls, 1).outcome is Outcome.REACHABLE
