"""Policies inside the lint run: selection, positions, MESH007 isolation, facts, the data schema."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from policies._support import OpaServer, install_opa

from meshlint.build import build
from meshlint.config import Config, policy_catalogue
from meshlint.errors import ConfigError
from meshlint.findings import Finding, Severity
from meshlint.lint import lint
from meshlint.loader import load
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings
from meshlint.policy import build_data, from_documents, runner
from meshlint.policy.data import dumps
from meshlint.policy.facts import SECTIONS, mesh_facts, wanted_sections
from meshlint.policy.loader import Policy
from meshlint.policy.metadata import PolicyMeta
from meshlint.policy.scope import wanted_kinds

ROOT = Path(__file__).resolve().parents[1]
POLICIES = Path(__file__).parent / "policies"
FIXTURES = ROOT / "fixtures" / "rules"
SCHEMA = json.loads((ROOT / "schemas" / "policy-data.json").read_text(encoding="utf-8"))

MESH = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: shop
spec:
  selector: {app: payments}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: shop
spec:
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments}}
    spec:
      serviceAccountName: payments
      containers: [{name: app, image: "pay:1", ports: [{containerPort: 8080}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls: {mode: PERMISSIVE}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: payments
  namespace: shop
spec:
  hosts: [payments]
  http:
  - route:
    - destination: {host: payments}
    timeout: 5s
  - route:
    - destination: {host: payments}
"""


@pytest.fixture
def mesh_file(tmp_path: Path) -> Path:
    path = tmp_path / "mesh.yaml"
    path.write_text(MESH, encoding="utf-8")
    return path


def _config(**values: object) -> Config:
    return Config.parse(values)


def _rows(findings: tuple[Finding, ...], *codes: str) -> list[tuple[str, int, int, str]]:
    return [
        (f.code, f.span.line, f.span.column, f.message)
        for f in findings
        if not codes or f.code in codes
    ]


def _policy_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if not f.code.startswith("MESH") or f.code.startswith("MESH6")]


# --- conftest-style folders ---------------------------------------------------------------


def test_conftest_policies_run_unchanged_with_package_codes(mesh_file: Path) -> None:
    config = _config(policies=[str(POLICIES / "conftest")], builtin_policies=False)
    result = lint([mesh_file], config)
    assert _rows(result.findings, "main", "istio.gateway") == [
        ("main", 18, 1, "Deployment payments has no team label"),
        ("main", 39, 1, "VirtualService payments has an HTTP route without a timeout"),
    ]
    severities = {f.message.split()[0]: f.severity for f in result.findings if f.code == "main"}
    assert severities == {"Deployment": Severity.WARNING, "VirtualService": Severity.ERROR}
    assert "main" in result.rules_run and "istio.gateway" in result.rules_run


def test_object_result_with_pointer_is_reported_at_that_line(mesh_file: Path) -> None:
    config = _config(policies=[str(POLICIES / "mixed" / "good.rego")], builtin_policies=False)
    result = lint([mesh_file], config)
    finding = next(f for f in result.findings if f.code == "ORG010")
    assert (finding.span.line, finding.span.column, finding.pointer) == (15, 5, "/spec/ports/0")
    assert finding.message == "port 80 has no name"
    assert finding.resource is not None and finding.resource.name == "payments"


def test_broken_policies_give_mesh007_and_the_good_one_still_reports(mesh_file: Path) -> None:
    config = _config(policies=[str(POLICIES / "mixed")], builtin_policies=False)
    result = lint([mesh_file], config)
    errors = sorted(
        (Path(f.span.path).name, f.span.line) for f in result.findings if f.code == "MESH007"
    )
    assert errors == [("broken.rego", 6), ("crash.rego", 7), ("reserved.rego", 1)]
    assert _rows(result.findings, "ORG010") == [("ORG010", 15, 5, "port 80 has no name")]
    reserved = next(f for f in result.findings if f.span.path.endswith("reserved.rego"))
    assert reserved.message == (
        "policy org.reserved failed: its code 'MESH999' uses the reserved MESH prefix;"
        " choose another prefix"
    )


# --- selection --------------------------------------------------------------------------------


