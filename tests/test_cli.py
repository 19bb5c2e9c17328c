"""The command line: exit codes, formats, config handling, stdin and the --version fast path."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict

from meshlint import __version__, cli
from meshlint.analyzers import ALL_RULES, RULES_BY_CODE
from meshlint.config import Config, discover
from meshlint.docs import catalogue, render_markdown
from meshlint.errors import ConfigError
from meshlint.findings import Finding, Severity
from meshlint.lint import InternalError, lint_text, tuned_gc
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.rule import Rule, RuleContext

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "output.json").read_text())

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
"""
CLEAN = (
    """\
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
"""
    + SERVICE
)
TYPO = (
    """\
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
      weight: 90
    - destination: {host: reviews, subset: v2}
      wieght: 10
"""
    + SERVICE
)
MALFORMED = "apiVersion: v1\nkind: Service\nmetadata: {name: x\n"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in an empty folder: no config file is discovered, paths are short."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")


def _write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- exit code 0 / 1 ---------------------------------------------------------------------------


def test_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", _write("vs.yaml", CLEAN))
    assert (code, err) == (0, "")
    assert out == "No findings in 1 file, 2 resources, 0 skipped\n"


def test_typo_is_mesh003_at_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", _write("vs.yaml", TYPO))
    assert code == 1
    first = next(line for line in out.splitlines() if "MESH003" in line)
    assert first.startswith("vs.yaml:13:7: error MESH003 ")
    assert first.endswith("[schema-unknown-field]")
    assert "weight" in first


def test_malformed_yaml_is_a_finding_not_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json", _write("bad.yaml", MALFORMED))
    assert (code, err) == (1, "")
    document = json.loads(out)
    assert [f["code"] for f in document["findings"]] == ["MESH001"]
    assert document["findings"][0]["file"] == "bad.yaml"


def test_fail_on_levels(capsys: pytest.CaptureFixture[str]) -> None:
    path = _write("vs.yaml", TYPO)
    assert run(capsys, "check", "--fail-on", "never", path)[0] == 0
    assert run(capsys, "check", "--fail-on", "warning", path)[0] == 1


def test_severity_override_from_config_changes_exit(capsys: pytest.CaptureFixture[str]) -> None:
    path = _write("vs.yaml", TYPO)
    _write(".meshlint.yaml", "severity:\n  schema-unknown-field: warning\n")
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert " warning MESH003 " in out
    assert run(capsys, "check", "--no-config", path)[0] == 1


def test_select_and_ignore_flags(capsys: pytest.CaptureFixture[str]) -> None:
    path = _write("vs.yaml", TYPO)
    code, out, _ = run(capsys, "check", "--ignore", "MESH0", path)
    assert code == 0
    assert "MESH003" not in out
    assert "info MESH103" in out
    code, out, _ = run(capsys, "check", "--select", "MESH0", "--ignore", "vs-weight-sum", path)
    assert code == 1
    assert "MESH003" in out
    assert "MESH103" not in out
    code, out, _ = run(capsys, "check", "--select", "MESH003,MESH1", "--ignore", "MESH0", path)
    assert "MESH003" in out, "an exact code beats a prefix"


def test_json_output_matches_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-f", "json", _write("vs.yaml", TYPO))
    assert code == 1
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert [f["code"] for f in document["findings"]] == ["MESH103", "MESH003"]
    finding = document["findings"][1]
    assert (finding["file"], finding["line"], finding["column"]) == ("vs.yaml", 13, 7)
    assert finding["resource"] == {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "namespace": "shop",
        "name": "reviews",
    }
    assert document["summary"]["files"] == 1


