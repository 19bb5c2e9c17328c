"""The single generic rule test: every rule's fixture folder and its doc examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshlint.analyzers import ALL_RULES
from meshlint.config import Config
from meshlint.findings import Finding, LintResult
from meshlint.lint import lint, lint_text
from meshlint.rule import Rule

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
# A doc example is YAML only; MESH007 also needs a broken policy, which its fixture folder has.
NEEDS_A_POLICY_FOLDER = {
    "MESH007": "the example needs a policy folder; fixtures/rules/MESH007 covers it",
}
CODES = sorted(rule.code for rule in ALL_RULES)


def _config(case: Path, code: str) -> Config:
    overrides = case / "config.yaml"
    base = Config.from_file(overrides) if overrides.exists() else Config()
    # a case's config may select more (the user policy MESH007's case loads)
    return base.merged(select=(code, *base.select))


def _bad_input(case: Path) -> Path:
    folder = case / "bad"
    return folder if folder.is_dir() else case / "bad.yaml"


def _location(finding: Finding, case: Path) -> str:
    path = Path(finding.span.path)
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(case.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _render(result: LintResult, case: Path) -> str:
    return "".join(
        f"{_location(f, case)}:{f.span.line}:{f.span.column} {f.code} {f.resource or '-'}\n"
        for f in result.findings
    )


@pytest.mark.parametrize("code", CODES)
def test_bad_fixture_matches_expected(code: str, update_golden: bool) -> None:
    case = FIXTURES / code
    actual = _render(lint([_bad_input(case)], _config(case, code)), case)
    if update_golden:
        (case / "expected.txt").write_text(actual)
    assert actual, f"{code}: bad input produced no finding"
    assert actual == (case / "expected.txt").read_text()


@pytest.mark.parametrize("code", CODES)
def test_good_fixture_is_silent(code: str) -> None:
    case = FIXTURES / code
    assert lint([case / "good.yaml"], _config(case, code)).findings == ()


def test_every_rule_has_a_fixture_folder() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert set(CODES) <= folders
    # the other folders belong to the built-in Rego policies (MESH6xx), tested with them
    assert all(name.startswith("MESH6") for name in folders - set(CODES))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_examples_behave(rule: Rule) -> None:
    if rule.code in NEEDS_A_POLICY_FOLDER:
        pytest.skip(NEEDS_A_POLICY_FOLDER[rule.code])
    only = Config(select=(rule.code,))
    assert {f.code for f in lint_text(rule.example_bad, only).findings} == {rule.code}
    assert lint_text(rule.example_good, only).findings == ()