def test_builtin_defaults_opt_in_and_selection(mesh_file: Path) -> None:
    default = lint([mesh_file], Config())
    assert "MESH603" not in {f.code for f in default.findings}  # opt-in: off by default
    assert {"MESH604", "MESH607"} <= set(default.rules_run)
    assert "MESH603" not in default.rules_run
    chosen = lint([mesh_file], _config(select=["vs-route-timeout"]))
    assert [(f.code, f.span.line, f.span.column, f.pointer) for f in chosen.findings] == [
        ("MESH603", 50, 5, "/spec/http/1")
    ]
    assert chosen.rules_run == ("MESH603",)


def test_prefix_selects_the_whole_pack_and_severity_overrides_apply(mesh_file: Path) -> None:
    config = _config(select=["MESH6"], severity={"MESH603": "error", "MESH601": "info"})
    result = lint([mesh_file], config)
    codes = {f.code: f.severity for f in result.findings}
    assert codes["MESH603"] is Severity.ERROR
    assert codes["MESH601"] is Severity.INFO
    assert set(result.rules_run) == {f"MESH60{i}" for i in range(1, 9)}


def test_user_policy_selection_by_code_and_name(mesh_file: Path) -> None:
    folder = str(POLICIES / "semantic")
    by_code = lint([mesh_file], _config(policies=[folder], select=["ORG100"]))
    by_name = lint([mesh_file], _config(policies=[folder], select=["payments-mtls-only"]))
    ignored = lint([mesh_file], _config(policies=[folder], ignore=["ORG100"]))
    assert [f.code for f in by_code.findings] == ["ORG100", "ORG100"]
    assert by_code.findings == by_name.findings
    assert "ORG100" not in {f.code for f in ignored.findings}


def test_unknown_policy_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r'unknown rule "ORG101" \(did you mean "ORG100"\?\)'):
        _config(policies=[str(POLICIES / "semantic")], select=["ORG101"])


