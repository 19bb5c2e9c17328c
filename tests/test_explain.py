"""meshlint explain on the Bookinfo sample: routing, split, authorization, gateway, --expect."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from meshlint import cli
from meshlint.config import Config
from meshlint.explain import STEP_NAMES, ExplainError, Request, Tone, Trace, trace
from meshlint.explain.inputs import load_mesh
from meshlint.graph import MeshGraph
from meshlint.mesh import Mesh

ROOT = Path(__file__).resolve().parents[1]
BOOKINFO = "fixtures/meshes/bookinfo"
SCHEMA = json.loads((ROOT / "schemas" / "explain.json").read_text())
REVIEWS = "reviews.bookinfo.svc.cluster.local"


@pytest.fixture(scope="module")
def bookinfo() -> Mesh:
    return load_mesh([str(ROOT / BOOKINFO)], Config(), root=ROOT)


def explain(mesh: Mesh, source: str, host: str, **kwargs: object) -> Trace:
    return trace(mesh, MeshGraph(mesh), Request(source, host, **kwargs))  # type: ignore[arg-type]


def step(result: Trace, name: str):
    return next(s for s in result.steps if s.step == name)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_jason_goes_to_v2_over_istio_mutual_and_is_allowed(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/productpage-v1", "reviews", headers={"end-user": "jason"})
    verdict = result.verdict
    assert [s.step for s in result.steps] == list(STEP_NAMES)
    assert result.target == f"{REVIEWS}:9080"
    assert verdict.allowed is True
    assert verdict.reason == "allowed by AuthorizationPolicy bookinfo/reviews-viewer rule 0"
    assert (verdict.route.namespace, verdict.route.name, verdict.route.rule) == (
        "bookinfo",
        "reviews",
        0,
    )
    assert verdict.decided_by.name == "reviews-viewer"
    [only] = verdict.destinations
    assert (only.host, only.subset, only.port, only.percent, only.tls, only.workloads) == (
        REVIEWS,
        "v2",
        9080,
        100.0,
        "istio-mutual",
        ("bookinfo/reviews-v2",),
    )


def test_source_step_names_identity_and_file(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/productpage-v1", "reviews")
    source = step(result, "source")
    assert source.detail["principal"] == "cluster.local/ns/bookinfo/sa/bookinfo-productpage"
    assert source.detail["service_account"] == "bookinfo-productpage"
    assert source.detail["sidecar"] is True
    assert (source.span.path, source.span.line) == (f"{BOOKINFO}/deployments.yaml", 2)


def test_without_the_header_the_canary_split_applies(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/productpage-v1", "reviews")
    shares = [(o.subset, o.percent) for o in result.verdict.destinations]
    assert shares == [("v1", 80.0), ("v2", 10.0), ("v3", 10.0)]
    assert result.verdict.route.rule == 1
    route = step(result, "route")
    [skipped] = route.detail["not_matched"]
    assert skipped["rule"] == "bookinfo/reviews http[0] (jason)"
    assert skipped["condition"] == 'headers.end-user exact "jason" ≠ absent'
    assert (skipped["file"], skipped["line"]) == (f"{BOOKINFO}/routing.yaml", 15)
    assert route.items[0].tone is Tone.SKIPPED


def test_other_user_header_is_shown_with_its_value(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/productpage-v1", "reviews", headers={"end-user": "bob"})
    [skipped] = step(result, "route").detail["not_matched"]
    assert skipped["condition"] == 'headers.end-user exact "jason" ≠ "bob"'


def test_caller_outside_the_reviews_policy_is_denied_by_name(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/ratings-v1", "reviews", headers={"end-user": "jason"})
    verdict = result.verdict
    assert verdict.allowed is False
    assert verdict.decided_by.name == "reviews-viewer"
    assert verdict.decided_by.kind == "AuthorizationPolicy"
    assert "bookinfo/reviews-viewer" in verdict.reason
    texts = [i.text for i in step(result, "authorization").items]
    assert (
        "ALLOW bookinfo/reviews-viewer rule 0: source.principal "
        '"cluster.local/ns/bookinfo/sa/bookinfo-ratings" not in '
        "[cluster.local/ns/bookinfo/sa/bookinfo-productpage]"
    ) in texts
    assert "ALLOW bookinfo/allow-nothing: no rules, matches nothing" in texts


def test_post_from_productpage_is_denied_by_the_method(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "bookinfo/productpage-v1", "reviews", method="POST")
    assert result.verdict.allowed is False
    decisions = step(result, "authorization").detail["decisions"]
    rules = decisions[0]["policies"][1]["rules"]
    assert rules == [{"rule": 0, "matched": False, "reason": 'request.method "POST" not in [GET]'}]


def test_ingress_request_resolves_the_vs_bound_to_the_gateway(bookinfo: Mesh) -> None:
    result = explain(
        bookinfo, "gateway:bookinfo/bookinfo-gateway", "bookinfo.example.com", path="/productpage"
    )
    verdict = result.verdict
    assert result.target == "bookinfo.example.com:80"
    assert (verdict.route.name, verdict.route.rule) == ("bookinfo", 0)
    [only] = verdict.destinations
    assert (only.host, only.subset, only.tls) == (
        "productpage.bookinfo.svc.cluster.local",
        "v1",
        "istio-mutual",
    )
    assert verdict.allowed is True
    assert verdict.decided_by.name == "productpage-viewer"
    source = step(result, "source")
    assert source.detail["principal"] == (
        "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
    )


def test_ingress_path_outside_the_vs_is_404(bookinfo: Mesh) -> None:
    result = explain(
        bookinfo, "gateway:bookinfo/bookinfo-gateway", "bookinfo.example.com", path="/admin"
    )
    assert result.verdict.allowed is False
    assert result.verdict.reason.startswith("no rule matches: the proxy answers 404")
    route = step(result, "route")
    [skipped] = route.detail["not_matched"]
    assert skipped["condition"] == (
        'uri exact "/productpage" ≠ "/admin" (and 4 more match(es) fail)'
    )


def test_external_client_reaches_endpoints_in_plaintext_and_fails_strict(
    bookinfo: Mesh,
) -> None:
    result = explain(bookinfo, "external", "reviews.bookinfo")
    [only] = result.verdict.destinations
    assert (only.subset, only.tls, only.allowed) == (None, "fail", False)
    assert only.workloads == ("bookinfo/reviews-v1", "bookinfo/reviews-v2", "bookinfo/reviews-v3")
    assert result.verdict.decided_by.kind == "PeerAuthentication"
    assert (result.verdict.decided_by.namespace, result.verdict.decided_by.name) == (
        "istio-system",
        "default",
    )


@pytest.mark.parametrize(
    ("source", "host", "message"),
    [
        ("bookinfo/productpage", "reviews", "did you mean bookinfo/productpage-v1"),
        ("bookinfo/productpage-v1", "reveiws", "did you mean reviews"),
        (
            "gateway:bookinfo/bookinfo-gw",
            "reviews",
            "did you mean gateway:bookinfo/bookinfo-gateway",
        ),
        ("productpage-v1", "reviews", "expected NS/WORKLOAD"),
    ],
)
def test_unknown_source_or_host_lists_close_matches(
    bookinfo: Mesh, source: str, host: str, message: str
) -> None:
    with pytest.raises(ExplainError, match=message):
        explain(bookinfo, source, host)


# ---------------------------------------------------------------------------- CLI


def test_cli_text_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(
        capsys,
        "explain",
        BOOKINFO,
        "--from",
        "bookinfo/productpage-v1",
        "--to",
        "reviews",
        "--header",
        "end-user=jason",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"bookinfo/productpage-v1 → {REVIEWS}:9080  GET / end-user: jason"
    assert lines[1].startswith("├─ 1 source ")
    assert lines[1].endswith(f"{BOOKINFO}/deployments.yaml:2")
    verdict = next(line for line in lines if line.startswith("└─ 9 verdict"))
    assert verdict == (
        "└─ 9 verdict        ALLOWED by AuthorizationPolicy bookinfo/reviews-viewer rule 0"
    )
    assert "[" not in lines[0]  # markup rendered, not printed


def test_cli_json_matches_the_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(
        capsys,
        "explain",
        BOOKINFO,
        "--from",
        "bookinfo/productpage-v1",
        "--to",
        "reviews:9080",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["request"] == {
        "from": "bookinfo/productpage-v1",
        "to": f"{REVIEWS}:9080",
        "method": "GET",
        "path": "/",
        "scheme": "http",
        "protocol": "HTTP",
        "headers": {},
    }
    assert [d["percent"] for d in document["verdict"]["destinations"]] == [80.0, 10.0, 10.0]
    assert [s["step"] for s in document["steps"]] == list(STEP_NAMES)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--header", "end-user=jason", "--expect", "route:v2"], 0),
        (["--expect", "route:v2"], 1),
        (["--expect", "allow"], 0),
        (["--expect", "deny"], 1),
        (["--method", "POST", "--expect", "deny"], 0),
    ],
)
def test_expect_sets_the_exit_code(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    expected: int,
) -> None:
    monkeypatch.chdir(ROOT)
    code, _, _ = run(
        capsys, "explain", BOOKINFO, "--from", "bookinfo/productpage-v1", "--to", "reviews", *args
    )
    assert code == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "bookinfo/nope", "--to", "reviews"], "no such workload"),
        (["--from", "bookinfo/productpage-v1", "--to", "nope"], "is not in the input"),
        (["--from", "bookinfo/productpage-v1", "--to", "reviews:99999"], "port must be"),
        (["--from", "bookinfo/productpage-v1", "--to", "reviews", "--expect", "maybe"], "--expect"),
        (["--from", "bookinfo/productpage-v1", "--to", "reviews", "--header", "x"], "K=V"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "explain", BOOKINFO, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_gateway_without_a_route_for_the_host_answers_404(bookinfo: Mesh) -> None:
    result = explain(bookinfo, "gateway:bookinfo/bookinfo-gateway", "reviews.bookinfo")
    assert result.verdict.allowed is False
    assert result.verdict.reason == (
        f"no route for {REVIEWS}:80 on this Gateway: the proxy answers 404"
    )
    ignored = step(result, "virtualservice").detail["ignored"]
    assert ignored == [
        {
            "name": "bookinfo/reviews",
            "reason": "bound to mesh, not to Gateway bookinfo/bookinfo-gateway",
        }
    ]


def test_external_short_host_resolves_in_the_namespace_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(
        capsys,
        "explain",
        BOOKINFO,
        "--from",
        "external",
        "--to",
        "reviews",
        "--namespace",
        "bookinfo",
        "--format",
        "json",
        "--expect",
        "deny",
    )
    assert code == 0
    document = json.loads(out)
    assert document["request"]["to"] == f"{REVIEWS}:9080"
    assert document["verdict"]["decided_by"] == {
        "kind": "PeerAuthentication",
        "namespace": "istio-system",
        "name": "default",
        "rule": None,
    }
