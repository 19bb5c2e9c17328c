"""meshlint explain on the surprising cases (fixtures/explain/<case>), and agreement with the
rules that report the same configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshlint.config import Config
from meshlint.explain import Request, Tone, Trace, trace
from meshlint.explain.inputs import load_mesh
from meshlint.graph import MeshGraph
from meshlint.lint import lint

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "explain"


def explain(case: str, source: str, host: str, **kwargs: object) -> Trace:
    mesh = load_mesh([str(CASES / case)], Config(), root=ROOT)
    return trace(mesh, MeshGraph(mesh), Request(source, host, **kwargs))  # type: ignore[arg-type]


def step(result: Trace, name: str):
    return next(s for s in result.steps if s.step == name)


def codes(case: str) -> set[str]:
    result = lint([str(CASES / case)], Config(), root=ROOT)
    return {f.code for f in result.findings}


def test_wildcard_dr_in_client_namespace_hides_the_services_dr() -> None:
    result = explain("wildcard-dr", "frontend/web", "cart.shop")
    [destination] = step(result, "destinations").detail["destinations"]
    assert destination["destination_rule"] == {
        "namespace": "frontend",
        "name": "all-services",
        "host": "*.svc.cluster.local",
        "level": "client namespace",
    }
    assert destination["hidden"] == [
        "hidden DestinationRule shop/cart (host cart.shop.svc.cluster.local): the lookup "
        "stops at the client namespace (frontend)"
    ]
    assert destination["subset_defined"] is False
    assert destination["policy"] == {"connectionPool": {"http": {"http2MaxRequests": 100}}}
    assert destination["route_policy"] == {"timeout": "2s"}
    verdict = result.verdict
    assert verdict.allowed is False
    assert verdict.reason == (
        "subset v1 is not defined for cart.shop.svc.cluster.local: 503 (no cluster)"
    )
    assert verdict.destinations[0].tls == "fail"


def test_wildcard_dr_agrees_with_mesh205() -> None:
    assert "MESH205" in codes("wildcard-dr")


def test_sidecar_egress_not_importing_the_host_passes_through_in_plaintext() -> None:
    result = explain("sidecar-egress", "app/web", "payments.billing")
    visibility = step(result, "visibility")
    assert visibility.tone is Tone.FAIL
    assert visibility.detail["sidecar"] == "app/web"
    assert visibility.detail["egress"] == ["./*", "istio-system/*"]
    assert visibility.detail["fallback"] == "passthrough"
    assert visibility.detail["outbound_traffic_policy"] == "ALLOW_ANY"
    assert (visibility.span.path, visibility.span.line) == (
        "fixtures/explain/sidecar-egress/mesh.yaml",
        60,
    )
    assert step(result, "virtualservice").summary.endswith("(passthrough)")
    [only] = result.verdict.destinations
    assert (only.tls, only.allowed, only.workloads) == ("fail", False, ("billing/payments",))
    assert only.reason == (
        "connection fails: plaintext (no client sidecar) refused: the server requires mTLS, "
        "STRICT (namespace-level PeerAuthentication billing/default)"
    )


def test_sidecar_egress_with_registry_only_is_a_blackhole() -> None:
    result = explain("sidecar-egress", "app/batch", "payments.billing")
    visibility = step(result, "visibility")
    assert visibility.detail["fallback"] == "blackhole"
    assert visibility.detail["outbound_traffic_policy"] == "REGISTRY_ONLY"
    assert result.verdict.allowed is False
    assert result.verdict.destinations == ()
    assert result.verdict.reason == (
        "payments.billing.svc.cluster.local is not imported by the caller's Sidecar: "
        "REGISTRY_ONLY, so BlackHoleCluster answers 502"
    )


def test_client_without_sidecar_to_a_strict_port_fails() -> None:
    result = explain("plaintext-strict", "legacy/old-client", "cart.shop")
    assert step(result, "source").detail["sidecar"] is False
    assert step(result, "source").detail["principal"] is None
    [connection] = step(result, "mtls").detail["connections"]
    assert connection == {
        "host": "cart.shop.svc.cluster.local",
        "subset": None,
        "workload": "shop/cart",
        "port": 8080,
        "tls": "fail",
        "reason": "plaintext (no client sidecar) refused: the server requires mTLS, STRICT "
        "(workload-level PeerAuthentication shop/cart)",
        "server_mode": "STRICT",
        "server_level": "workload",
        "peer_authentication": "shop/cart",
    }
    assert result.verdict.allowed is False
    assert result.verdict.decided_by.kind == "PeerAuthentication"


def test_destination_rule_disable_to_strict_fails_and_agrees_with_mesh301() -> None:
    result = explain("plaintext-strict", "ops/tool", "cart.shop")
    [destination] = step(result, "destinations").detail["destinations"]
    assert destination["destination_rule"]["name"] == "cart-plain"
    assert destination["policy"] == {"tls": {"mode": "DISABLE"}}
    [only] = result.verdict.destinations
    assert only.tls == "fail"
    assert "DestinationRule tls DISABLE" in only.reason
    assert "MESH301" in codes("plaintext-strict")


def test_allow_rule_with_http_fields_is_skipped_on_a_tcp_port() -> None:
    result = explain("authz-tcp", "shop/api", "db")
    assert result.protocol == "TCP"
    [decision] = step(result, "authorization").detail["decisions"]
    assert decision["policies"] == [
        {
            "action": "ALLOW",
            "namespace": "shop",
            "name": "db-readers",
            "rules": [
                {
                    "rule": 0,
                    "matched": False,
                    "reason": "skipped: HTTP-only attributes on a TCP port",
                }
            ],
        }
    ]
    assert result.verdict.allowed is False
    assert (
        result.verdict.reason
        == "denied: no ALLOW rule matched (AuthorizationPolicy shop/db-readers)"
    )


def test_deny_rule_with_http_fields_denies_all_tcp_traffic() -> None:
    result = explain("authz-tcp", "shop/api", "cache", method="GET")
    verdict = result.verdict
    assert verdict.allowed is False
    assert verdict.reason == "denied by DENY AuthorizationPolicy shop/cache-no-delete rule 0"
    assert (verdict.decided_by.name, verdict.decided_by.rule) == ("cache-no-delete", 0)
    [decision] = step(result, "authorization").detail["decisions"]
    assert decision["policies"][0]["rules"][0]["reason"] == (
        "matched (HTTP-only conditions dropped on TCP)"
    )


def test_http_on_tcp_agrees_with_mesh315() -> None:
    result = lint([str(CASES / "authz-tcp")], Config(), root=ROOT)
    flagged = {f.resource.name for f in result.findings if f.code == "MESH315"}
    assert flagged == {"db-readers", "cache-no-delete"}


@pytest.mark.parametrize(
    ("case", "source", "host"),
    [
        ("wildcard-dr", "frontend/web", "cart.shop"),
        ("sidecar-egress", "app/web", "payments.billing"),
        ("sidecar-egress", "app/batch", "payments.billing"),
        ("plaintext-strict", "legacy/old-client", "cart.shop"),
        ("plaintext-strict", "ops/tool", "cart.shop"),
        ("authz-tcp", "shop/api", "db"),
        ("authz-tcp", "shop/api", "cache"),
    ],
)
def test_every_case_has_nine_steps_and_a_failing_verdict_step(
    case: str, source: str, host: str
) -> None:
    result = explain(case, source, host)
    assert len(result.steps) == 9
    assert result.steps[-1].tone is Tone.FAIL
    assert result.steps[-1].summary.startswith("DENIED")


# ------------------------------------------- agreement with the mTLS rules on their examples

CALLER = """\
---
apiVersion: v1
kind: Namespace
metadata: {name: client, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: caller, namespace: client, labels: {app: caller}}
spec: {containers: [{name: caller}]}
"""
CART = """\
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart, ports: [{containerPort: 8080}]}]}
"""
MTLS_RULES = {
    "MESH301": ("cart.shop", ""),
    "MESH302": ("db.legacy", ""),
    "MESH304": ("cart.shop", CART),
}


@pytest.mark.parametrize("code", sorted(MTLS_RULES))
@pytest.mark.parametrize("example", ["bad", "good"])
def test_explain_fails_exactly_where_the_mtls_rule_fires(
    code: str, example: str, tmp_path: Path
) -> None:
    from meshlint.analyzers import RULES_BY_CODE

    host, extra = MTLS_RULES[code]
    rule = RULES_BY_CODE[code]
    text = (rule.example_bad if example == "bad" else rule.example_good) + extra + CALLER
    (tmp_path / "mesh.yaml").write_text(text)
    fired = code in {f.code for f in lint([str(tmp_path)], Config(), root=tmp_path).findings}
    mesh = load_mesh([str(tmp_path)], Config(), root=tmp_path)
    result = trace(mesh, MeshGraph(mesh), Request("client/caller", host))
    [only] = result.verdict.destinations
    assert fired is (example == "bad")
    assert (only.tls == "fail") is fired


def test_service_entry_endpoints_get_the_destination_rule_tls() -> None:
    result = explain("service-entry", "app/web", "api.example.com", path="/v2/orders")
    [only] = result.verdict.destinations
    assert (only.host, only.port, only.tls, only.allowed, only.workloads) == (
        "api.example.com",
        80,
        "simple",
        True,
        (),
    )
    [destination] = step(result, "destinations").detail["destinations"]
    assert destination["route_policy"] == {
        "retries": {"attempts": 5, "retryOn": "5xx"},
        "fault": {"delay": {"fixedDelay": "1s", "percentage": {"value": 10.0}}},
    }
    assert step(result, "authorization").summary == (
        "not enforced by the mesh: the endpoints are not mesh workloads"
    )


def test_service_entry_path_outside_the_virtual_service_is_404() -> None:
    result = explain("service-entry", "app/web", "api.example.com", path="/v1")
    assert result.verdict.allowed is False
    [skipped] = step(result, "route").detail["not_matched"]
    assert skipped["condition"] == 'uri prefix "/v2" ≠ "/v1"'


# ------------------------------------------------------------- VirtualService choice, rules


def test_sidecars_use_one_virtual_service_and_say_why_not_the_others() -> None:
    result = explain("vs-choice", "shop/web", "cart")
    assert step(result, "virtualservice").detail == {
        "chosen": ["shop/cart"],
        "ignored": [
            {
                "name": "shop/cart-late",
                "reason": "shop/cart claims cart.shop.svc.cluster.local first (exportTo group, "
                "then creation time); sidecars use one VirtualService per host and ignore "
                "the rest",
            },
            {
                "name": "shop/cart-ingress",
                "reason": "bound to istio-system/public, not to sidecars (mesh)",
            },
            {"name": "ops/cart-private", "reason": "exportTo does not include shop"},
            {
                "name": "shop/wildcard",
                "reason": "host cart.shop.svc.cluster.local of shop/cart is more specific than "
                "*.shop.svc.cluster.local",
            },
        ],
    }


def test_rules_after_a_delegate_are_evaluated_and_source_labels_remove_a_match() -> None:
    result = explain("vs-choice", "shop/web", "cart", headers={"x-beta": "1"})
    route = step(result, "route")
    assert [(s["rule"], s["condition"]) for s in route.detail["not_matched"]] == [
        ("shop/cart http[0] (api)", 'uri prefix "/api" ≠ "/"'),
        (
            "shop/cart http[1] (beta-users)",
            'sourceLabels.app "mobile" ≠ "web" (match not generated for this proxy)',
        ),
    ]
    assert [(o.subset, o.percent) for o in result.verdict.destinations] == [
        ("v1", 75.0),
        ("v2", 25.0),
    ]
    assert step(result, "verdict").items[-1].text == (
        "no port given: 80 of the Service's ports 80, 5432"
    )


@pytest.mark.parametrize(
    ("path", "rule", "subset"),
    [("/api/orders/7", "orders", "v2"), ("/api/users", "rest", "v1")],
)
def test_delegate_rules_decide_inside_the_root_rule(path: str, rule: str, subset: str) -> None:
    result = explain("vs-choice", "shop/web", "cart", path=path)
    matched = step(result, "route").detail["matched"]
    assert (matched["virtualservice"], matched["name"]) == ("shop/cart-api", rule)
    assert [o.subset for o in result.verdict.destinations] == [subset]


def test_tcp_port_takes_the_tcp_rule_for_its_port() -> None:
    result = explain("vs-choice", "shop/web", "cart:5432")
    assert result.protocol == "TCP"
    matched = step(result, "route").detail["matched"]
    assert (matched["section"], matched["rule"]) == ("tcp", 0)
    [only] = result.verdict.destinations
    assert (only.subset, only.port, only.workloads) == ("v1", 5432, ("shop/cart-v1",))


# ------------------------------------------------------------------ gateway merge order


@pytest.mark.parametrize(
    ("path", "virtual_service", "host"),
    [
        ("/api/v1", "web/api", "api.web.svc.cluster.local"),
        ("/home", "web/site", "frontend.web.svc.cluster.local"),
    ],
)
def test_gateway_merges_virtual_services_and_moves_catch_alls_last(
    path: str, virtual_service: str, host: str
) -> None:
    result = explain("gateway-merge", "gateway:istio-system/public", "shop.example.com", path=path)
    assert step(result, "virtualservice").detail["chosen"] == ["web/site", "web/api"]
    assert step(result, "route").detail["matched"]["virtualservice"] == virtual_service
    assert [o.host for o in result.verdict.destinations] == [host]
    notes = [i.text for i in step(result, "route").items if i.tone is Tone.NOTE]
    assert notes == [
        "web/site http[0] (everything): a catch-all, moved after the specific routes "
        "(gateway merge)"
    ]
