"""Routing rules MESH110-MESH132: witnesses, messages, severities and offline precision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meshlint.analyzers.routing.vs_retry_exceeds_timeout import retry_problem
from meshlint.config import Config
from meshlint.findings import Finding, Severity
from meshlint.lint import lint, lint_text
from meshlint.model.networking import HTTPRoute

ROOT = Path(__file__).resolve().parents[1]
CODES = (
    *("MESH110", "MESH111", "MESH112", "MESH123", "MESH125", "MESH126", "MESH127"),
    *("MESH128", "MESH130", "MESH131", "MESH132"),
)


def run(code: str, text: str) -> list[Finding]:
    return list(lint_text(text, Config().merged(select=(code,))).findings)


def vs(spec: str, name: str = "api", namespace: str = "shop") -> str:
    head = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
    return f"{head}metadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{spec}---\n"


UNREACHABLE = vs(
    """\
  hosts: [api]
  http:
  - name: all-api
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - name: v1
    match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: api}}]
"""
)


def test_unreachable_finding_names_covering_rule_and_carries_witness() -> None:
    (finding,) = run("MESH110", UNREACHABLE)
    assert finding.pointer == "/spec/http/1"
    assert finding.message == (
        "http[1] (v1) can never match: every request it matches is covered by http[0] (all-api)"
    )
    witness = dict(finding.extra)["witness"]
    assert json.loads(json.dumps(witness)) == witness
    assert witness["covering"] == [{"rule": 0, "name": "all-api"}]
    assert witness["proxies"] == ["mesh"]


def test_ineffective_match_points_at_the_match() -> None:
    text = vs(
        """\
  hosts: [api]
  http:
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - match: [{uri: {prefix: /api/v1}}, {uri: {prefix: /v1}}]
    route: [{destination: {host: api}}]
"""
    )
    (finding,) = run("MESH111", text)
    assert finding.pointer == "/spec/http/1/match/0"
    assert "covered by http[0]" in finding.message
    assert dict(finding.extra)["witness"]["match"] == 0


def test_no_default_route_reports_an_example_request() -> None:
    text = vs(
        """\
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews}}]
"""
    )
    (finding,) = run("MESH112", text)
    assert finding.message == ("requests such as GET / match no rule and get 404 from the sidecar")
    assert dict(finding.extra)["witness"]["path"] == "/"


def test_solver_giving_up_never_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    from meshlint.solver import Outcome, Verdict, http

    def unknown(self: object, *args: object, **kwargs: object) -> Verdict:
        return Verdict(Outcome.UNKNOWN, reason="timeout")

    monkeypatch.setattr(http.HttpAnalysis, "_reach", unknown)
    assert run("MESH110", UNREACHABLE) == []
    assert run("MESH112", vs("  hosts: [r]\n  http: [{match: [{uri: {prefix: /a}}]}]\n")) == []


def test_gateway_api_gateway_is_not_unknown() -> None:
    text = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
---
""" + vs(
        "  hosts: [shop.example.com]\n  gateways: [shop/edge, shop/missing]\n"
        "  http: [{route: [{destination: {host: api}}]}]\n"
    )
    (finding,) = run("MESH123", text)
    assert finding.pointer == "/spec/gateways/1"


@pytest.mark.parametrize(
    ("percent", "severity"),
    [("100", Severity.WARNING), ("12.5", Severity.INFO)],
)
def test_fault_severity_follows_percentage(percent: str, severity: Severity) -> None:
    spec = (
        "  hosts: [r]\n  http:\n"
        f"  - fault: {{abort: {{httpStatus: 503, percentage: {{value: {percent}}}}}}}\n"
        "    route: [{destination: {host: r}}]\n"
    )
    (finding,) = run("MESH131", vs(spec))
    assert finding.severity is severity
    assert finding.message == f"fault injection adds an abort (503) to {percent}% of the requests"


@pytest.mark.parametrize(
    ("timeout", "retries", "expected"),
    [
        ("2s", {"attempts": 3, "perTryTimeout": "2s"}, "not shorter"),
        ("1s", {"attempts": 5, "perTryTimeout": "300ms"}, "cut short"),
        ("6s", {"attempts": 3, "perTryTimeout": "2s"}, None),
        (None, {"attempts": 3, "perTryTimeout": "2s"}, None),
        ("1s", {"attempts": 0}, None),
        ("1s", {"attempts": 3, "perTryTimeout": "bogus"}, None),
    ],
)
def test_retry_problem(
    timeout: str | None, retries: dict[str, object], expected: str | None
) -> None:
    route = HTTPRoute.model_validate({"timeout": timeout, "retries": retries})
    problem = retry_problem(route)
    assert (problem is None) == (expected is None)
    assert expected is None or expected in (problem or "")


def test_host_conflict_names_the_other_virtual_service() -> None:
    text = vs("  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]\n", "a")
    text += vs(
        "  hosts: [reviews.shop.svc.cluster.local]\n"
        "  http: [{route: [{destination: {host: reviews}}]}]\n",
        "b",
    )
    found = run("MESH125", text)
    assert [f.message for f in found] == [
        "host reviews.shop.svc.cluster.local is also claimed for the sidecars by "
        "VirtualService shop/b; only one applies",
        "host reviews.shop.svc.cluster.local is also claimed for the sidecars by "
        "VirtualService shop/a; only one applies",
    ]
    assert all(len(f.related) == 1 for f in found)


def test_not_exported_without_gateway_pods_says_it_assumed() -> None:
    text = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
""" + vs(
        "  hosts: [shop.example.com]\n  gateways: [istio-system/public]\n  exportTo: ['.']\n"
        "  http: [{route: [{destination: {host: shop}}]}]\n"
    )
    (finding,) = run("MESH127", text)
    assert "not exported to istio-system" in finding.message
    assert "assumed" in finding.message


def test_jwt_claim_route_silent_when_gateway_pods_unknown() -> None:
    text = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
""" + vs(
        "  hosts: [shop.example.com]\n  gateways: [istio-system/public]\n  http:\n"
        "  - match: [{headers: {'@request.auth.claims.group': {exact: beta}}}]\n"
        "    route: [{destination: {host: shop}}]\n"
    )
    assert run("MESH132", text) == []


def test_bookinfo_is_clean_for_these_rules() -> None:
    config = Config().merged(select=CODES)
    assert lint([ROOT / "fixtures" / "meshes" / "bookinfo"], config).findings == ()
