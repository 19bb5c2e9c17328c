"""Generate schemas/kinds/<Kind>.json from the typed model: ``python -m meshlint.dev.gen_schemas``.

The schemas are strict where the model is lenient: every Istio object rejects unknown fields
(``additionalProperties: false``), enums, ranges and required fields are enforced, and
deprecated fields carry ``deprecated: true`` plus ``x-deprecated-message`` (deprecated enum
values: ``x-deprecated-values``). Kubernetes kinds only type-check what meshlint models.
Null branches are dropped: Kubernetes prunes null values of non-nullable fields, so a
validator should treat a null field value as absent.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from meshlint.model import MODELS, Kind

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://meshlint.dev/schemas/kinds/{kind}.json"
REGENERATE = "python -m meshlint.dev.gen_schemas"
_STRIPPED = frozenset({"title", "default"})
# Keywords whose value is a map of name -> schema (not itself a schema).
_SCHEMA_MAPS = frozenset({"properties", "$defs", "patternProperties"})
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


class _Generator(GenerateJsonSchema):
    """Renders ``Resource.origin`` (a non-JSON field) as an empty schema; it is removed later."""

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        return {}


def is_strict(kind: Kind) -> bool:
    """Istio kinds reject unknown fields; Kubernetes kinds do not (not a Kubernetes validator)."""
    return kind.group.endswith(".istio.io")


def kind_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of one kind, normalised and ready to write."""
    raw = MODELS[kind].model_json_schema(
        by_alias=True, mode="validation", schema_generator=_Generator
    )
    strict = is_strict(kind)
    schema: dict[str, Any] = _clean(raw, strict)
    properties = schema["properties"]
    properties.pop("origin", None)
    properties["apiVersion"] = {"enum": list(api_versions(kind)), "type": "string"}
    properties["kind"] = {"const": kind.kind_name, "type": "string"}
    properties["metadata"] = metadata_schema(strict)
    if strict:
        properties["status"] = {"type": "object"}
    schema["required"] = ["apiVersion", "kind", "metadata"]
    schema["additionalProperties"] = not strict
    schema["$schema"] = DRAFT
    schema["$id"] = SCHEMA_ID.format(kind=kind.schema_name)
    schema["title"] = kind.schema_name
    _drop_unused_defs(schema)
    return schema


def api_versions(kind: Kind) -> tuple[str, ...]:
    return tuple(f"{kind.group}/{v}" if kind.group else v for v in kind.served_versions)


def metadata_schema(strict: bool) -> dict[str, Any]:
    """ObjectMeta: the fields meshlint reads are typed, any other field is allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "generateName": {"type": "string"},
            "namespace": {"type": "string"},
            "labels": _STRING_MAP,
            "annotations": _STRING_MAP,
        },
        "additionalProperties": True,
    }
    if strict:
        schema["required"] = ["name"]
    return schema


def _clean(node: Any, strict: bool) -> Any:
    """Strip titles/defaults, collapse ``anyOf [X, null]`` and close objects when strict."""
    if isinstance(node, list):
        return [_clean(item, strict) for item in node]
    if not isinstance(node, dict):
        return node
    node = _collapse_nullable(node)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _STRIPPED:
            continue
        if key in _SCHEMA_MAPS:
            result[key] = {name: _clean(sub, strict) for name, sub in value.items()}
        else:
            result[key] = _clean(value, strict)
    _close(result, strict)
    return result


def _collapse_nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``{anyOf: [X, {type: null}], ...}`` -> ``{...X, ...}`` (pydantic's ``X | None``)."""
    options = node.get("anyOf")
    if not isinstance(options, list):
        return node
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) == len(options):
        return node
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    if len(kept) == 1:
        return {**kept[0], **rest}
    return {**rest, "anyOf": kept}


def _close(schema: dict[str, Any], strict: bool) -> None:
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", not strict)


def _drop_unused_defs(schema: dict[str, Any]) -> None:
    defs: dict[str, Any] = schema.get("$defs", {})
    used: set[str] = set()
    pending = [{key: value for key, value in schema.items() if key != "$defs"}]
    while pending:
        for name in _refs(pending.pop()):
            if name not in used and name in defs:
                used.add(name)
                pending.append(defs[name])
    for name in set(defs) - used:
        del defs[name]
    if not defs:
        schema.pop("$defs", None)


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"].rpartition("/")[2]} if isinstance(node.get("$ref"), str) else set()
    return found.union(*(_refs(value) for value in node.values()))


def render(schema: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name -> content for every modelled kind."""
    return {f"{kind.schema_name}.json": render(kind_schema(kind)) for kind in MODELS}


def default_destination() -> Path:
    """``schemas/kinds`` at the root of a source checkout."""
    return Path(__file__).resolve().parents[2] / "schemas" / "kinds"


def write(destination: Path) -> list[Path]:
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate().items():
        path = destination / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    write(Path(args[0]) if args else default_destination())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
