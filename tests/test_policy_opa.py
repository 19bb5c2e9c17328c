"""The OPA-server engine against a real `opa run --server`, and parity with the embedded engine."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from policies._support import OPA_MODULE, OpaServer, install_opa, load_yaml

from meshlint.errors import ConfigError
from meshlint.policy import (
    Module,
    OpaServerEngine,
    OpaSettings,
    OpaUnavailable,
    PolicyInput,
    RegorusEngine,
    RunOptions,
    from_documents,
    load_policies,
    run_policies,
)
from meshlint.policy.loader import assemble
from meshlint.policy.testing import PolicyTestOptions, case_folders, run_policy_tests
from meshlint.source import Span

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "policies"
FIXTURES = ROOT / "fixtures" / "rules"
TOKEN = "s3cret-token"
FINE = 'package fine\nimport rego.v1\nwarn contains "seen" if input.kind == "Service"\n'
AUTHZ = """\
package system.authz

import rego.v1

default allow := false

allow if input.identity == "%s"
"""


@pytest.fixture(scope="module")
def opa_binary() -> str:
    found = install_opa()  # `go install` of the pinned OPA when it is missing and Go is present
    if found is None:
        pytest.skip(f"no opa binary and no Go toolchain to `go install {OPA_MODULE}`")
    return found


@pytest.fixture(scope="module")
def opa_url(opa_binary: str) -> Iterator[str]:
    server = OpaServer(opa_binary)
    yield server.url
    server.stop()


def _get(url: str, token: str | None = None) -> dict[str, Any]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as reply:
        result: dict[str, Any] = json.load(reply)
        return result


def _all_builtin(policy: object) -> bool:
    return True


def _findings(engine, fixture: Path):
    inputs, locate = from_documents(load_yaml(fixture))
    policy_set = load_policies(parse_yaml=yaml.safe_load)
    options = RunOptions(select=_all_builtin)
    try:
        return run_policies(policy_set, inputs, engine=engine, locate=locate, options=options)
    finally:
        engine.close()


PARITY_CASES = [
    folder / name
    for folder in case_folders(FIXTURES)
    if folder.name.startswith("MESH6")
    for name in ("bad.yaml", "good.yaml")
]


@pytest.mark.parametrize("fixture", PARITY_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_builtin_pack_parity_with_real_opa(opa_url: str, fixture: Path) -> None:
    embedded = _findings(RegorusEngine(), fixture)
    remote = _findings(OpaServerEngine(OpaSettings(opa_url)), fixture)
    assert remote == embedded
    assert not [f for f in remote if f.code == "MESH007"]


def test_uploads_are_removed_on_close(opa_url: str) -> None:
    engine = OpaServerEngine(OpaSettings(opa_url))
    _findings(engine, FIXTURES / "MESH601" / "bad.yaml")
    ids = [p["id"] for p in _get(f"{opa_url}/v1/policies")["result"]]
    assert not [i for i in ids if i.startswith(f"meshlint-{engine.run_id}")]
    assert "result" not in _get(f"{opa_url}/v1/data/meshlint")
    assert "result" not in _get(f"{opa_url}/v1/data/meshlint_inputs/{engine.run_id}")


def test_compile_errors_and_isolation_on_opa(opa_url: str) -> None:
    modules = [
        Module(
            "broken.rego", "package broken\n\nimport rego.v1\n\ndeny contains x if {\n\tx :=\n}\n"
        ),
        Module(
            "fine.rego",
            'package fine\nimport rego.v1\nwarn contains "seen" if input.kind == "Service"\n',
        ),
    ]
    policy_set = assemble([], modules, parse_yaml=yaml.safe_load)
    doc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "shop"}}
    inputs = [PolicyInput(doc, "f.yaml", 3)]
    engine = OpaServerEngine(OpaSettings(opa_url))
    try:
        findings = run_policies(
            policy_set, inputs, engine=engine, locate=lambda i, p: Span("f.yaml", 3, 1, 3, 1)
        )
    finally:
        engine.close()
    assert [(f.code, f.span.path, f.span.line) for f in findings] == [
        ("MESH007", "broken.rego", 7),
        ("fine", "f.yaml", 3),
    ]


def test_bearer_token_is_sent(opa_binary: str, tmp_path: Path) -> None:
    authz = tmp_path / "authz.rego"
    authz.write_text(AUTHZ % TOKEN)
    server = OpaServer(opa_binary, "--authentication=token", "--authorization=basic", str(authz))
    try:
        allowed = _findings(
            OpaServerEngine(OpaSettings(server.url, token=TOKEN)),
            FIXTURES / "MESH602" / "bad.yaml",
        )
        assert [f.code for f in allowed] == ["MESH602", "MESH602"]
        with pytest.raises(OpaUnavailable, match="refused the request"):
            _findings(OpaServerEngine(OpaSettings(server.url)), FIXTURES / "MESH602" / "bad.yaml")
    finally:
        server.stop()


def test_bad_url_is_a_config_error() -> None:
    engine = OpaServerEngine(OpaSettings("opa.local:8181"))
    with pytest.raises(ConfigError, match="http"):
        engine.load([], [], {"meshlint": {}})


def test_opa_test_runs_rego_unit_tests(opa_binary: str) -> None:
    folder = HERE / "user"
    options = PolicyTestOptions(load=load_yaml, parse_yaml=yaml.safe_load, opa=opa_binary)
    report = run_policy_tests([folder], folder / "fixtures", options)
    assert report.rego is not None
    assert report.rego.returncode == 0, report.rego.output
    assert "PASS: 2/2" in report.rego.output
    assert report.passed


def test_builtin_pack_passes_opa_strict_check_and_fmt(opa_binary: str) -> None:
    rules = ROOT / "rules"
    check = subprocess.run(
        [opa_binary, "check", "--strict", str(rules)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run(
        [opa_binary, "fmt", "--list", str(rules)], capture_output=True, text=True, check=False
    )
    assert (fmt.returncode, fmt.stdout) == (0, "")
