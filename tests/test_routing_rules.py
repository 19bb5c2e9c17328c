"""Routing rules (MESH1xx): what the generic fixture test cannot express."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshlint.config import Config
from meshlint.findings import Finding, Severity
from meshlint.lint import lint, lint_text
from meshlint.model.networking import VirtualService
from meshlint.model.routes import describe, destinations, route_lists

ROOT = Path(__file__).resolve().parents[1]
MESHES = ROOT / "fixtures" / "meshes"
ROUTING_CODES = (
    *("MESH101", "MESH102", "MESH103", "MESH104"),
    *("MESH120", "MESH121", "MESH122", "MESH123", "MESH124"),
)

REVIEWS = """\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
"""


def _only(code: str, **changes: object) -> Config:
    return Config().merged(select=(code,), **changes)


def _vs(body: str) -> str:
    head = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
    return f"{REVIEWS}---\n{head}metadata: {{name: reviews, namespace: shop}}\n{body}"


def _route_to(host: str, subset: str) -> str:
    route = f"[{{route: [{{destination: {{host: {host}, subset: {subset}}}}}]}}]"
    return f"spec:\n  hosts: [reviews]\n  http: {route}\n"


def _where(finding: Finding) -> tuple[str, int, int, str]:
    return (Path(finding.span.path).name, finding.span.line, finding.span.column, finding.code)


# ---------------------------------------------------------------- sample meshes


def test_bookinfo_is_clean_at_warning_and_above() -> None:
    result = lint([MESHES / "bookinfo"], Config())
    loud = [f for f in result.findings if f.severity.at_least(Severity.WARNING)]
    assert loud == []
    assert result.resources > 30


def test_broken_mesh_has_one_finding_per_routing_rule() -> None:
    result = lint([MESHES / "broken"], Config())
    found = sorted(_where(f) for f in result.findings if f.code in ROUTING_CODES)
    assert found == [
        ("routing.yaml", 19, 17, "MESH120"),
        ("routing.yaml", 29, 15, "MESH102"),
        ("routing.yaml", 32, 5, "MESH103"),
        ("routing.yaml", 36, 7, "MESH104"),
        ("routing.yaml", 56, 5, "MESH101"),
        ("routing.yaml", 57, 15, "MESH121"),
        ("routing.yaml", 64, 19, "MESH122"),
        ("routing.yaml", 91, 5, "MESH124"),
        ("routing.yaml", 92, 5, "MESH123"),
    ]


def test_broken_mesh_has_the_tool_findings_its_readme_lists() -> None:
    result = lint([MESHES / "broken"], Config())
    tool = sorted(_where(f) for f in result.findings if f.code in ("MESH001", "MESH002", "MESH003"))
    assert tool == [
        ("duplicate-key.yaml", 9, 3, "MESH002"),
        ("syntax-error.yaml", 5, 5, "MESH001"),
        ("typo.yaml", 17, 7, "MESH003"),
    ]


# ---------------------------------------------------------------- messages and values


def test_weight_sum_reports_the_effective_split() -> None:
    text = _vs("""\
spec:
  hosts: [reviews]
  http:
  - route:
    - {destination: {host: reviews, subset: v1}, weight: 70}
    - {destination: {host: reviews, subset: v2}, weight: 20}
    - {destination: {host: reviews, subset: v2, port: {number: 9080}}, weight: 0}
""")
    (finding,) = lint_text(text, _only("MESH103")).findings
    assert finding.severity is Severity.INFO
    assert finding.pointer == "/spec/http/0/route"
    assert finding.message == (
        "weights sum to 90; effective split: reviews v1 77.8%, reviews v2 22.2% "
        "(dropped: reviews v2:9080)"
    )


def test_subset_undefined_names_the_rule_and_its_subsets() -> None:
    text = _vs(_route_to("reviews", "v3"))
    (finding,) = lint_text(text, _only("MESH120")).findings
    assert finding.message == (
        "route to reviews subset v3, but DestinationRule shop/reviews defines only v1, v2"
    )
    assert finding.pointer == "/spec/http/0/route/0/destination/subset"
    assert [(r.span.line, r.message) for r in finding.related] == [
        (6, "DestinationRule shop/reviews")
    ]


def test_subset_undefined_is_silent_without_the_root_namespace() -> None:
    # No DestinationRule at all, but istio-system is not in the input: a root-namespace rule
    # could define the subset, so the finding would not be certain.
    text = _vs(_route_to("ratings", "v1"))
    assert lint_text(text, _only("MESH120")).findings == ()
    with_root = f"{text}---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: istio-system}}\n"
    (finding,) = lint_text(with_root, _only("MESH120")).findings
    assert finding.message == (
        "route to ratings subset v1, but no DestinationRule for "
        "ratings.shop.svc.cluster.local applies"
    )


def test_port_unknown_explains_the_request_port() -> None:
    text = f"""\
{REVIEWS}---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec: {{ports: [{{name: http, port: 8080}}, {{name: https, port: 8443}}]}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: public, namespace: shop}}
spec:
  selector: {{istio: ingressgateway}}
  servers: [{{port: {{number: 80, name: http, protocol: HTTP}}, hosts: [shop.example.com]}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: storefront, namespace: shop}}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http: [{{route: [{{destination: {{host: web}}}}]}}]
