"""The baseline: written from a run, keyed by fingerprint, surviving line moves."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from meshlint import cli
from meshlint.errors import ConfigError
from meshlint.findings import Finding, ResourceRef, Severity
from meshlint.source import Span
from meshlint.suppress import read_baseline, render_baseline
from meshlint.suppress.baseline import apply

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "meshes" / "broken"


@pytest.fixture
def mesh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(BROKEN, tmp_path / "mesh")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "mesh"


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = cli.main(["check", "--no-config", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_written_baseline_silences_exactly_the_findings(
    mesh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, before, _ = _check(capsys, "mesh")
    assert code == 1
    assert before["summary"]["findings"] == 13
    code, written, err = _check(capsys, "--write-baseline", "baseline.json", "mesh")
    assert (code, written["findings"], written["summary"]["suppressed"]) == (0, [], 13)
    assert err == "meshlint: wrote 13 finding(s) to baseline.json\n"
    code, after, _ = _check(capsys, "--baseline", "baseline.json", "mesh")
    assert (code, after["findings"], after["summary"]["suppressed"]) == (0, [], 13)


def test_baseline_file_is_versioned_sorted_and_line_free(
    mesh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(capsys, "--write-baseline", "baseline.json", "mesh")
    data = json.loads(Path("baseline.json").read_text())
    assert data["version"] == 1
    entries = data["findings"]
    assert sum(entry["count"] for entry in entries) == 13
    assert [e["file"] for e in entries] == sorted(e["file"] for e in entries)
    assert all("line" not in entry and len(entry["fingerprint"]) == 64 for entry in entries)
    typo = next(e for e in entries if e["code"] == "MESH003")
    assert (typo["file"], typo["pointer"]) == ("mesh/typo.yaml", "/spec/http/0/route/0/wieght")


def test_findings_survive_line_moves_and_a_new_defect_still_fails(
    mesh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(capsys, "--write-baseline", "baseline.json", "mesh")
    routing = mesh / "routing.yaml"
    routing.write_text("# moved down by a new header\n\n\n" + routing.read_text())
    code, moved, _ = _check(capsys, "--baseline", "baseline.json", "mesh")
    assert (code, moved["findings"], moved["summary"]["suppressed"]) == (0, [], 13)
    typo = mesh / "typo.yaml"
    typo.write_text(typo.read_text().replace("http:", "htp: []\n  http:", 1))
    code, new, _ = _check(capsys, "--baseline", "baseline.json", "mesh")
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in new["findings"]] == [
        ("MESH003", "mesh/typo.yaml", 12)
    ]
    assert new["summary"]["suppressed"] == 13


def test_fixed_findings_leave_one_unused_baseline_finding(
    mesh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(capsys, "--write-baseline", "baseline.json", "mesh")
    typo = mesh / "typo.yaml"
    typo.write_text(typo.read_text().replace("wieght", "weight"))
    (mesh / "syntax-error.yaml").unlink()
    code, report, _ = _check(capsys, "--baseline", "baseline.json", "mesh")
    assert code == 0
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        (
            "MESH008",
            "baseline.json",
            1,
            "suppression of 2 baseline entries matched no finding; "
            "refresh the file with --write-baseline",
        )
    ]


def _finding(line: int) -> Finding:
    resource = ResourceRef("VirtualService", "reviews", "shop", "networking.istio.io/v1")
    span = Span("vs.yaml", line, 1, line, 2)
    return Finding("MESH104", "vs-duplicate-destination", Severity.WARNING, "dup", span, resource)


def test_multiplicity_one_entry_per_finding(tmp_path: Path) -> None:
    twice = [_finding(3), _finding(9)]
    assert twice[0].fingerprint == twice[1].fingerprint
    path = tmp_path / "b.json"
    path.write_text(render_baseline(twice[:1]))
    once = apply(twice, read_baseline(path), frozenset({"MESH104"}))
    assert (once.findings, once.suppressed, once.unused) == ((twice[1],), 1, 0)
    path.write_text(render_baseline(twice))
    assert json.loads(path.read_text())["findings"][0]["count"] == 2
    both = apply(twice, read_baseline(path), frozenset({"MESH104"}))
    assert (both.findings, both.suppressed, both.unused) == ((), 2, 0)
    extra = apply(twice[:1], read_baseline(path), frozenset({"MESH104"}))
    assert (extra.suppressed, extra.unused) == (1, 1)
    assert apply(twice[:1], read_baseline(path), frozenset()).unused == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "the baseline is not valid JSON"),
        ('{"version": 2, "findings": []}', "not a meshlint baseline (version 1 expected)"),
        ('{"version": 1, "findings": {}}', '"findings" must be a list'),
        ('{"version": 1, "findings": [{"count": 1}]}', 'findings[0]: "fingerprint" must be'),
        ('{"version": 1, "findings": [{"fingerprint": "x", "count": 0}]}', '"count" must be'),
    ],
)
def test_bad_baseline_files_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_baseline(path)


def test_unreadable_baseline_exits_2(mesh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--no-config", "--baseline", "missing.json", "mesh"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("meshlint: error: missing.json: cannot read the baseline")
