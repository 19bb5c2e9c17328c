"""``meshlint config-schema``: a Draft 2020-12 schema that accepts what ``--config`` accepts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from meshlint import cli
from meshlint.config import Config
from meshlint.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(
    [*ROOT.glob("fixtures/rules/*/config.yaml"), ROOT / "fixtures" / "suppress" / ".meshlint.yaml"]
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    from meshlint.cli.config_schema import schema

    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(document, format_checker=checker)


def test_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["config-schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["title"] == "meshlint configuration"
    assert printed["additionalProperties"] is False
    assert {"select", "ignores", "baseline", "mesh-config", "fail-on"} <= set(printed["properties"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_repo_example_configs_validate(validator: jsonschema.Validator, path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    as_json = json.loads(json.dumps(data, default=str))  # YAML dates are strings to editors
    assert list(validator.iter_errors(as_json)) == []
    Config.from_file(path)  # and the model agrees (paths resolve beside the file)


def test_pyproject_table_validates(validator: jsonschema.Validator, tmp_path: Path) -> None:
    text = (
        '[tool.meshlint]\nselect = "MESH1,MESH2"\n'
        '[[tool.meshlint.ignores]]\ncodes = "MESH120"\nreason = "r"\nexpires = 2026-01-31\n'
    )
    table = tomllib.loads(text)["tool"]["meshlint"]
    table["ignores"][0]["expires"] = table["ignores"][0]["expires"].isoformat()
    assert list(validator.iter_errors(table)) == []


@pytest.mark.parametrize(
    ("data", "schema_error"),
    [
        ({"selct": ["MESH1"]}, "Additional properties are not allowed ('selct' was unexpected)"),
        ({"ignores": [{"codes": "MESH120"}]}, "'reason' is a required property"),
        ({"ignores": [{"codes": [], "reason": "r"}]}, "[] is not valid under any of the given"),
        ({"ignores": [{"codes": "MESH120", "reason": "r", "expires": "soon"}]}, "'soon' is not"),
        ({"fail-on": "sometimes"}, "'sometimes' is not one of"),
    ],
)
def test_schema_and_model_reject_the_same_configs(
    validator: jsonschema.Validator, data: dict[str, Any], schema_error: str
) -> None:
    messages = [error.message for error in validator.iter_errors(data)]
    assert any(message.startswith(schema_error) for message in messages), messages
    with pytest.raises(ConfigError):
        Config.parse(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"ignores": [{"codes": "MESH120", "reasn": "x"}]},
            'configuration: ignores[0]: unknown option "reasn" (did you mean "reason"?)',
        ),
        (
            {"ignores": [{"codes": "MESH120", "reason": "r", "resource": {"nam": "x"}}]},
            'configuration: ignores[0].resource: unknown option "nam" (did you mean "name"?)',
        ),
        (
            {"ignores": [{"codes": "vs-subset-undefind", "reason": "r"}]},
            'configuration: option "ignores[0].codes": unknown rule "vs-subset-undefind" '
            '(did you mean "vs-subset-undefined"?)',
        ),
        (
            {"ignores": [{"codes": "MESH120", "reason": "  "}]},
            "configuration: option \"ignores[0].reason\": String should match pattern '\\S'",
        ),
    ],
)
def test_ignores_errors_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.parse(data)
    assert str(info.value) == message


def test_ignores_codes_resolve_names_and_commas() -> None:
    config = Config.parse(
        {"ignores": [{"codes": "vs-subset-undefined, MESH202", "reason": "r", "path": "a/*"}]}
    )
    assert config.ignores[0].codes == ("MESH120", "MESH202")
