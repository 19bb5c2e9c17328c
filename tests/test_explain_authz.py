"""AuthorizationPolicy evaluation of one request (meshlint.mesh.authz_eval) and the
conditions explain names for route matches that fail."""

from __future__ import annotations

import pytest

from meshlint.explain.conditions import describe, failure
from meshlint.mesh.authz_decision import decide
from meshlint.mesh.authz_eval import AuthzRequest, evaluate_rule, string_matches
from meshlint.model.networking import HTTPMatchRequest
from meshlint.model.security import AuthorizationPolicy
from meshlint.model.security import Rule as AuthzRule
from meshlint.solver import Context, Request
from meshlint.solver.adapt import from_http_match

PRODUCTPAGE = "cluster.local/ns/bookinfo/sa/productpage"


def policy(name: str, spec: dict[str, object]) -> AuthorizationPolicy:
    return AuthorizationPolicy.model_validate(
        {"metadata": {"name": name, "namespace": "bookinfo"}, "spec": spec}
    )


def rule(data: dict[str, object]) -> AuthzRule:
    return AuthzRule.model_validate(data)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "x", True),
        ("*", "", False),
        ("/api/*", "/api/v1", True),
        ("*.example.com", "a.example.com", True),
        ("GET", "GET", True),
        ("GET", "get", False),
        ("GET", None, False),
    ],
)
def test_string_matches(pattern: str, value: str | None, expected: bool) -> None:
    assert string_matches(pattern, value) is expected


def test_principal_namespace_and_service_account_come_from_the_spiffe_identity() -> None:
    request = AuthzRequest(principal=PRODUCTPAGE)
    assert (request.trust_domain, request.namespace, request.service_account) == (
        "cluster.local",
        "bookinfo",
        "productpage",
    )
    assert AuthzRequest(principal=None).namespace is None


def test_rule_names_the_first_failing_condition_with_its_pointer() -> None:
    verdict = evaluate_rule(
        rule({"from": [{"source": {"namespaces": ["prod"]}}]}),
        2,
        AuthzRequest(principal=PRODUCTPAGE),
        action="ALLOW",
        owner="bookinfo",
    )
    assert verdict.matched is False
    assert verdict.failed is not None
    assert verdict.failed.reason == 'source.namespace "bookinfo" not in [prod]'
    assert verdict.failed.pointer == "/spec/rules/2/from/0/source/namespaces"


def test_negative_identity_conditions_match_plaintext_requests() -> None:
    verdict = evaluate_rule(
        rule({"from": [{"source": {"notNamespaces": ["prod"]}}]}),
        0,
        AuthzRequest(principal=None),
        action="DENY",
        owner="bookinfo",
    )
    assert verdict.matched is True


def test_service_accounts_without_namespace_mean_the_policy_namespace() -> None:
    written = rule({"from": [{"source": {"serviceAccounts": ["productpage"]}}]})
    request = AuthzRequest(principal=PRODUCTPAGE)
    assert evaluate_rule(written, 0, request, action="ALLOW", owner="bookinfo").matched
    assert not evaluate_rule(written, 0, request, action="ALLOW", owner="shop").matched


def test_when_header_condition() -> None:
    written = rule({"when": [{"key": "request.headers[x-team]", "values": ["blue"]}]})
    matched = AuthzRequest(principal=None, headers={"x-team": "blue"})
    missed = AuthzRequest(principal=None, headers={})
    assert evaluate_rule(written, 0, matched, action="ALLOW", owner="x").matched
    failed = evaluate_rule(written, 0, missed, action="ALLOW", owner="x").failed
    assert failed is not None
    assert failed.reason == "request.headers[x-team] absent not in [blue]"


