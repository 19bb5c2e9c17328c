"""Reviewed explain traces (text and JSON) for the Bookinfo sample and each surprise case."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from meshlint.config import Config
from meshlint.explain import Request, trace
from meshlint.explain.inputs import load_mesh
from meshlint.graph import MeshGraph
from meshlint.reporters import trace_json, trace_text

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "explain"
CASES = {
    "bookinfo-jason": (
        "fixtures/meshes/bookinfo",
        Request("bookinfo/productpage-v1", "reviews", headers={"end-user": "jason"}),
    ),
    "bookinfo-canary": ("fixtures/meshes/bookinfo", Request("bookinfo/productpage-v1", "reviews")),
    "bookinfo-ingress": (
        "fixtures/meshes/bookinfo",
        Request("gateway:bookinfo/bookinfo-gateway", "bookinfo.example.com", path="/productpage"),
    ),
    "wildcard-dr": ("fixtures/explain/wildcard-dr", Request("frontend/web", "cart.shop")),
    "sidecar-egress": ("fixtures/explain/sidecar-egress", Request("app/web", "payments.billing")),
    "plaintext-strict": (
        "fixtures/explain/plaintext-strict",
        Request("legacy/old-client", "cart.shop"),
    ),
    "authz-tcp": ("fixtures/explain/authz-tcp", Request("shop/api", "cache")),
    "gateway-merge": (
        "fixtures/explain/gateway-merge",
        Request("gateway:istio-system/public", "shop.example.com", path="/api/v1"),
    ),
    "vs-choice": ("fixtures/explain/vs-choice", Request("shop/web", "cart", path="/api/users")),
    "service-entry": (
        "fixtures/explain/service-entry",
        Request("app/web", "api.example.com", path="/v2/orders"),
    ),
}


def _plain(markup: str) -> str:
    stream = io.StringIO()
    Console(file=stream, no_color=True, width=100, soft_wrap=True, highlight=False).print(
        markup, end=""
    )
    return stream.getvalue()


def _compare(golden: Path, actual: str, update: bool) -> None:
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden}; run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_trace_goldens(name: str, update_golden: bool) -> None:
    folder, request = CASES[name]
    mesh = load_mesh([str(ROOT / folder)], Config(), root=ROOT)
    result = trace(mesh, MeshGraph(mesh), request)
    _compare(GOLDEN / f"{name}.txt", _plain(trace_text.render(result)), update_golden)
    _compare(GOLDEN / f"{name}.json", trace_json.render(result), update_golden)
