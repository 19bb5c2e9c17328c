"""meshlint explain --base GIT_REF: the verdict before (at the ref) and after (working tree)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from meshlint import cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "explain.json").read_text())
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}
ARGS = ("--from", "bookinfo/productpage-v1", "--to", "reviews", "--header", "end-user=jason")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose committed mesh sends jason to v2; the working tree sends him to v3."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    shutil.copytree(ROOT / "fixtures" / "meshes" / "bookinfo", tmp_path / "mesh")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "mesh")
    git(tmp_path, "commit", "-q", "-m", "bookinfo")
    routing = tmp_path / "mesh" / "routing.yaml"
    text = routing.read_text()
    routing.write_text(
        text.replace("subset: v2\n      weight: 100", "subset: v3\n      weight: 100")
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_base_json_has_both_verdicts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "mesh", *ARGS, "--base", "HEAD", "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    before = document["base"]["verdict"]["destinations"]
    after = document["head"]["verdict"]["destinations"]
    assert [(d["subset"], d["percent"]) for d in before] == [("v2", 100.0)]
    assert [(d["subset"], d["percent"]) for d in after] == [("v3", 100.0)]
    # spans of the base trace point at the same repository-relative paths
    assert document["base"]["steps"][3]["file"] == "mesh/routing.yaml"


def test_base_text_shows_before_and_after(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, "explain", "mesh", *ARGS, "--base", "HEAD", "--expect", "route:v3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "verdict at HEAD: ALLOWED allowed by AuthorizationPolicy bookinfo/reviews-viewer rule 0"
    )
    assert lines[1].startswith("verdict now: ALLOWED")
    assert lines[1].endswith("(changed)")


def test_unknown_ref_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "mesh", *ARGS, "--base", "no-such-ref")
    assert code == 2
    assert out == ""
    assert err.startswith("meshlint: error: --base: git archive failed")