def test_deny_beats_allow_and_names_the_rule() -> None:
    allow = policy("allow-all", {"rules": [{}]})
    deny = policy(
        "no-post", {"action": "DENY", "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}
    )
    request = AuthzRequest(principal=PRODUCTPAGE, method="POST")
    decision = decide([(allow, "bookinfo"), (deny, "bookinfo")], request)
    assert decision.allowed is False
    assert decision.policy is deny
    assert decision.rule == 0
    assert decision.reason == "denied by DENY AuthorizationPolicy bookinfo/no-post rule 0"


def test_no_allow_policy_allows_and_empty_allow_denies() -> None:
    request = AuthzRequest(principal=PRODUCTPAGE)
    assert decide([], request).reason == "allowed: no ALLOW policy applies"
    nothing = policy("allow-nothing", {})
    decision = decide([(nothing, "bookinfo")], request)
    assert decision.allowed is False
    assert (
        decision.reason
        == "denied: no ALLOW rule matched (AuthorizationPolicy bookinfo/allow-nothing)"
    )


def test_custom_match_is_reported_with_its_provider() -> None:
    custom = policy(
        "ext",
        {
            "action": "CUSTOM",
            "provider": {"name": "opa"},
            "rules": [{"to": [{"operation": {"paths": ["/admin*"]}}]}],
        },
    )
    decision = decide([(custom, "bookinfo")], AuthzRequest(principal=None, path="/admin/x"))
    assert decision.custom == ("opa",)
    assert decision.allowed is True


def test_tcp_allow_rule_with_ports_and_methods_is_skipped_but_ports_alone_match() -> None:
    mixed = rule({"to": [{"operation": {"ports": ["5432"], "methods": ["GET"]}}]})
    ports = rule({"to": [{"operation": {"ports": ["5432"]}}]})
    request = AuthzRequest(principal=PRODUCTPAGE, port=5432, http=False)
    skipped = evaluate_rule(mixed, 0, request, action="ALLOW", owner="x")
    assert (skipped.skipped, skipped.matched) == (True, False)
    assert skipped.dropped == ("/spec/rules/0/to/0/operation/methods",)
    assert evaluate_rule(ports, 0, request, action="ALLOW", owner="x").matched


# ---------------------------------------------------------------------------- route matches


def match(data: dict[str, object]) -> tuple[object, HTTPMatchRequest]:
    written = HTTPMatchRequest.model_validate(data)
    return from_http_match(written), written


@pytest.mark.parametrize(
    ("data", "text", "pointer"),
    [
        ({"uri": {"prefix": "/api"}}, 'uri prefix "/api" ≠ "/"', "/uri"),
        ({"method": {"exact": "POST"}}, 'method exact "POST" ≠ "GET"', "/method"),
        ({"port": 8080}, "port 8080 ≠ 80", "/port"),
        (
            {"withoutHeaders": {"X-Debug": {"exact": "1"}}},
            'withoutHeaders.X-Debug not exact "1" ≠ "1"',
            "/withoutHeaders/X-Debug",
        ),
        (
            {"queryParams": {"v": {"exact": "2"}}},
            'queryParams.v exact "2" ≠ absent',
            "/queryParams/v",
        ),
        (
            {"sourceLabels": {"app": "web"}},
            'sourceLabels.app "web" ≠ "api" (match not generated for this proxy)',
            "/sourceLabels/app",
        ),
        (
            {"sourceNamespace": "prod"},
            'sourceNamespace "prod" ≠ "shop" (match not generated for this proxy)',
            "/sourceNamespace",
        ),
        (
            {"gateways": ["istio-system/gw"]},
            "gateways [istio-system/gw] do not include mesh (match not generated for this proxy)",
            "/gateways",
        ),
    ],
)
def test_failing_condition_text_and_pointer(
    data: dict[str, object], text: str, pointer: str
) -> None:
    solver_match, written = match(data)
    request = Request(path="/", method="GET", port=80, headers={"x-debug": "1"})
    context = Context(
        labels={"app": "api"}, namespace="shop", gateways=frozenset({"mesh"}), port=80
    )
    found = failure(solver_match, written, request, context)  # type: ignore[arg-type]
    assert found is not None
    assert (found.text, found.pointer) == (text, pointer)


def test_a_holding_match_has_no_failure() -> None:
    solver_match, written = match({"headers": {"end-user": {"exact": "jason"}}})
    request = Request(headers={"end-user": "jason"})
    context = Context.sidecar("shop", {})
    assert failure(solver_match, written, request, context) is None  # type: ignore[arg-type]


def test_describe_presence() -> None:
    solver_match, _ = match({"headers": {"x": {}}})
    assert describe(solver_match.headers[0][1]) == "present"  # type: ignore[attr-defined]


def test_dry_run_policy_is_shown_but_not_enforced(tmp_path) -> None:
    from meshlint.config import Config
    from meshlint.explain import Request, trace
    from meshlint.explain.inputs import load_mesh
    from meshlint.graph import MeshGraph

    (tmp_path / "mesh.yaml").write_text(
        """\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-all
  namespace: shop
  annotations: {istio.io/dry-run: "true"}
spec: {action: DENY, rules: [{}]}
"""
    )
    mesh = load_mesh([str(tmp_path)], Config(), root=tmp_path)
    result = trace(mesh, MeshGraph(mesh), Request("shop/web", "cart"))
    assert result.verdict.allowed is True
    assert result.verdict.reason == "allowed: no ALLOW policy applies"
    texts = [i.text for i in result.steps[7].items]
    assert "shop/deny-all: istio.io/dry-run, evaluated in shadow mode only (not enforced)" in texts
