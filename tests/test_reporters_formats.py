"""CI formats (sarif, github, junit, gitlab): goldens, contracts, and several formats per run."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from meshlint import __version__, cli
from meshlint.analyzers import RULES_BY_CODE
from meshlint.config import Config
from meshlint.findings import Finding, LintResult, Related, ResourceRef, Severity
from meshlint.lint import lint, lint_text
from meshlint.reporters import CHECK_FORMATS, REPORTERS, github, gitlab, junit, sarif
from meshlint.source import Span

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
# the SARIF schema sits in the shared folder beside the repository (there on CI too)
SARIF_SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
EXTENSIONS = {"sarif": "sarif", "github": "txt", "junit": "xml", "gitlab": "json"}
MESHES = ("bookinfo", "broken")

REF = ResourceRef("VirtualService", "reviews", "shop", "networking.istio.io/v1")
POINTER = "/spec/http/0/route/1/destination/subset"
SPAN = Span("mesh/vs.yaml", 14, 9, 14, 20)


def _finding(**changes: object) -> Finding:
    fields: dict[str, object] = {
        "code": "MESH120",
        "rule": "vs-subset-undefined",
        "severity": Severity.ERROR,
        "message": "route to reviews subset v3",
        "span": SPAN,
        "resource": REF,
        "pointer": POINTER,
        "related": (Related(Span("mesh/dr.yaml", 3, 1, 3, 5), "DestinationRule shop/reviews"),),
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def _result(*findings: Finding, files: int = 2) -> LintResult:
    return LintResult(findings=tuple(sorted(findings)), files=files, resources=5, skipped=1)


def _lint_mesh(name: str, monkeypatch: pytest.MonkeyPatch) -> LintResult:
    monkeypatch.chdir(ROOT)
    return lint([f"fixtures/meshes/{name}"], Config(), root=ROOT)


def _redact(text: str) -> str:
    return text.replace(f'"{__version__}"', '"<redacted>"')


def _sarif_validator() -> jsonschema.protocols.Validator:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


# -- goldens -------------------------------------------------------------------------------------


def test_check_formats_are_the_registered_reporters() -> None:
    assert CHECK_FORMATS == ("text", "json", "sarif", "github", "junit", "gitlab")


@pytest.mark.parametrize("mesh", MESHES)
@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_format_golden(
    fmt: str, mesh: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    actual = _redact(REPORTERS[fmt](_lint_mesh(mesh, monkeypatch), RULES_BY_CODE))
    golden = GOLDEN / fmt / f"{mesh}.{EXTENSIONS[fmt]}"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden}; run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("mesh", MESHES)
def test_sarif_of_sample_meshes_validates(mesh: str, monkeypatch: pytest.MonkeyPatch) -> None:
    validator = _sarif_validator()
    result = _lint_mesh(mesh, monkeypatch)
    log = json.loads(REPORTERS["sarif"](result, RULES_BY_CODE))
    validator.validate(log)
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    expected = [
        {
            "startLine": f.span.line,
            "startColumn": f.span.column,
            "endLine": f.span.end_line,
            "endColumn": f.span.end_column,
        }
        for f in result.findings
    ]
    assert regions == expected
    assert len(regions) == len(result.findings) > 0


def test_sarif_of_broken_mesh_has_real_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    log = json.loads(REPORTERS["sarif"](_lint_mesh("broken", monkeypatch), RULES_BY_CODE))
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }
    assert ("MESH120", "fixtures/meshes/broken/routing.yaml", 19) in located
    assert ("MESH003", "fixtures/meshes/broken/typo.yaml", 17) in located
    assert ("MESH001", "fixtures/meshes/broken/syntax-error.yaml", 5) in located


# -- SARIF contracts -----------------------------------------------------------------------------


def test_sarif_result_fields() -> None:
    finding = _finding(extra=(("witness", {"path": "/x"}),))
    log = json.loads(sarif.render(_result(finding), RULES_BY_CODE))
    run = log["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "MESH120"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "MESH120"
    assert result["level"] == "error"
    assert result["message"] == {"text": "route to reviews subset v3"}
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "mesh/vs.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 9, "endLine": 14, "endColumn": 20},
    }
    assert result["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "mesh/dr.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 5},
            },
            "message": {"text": "DestinationRule shop/reviews"},
        }
    ]
    assert result["partialFingerprints"] == {"meshlint/v1": finding.fingerprint}
    assert result["properties"]["witness"] == {"path": "/x"}
    assert result["properties"]["pointer"] == POINTER
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_rule_descriptor_comes_from_metadata() -> None:
    rule = RULES_BY_CODE["MESH120"]
    log = json.loads(sarif.render(_result(_finding()), RULES_BY_CODE))
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("meshlint", __version__)
    assert driver["informationUri"].startswith("https://")
    (descriptor,) = driver["rules"]
    assert descriptor["id"] == "MESH120"
    assert descriptor["name"] == rule.name
    assert descriptor["shortDescription"] == {"text": rule.summary}
    assert descriptor["fullDescription"] == {"text": rule.rationale}
    assert descriptor["helpUri"] == rule.docs_url
    assert rule.remediation in descriptor["help"]["text"]
    assert rule.docs_url in descriptor["help"]["text"]
    assert f"({rule.docs_url})" in descriptor["help"]["markdown"]
    assert descriptor["defaultConfiguration"] == {"level": "error"}


def test_sarif_levels_rule_index_and_rules_that_appear() -> None:
    findings = (
        _finding(code="MESH202", rule="dr-subset-unused", severity=Severity.INFO),
        _finding(code="MESH102", rule="vs-weight-single-destination", severity=Severity.WARNING),
        _finding(span=Span("mesh/vs.yaml", 20, 1, 20, 2)),
    )
    run = json.loads(sarif.render(_result(*findings), RULES_BY_CODE))["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert ids == ["MESH102", "MESH120", "MESH202"]
    pairs = [(r["ruleId"], r["level"], ids[r["ruleIndex"]]) for r in run["results"]]
    assert sorted(pairs) == [
        ("MESH102", "warning", "MESH102"),
        ("MESH120", "error", "MESH120"),
        ("MESH202", "note", "MESH202"),
    ]


def test_sarif_uris_are_relative_encoded_or_file_uris() -> None:
    assert sarif.artifact_location("a dir/vs.yaml") == {
        "uri": "a%20dir/vs.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert sarif.artifact_location("/abs/x#1.yaml") == {"uri": "file:///abs/x%231.yaml"}


def test_sarif_code_without_metadata_gets_a_descriptor() -> None:
    finding = _finding(code="ACME001", rule="acme-naming", related=())
    validator = _sarif_validator()
    log = json.loads(sarif.render(_result(finding), RULES_BY_CODE))
    validator.validate(log)
    (descriptor,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert (descriptor["id"], descriptor["name"]) == ("ACME001", "acme-naming")
    assert "relatedLocations" not in log["runs"][0]["results"][0]


def test_sarif_of_a_clean_run_validates() -> None:
    validator = _sarif_validator()
    log = json.loads(sarif.render(_result(), RULES_BY_CODE))
    validator.validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


# -- fingerprints --------------------------------------------------------------------------------

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      wieght: 10
"""


