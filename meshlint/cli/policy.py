"""``meshlint policy test DIR``: run a policy folder's fixture cases and its Rego unit tests."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from meshlint.cli.common import EXIT_CODES, choice
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.policy.testing import CaseResult, PolicyTestReport

TEST_FORMATS = ("text", "json")
REPORT_VERSION = 1


def register(app: typer.Typer) -> None:
    """Add the ``policy`` command group with its ``test`` command."""
    group = typer.Typer(help="Work with Rego policies.", no_args_is_help=True)
    app.add_typer(group, name="policy")

    @group.command("test", epilog=EXIT_CODES)
    def test(
        *,
        folder: str = typer.Argument(..., help="Policy folder (with <CODE>/bad.yaml cases)."),
        fixtures: str | None = typer.Option(
            None, "--fixtures", help="Fixture folder (default: the policy folder)."
        ),
        builtin: bool = typer.Option(
            False, "--builtin", help="Load the built-in MESH6xx pack too (to test it)."
        ),
        opa: str | None = typer.Option(
            None, "--opa", help="The opa binary for Rego test_ rules (default: opa on PATH)."
        ),
        fmt: str = typer.Option(
            "text",
            "--format",
            "-f",
            help="text or json.",
            callback=choice("--format", TEST_FORMATS),
        ),
    ) -> int:
        """Run fixture cases (CODE/bad.yaml + expected.txt, CODE/good.yaml) and Rego tests."""
        report, skipped = run_tests(Path(folder), Path(fixtures or folder), builtin, opa)
        sys.stdout.write(
            render_json(report, skipped) if fmt == "json" else render_text(report, skipped)
        )
        return 0 if report.passed else 1


def run_tests(
    folder: Path, fixtures: Path, builtin: bool, opa: str | None
) -> tuple[PolicyTestReport, str | None]:
    """The report, and why the Rego tests were skipped (None when they ran)."""
    from meshlint.config import parse_yaml
    from meshlint.loader import load
    from meshlint.policy.testing import PolicyTestOptions, has_rego_tests, run_policy_tests

    for path, what in ((folder, "policy folder"), (fixtures, "fixture folder")):
        if not path.exists():
            raise MeshlintError(f"{what} {path} does not exist")
    binary, skipped = _opa_binary(opa, has_rego_tests([folder]))
    options = PolicyTestOptions(
        load=lambda path: load([str(path)]).documents,
        parse_yaml=parse_yaml,
        builtin=builtin,
        opa=binary,
    )
    return run_policy_tests([folder], fixtures, options), skipped


def _opa_binary(given: str | None, wanted: bool) -> tuple[str | None, str | None]:
    if not wanted:
        return None, "no *_test.rego files"
    binary = given or shutil.which("opa")
    if binary is None:
        return None, "no opa binary on PATH (pass --opa PATH)"
    if shutil.which(binary) is None:
        raise MeshlintError(f"--opa {binary}: not an executable")
    return binary, None


def _case_line(case: CaseResult) -> str:
    status = "PASS" if case.passed else "FAIL"
    line = f"{status} {case.case} {case.fixture}\n"
    if case.passed:
        return line
    expected = "".join(f"    {item}\n" for item in case.expected) or "    (nothing)\n"
    actual = "".join(f"    {item}\n" for item in case.actual) or "    (nothing)\n"
    return f"{line}  expected:\n{expected}  actual:\n{actual}"


def render_text(report: PolicyTestReport, skipped: str | None) -> str:
    """One line per fixture case (with a diff when it fails), then the Rego tests."""
    lines = [f"ERROR {problem}\n" for problem in report.problems]
    lines += [_case_line(case) for case in report.cases]
    failed = sum(not case.passed for case in report.cases)
    if not report.cases:
        lines.append("no fixture cases found (folders named by a policy code)\n")
    lines.append(f"fixtures: {len(report.cases) - failed} passed, {failed} failed\n")
    if report.rego is None:
        lines.append(f"Rego tests: skipped ({skipped})\n")
    else:
        status = "passed" if report.rego.returncode == 0 else "FAILED"
        lines.append(f"Rego tests (opa test): {status}\n{report.rego.output.rstrip()}\n")
    return "".join(lines)


def render_json(report: PolicyTestReport, skipped: str | None) -> str:
    """``{"version", "passed", "problems", "cases", "rego"}``."""
    rego: dict[str, Any] = {"ran": report.rego is not None, "skipped": skipped}
    if report.rego is not None:
        rego |= {"passed": report.rego.returncode == 0, "output": report.rego.output}
    document = {
        "version": REPORT_VERSION,
        "passed": report.passed,
        "problems": list(report.problems),
        "cases": [
            {
                "code": case.case,
                "fixture": case.fixture,
                "passed": case.passed,
                "expected": list(case.expected),
                "actual": list(case.actual),
            }
            for case in report.cases
        ],
        "rego": rego,
    }
    return json.dumps(document, indent=2) + "\n"