def test_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-f", "json", "-o", "report.json", _write("v.yaml", TYPO))
    assert (code, out) == (1, "")
    assert json.loads(Path("report.json").read_text())["summary"]["findings"] >= 1


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.TextIOWrapper(io.BytesIO(TYPO.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)
    code, out, _ = run(capsys, "check", "-")
    assert code == 1
    assert "\n<stdin>:13:7: error MESH003 " in out


def test_show_docs(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--show-docs", _write("vs.yaml", TYPO))
    assert "  docs: https://meshlint.dev/rules/MESH003" in out.splitlines()


# -- exit code 2 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "--bogus", "x.yaml"], "No such option: --bogus"),
        (["check"], "no input"),
        (["check", "missing.yaml"], "missing.yaml"),
        (["check", "--format", "xml", "x.yaml"], "'xml' is not one of text, json"),
        (["check", "--fail-on", "fatal", "x.yaml"], "'fatal' is not one of"),
        (["check", "--select", "MESH999", "x.yaml"], 'unknown rule "MESH999"'),
        (["rules", "--format", "html"], "'html' is not one of text, json, markdown"),
        (["frobnicate"], "No such command"),
        ([], "Missing command"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    _write("x.yaml", CLEAN)
    code, _, err = run(capsys, *args)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_bad_config_file_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    _write(".meshlint.yaml", "selct: [MESH1]\n")
    code, _, err = run(capsys, "check", _write("vs.yaml", CLEAN))
    assert code == 2
    assert err == (
        'meshlint: error: .meshlint.yaml: unknown option "selct" (did you mean "select"?)\n'
    )


def test_explicit_config_with_wrong_type_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    _write("conf.yaml", "assume-complete: maybe\n")
    code, _, err = run(capsys, "check", "--config", "conf.yaml", _write("vs.yaml", CLEAN))
    assert code == 2
    assert err.startswith('meshlint: error: conf.yaml: option "assume-complete": ')
    assert len(err.splitlines()) == 1


# -- exit code 3 -------------------------------------------------------------------------------


def _explode(ctx: object) -> object:
    raise ZeroDivisionError("boom")


CRASHING = Rule(
    code="MESH199",
    name="test-crash",
    summary="Always crashes",
    message="{resource}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale="A test double.",
    remediation="None.",
    example_bad="",
    example_good="",
    since="0.1.0",
    check=_explode,  # type: ignore[arg-type]
)


@pytest.mark.parametrize("debug", [False, True])
def test_crashing_rule_exit_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    monkeypatch.setattr("meshlint.schedule.ALL_RULES", (*ALL_RULES, CRASHING))
    args = ["check", _write("vs.yaml", CLEAN), *(["--debug"] if debug else [])]
    code, out, err = run(capsys, *args)
    assert (code, out) == (3, "")
    assert err.startswith("meshlint hit an internal error; please report it at https://")
    assert "rule MESH199 raised ZeroDivisionError: boom" in err
    assert ("Traceback" in err) is debug


# -- rules, help and version -------------------------------------------------------------------


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [r["code"] for r in document["rules"]] == [r.code for r in catalogue()]


def test_rules_markdown_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--format", "markdown")
    assert (code, out) == (0, render_markdown(catalogue()))
    _write("rules.md", out)
    assert run(capsys, "rules", "--check", "rules.md")[0] == 0
    _write("rules.md", out + "edited\n")
    code, _, err = run(capsys, "rules", "--check", "rules.md")
    assert code == 1
    assert "meshlint rules --format markdown > rules.md" in err


def test_rules_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert out.splitlines()[0].startswith("MESH001  yaml-syntax")


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert "Exit codes: 0 no finding" in " ".join(out.split())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"meshlint {__version__}\n", "")


def test_version_fast_path_imports_nothing_heavy() -> None:
    heavy = ["pydantic", "networkx", "jsonschema", "typer", "click", "rich", "yaml", "ruamel"]
    heavy += ["z3", "re2", "meshlint.lint", "meshlint.config"]
    script = (
        "import sys\nfrom meshlint.cli import main\nassert main(['--version']) == 0\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout == f"meshlint {__version__}\n[]\n"


def test_python_dash_m(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "meshlint", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"meshlint {__version__}\n")


# -- configuration -----------------------------------------------------------------------------


def _rule(code: str) -> Rule:
    return RULES_BY_CODE[code]


@pytest.mark.parametrize(
    ("select", "ignore", "code", "selected"),
    [
        ((), (), "MESH120", True),
        (("MESH1",), (), "MESH120", True),
        (("MESH1",), (), "MESH003", False),
        (("MESH1",), ("MESH12",), "MESH120", False),
        (("MESH120",), ("MESH1",), "MESH120", True),
        (("vs-subset-undefined",), ("MESH1",), "MESH120", True),
        (("MESH1",), ("vs-subset-undefined",), "MESH120", False),
        (("ALL",), ("ALL",), "MESH120", False),
        ((), ("ALL",), "MESH001", False),
        (("MESH12",), ("MESH12",), "MESH120", False),
    ],
)
def test_selection_specificity(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, selected: bool
) -> None:
    assert Config(select=select, ignore=ignore).is_selected(_rule(code)) is selected


def test_unknown_rule_suggests_a_name() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.parse({"select": ["vs-subset-undefind"]}, source="x.yaml")
    assert str(caught.value) == (
        'x.yaml: option "select": unknown rule "vs-subset-undefind" '
        '(did you mean "vs-subset-undefined"?)'
    )


def test_retired_code_has_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("meshlint.config.RETIRED", {"MESH107": "merged into MESH105"})
    with pytest.raises(ConfigError) as caught:
        Config.parse({"ignore": "MESH107"}, source="x.yaml")
    assert str(caught.value) == (
        'x.yaml: option "ignore": rule MESH107 is retired (merged into MESH105)'
    )


def test_keys_by_name_become_codes() -> None:
    config = Config.parse({"severity": {"vs-weight-sum": "error"}, "fail-on": "never"})
    assert config.severity == {"MESH103": Severity.ERROR}
    assert config.severity_for("MESH103") is Severity.ERROR
    assert config.fail_threshold is None
    assert Config().fail_threshold is Severity.ERROR


def test_options_for_a_rule_without_options_rejected() -> None:
    with pytest.raises(ConfigError, match=r'option "options": rule MESH120 takes no options'):
        Config.parse({"options": {"MESH120": {"x": 1}}})


def test_wrong_type_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r'^configuration: option "severity.MESH120": '):
        Config.parse({"severity": {"MESH120": "fatal"}})


def test_discover_walks_up_to_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.meshlint]\nselect = ["MESH1"]\n')
    (tmp_path / "mesh" / "deep").mkdir(parents=True)
    found = discover(tmp_path / "mesh" / "deep")
    assert found == tmp_path / "pyproject.toml"
    assert Config.from_file(found).select == ("MESH1",)
    (tmp_path / "mesh" / ".meshlint.yaml").write_text("namespace: shop\n")
    assert discover(tmp_path / "mesh" / "deep") == tmp_path / "mesh" / ".meshlint.yaml"


def test_pyproject_without_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert discover(tmp_path) is None
    with pytest.raises(ConfigError, match=r"no \[tool.meshlint\] table"):
        Config.from_file(tmp_path / "pyproject.toml")


def test_paths_in_config_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / ".meshlint.yaml").write_text("mesh-config: mesh.yaml\n")
    config = Config.from_file(tmp_path / "conf" / ".meshlint.yaml")
    assert config.mesh_config == str(tmp_path / "conf" / "mesh.yaml")