def test_no_selected_policy_starts_no_engine(
    mesh_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("an engine was started")

    monkeypatch.setattr("meshlint.policy.step.make_engine", refuse)
    result = lint([mesh_file], _config(select=["MESH1"]))
    assert not [code for code in result.rules_run if code.startswith("MESH6")]
    broken = lint(
        [mesh_file],
        _config(select=["MESH1", "MESH007"], policies=[str(POLICIES / "mixed" / "reserved.rego")]),
    )
    assert [f.code for f in broken.findings if f.code == "MESH007"] == ["MESH007"]


# --- facts ------------------------------------------------------------------------------------


def test_semantic_policy_reads_facts(mesh_file: Path) -> None:
    config = _config(policies=[str(POLICIES / "semantic")], builtin_policies=False)
    result = lint([mesh_file], config)
    assert _rows(result.findings, "ORG100") == [
        (
            "ORG100",
            47,
            5,
            "/spec/http/0 reaches shop/payments, which accepts plaintext (mTLS PERMISSIVE)",
        ),
        (
            "ORG100",
            50,
            5,
            "/spec/http/1 reaches shop/payments, which accepts plaintext (mTLS PERMISSIVE)",
        ),
    ]
    strict = mesh_file.read_text().replace("PERMISSIVE", "STRICT")
    mesh_file.write_text(strict)
    assert _rows(lint([mesh_file], config).findings, "ORG100") == []


def _mesh(path: Path) -> tuple[Mesh, list[object]]:
    loaded = load([str(path)])
    built = build(loaded.documents)
    return Mesh.build(built.resources, MeshSettings()), list(loaded.documents)


def test_facts_come_from_the_mesh_facade(mesh_file: Path) -> None:
    mesh, _ = _mesh(mesh_file)
    facts = mesh_facts(mesh, None)
    (workload,) = facts["workloads"]
    assert workload["principal"] == "cluster.local/ns/shop/sa/payments"
    assert workload["mtls"] == {
        "mode": "PERMISSIVE",
        "level": "namespace",
        "policy": {"kind": "PeerAuthentication", "namespace": "shop", "name": "default"},
    }
    assert list(workload["mtls_ports"]) == ["8080"]
    assert workload["services"] == ["payments.shop.svc.cluster.local"]
    (table,) = facts["routes"]
    assert (table["client"], table["host"]) == ("sidecar:*", "payments.shop.svc.cluster.local")
    assert [rule["pointer"] for rule in table["rules"]] == ["/spec/http/0", "/spec/http/1"]
    destination = table["rules"][0]["destinations"][0]
    assert destination["workloads"] == [
        {"kind": "Deployment", "namespace": "shop", "name": "payments"}
    ]
    assert mesh_facts(mesh, None, ()).keys() == {
        "root_namespace",
        "default_namespace",
        "trust_domain",
        "assume_complete",
    }


@pytest.mark.parametrize(
    ("source", "wanted"),
    [
        ("x := data.meshlint.facts.root_namespace", set()),
        ("x := data.meshlint.facts.workloads[_]", {"workloads"}),
        ("x := data.meshlint.facts.routes\ny := data.meshlint.facts.workloads", set(SECTIONS)),
        ("f := data.meshlint.facts\nx := f.routes", set(SECTIONS)),
        ("m := data.meshlint\n", set(SECTIONS)),
        ("# data.meshlint.facts.routes in a comment\nx := 1", set()),
        ("x := data.meshlint.resources.Service", set()),
    ],
)
def test_wanted_sections(source: str, wanted: set[str]) -> None:
    assert wanted_sections([source]) == wanted


def test_data_document_matches_its_schema(mesh_file: Path) -> None:
    mesh, documents = _mesh(mesh_file)
    inputs, _ = from_documents(documents)  # type: ignore[arg-type]
    data = build_data(inputs, mesh_facts(mesh, None))["meshlint"]
    jsonschema.validate(json.loads(json.dumps(data)), SCHEMA)
    assert data["version"] == SCHEMA["properties"]["version"]["const"] == 1
    broken = dict(data, facts={**data["facts"], "workloads": [{"kind": "Pod"}]})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_bookinfo_like_mesh_data_matches_the_schema() -> None:
    files = sorted((ROOT / "fixtures" / "meshes").rglob("*.yaml"))
    loaded = load([str(f) for f in files])
    built = build(loaded.documents)
    mesh = Mesh.build(built.resources, MeshSettings())
    inputs, _ = from_documents(loaded.documents)
    data = build_data(inputs, mesh_facts(mesh, None))["meshlint"]
    assert data["facts"]["workloads"] and data["facts"]["routes"]
    jsonschema.validate(json.loads(json.dumps(data, default=str)), SCHEMA)


# --- parity: the lint run on the embedded engine and on a real OPA ------------------------


@pytest.fixture(scope="module")
def opa_url() -> Iterator[str]:
    binary = install_opa()
    if binary is None:
        pytest.skip("no opa binary and no Go toolchain to install it")
    server = OpaServer(binary)
    yield server.url
    server.stop()


PARITY = sorted(
    path
    for folder in FIXTURES.iterdir()
    if folder.name.startswith("MESH6")
    for path in (folder / "bad.yaml", folder / "good.yaml")
)


@pytest.mark.parametrize("fixture", PARITY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_builtin_policy_same_on_embedded_and_opa(opa_url: str, fixture: Path) -> None:
    embedded = lint([fixture], _config(select=["MESH6"]))
    remote = lint([fixture], _config(select=["MESH6"], opa_url=opa_url))
    assert _policy_findings(remote.findings) == _policy_findings(embedded.findings)
    if fixture.name == "bad.yaml":
        assert {f.code for f in embedded.findings} >= {fixture.parent.name}


def test_semantic_and_conftest_policies_same_on_opa(opa_url: str, mesh_file: Path) -> None:
    folders = [str(POLICIES / "semantic"), str(POLICIES / "conftest")]
    embedded = lint([mesh_file], _config(policies=folders))
    remote = lint([mesh_file], _config(policies=folders, opa_url=opa_url))
    assert remote.findings == embedded.findings
    assert {"ORG100", "main"} <= {f.code for f in remote.findings}


# --- the data holds only the kinds running policies can read ------------------------------


def _policy(code: str, kinds: tuple[str, ...]) -> Policy:
    return Policy(code, ("deny",), PolicyMeta(kinds=kinds), False, f"{code}.rego", 1, ())


@pytest.mark.parametrize(
    ("kinds", "source", "wanted"),
    [
        (
            ("VirtualService",),
            "x := data.meshlint.index.Service[ns][name]",
            {"VirtualService", "Service"},
        ),
        (
            ("VirtualService",),
            'x := data.meshlint.resources["Gateway"]',
            {"VirtualService", "Gateway"},
        ),
        (("VirtualService",), 'input.kind == "Namespace"', {"VirtualService", "Namespace"}),
        (("VirtualService",), "# data.meshlint.resources.Pod\nx := 1", {"VirtualService"}),
        (("VirtualService",), "some k, v in data.meshlint.resources", None),
        (("VirtualService",), "x := data.meshlint.index[input.kind]", None),
        (("VirtualService",), "x := data.meshlint", None),
        ((), "x := 1", None),
    ],
)
def test_wanted_kinds(kinds: tuple[str, ...], source: str, wanted: set[str] | None) -> None:
    found = wanted_kinds([_policy("ORG1", kinds)], [source], {"Namespace", "Service", "Secret"})
    assert found == (None if wanted is None else frozenset(wanted))


def test_default_run_sends_only_the_kinds_it_reads(
    mesh_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[set[str]] = []
    original = runner.build_data

    def spy(*args: object) -> dict[str, object]:
        data = original(*args)  # type: ignore[arg-type]
        seen.append(set(data["meshlint"]["resources"]))
        return data

    monkeypatch.setattr(runner, "build_data", spy)
    default = lint([mesh_file], Config())
    assert seen == [{"VirtualService", "Namespace"}]
    assert {"MESH604", "MESH607"} <= set(default.rules_run)
    lint([mesh_file], _config(policies=[str(POLICIES / "conftest")]))
    assert seen[1] == {"VirtualService", "Namespace", "Service", "Deployment", "PeerAuthentication"}


def test_data_serializes_whatever_yaml_produced() -> None:
    value = {
        "when": datetime.date(2020, 1, 1),
        "keys": {datetime.date(2020, 1, 2): "x", 1: "one", False: "no"},
        "ratio": float("nan"),
    }
    assert json.loads(dumps(value)) == {
        "when": "2020-01-01",
        "keys": {"2020-01-02": "x", "1": "one", "false": "no"},
        "ratio": "nan",
    }
    assert dumps({"a": [1, "b"]}) == '{"a":[1,"b"]}'


def test_odd_yaml_values_do_not_break_the_policy_step(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
        "  name: odd\n  namespace: 7\n  annotations: {when: 2020-01-01}\n"
        "spec:\n  hosts: [odd]\n  http:\n  - route:\n    - destination: {host: odd}\n"
        "    retries: {attempts: 20, perTryTimeout: 1s}\n    x: {2020-01-02: .nan}\n"
    )
    result = lint([path], Config())
    policy = [(f.code, f.span.line) for f in result.findings if f.code.startswith("MESH6")]
    assert policy == [("MESH604", 12)]
    assert "MESH007" not in {f.code for f in result.findings}


def test_empty_messages_fall_back_to_the_title_and_user_docs_are_uris(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "empty.rego").write_text(
        "# METADATA\n# title: Services are reviewed\n# custom: {code: ORG300}\n"
        "package org.empty\n\nimport rego.v1\n\n"
        'deny contains "" if input.kind == "Service"\n\n'
        'warn contains {"pointer": "/spec"} if input.kind == "Service"\n'
    )
    mesh = tmp_path / "svc.yaml"
    mesh.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: s}\nspec: {}\n")
    result = lint([mesh], _config(policies=[str(folder)], builtin_policies=False))
    assert [(f.code, f.message, f.span.line) for f in result.findings if f.code == "ORG300"] == [
        ("ORG300", "Services are reviewed", 1),
        ("ORG300", "Services are reviewed", 4),
    ]
    (rule,) = [r for r in policy_catalogue(_config(policies=[str(folder)])) if r.code == "ORG300"]
    assert rule.docs_url == (folder / "empty.rego").absolute().as_uri()