def test_fingerprint_is_sha256_of_code_resource_pointer() -> None:
    text = f"MESH120|networking.istio.io/v1/VirtualService|shop|reviews|{POINTER}"
    assert _finding().fingerprint == hashlib.sha256(text.encode()).hexdigest()
    bare = _finding(code="MESH001", resource=None, pointer="")
    assert bare.fingerprint == hashlib.sha256(b"MESH001|mesh/vs.yaml|||").hexdigest()


def test_fingerprint_survives_a_line_move_and_changes_with_the_pointer() -> None:
    before = [f for f in lint_text(VS, Config()).findings if f.code == "MESH003"]
    moved = VS.replace("spec:\n", "# a comment\n\nspec:\n")
    after = [f for f in lint_text(moved, Config()).findings if f.code == "MESH003"]
    assert [f.span.line for f in before] == [11]
    assert [f.span.line for f in after] == [13]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert _finding(pointer="/spec/http/1").fingerprint != _finding().fingerprint
    assert _finding(span=Span("other.yaml", 1, 1, 1, 2)).fingerprint == _finding().fingerprint


# -- github --------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_github_annotation_line() -> None:
    line = github.annotation(_finding(span=Span("a,b:c.yaml", 14, 9, 15, 2)), RULES_BY_CODE)
    assert line == (
        "::error file=a%2Cb%3Ac.yaml,line=14,col=9,endLine=15,endColumn=2,"
        "title=MESH120 vs-subset-undefined::route to reviews subset v3"
        "%0Amesh/dr.yaml:3:1: note: DestinationRule shop/reviews"
    )


def test_github_message_cannot_inject_commands() -> None:
    finding = _finding(message="bad\n::error::forged", related=())
    output = github.render(_result(finding), RULES_BY_CODE)
    assert [line for line in output.splitlines() if line.startswith("::error")] == [
        "::error file=mesh/vs.yaml,line=14,col=9,endLine=14,endColumn=20,"
        "title=MESH120 vs-subset-undefined::bad%0A::error::forged"
    ]
    assert "mesh/vs.yaml:14:9: error MESH120 bad ::error::forged [vs-subset-undefined]" in output


