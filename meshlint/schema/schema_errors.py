"""Turn ``jsonschema`` errors into issues: one per problem, at the most specific pointer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from meshlint.schema.access import as_map
from meshlint.schema.issues import INVALID_VALUE, Issue, invalid, unknown_field
from meshlint.schema.suggest import suggest
from meshlint.source import join_pointer

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator as JsonSchemaValidator

_JSON_TYPES = {
    bool: "boolean", int: "integer", float: "number", str: "string",
    list: "array", dict: "object", type(None): "null",
}  # fmt: skip


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def jsonable(value: Any) -> Any:
    """The value as JSON would carry it: mapping keys become strings (YAML allows 1: x)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def schema_names(schema: Mapping[str, Any]) -> dict[int, str]:
    """Names of the root schema and its ``$defs``, keyed by object identity (for messages)."""
    names = {id(d): name for name, d in as_map(schema.get("$defs")).items()}
    title = schema.get("title")
    if isinstance(title, str):
        names[id(schema)] = title
    return names


Path = tuple[str | int, ...]


def schema_issues(
    validator: JsonSchemaValidator, parts: Iterable[tuple[Path, Any, Any]], names: Mapping[int, str]
) -> Iterator[Issue]:
    """Issues for each (path, sub-schema, sub-instance) part, checked by ``jsonschema``."""
    for base, schema, instance in parts:
        checker = validator.evolve(schema=schema)
        errors = sorted(checker.iter_errors(jsonable(instance)), key=_order)
        for error in errors:
            for leaf in _leaves(error):
                yield from _issues(_Located(leaf, base), names)


class _Located:
    """A jsonschema error plus the path of the sub-instance it was found in."""

    def __init__(self, error: ValidationError, base: Path) -> None:
        self.error = error
        self.path = (*base, *error.absolute_path)

    @property
    def pointer(self) -> str:
        return join_pointer("", *self.path)

    @property
    def field(self) -> str:
        keys = [p for p in self.path if isinstance(p, str)]
        return keys[-1] if keys else "value"


def _order(error: ValidationError) -> tuple[str, str, str]:
    return (join_pointer("", *error.absolute_path), str(error.validator), error.message)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf, the errors of the closest branch (fewest errors, right type)."""
    if not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    closest = min(branches.values(), key=_distance)
    return [leaf for sub in closest for leaf in _leaves(sub)]


def _distance(errors: list[ValidationError]) -> tuple[bool, int]:
    wrong_type = any(e.validator == "type" and not e.relative_path for e in errors)
    return wrong_type, len(errors)


def _where(located: _Located, names: Mapping[int, str]) -> str:
    schema = located.error.schema
    name = names.get(id(schema))
    if name:
        return name
    title = as_map(schema).get("title")
    return title if isinstance(title, str) and title else located.field


def _issues(located: _Located, names: Mapping[int, str]) -> Iterator[Issue]:
    keyword = str(located.error.validator)
    if keyword in {"additionalProperties", "unevaluatedProperties"}:
        yield from _unknown_fields(located, names)
    elif keyword == "required":
        yield from _missing(located, names)
    elif keyword == "enum":
        yield _enum(located)
    else:
        yield invalid(located.pointer, _message(located, keyword))


def _unknown_fields(located: _Located, names: Mapping[int, str]) -> Iterator[Issue]:
    error = located.error
    schema = as_map(error.schema)
    known = list(as_map(schema.get("properties")))
    patterns = [re.compile(p) for p in as_map(schema.get("patternProperties"))]
    where = _where(located, names)
    for key in as_map(error.instance):
        if key in known or any(p.search(key) for p in patterns):
            continue
        hint = suggest(key, known)
        tail = f'; did you mean "{hint}"?' if hint else ""
        pointer = join_pointer(located.pointer, key)
        yield unknown_field(pointer, f'unknown field "{key}" in {where}{tail}', hint)


def _missing(located: _Located, names: Mapping[int, str]) -> Iterator[Issue]:
    error = located.error
    required = error.validator_value if isinstance(error.validator_value, list) else []
    instance = as_map(error.instance)
    where = _where(located, names)
    for name in required:
        if name not in instance:
            pointer = join_pointer(located.pointer, name)
            yield invalid(pointer, f'required field "{name}" is missing in {where}')


def _enum(located: _Located) -> Issue:
    error = located.error
    values = error.validator_value
    allowed = [str(v) for v in values] if isinstance(values, list) else []
    value = error.instance
    hint = suggest(value, allowed) if isinstance(value, str) else None
    tail = f'; did you mean "{hint}"?' if hint else ""
    message = f"{located.field} {_short(value)} is not one of {', '.join(allowed)}{tail}"
    extra = (("suggestion", hint),) if hint else ()
    return Issue(INVALID_VALUE, located.pointer, message, extra=extra)


def _message(located: _Located, keyword: str) -> str:
    error = located.error
    field, value, limit = located.field, error.instance, error.validator_value
    if keyword == "type":
        expected = " or ".join(limit) if isinstance(limit, list) else str(limit)
        return f"{field} must be of type {expected}, not {_JSON_TYPES.get(type(value), 'value')}"
    bounds = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if keyword in bounds:
        return f"{field} must be {bounds[keyword]} {limit}, got {_short(value)}"
    if keyword == "const":
        return f"{field} must be {limit!r}, got {_short(value)}"
    return f"{field}: {error.message}"
