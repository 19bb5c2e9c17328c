"""Suppression layers: annotations, Istio's annotation, inline comments and config ignores."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest

from meshlint import cli
from meshlint.config import Config
from meshlint.findings import LintResult
from meshlint.lint import lint, lint_text

# MESH102 (weight on a lone destination) fires at line 11, column 15.
BASE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 50
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
"""
ONLY = Config(select=("MESH102", "MESH008"))
TODAY = datetime.date(2026, 3, 1)


def _seen(result: LintResult) -> list[tuple[str, int, int]]:
    return [(f.code, f.span.line, f.span.column) for f in result.findings]


def _annotated(value: str, key: str = "meshlint.dev/ignore") -> str:
    return BASE.replace(
        "  namespace: shop\nspec:\n  hosts",
        f'  namespace: shop\n  annotations:\n    {key}: "{value}"\nspec:\n  hosts',
        1,
    )


def test_unsuppressed_baseline_of_these_tests() -> None:
    result = lint_text(BASE, ONLY)
    assert _seen(result) == [("MESH102", 11, 15)]
    assert result.suppressed == 0


@pytest.mark.parametrize(
    "value", ["MESH102", "vs-weight-single-destination", "MESH120 , vs-weight-single-destination"]
)
def test_annotation_by_code_or_name_suppresses_and_counts(value: str) -> None:
    result = lint_text(_annotated(value), ONLY)  # MESH120 did not run: not "unused"
    assert result.findings == ()
    assert result.suppressed == 1


def test_annotation_code_that_covers_nothing_is_mesh008_at_the_annotation() -> None:
    result = lint_text(_annotated("MESH101, MESH102"), Config(select=("MESH1", "MESH008")))
    unused = [f for f in result.findings if f.code == "MESH008"]
    assert [(f.span.line, f.span.column) for f in unused] == [(7, 26)]
    assert unused[0].message == (
        "suppression of MESH101 (meshlint.dev/ignore annotation) matched no finding"
    )
    assert unused[0].pointer == "/metadata/annotations/meshlint.dev~1ignore"
    assert str(unused[0].resource) == "VirtualService shop/reviews"


def test_annotation_unknown_name_is_mesh008_with_a_suggestion() -> None:
    result = lint_text(_annotated("vs-weight-single-destinaton"), ONLY)
    assert _seen(result) == [("MESH008", 7, 26), ("MESH102", 13, 15)]
    assert result.findings[0].message == (
        "suppression of vs-weight-single-destinaton (meshlint.dev/ignore annotation) names an "
        'unknown code (did you mean "vs-weight-single-destination"?)'
    )


def test_annotation_on_another_resource_does_not_suppress() -> None:
    text = BASE.replace(
        "metadata: {name: reviews, namespace: shop}\nspec:\n  selector",
        "metadata:\n  name: reviews\n  namespace: shop\n"
        "  annotations: {meshlint.dev/ignore: MESH102}\nspec:\n  selector",
    )
    result = lint_text(text, ONLY)
    assert [f.code for f in result.findings] == ["MESH102", "MESH008"]
    assert result.suppressed == 0


TYPO = BASE.replace("weight: 50", "wieght: 50")


@pytest.mark.parametrize("value", ["IST0106", "IST0101,IST0106", "*"])
def test_istio_annotation_suppresses_rules_that_cover_the_code(value: str) -> None:
    text = _annotated(value, key="galley.istio.io/analyze-suppress").replace(
        "weight: 50", "wieght: 50"
    )
    result = lint_text(text, Config(select=("MESH003", "MESH008")))
    assert _seen(result) == []
    assert result.suppressed == 1


def test_istio_annotation_is_not_reported_unused_but_bad_tokens_are() -> None:
    text = _annotated("IST0102,ISTO106", key="galley.istio.io/analyze-suppress")
    result = lint_text(text.replace("weight: 50", "wieght: 50"), Config(select=("MESH0",)))
    assert _seen(result) == [("MESH008", 7, 39), ("MESH003", 13, 7)]
    assert "ISTO106" in result.findings[0].message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("      weight: 50", "      weight: 50  # meshlint: ignore[MESH102] split comes next week"),
        (
            "      weight: 50",
            "      # meshlint: ignore[vs-weight-single-destination]\n      weight: 50",
        ),
        (
            "      weight: 50",
            "      # meshlint: ignore[MESH102]\n\n      # other note\n      weight: 50",
        ),
        ("      weight: 50", "      weight: 50 #meshlint:ignore[MESH101,MESH102]"),
    ],
)
def test_inline_comment_on_the_line_or_above_suppresses(before: str, after: str) -> None:
    result = lint_text(BASE.replace(before, after), ONLY)
    assert [f.code for f in result.findings if f.code != "MESH008"] == []
    assert result.suppressed == 1


def test_inline_comment_two_content_lines_above_does_not_apply() -> None:
    text = BASE.replace("  - route:\n", "  - route:  # meshlint: ignore[MESH102]\n")
    result = lint_text(text, ONLY)
    assert _seen(result) == [("MESH008", 9, 13), ("MESH102", 11, 15)]
    assert result.findings[0].message == (
        "suppression of MESH102 (inline comment) matched no finding"
    )


def test_inline_comment_inside_a_string_is_not_a_directive() -> None:
    text = BASE.replace(
        "  hosts: [reviews]", '  hosts: [reviews]\n  exportTo: ["# meshlint: ignore[MESH102]"]'
    )
    assert [f.code for f in lint_text(text, ONLY).findings] == ["MESH102"]