def test_github_levels_and_caps() -> None:
    errors = [_finding(span=Span("e.yaml", n, 1, n, 2)) for n in range(1, 26)]
    warnings = [
        _finding(severity=Severity.WARNING, span=Span("w.yaml", n, 1, n, 2)) for n in range(1, 11)
    ]
    note = _finding(severity=Severity.INFO, span=Span("i.yaml", 1, 1, 1, 2))
    lines = github.render(_result(*errors, *warnings, note), RULES_BY_CODE).splitlines()
    assert sum(line.startswith("::error file=e.yaml") for line in lines) == 9
    assert sum(line.startswith("::warning file=w.yaml") for line in lines) == 10
    assert sum(line.startswith("::notice file=i.yaml") for line in lines) == 1
    overflow = [line for line in lines if line.startswith("::error title=meshlint::")]
    assert overflow == [
        "::error title=meshlint::16 more error findings not annotated (GitHub shows 10 per "
        "step); see the meshlint findings in the log"
    ]
    assert not any(line.startswith("::warning title=") for line in lines)
    group = lines[lines.index("::group::meshlint findings") + 1 : lines.index("::endgroup::")]
    assert len(group) == 36
    assert (
        lines[-1]
        == "36 findings (25 errors, 10 warnings, 1 info) in 2 files, 5 resources, 1 skipped"
    )


def test_github_clean_run_is_only_the_summary() -> None:
    assert github.render(_result(), RULES_BY_CODE) == (
        "No findings in 2 files, 5 resources, 1 skipped\n"
    )


def test_github_step_summary_table() -> None:
    finding = _finding(message="a | b <c>\nd", related=())
    summary = github.step_summary(_result(finding), RULES_BY_CODE)
    assert summary.splitlines() == [
        "### meshlint",
        "",
        "1 finding (1 error, 0 warnings, 0 info) in 2 files, 5 resources, 1 skipped",
        "",
        "| severity | code | location | message |",
        "| --- | --- | --- | --- |",
        "| error | [MESH120](https://meshlint.dev/rules/MESH120) vs-subset-undefined "
        "| mesh/vs.yaml:14:9 | a \\| b &lt;c&gt;<br>d |",
    ]


# -- junit ---------------------------------------------------------------------------------------


def test_junit_suites_per_file_failures_and_notes() -> None:
    findings = (
        _finding(),
        _finding(severity=Severity.INFO, span=Span("mesh/vs.yaml", 20, 1, 20, 2), related=()),
        _finding(severity=Severity.WARNING, span=Span("mesh/gw.yaml", 2, 1, 2, 2)),
    )
    root = ET.fromstring(junit.render(_result(*findings, files=4), RULES_BY_CODE))
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "4", "2")
    suites = [(s.get("name"), s.get("tests"), s.get("failures")) for s in root]
    assert suites == [
        ("mesh/gw.yaml", "1", "1"),
        ("mesh/vs.yaml", "2", "1"),
        ("meshlint", "1", "0"),
    ]
    case = root.find("testsuite[@name='mesh/vs.yaml']/testcase")
    assert case is not None
    assert case.get("name") == "MESH120 vs-subset-undefined at 14:9"
    assert (case.get("file"), case.get("line")) == ("mesh/vs.yaml", "14")
    failure = case.find("failure")
    assert failure is not None
    assert (failure.get("type"), failure.get("message")) == ("error", "route to reviews subset v3")
    assert "mesh/dr.yaml:3:1: note: DestinationRule shop/reviews" in (failure.text or "")
    note = root.findall("testsuite[@name='mesh/vs.yaml']/testcase")[1]
    assert note.find("failure") is None
    assert "info MESH120" in (note.findtext("system-out") or "")
    clean = root.find("testsuite[@name='meshlint']/testcase")
    assert clean is not None
    assert clean.get("name") == "2 files without findings"


def test_junit_escapes_and_drops_characters_xml_cannot_hold() -> None:
    finding = _finding(message='a <b> & "c" \x01 \x1b[31m', related=())
    root = ET.fromstring(junit.render(_result(finding, files=1), RULES_BY_CODE))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == 'a <b> & "c" \ufffd \ufffd[31m'
    assert junit.xml_text("ok\tline\nnext") == "ok\tline\nnext"


def test_junit_clean_run_has_a_passing_case() -> None:
    root = ET.fromstring(junit.render(_result(files=3), RULES_BY_CODE))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    case = root.find("testsuite/testcase")
    assert case is not None
    assert (case.get("name"), list(case)) == ("3 files without findings", [])