def test_config_yaml_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("select: [MESH1\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        Config.from_file(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("- MESH1\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        Config.from_file(tmp_path / "b.yaml")
    (tmp_path / "c.yaml").write_text("")
    assert Config.from_file(tmp_path / "c.yaml") == Config()


def test_mesh_config_flag(capsys: pytest.CaptureFixture[str]) -> None:
    path = _write("vs.yaml", CLEAN)
    _write("mesh.yaml", "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")
    assert run(capsys, "check", "--mesh-config", "mesh.yaml", path)[0] == 0
    code, _, err = run(capsys, "check", "--mesh-config", "absent.yaml", path)
    assert code == 2
    assert err.startswith("meshlint: error: absent.yaml: cannot read the file")


# -- the pipeline ------------------------------------------------------------------------------


def test_gc_state_is_restored() -> None:
    threshold = gc.get_threshold()
    lint_text(CLEAN, Config())
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
    with tuned_gc() as freeze:
        assert not gc.isenabled()
        freeze()
        assert gc.get_freeze_count() > 0
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == (threshold, 0, True)
    gc.disable()
    with tuned_gc():
        pass
    assert not gc.isenabled(), "a caller's disabled collector stays disabled"
    gc.enable()


def _twice(ctx: RuleContext) -> Iterator[Finding]:
    for resource in ctx.mesh.all(VirtualService):
        yield ctx.finding(resource, "/spec/hosts/0")
        yield ctx.finding(resource, "/spec/hosts/0")


def test_findings_deduplicated_sorted_and_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = replace(CRASHING, code="MESH198", name="test-twice", check=_twice)
    monkeypatch.setattr("meshlint.schedule.ALL_RULES", (*ALL_RULES, twice))
    config = Config(severity={"MESH103": Severity.WARNING})
    result = lint_text(TYPO, config)
    assert [(f.code, f.span.line) for f in result.findings] == [
        ("MESH198", 7),
        ("MESH103", 10),
        ("MESH003", 13),
    ]
    assert result.findings[1].severity is Severity.WARNING
    assert "MESH198" in result.rules_run


def test_rules_skipped_when_their_kinds_are_absent() -> None:
    result = lint_text(SERVICE, Config())
    assert "MESH101" in result.rules_skipped
    assert "MESH101" not in result.rules_run
    assert result.findings == ()
    assert result.resources == 1


def test_unselected_tool_findings_dropped() -> None:
    result = lint_text(MALFORMED, Config(ignore=("yaml-syntax",)))
    assert result.findings == ()
    assert [f.code for f in lint_text(MALFORMED, Config()).findings] == ["MESH001"]


def test_crash_is_wrapped_as_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("meshlint.schedule.ALL_RULES", (CRASHING,))
    with pytest.raises(InternalError) as caught:
        lint_text(CLEAN, Config())
    assert caught.value.code == "MESH199"
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_colour_only_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write("vs.yaml", TYPO)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" not in run(capsys, "check", path)[1], "NO_COLOR wins over FORCE_COLOR"
    monkeypatch.delenv("NO_COLOR")
    out = run(capsys, "check", path)[1]
    assert "\x1b[1;31merror\x1b[0m" in out


def test_lower_case_code_suggests_the_code() -> None:
    with pytest.raises(ConfigError, match=r'unknown rule "mesh120" \(did you mean "MESH120"\?\)'):
        Config.parse({"ignore": ["mesh120"]})


class _Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 100


def test_rule_options_validated_and_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    with_options = replace(RULES_BY_CODE["MESH103"], options=_Threshold)
    monkeypatch.setattr("meshlint.config.RULES_BY_CODE", {"MESH103": with_options})
    config = Config.parse({"options": {"MESH103": {"limit": 90}}})
    assert config.options_for(with_options) == _Threshold(limit=90)
    assert Config().options_for(with_options) == _Threshold()
    assert Config().options_for(RULES_BY_CODE["MESH120"]) is None
    with pytest.raises(ConfigError) as caught:
        Config.parse({"options": {"MESH103": {"limt": 90}}}, source="c.yaml")
    assert str(caught.value) == (
        'c.yaml: option "options": rule MESH103: unknown option "limt" (did you mean "limit"?)'
    )


def test_unwritable_output_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "-o", "no/such/dir/r.txt", _write("vs.yaml", CLEAN))
    assert code == 2
    assert err.startswith("meshlint: error: cannot write no/such/dir/r.txt")


def test_text_output_file_is_plain(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, _ = run(capsys, "check", "-o", "report.txt", _write("vs.yaml", TYPO))
    assert (code, out) == (1, "")
    report = Path("report.txt").read_text()
    assert "\x1b" not in report
    assert "vs.yaml:13:7: error MESH003 " in report
