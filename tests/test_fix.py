"""Safe autofix: --diff previews, --fix edits in place, only the intended characters change."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from meshlint import cli
from meshlint.findings import Fix, FixOp, ResourceRef
from meshlint.loader.roundtrip import Target, apply, item_position
from meshlint.source import Span

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fix"
EXPECTED = FIXTURES / "expected"
FILES = ("helm.yaml", "list.yaml")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in FILES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _golden(name: str, actual: str, update: bool) -> None:
    if update:
        (EXPECTED / name).write_text(actual, encoding="utf-8")
    assert actual == (EXPECTED / name).read_text(encoding="utf-8")


def test_diff_previews_the_fixes_and_writes_nothing(
    work: Path, capsys: pytest.CaptureFixture[str], update_golden: bool
) -> None:
    code = cli.main(["check", "--no-config", "--diff", *FILES])
    out = capsys.readouterr().out
    assert code == 1
    _golden("fix.diff", out, update_golden)
    for name in FILES:
        assert (work / name).read_bytes() == (FIXTURES / name).read_bytes()


def test_fix_edits_only_the_intended_lines_and_keeps_comments(
    work: Path, capsys: pytest.CaptureFixture[str], update_golden: bool
) -> None:
    (work / "helm.yaml").chmod(0o640)
    code = cli.main(["check", "--no-config", "--format", "json", "--fix", *FILES])
    captured = capsys.readouterr()
    assert captured.err == "meshlint: fixed 7 finding(s) in 2 file(s)\n"
    for name in FILES:
        _golden(name, (work / name).read_text(encoding="utf-8"), update_golden)
    assert stat.S_IMODE((work / "helm.yaml").stat().st_mode) == 0o640
    before = (FIXTURES / "helm.yaml").read_text().splitlines()
    after = (work / "helm.yaml").read_text().splitlines()
    removed = [line for line in before if line not in after]
    assert len(removed) == 4  # wieght, weight 50, mirrorPercent, LEAST_CONN: nothing else
    comments = [line.partition("#")[2] for line in before if "#" in line]
    kept = [c for c in comments if any(line.endswith(c) for line in after)]
    assert kept == [c for c in comments if "MESH102 removes this line" not in c]
    assert len(kept) == len(comments) - 1
    report = json.loads(captured.out)
    remaining = [
        (f["code"], f["file"], f["line"])
        for f in report["findings"]
        if f["code"] in {"MESH003", "MESH006", "MESH102"}
    ]
    assert remaining == [
        ("MESH006", "helm.yaml", 32),
        ("MESH102", "list.yaml", 14),
        ("MESH003", "list.yaml", 29),
    ]
    assert code == 1  # the typo "lables" is still an error


def test_second_fix_run_changes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["check", "--no-config", "--fix", *FILES])
    fixed = {name: (work / name).read_bytes() for name in FILES}
    capsys.readouterr()
    cli.main(["check", "--no-config", "--fix", *FILES])
    assert "fixed" not in capsys.readouterr().err
    assert {name: (work / name).read_bytes() for name in FILES} == fixed
    assert cli.main(["check", "--no-config", "--diff", *FILES]) == 0
    assert capsys.readouterr().out == ""


def test_fix_writes_through_a_symlink(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "real").mkdir()
    (work / "helm.yaml").rename(work / "real" / "helm.yaml")
    os.symlink(work / "real" / "helm.yaml", work / "helm.yaml")
    cli.main(["check", "--no-config", "--fix", "helm.yaml"])
    assert (work / "helm.yaml").is_symlink()
    assert "weight: 100" in (work / "real" / "helm.yaml").read_text()


def test_stdin_cannot_be_fixed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"a: 1\n")))
    for flag in ("--fix", "--diff"):
        assert cli.main(["check", "--no-config", flag, "-"]) == 2
        assert capsys.readouterr().err == (
            "meshlint: error: stdin cannot be fixed: pass the files to --fix or --diff\n"
        )


VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  http:
  - route:
    - destination: {host: reviews}
      wieght: 10
      weight: 20
    - weight: 30 # comment
      destination: {host: ratings}
"""
REF = ResourceRef("VirtualService", "reviews", "shop")


def _target(op: FixOp, pointer: str, **kwargs: object) -> Target:
    return Target(Fix(op, pointer, **kwargs), REF, Span("vs.yaml", 8, 1, 8, 2))  # type: ignore[arg-type]


def test_rename_onto_an_existing_key_is_refused() -> None:
    text, done = apply(VS, [_target(FixOp.RENAME, "/spec/http/0/route/0/wieght", key="weight")])
    assert (text, done) == (VS, ())


def test_delete_of_a_line_that_opens_a_list_item_is_refused() -> None:
    target = _target(FixOp.DELETE, "/spec/http/0/route/1/weight")
    assert apply(VS, [target]) == (VS, ())


def test_delete_of_a_block_entry_removes_its_line_only() -> None:
    text, done = apply(VS, [_target(FixOp.DELETE, "/spec/http/0/route/0/weight")])
    assert len(done) == 1
    assert text == VS.replace("      weight: 20\n", "")


def test_set_with_a_quoted_value_keeps_the_rest_of_the_line() -> None:
    source = VS.replace("{host: reviews}", "{host: 'reviews', port: {number: 80}}")
    target = _target(FixOp.SET, "/spec/http/0/route/0/destination/host", value="ratings")
    text, done = apply(source, [target])
    assert text == VS.replace("{host: reviews}", "{host: ratings, port: {number: 80}}")
    assert len(done) == 1


def test_missing_resource_or_pointer_changes_nothing() -> None:
    other = Target(
        Fix(FixOp.DELETE, "/spec/http"), ResourceRef("Gateway", "x"), Span("v", 1, 1, 1, 1)
    )
    missing = _target(FixOp.DELETE, "/spec/http/0/route/9/weight")
    assert apply(VS, [other, missing]) == (VS, ())


def test_item_position_of_a_config_entry() -> None:
    assert item_position("a: 1\nignores:\n- x: 1\n-   y: 2\n", "ignores", 1) == (4, 5)
    assert item_position("not: [valid", "ignores", 0) is None