def test_junit_parses_with_junitparser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is in the test extra")
    report = tmp_path / "report.xml"
    report.write_text(junit.render(_lint_mesh("broken", monkeypatch), RULES_BY_CODE))
    xml = junitparser.JUnitXml.fromfile(str(report))
    suites = {suite.name: suite for suite in xml}
    assert suites["fixtures/meshes/broken/routing.yaml"].failures == 9
    assert suites["fixtures/meshes/broken/routing.yaml"].tests == 10
    assert suites["meshlint"].tests == 1
    assert (xml.tests, xml.failures) == (14, 12)


# -- gitlab --------------------------------------------------------------------------------------


def test_gitlab_issue_fields_and_severities() -> None:
    findings = (
        _finding(),
        _finding(severity=Severity.WARNING, pointer="/spec/a"),
        _finding(severity=Severity.INFO, pointer="/spec/b"),
    )
    issues = json.loads(gitlab.render(_result(*findings), RULES_BY_CODE))
    assert issues[0] == {
        "type": "issue",
        "description": "MESH120 route to reviews subset v3 [vs-subset-undefined]",
        "check_name": "MESH120",
        "fingerprint": findings[0].fingerprint,
        "severity": "major",
        "location": {"path": "mesh/vs.yaml", "lines": {"begin": 14, "end": 14}},
    }
    assert sorted(issue["severity"] for issue in issues) == ["info", "major", "minor"]


def test_gitlab_fingerprints_are_unique_and_stable() -> None:
    twice = (_finding(), _finding(span=Span("mesh/vs.yaml", 30, 1, 30, 2)))
    issues = json.loads(gitlab.render(_result(*twice), RULES_BY_CODE))
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert fingerprints[0] == twice[0].fingerprint
    assert fingerprints[1] == hashlib.sha256(f"{twice[0].fingerprint}#1".encode()).hexdigest()
    again = json.loads(gitlab.render(_result(*twice), RULES_BY_CODE))
    assert [issue["fingerprint"] for issue in again] == fingerprints


def test_gitlab_fingerprints_unique_on_the_broken_mesh(monkeypatch: pytest.MonkeyPatch) -> None:
    issues = json.loads(gitlab.render(_lint_mesh("broken", monkeypatch), RULES_BY_CODE))
    assert len(issues) == 13
    assert len({issue["fingerprint"] for issue in issues}) == 13


# -- several formats per run ---------------------------------------------------------------------

BROKEN = str(ROOT / "fixtures" / "meshes" / "broken")


@pytest.fixture
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("_in_tmp")
def test_several_formats_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys,
        "check",
        BROKEN,
        "--format",
        "text",
        "--format",
        "sarif=out.sarif",
        "-f",
        "gitlab=gl.json",
        "-f",
        "junit=report.xml",
    )
    assert (code, err) == (1, "")
    assert "error MESH120" in out
    assert json.loads(Path("out.sarif").read_text())["version"] == "2.1.0"
    assert len(json.loads(Path("gl.json").read_text())) == 13
    assert ET.parse("report.xml").getroot().get("failures") == "12"


@pytest.mark.usefixtures("_in_tmp")
def test_output_takes_the_bare_format_and_fail_on_applies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("check", BROKEN, "-f", "json", "-f", "github=-", "-o", "out.json", "--fail-on", "never")
    code, out, _ = _run(capsys, *args)
    assert code == 0
    assert out.startswith("::error file=")
    assert json.loads(Path("out.json").read_text())["summary"]["findings"] == 13


@pytest.mark.usefixtures("_in_tmp")
def test_step_summary_written_only_with_github(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = Path("summary.md")
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert _run(capsys, "check", BROKEN, "-f", "json")[0] == 1
    assert summary.read_text() == "earlier step\n"
    assert _run(capsys, "check", BROKEN, "-f", "github")[0] == 1
    lines = summary.read_text().splitlines()
    assert lines[:2] == ["earlier step", "### meshlint"]
    assert sum(line.startswith("| error | [MESH") for line in lines) == 8


@pytest.mark.usefixtures("_in_tmp")
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-f", "text", "-f", "json"], "only one format can go to stdout, not text and json"),
        (["-f", "sarif=a.out", "-f", "json=a.out"], "several formats would write to a.out"),
        (["-f", "sarif", "-f", "json", "-o", "x"], "--output takes exactly one --format"),
        (["-f", "sarif=a", "-o", "x"], "--output takes exactly one --format"),
        (["-f", "sarif="], "missing file name"),
        (["-f", "xml=a.xml"], "'xml' is not one of text, json, sarif, github, junit, gitlab"),
        (["-f", "sarif=missing-dir/a.sarif"], "cannot write missing-dir/a.sarif"),
    ],
)
def test_format_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, _, err = _run(capsys, "check", BROKEN, *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