"""
    (finding,) = lint_text(text, _only("MESH122")).findings
    assert finding.message == (
        "destination web has no port, so requests keep port 80, which Service shop/web does "
        "not expose (ports: 8080, 8443)"
    )


# ---------------------------------------------------------------- mesh settings


UNKNOWN_HOSTS = _vs("""\
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reveiws}}]
  - route: [{destination: {host: api.example.com}}]
""")


def test_host_unknown_is_a_warning_under_allow_any() -> None:
    (finding,) = lint_text(UNKNOWN_HOSTS, _only("MESH121")).findings
    assert (finding.severity, finding.pointer) == (
        Severity.WARNING,
        "/spec/http/0/route/0/destination/host",
    )
    assert finding.message == "destination host reveiws matches no Service or ServiceEntry"


def test_host_unknown_is_an_error_under_registry_only(tmp_path: Path) -> None:
    mesh_config = tmp_path / "mesh.yaml"
    mesh_config.write_text("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n")
    config = _only("MESH121", mesh_config=str(mesh_config))
    (finding,) = lint_text(UNKNOWN_HOSTS, config).findings
    assert finding.severity is Severity.ERROR


def test_host_unknown_reports_external_hosts_only_when_the_input_is_complete() -> None:
    findings = lint_text(UNKNOWN_HOSTS, _only("MESH121", assume_complete=True)).findings
    assert [f.pointer for f in findings] == [
        "/spec/http/0/route/0/destination/host",
        "/spec/http/1/route/0/destination/host",
    ]


# ---------------------------------------------------------------- route helpers


@pytest.fixture
def virtual_service() -> VirtualService:
    return VirtualService.model_validate(
        {
            "spec": {
                "http": [
                    {
                        "route": [
                            {"destination": {"host": "a", "subset": "v1"}, "weight": 60},
                            {"destination": {"host": "b", "port": {"number": 80}}},
                        ],
                        "mirror": {"host": "m"},
                        "mirrors": [{"destination": {"host": "n", "subset": "s"}}],
                    },
                    {"redirect": {"uri": "/x"}},
                ],
                "tcp": [{"route": [{"destination": {"host": "t"}}]}],
            }
        }
    )


def test_route_lists_skip_rules_without_routes(virtual_service: VirtualService) -> None:
    lists = list(route_lists(virtual_service))
    assert [(r.pointer, [e.weight for e in r.entries]) for r in lists] == [
        ("/spec/http/0/route", [60, None]),
        ("/spec/tcp/0/route", [None]),
    ]


def test_destinations_include_mirrors(virtual_service: VirtualService) -> None:
    found = [(d.pointer, describe(d.destination), d.mirror) for d in destinations(virtual_service)]
    assert found == [
        ("/spec/http/0/route/0/destination", "a v1", False),
        ("/spec/http/0/route/1/destination", "b:80", False),
        ("/spec/http/0/mirror", "m", True),
        ("/spec/http/0/mirrors/0/destination", "n s", True),
        ("/spec/tcp/0/route/0/destination", "t", False),
    ]


def test_negative_weights_are_left_to_schema_validation() -> None:
    text = _vs("""\
spec:
  hosts: [reviews]
  http:
  - route:
    - {destination: {host: reviews, subset: v1}, weight: -10}
    - {destination: {host: reviews, subset: v2}, weight: 10}
  - route:
    - {destination: {host: reviews, subset: v1}, weight: -1}
""")
    config = Config().merged(select=("MESH004", "MESH101", "MESH102", "MESH103"))
    findings = lint_text(text, config).findings
    assert [(f.code, f.pointer) for f in findings] == [
        ("MESH004", "/spec/http/0/route/0/weight"),
        ("MESH004", "/spec/http/1/route/0/weight"),
    ]
