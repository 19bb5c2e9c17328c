"""``meshlint config-schema``: the JSON Schema (Draft 2020-12) of the config file.

Generated from the pydantic ``Config`` model, so it cannot drift from what ``--config``
accepts; list keys that also take a comma-separated string say so with ``anyOf``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from meshlint.cli.common import EXIT_CODES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://meshlint.dev/schemas/config.json"


def register(app: typer.Typer) -> None:
    """Add the ``config-schema`` command."""

    @app.command("config-schema", epilog=EXIT_CODES)
    def config_schema() -> int:
        """Print the JSON Schema of .meshlint.yaml (and of [tool.meshlint] in pyproject.toml)."""
        sys.stdout.write(json.dumps(schema(), indent=2, sort_keys=True) + "\n")
        return 0


def schema() -> dict[str, Any]:
    """The config file's JSON Schema, with the draft it follows and a title."""
    from meshlint.config import Config, IgnoreEntry

    generated = Config.model_json_schema(by_alias=True)
    _allow_comma_strings(generated, Config, "_split_commas")
    entry = generated.get("$defs", {}).get(IgnoreEntry.__name__)
    if entry is not None:
        _allow_comma_strings(entry, IgnoreEntry, "_split")
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        **generated,
        "title": "meshlint configuration",
    }


def _allow_comma_strings(node: dict[str, Any], model: Any, validator: str) -> None:
    """Fields that ``validator`` splits on commas accept a string as well as a list."""
    decorators = model.__pydantic_decorators__.field_validators.get(validator)
    fields = decorators.info.fields if decorators is not None else ()
    properties = node.get("properties", {})
    for name in fields:
        info = model.model_fields[name]
        key = info.alias or name
        if key in properties:
            listed = properties[key]
            extras = {k: listed.pop(k) for k in ("default", "title", "description") if k in listed}
            properties[key] = {**extras, "anyOf": [listed, {"type": "string"}]}
