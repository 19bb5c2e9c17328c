"""Meta-tests on the rule registry and on every rule's metadata."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest
import yaml

import meshlint.analyzers
from meshlint.analyzers import ALL_RULES, RETIRED, RULES_BY_CODE, RULES_BY_NAME
from meshlint.analyzers.tool import TOOL_RULES
from meshlint.config import Config
from meshlint.lint import lint_text
from meshlint.rule import DOCS_BASE, Rule, Status

FAMILY_BLOCK = {"routing": "1", "traffic": "2", "security": "3", "gateway": "4", "hygiene": "5"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODE = re.compile(r"^MESH\d{3}$")
# its doc example needs a policy folder beside the YAML; fixtures/rules/MESH007 covers it
NEEDS_A_POLICY_FOLDER = {"MESH007"}


def _rule_modules() -> list[str]:
    """Every rule module: all modules under analyzers/ except tool.py (MESH0xx metadata)
    and private helpers (``_name.py``)."""
    package = meshlint.analyzers
    return [
        info.name
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        if not info.ispkg
        and not info.name.endswith(".tool")
        and not info.name.rpartition(".")[2].startswith("_")
    ]


def test_all_rules_sorted_by_code() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)


def test_codes_and_names_unique() -> None:
    assert len(RULES_BY_CODE) == len(ALL_RULES)
    assert len(RULES_BY_NAME) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_code_and_name_shape(rule: Rule) -> None:
    assert CODE.match(rule.code)
    assert KEBAB.match(rule.name)
    assert rule.code not in RETIRED


def test_tool_rules_are_mesh0xx_without_check() -> None:
    assert [rule.code for rule in TOOL_RULES] == [f"MESH00{n}" for n in range(1, 9)]
    assert all(rule.check is None for rule in TOOL_RULES)


@pytest.mark.parametrize("module_name", _rule_modules())
def test_every_module_defines_a_registered_rule(module_name: str) -> None:
    module = importlib.import_module(module_name)
    rule = module.RULE
    assert isinstance(rule, Rule)
    assert RULES_BY_CODE[rule.code] is rule
    family, _, stem = module_name.removeprefix("meshlint.analyzers.").rpartition(".")
    assert stem == rule.name.replace("-", "_"), "the module is the snake form of the name"
    assert rule.code[4] == FAMILY_BLOCK[family], f"{rule.code} is outside the {family} block"
    assert rule.check is not None


def test_every_analyzer_rule_comes_from_a_module() -> None:
    from_modules = {importlib.import_module(name).RULE.code for name in _rule_modules()}
    analyzers = {rule.code for rule in ALL_RULES if rule.check is not None}
    assert from_modules == analyzers


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_docs_well_formed(rule: Rule) -> None:
    assert rule.summary.strip() and "\n" not in rule.summary
    assert not rule.summary.endswith(".")
    assert rule.remediation.endswith(".")
    assert rule.rationale.strip()
    assert rule.since
    assert rule.docs_url == DOCS_BASE + rule.code
    assert rule.example_bad != rule.example_good
    if rule.check is not None:
        assert rule.kinds, "an analyzer declares the kinds it reads"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_examples_are_yaml(rule: Rule) -> None:
    assert list(yaml.safe_load_all(rule.example_good))
    if rule.code != "MESH001":  # its bad example is broken YAML on purpose
        assert list(yaml.safe_load_all(rule.example_bad))


def test_no_tool_rule_left_in_preview() -> None:
    assert {rule.code for rule in TOOL_RULES if rule.status is Status.PREVIEW} == set()


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = [
        re.escape(literal) + (".+?" if field is not None else "")
        for literal, field, _, _ in string.Formatter().parse(template)
    ]
    return re.compile("".join(parts), re.DOTALL)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_message_placeholders_filled_by_examples(rule: Rule) -> None:
    if rule.code in NEEDS_A_POLICY_FOLDER:
        pytest.skip("the example needs a policy folder; fixtures/rules/MESH007 covers it")
    findings = lint_text(rule.example_bad, Config(select=(rule.code,))).findings
    assert findings
    pattern = _template_pattern(rule.message)
    for finding in findings:
        assert pattern.fullmatch(finding.message), (rule.message, finding.message)
        assert not re.search(r"\{[a-z_]+\}", finding.message)
        assert finding.rule == rule.name
