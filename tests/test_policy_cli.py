"""The policy surface of the CLI: check flags, OPA end to end, `rules`, `policy test`, config."""

from __future__ import annotations

import http.server
import json
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from policies._support import OpaServer, install_opa

from meshlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICIES = Path(__file__).parent / "policies"
FIXTURES = ROOT / "fixtures" / "rules"
TOKEN = "t0ken-value-123"
AUTHZ = """\
package system.authz

import rego.v1

default allow := false

allow if input.identity == "%s"
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "svc.yaml"
    path.write_text(SERVICE, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _json_findings(out: str) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


# --- check ------------------------------------------------------------------------------------


def test_check_policy_folder_reports_at_the_pointer(capsys, service: Path) -> None:
    code, out, _ = _run(
        capsys, "check", "--no-config", "--policy", str(POLICIES / "mixed" / "good.rego"),
        "--format", "json", str(service),
    )  # fmt: skip
    assert code == 1
    assert ("ORG010", 9, 5) in _json_findings(out)


def test_check_broken_policy_next_to_good_ones_exits_1(capsys, service: Path) -> None:
    code, out, _ = _run(
        capsys, "check", "--no-config", "--no-builtin-policies",
        "--policy", str(POLICIES / "mixed"), str(service),
    )  # fmt: skip
    assert code == 1
    lines = out.splitlines()
    compile_error = "broken.rego:6:1: error MESH007 policy broken.rego failed: does not compile"
    assert any(compile_error in line for line in lines)
    assert any(
        "svc.yaml:9:5: error ORG010 port 80 has no name [org-ports]" in line for line in lines
    )


def test_config_file_policies_and_opt_in_selection(capsys, service: Path) -> None:
    folder = service.parent / "team-policies"
    shutil.copytree(POLICIES / "mixed", folder, ignore=shutil.ignore_patterns("broken.rego"))
    config = service.parent / ".meshlint.yaml"
    config.write_text(
        "policies: [team-policies]\nselect: [ORG010, MESH6]\nseverity: {org-ports: warning}\n"
        "ignore: [org.crash, MESH007]\npolicy-timeout: 5\n",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "check", "--format", "json", "svc.yaml")
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("ORG010", "warning")]
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--policy", "missing-dir"],
            'option "policies": policy folder missing-dir does not exist',
        ),
        (["--opa-url", "opa:8181"], "is not an http:// or https:// URL"),
        (
            ["--opa-url", "http://127.0.0.1:9", "--opa-token-env", "a token"],
            "name of an environment",
        ),
        (["--select", "ORG404"], 'unknown rule "ORG404"'),
        (["--policy-timeout", "0"], "greater than 0"),
    ],
)
def test_bad_policy_options_exit_2(capsys, service: Path, args: list[str], message: str) -> None:
    code, out, err = _run(capsys, "check", "--no-config", *args, str(service))
    assert (code, out) == (2, "")
    assert err.startswith("meshlint: error: ") and message in err
    assert len(err.splitlines()) == 1


def test_unreachable_opa_exits_2_with_one_line(capsys, service: Path) -> None:
    code, out, err = _run(
        capsys, "check", "--no-config", "--opa-url", "http://127.0.0.1:9", str(service)
    )
    assert (code, out) == (2, "")
    assert err.startswith("meshlint: error: cannot reach OPA at http://127.0.0.1:9")
    assert len(err.splitlines()) == 1


def test_unset_token_variable_exits_2(capsys, service: Path, monkeypatch) -> None:
    monkeypatch.delenv("MESHLINT_TEST_TOKEN", raising=False)
    code, _, err = _run(
        capsys, "check", "--no-config", "--opa-url", "http://127.0.0.1:9",
        "--opa-token-env", "MESHLINT_TEST_TOKEN", str(service),
    )  # fmt: skip
    assert code == 2
    assert "MESHLINT_TEST_TOKEN is not set" in err


# --- --opa-url end to end ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def opa_binary() -> str:
    binary = install_opa()
    if binary is None:
        pytest.skip("no opa binary and no Go toolchain to install it")
    return binary


@pytest.fixture(scope="module")
def opa_url(opa_binary: str) -> Iterator[str]:
    server = OpaServer(opa_binary)
    yield server.url
    server.stop()


def test_opa_url_end_to_end_matches_the_embedded_engine(capsys, opa_url: str) -> None:
    fixture = str(FIXTURES / "MESH602" / "bad.yaml")
    args = ["check", "--no-config", "--select", "MESH602", "--format", "json", fixture]
    embedded = _run(capsys, *args)
    remote = _run(capsys, *args[:-1], "--opa-url", opa_url, fixture)
    assert remote[0] == embedded[0] == 0  # MESH602 is a warning
    assert (
        _json_findings(remote[1])
        == _json_findings(embedded[1])
        == [
            ("MESH602", 11, 7),
            ("MESH602", 15, 7),
        ]
    )


def test_opa_token_from_the_environment_is_sent_never_printed(
    capsys, opa_binary: str, tmp_path: Path, monkeypatch
) -> None:
    authz = tmp_path / "authz.rego"
    authz.write_text(AUTHZ % TOKEN)
    server = OpaServer(opa_binary, "--authentication=token", "--authorization=basic", str(authz))
    fixture = str(FIXTURES / "MESH602" / "bad.yaml")
    base = ["check", "--no-config", "--select", "MESH602", "--opa-url", server.url]
    try:
        monkeypatch.setenv("OPA_TEST_TOKEN", TOKEN)
        code, out, err = _run(capsys, *base, "--opa-token-env", "OPA_TEST_TOKEN", fixture)
        assert code == 0 and out.count(" MESH602 ") == 2
        monkeypatch.setenv("OPA_TEST_TOKEN", "wrong")
        code, out, err = _run(capsys, *base, "--opa-token-env", "OPA_TEST_TOKEN", fixture)
        assert code == 2 and "refused the request" in err
        assert "wrong" not in err and TOKEN not in out + err
    finally:
        server.stop()


# --- rules ------------------------------------------------------------------------------------


def test_rules_lists_builtin_and_user_policies(capsys) -> None:
    code, out, _ = _run(capsys, "rules", "--format", "json", "--policy", str(POLICIES / "user"))
    assert code == 0
    rules = {rule["code"]: rule for rule in json.loads(out)["rules"]}
    assert rules["MESH604"]["policy"] == {
        "package": "meshlint.rules.vs_retries_bounded",
        "path": "rules/vs_retries_bounded.rego",
        "builtin": True,
        "opt_in": False,
    }
    assert rules["MESH603"]["policy"]["opt_in"] is True
    assert rules["ORG001"]["name"] == "org-labels"
    assert rules["ORG001"]["policy"]["builtin"] is False
    assert "policy" not in rules["MESH120"]
    _, text, _ = _run(capsys, "rules", "--no-builtin-policies")
    assert "MESH604" not in text and "MESH120" in text


def test_rules_markdown_is_docs_rules_md(capsys) -> None:
    code, _, _ = _run(capsys, "rules", "--check", str(ROOT / "docs" / "rules.md"))
    assert code == 0
    _, markdown, _ = _run(capsys, "rules", "--format", "markdown")
    assert "## MESH607 · vs-fault-outside-testing" in markdown
    assert "**Policy:** `rules/vs_fault_outside_testing.rego`" in markdown


# --- policy test ------------------------------------------------------------------------------


def test_policy_test_passes_on_the_user_folder(capsys, opa_binary: str) -> None:
    code, out, _ = _run(
        capsys, "policy", "test", str(POLICIES / "user"), "--opa", opa_binary, "-f", "json"
    )
    report = json.loads(out)
    assert code == 0 and report["passed"] is True
    assert [(c["code"], c["fixture"], c["passed"]) for c in report["cases"]] == [
        ("ORG001", "bad.yaml", True),
        ("ORG001", "good.yaml", True),
    ]
    assert report["rego"]["ran"] is True and "PASS: 2/2" in report["rego"]["output"]


def test_policy_test_builtin_pack(capsys) -> None:
    code, out, _ = _run(capsys, "policy", "test", str(FIXTURES), "--builtin")
    assert code == 0
    assert out.count("PASS MESH6") == 16
    assert "Rego tests: skipped (no *_test.rego files)" in out


def test_policy_test_failure_and_missing_opa(capsys, tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(POLICIES / "user", tmp_path / "user")
    expected = tmp_path / "user" / "fixtures" / "ORG001" / "expected.txt"
    expected.write_text("bad.yaml:1:1 ORG001 Service shop/elsewhere\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, _ = _run(capsys, "policy", "test", str(tmp_path / "user"))
    assert code == 1
    assert (
        "FAIL ORG001 bad.yaml\n  expected:\n    bad.yaml:1:1 ORG001 Service shop/elsewhere\n" in out
    )
    assert "  actual:\n    bad.yaml:4:3 ORG001 Service shop/reviews\n" in out
    assert "Rego tests: skipped (no opa binary on PATH (pass --opa PATH))" in out


def test_policy_test_missing_folder_exits_2(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "policy", "test", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "meshlint-test-opa")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "opa.pem", folder / "opa.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_opa_over_https_with_ca_file_or_insecure(capsys, opa_binary: str, tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    server = OpaServer(
        opa_binary, "--tls-cert-file", str(cert_file), "--tls-private-key-file", str(key_file)
    )
    url = server.url.replace("http://", "https://")
    fixture = str(FIXTURES / "MESH602" / "bad.yaml")
    base = ["check", "--no-config", "--select", "MESH602", "--opa-url", url]
    try:
        code, out, err = _run(capsys, *base, "--opa-ca", str(cert_file), fixture)
        assert code == 0 and out.count(" MESH602 ") == 2, err
        code, out, err = _run(capsys, *base, fixture)  # the system CAs do not know this one
        assert (code, out) == (2, "")
        assert err.startswith(f"meshlint: error: cannot reach OPA at {url}")
        code, out, err = _run(capsys, *base, "--opa-insecure", fixture)
        assert code == 0 and out.count(" MESH602 ") == 2 and err == ""
    finally:
        server.stop()


def test_a_server_that_is_not_opa_exits_2(capsys, service: Path) -> None:
    class NotOpa(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>bad gateway</html>")

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotOpa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        code, out, err = _run(capsys, "check", "--no-config", "--opa-url", url, str(service))
    finally:
        server.shutdown()
        server.server_close()
    assert (code, out) == (2, "")
    assert err.startswith(f"meshlint: error: {url} did not answer like an OPA server")
    assert len(err.splitlines()) == 1
