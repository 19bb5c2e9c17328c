"""Reporter goldens over the sample meshes, and the reporters' contracts on small results."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from meshlint import __version__
from meshlint.analyzers import RULES_BY_CODE
from meshlint.config import Config
from meshlint.findings import Finding, LintResult, Related, ResourceRef, Severity
from meshlint.lint import lint
from meshlint.reporters import REPORTERS
from meshlint.source import Span

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MESHES = sorted(p.name for p in (ROOT / "fixtures" / "meshes").iterdir() if p.is_dir())
SCHEMA = json.loads((ROOT / "schemas" / "output.json").read_text())
REDACTED = '"version": "<redacted>"'


def plain(markup: str) -> str:
    stream = io.StringIO()
    console = Console(
        file=stream, no_color=True, width=100, highlight=False, soft_wrap=True, emoji=False
    )
    console.print(markup, end="")
    return stream.getvalue()


def _lint_mesh(name: str, monkeypatch: pytest.MonkeyPatch) -> LintResult:
    monkeypatch.chdir(ROOT)
    return lint([f"fixtures/meshes/{name}"], Config(), root=ROOT)


def _compare(golden: Path, actual: str, update: bool) -> None:
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden}; run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


def test_sample_meshes_exist() -> None:
    assert {"bookinfo", "broken"} <= set(MESHES)


@pytest.mark.parametrize("mesh", MESHES)
def test_text_golden(mesh: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _lint_mesh(mesh, monkeypatch)
    actual = plain(REPORTERS["text"](result, RULES_BY_CODE))
    _compare(GOLDEN / "text" / f"{mesh}.txt", actual, update_golden)


@pytest.mark.parametrize("mesh", MESHES)
def test_json_golden(mesh: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _lint_mesh(mesh, monkeypatch)
    rendered = REPORTERS["json"](result, RULES_BY_CODE)
    jsonschema.validate(json.loads(rendered), SCHEMA)
    actual = rendered.replace(f'"version": "{__version__}"', REDACTED)
    _compare(GOLDEN / "json" / f"{mesh}.json", actual, update_golden)


def test_clean_mesh_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bookinfo is correct Istio config: nothing at warning or above. Its one info finding is
    the deliberate deny-all ALLOW policy (MESH311), which is exactly what it says."""
    result = _lint_mesh("bookinfo", monkeypatch)
    assert [f for f in result.findings if f.severity is not Severity.INFO] == []
    assert [(f.code, f.span.line) for f in result.findings] == [("MESH311", 8)]
    assert result.resources > 0


def test_broken_mesh_reports_its_readme_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row of fixtures/meshes/broken/README.md is reported (file:line:col and code)."""
    readme = (ROOT / "fixtures" / "meshes" / "broken" / "README.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| (MESH\d{3})", readme, re.MULTILINE)
    assert len(rows) >= 10
    result = _lint_mesh("broken", monkeypatch)
    reported = {
        (f"{Path(f.span.path).name}:{f.span.line}:{f.span.column}", f.code) for f in result.findings
    }
    assert set(rows) <= reported


# -- contracts on hand-made results -------------------------------------------------------------

REF = ResourceRef("VirtualService", "reviews", "shop", "networking.istio.io/v1")
SPAN = Span("mesh/vs.yaml", 14, 9, 14, 20)


def _finding(**changes: object) -> Finding:
    fields: dict[str, object] = {
        "code": "MESH120",
        "rule": "vs-subset-undefined",
        "severity": Severity.ERROR,
        "message": "route to reviews subset [v3]",
        "span": SPAN,
        "resource": REF,
        "pointer": "/spec/http/0/route/1/destination/subset",
        "related": (Related(Span("mesh/dr.yaml", 3, 1, 3, 5), "DestinationRule shop/reviews"),),
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def _result(*findings: Finding) -> LintResult:
    return LintResult(findings=findings, files=2, resources=5, skipped=1)


def test_text_line_related_and_summary() -> None:
    text = plain(REPORTERS["text"](_result(_finding()), RULES_BY_CODE))
    assert text == (
        "mesh/vs.yaml:14:9: error MESH120 route to reviews subset [v3] [vs-subset-undefined]\n"
        "  mesh/dr.yaml:3:1: note: DestinationRule shop/reviews\n"
        "1 finding (1 error, 0 warnings, 0 info) in 2 files, 5 resources, 1 skipped\n"
    )


def test_text_show_docs() -> None:
    text = plain(REPORTERS["text"](_result(_finding(related=())), RULES_BY_CODE, show_docs=True))
    assert text.splitlines()[1] == "  docs: https://meshlint.dev/rules/MESH120"


def test_text_escapes_markup_in_user_strings() -> None:
    finding = _finding(message="[bold]x[/bold] :smile:", span=Span("[red]a.yaml", 1, 2, 1, 3))
    text = plain(REPORTERS["text"](_result(finding), RULES_BY_CODE))
    assert text.startswith("[red]a.yaml:1:2: error MESH120 [bold]x[/bold] :smile: [")


def test_text_no_findings_and_counts() -> None:
    text = plain(REPORTERS["text"](LintResult(findings=(), files=1, resources=1), RULES_BY_CODE))
    assert text == "No findings in 1 file, 1 resource, 0 skipped\n"
    two = _result(_finding(), _finding(severity=Severity.WARNING, related=()))
    summary = plain(REPORTERS["text"](two, RULES_BY_CODE)).splitlines()[-1]
    assert summary.startswith("2 findings (1 error, 1 warning, 0 info)")


def test_text_colours_severity() -> None:
    markup = REPORTERS["text"](_result(_finding()), RULES_BY_CODE)
    assert "[bold red]error[/bold red]" in markup


def test_json_document_shape() -> None:
    finding = _finding(extra=(("witness", {"path": "/x"}), ("code", "ignored")))
    document = json.loads(REPORTERS["json"](_result(finding), RULES_BY_CODE))
    jsonschema.validate(document, SCHEMA)
    assert document["summary"] == {
        "files": 2,
        "resources": 5,
        "skipped": 1,
        "findings": 1,
        "by_severity": {"error": 1, "warning": 0, "info": 0},
        "suppressed": 0,
    }
    entry = document["findings"][0]
    assert list(entry) == [
        "code", "rule", "severity", "message", "resource", "file", "line", "column",
        "end_line", "end_column", "pointer", "related", "docs", "witness",
    ]  # fmt: skip
    assert entry["resource"] == {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "namespace": "shop",
        "name": "reviews",
    }
    assert (entry["line"], entry["column"], entry["end_line"], entry["end_column"]) == (
        14,
        9,
        14,
        20,
    )
    assert entry["related"] == [
        {"file": "mesh/dr.yaml", "line": 3, "column": 1, "message": "DestinationRule shop/reviews"}
    ]
    assert entry["docs"] == "https://meshlint.dev/rules/MESH120"
    assert entry["code"] == "MESH120"
    assert entry["witness"] == {"path": "/x"}


def test_json_null_resource_and_deterministic() -> None:
    result = _result(_finding(resource=None, related=()))
    first = REPORTERS["json"](result, RULES_BY_CODE)
    assert first == REPORTERS["json"](result, RULES_BY_CODE)
    assert first.endswith("}\n")
    assert json.loads(first)["findings"][0]["resource"] is None
    assert json.loads(first)["tool"] == {"name": "meshlint", "version": __version__}