def test_inline_comment_unknown_and_empty_are_mesh008_at_the_comment() -> None:
    text = BASE.replace("weight: 50", "weight: 50  # meshlint: ignore[MESH1O2]").replace(
        "  - route:\n", "  - route:  # meshlint: ignore\n"
    )
    result = lint_text(text, ONLY)
    assert _seen(result) == [("MESH008", 9, 13), ("MESH102", 11, 15), ("MESH008", 11, 19)]
    messages = [f.message for f in result.findings]
    assert messages[0] == (
        "suppression of nothing (inline comment) names no code; write ignore[CODE]"
    )
    assert messages[2].startswith("suppression of MESH1O2 (inline comment) names an unknown code")


def test_suppressions_of_rules_that_did_not_run_are_not_unused() -> None:
    text = BASE.replace("weight: 50", "weight: 50  # meshlint: ignore[MESH102,MESH120]")
    result = lint_text(text, ONLY)  # MESH120 is not selected: its suppression is moot
    assert result.findings == ()
    assert result.suppressed == 1


def test_mesh008_can_be_ignored_or_reweighted() -> None:
    text = _annotated("MESH102,MESH999")
    assert lint_text(text, Config(select=("MESH102",))).findings == ()
    errors = lint_text(text, ONLY.merged(severity={"MESH008": "error"})).findings
    assert [(f.code, f.severity.value) for f in errors] == [("MESH008", "error")]


def _config_file(tmp_path: Path, body: str) -> Config:
    path = tmp_path / ".meshlint.yaml"
    path.write_text("select: [MESH102, MESH104, MESH008]\n" + body)
    return Config.from_file(path)


def _lint_dir(tmp_path: Path, config: Config, today: datetime.date = TODAY) -> LintResult:
    (tmp_path / "mesh").mkdir(exist_ok=True)
    (tmp_path / "mesh" / "vs.yaml").write_text(BASE)
    return lint(["mesh"], config, root=tmp_path, today=today)


IGNORE = """\
ignores:
- codes: [vs-weight-single-destination]
  path: "mesh/*.yaml"
  resource: {kind: VirtualService, namespace: sh*, name: "*"}
  reason: the split is rolled out next week
  expires: 2026-03-01
"""


def test_config_ignore_matches_path_and_resource_globs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _lint_dir(tmp_path, _config_file(tmp_path, IGNORE))
    assert result.findings == ()
    assert result.suppressed == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [('path: "mesh/*.yaml"', 'path: "other/*.yaml"'), ("namespace: sh*", "namespace: prod")],
)
def test_config_ignore_that_does_not_match_is_reported_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _lint_dir(tmp_path, _config_file(tmp_path, IGNORE.replace(old, new)))
    assert [(f.code, f.span.path, f.span.line, f.span.column) for f in result.findings] == [
        ("MESH008", ".meshlint.yaml", 3, 3),
        ("MESH102", "mesh/vs.yaml", 11, 15),
    ]
    assert result.findings[0].message == (
        "suppression of MESH102 (config ignores entry) matched no finding"
    )


def test_expired_config_ignore_stops_suppressing_and_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config_file(tmp_path, IGNORE)
    result = _lint_dir(tmp_path, config, today=datetime.date(2026, 3, 2))
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [
        ("MESH008", ".meshlint.yaml", 3),
        ("MESH102", "mesh/vs.yaml", 11),
    ]
    assert result.findings[0].message == (
        "suppression of MESH102 (config ignores entry) expired on 2026-03-01"
    )
    assert result.suppressed == 0


def test_config_ignore_in_pyproject_is_located_by_its_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.meshlint]\nselect = ["MESH102", "MESH008"]\n\n'
        '[[tool.meshlint.ignores]]\ncodes = "MESH102"\nreason = "kept"\n\n'
        '[[tool.meshlint.ignores]]\ncodes = "MESH102"\npath = "nowhere/*"\nreason = "stale"\n'
    )
    result = _lint_dir(tmp_path, Config.from_file(tmp_path / "pyproject.toml"))
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [
        ("MESH008", "pyproject.toml", 8)
    ]
    assert result.suppressed == 1


def test_fixture_mesh_with_every_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parents[1] / "fixtures" / "suppress"
    monkeypatch.chdir(root)
    result = lint(["mesh"], Config.from_file(root / ".meshlint.yaml"), today=TODAY)
    assert [(f.code, f.span.path, f.span.line, f.span.column) for f in result.findings] == [
        ("MESH008", ".meshlint.yaml", 7, 3),
        ("MESH121", "mesh/routing.yaml", 34, 27),
        ("MESH008", "mesh/routing.yaml", 34, 41),
        ("MESH202", "mesh/routing.yaml", 52, 12),
    ]
    assert result.suppressed == 4


def test_json_summary_counts_suppressed_and_stdin_comments_work(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE.replace("weight: 50", "weight: 50  # meshlint: ignore[MESH102]")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = cli.main(["check", "--no-config", "--format", "json", "-"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["summary"]["suppressed"] == 1
    assert [f["code"] for f in report["findings"]] == []


def test_text_summary_names_the_suppressed_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vs.yaml").write_text(_annotated("MESH102"))
    assert cli.main(["check", "--no-config", "vs.yaml"]) == 0
    assert capsys.readouterr().out == (
        "No findings in 1 file, 2 resources, 0 skipped, 1 suppressed\n"
    )


def test_policy_codes_are_known_even_when_the_policies_did_not_run() -> None:
    result = lint_text(_annotated("MESH102, MESH601"), ONLY)
    assert result.findings == ()
    unknown = lint_text(_annotated("MESH102, MESH699"), ONLY)
    assert [f.code for f in unknown.findings] == ["MESH008"]
    assert unknown.findings[0].message.startswith(
        "suppression of MESH699 (meshlint.dev/ignore annotation) names an unknown code"
    )
