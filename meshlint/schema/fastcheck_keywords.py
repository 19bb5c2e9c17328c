"""JSON Schema keywords compiled into yes/no closures, for the fast pre-check."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "definitions", "title", "description",
        "default", "examples", "deprecated", "readOnly", "writeOnly", "format",
    }
)  # fmt: skip
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def never(_: Any) -> bool:
    return False


def always(_: Any) -> bool:
    return True


def all_of(checks: list[Check]) -> Check:
    if not checks:
        return always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def check(value: Any) -> bool:
        for one in checks:  # noqa: SIM110 - a plain loop is measurably faster than all(genexpr)
            if not one(value):
                return False
        return True

    return check


Compiled = tuple[Check, bool]  # (check, exact); an inexact check may reject valid values


class SchemaCompiler(Protocol):
    """What a keyword builder needs from the compiler: compile sub-schemas."""

    def compile(self, schema: object) -> Compiled: ...

    def many(self, schemas: object) -> list[Compiled]: ...


def _type(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    names = schema["type"]
    names = [names] if isinstance(names, str) else names
    checks = [_TYPES.get(n) for n in names] if isinstance(names, list) else [None]
    if None in checks or not checks:
        return never, False
    if len(checks) == 1:
        return checks[0] or never, True
    return (lambda v: any(c(v) for c in checks if c)), True


def _same(a: Any, b: Any) -> bool:
    """JSON equality for scalars: a bool is never equal to a number."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _enum(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    values = schema["enum"]
    if not isinstance(values, list) or any(isinstance(v, dict | list) for v in values):
        return never, False
    if all(isinstance(v, str) for v in values):
        allowed = frozenset(values)
        return (lambda v: isinstance(v, str) and v in allowed), True
    return (lambda v: not isinstance(v, dict | list) and any(_same(v, e) for e in values)), True


def _const(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    const = schema["const"]
    if isinstance(const, dict | list):
        return never, False
    return (lambda v: not isinstance(v, dict | list) and _same(v, const)), True


def object_keywords(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    raw_props = schema.get("properties", {})
    raw_patterns = schema.get("patternProperties", {})
    if not isinstance(raw_props, dict) or not isinstance(raw_patterns, dict):
        return never, False
    try:
        patterns = [(re.compile(p), compiler.compile(s)) for p, s in raw_patterns.items()]
    except re.error:
        return never, False
    props = {k: compiler.compile(s) for k, s in raw_props.items()}
    extra = compiler.compile(schema.get("additionalProperties", True))
    exact = all(e for _, e in props.values()) and all(e for _, (_, e) in patterns) and extra[1]
    checks = {k: c for k, (c, _) in props.items()}
    return _object_check(checks, [(p, c) for p, (c, _) in patterns], extra[0]), exact


def _object_check(
    props: dict[str, Check], patterns: list[tuple[re.Pattern[str], Check]], extra: Check
) -> Check:
    if not patterns:
        return _plain_object_check(props, extra)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            if not isinstance(key, str):
                return False
            prop = props.get(key)
            matched = [c for p, c in patterns if p.search(key)] if patterns else []
            if prop is not None:
                matched.append(prop)
            if not matched:
                matched.append(extra)
            if not all(c(item) for c in matched):
                return False
        return True

    return check


def _plain_object_check(props: dict[str, Check], extra: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            if not (isinstance(key, str) and props.get(key, extra)(item)):
                return False
        return True

    return check


def _required(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    names = schema["required"]
    if not isinstance(names, list):
        return never, False
    return (lambda v: not isinstance(v, dict) or all(n in v for n in names)), True


def _items(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    item, exact = compiler.compile(schema["items"])
    return (lambda v: not isinstance(v, list) or all(item(x) for x in v)), exact


def _unique_items(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    if schema["uniqueItems"] is not True:
        return always, True

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        if not all(isinstance(x, str) for x in value):
            return False  # let jsonschema decide (1 == 1.0, nested values)
        return len(set(value)) == len(value)

    return check, False


Builder = Callable[[SchemaCompiler, Mapping[str, Any]], Compiled]


def _bound(
    name: str,
    kinds: tuple[type, ...],
    measure: Callable[[Any], Any],
    accept: Callable[[Any, Any], bool],
) -> Builder:
    def build(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
        limit = schema[name]
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            return never, False

        def check(value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, kinds):
                return True
            return accept(measure(value), limit)

        return check, True

    return build


def _pattern(_: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    try:
        regex = re.compile(schema["pattern"])
    except (re.error, TypeError):
        return never, False
    return (lambda v: not isinstance(v, str) or regex.search(v) is not None), True


def _property_names(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    names, exact = compiler.compile(schema["propertyNames"])
    return (lambda v: not isinstance(v, dict) or all(names(k) for k in v)), exact


def _any_of(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    branches = compiler.many(schema["anyOf"])
    checks = [c for c, _ in branches]
    return (lambda v: any(c(v) for c in checks)), bool(branches)


def _all_of(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    branches = compiler.many(schema["allOf"])
    return all_of([c for c, _ in branches]), all(e for _, e in branches)


def _one_of(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    branches = compiler.many(schema["oneOf"])
    if not branches or not all(e for _, e in branches):
        return never, False
    checks = [c for c, _ in branches]
    return (lambda v: sum(1 for c in checks if c(v)) == 1), True


def _not(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled:
    inner, exact = compiler.compile(schema["not"])
    return ((lambda v: not inner(v)), True) if exact else (never, False)


_NUMBER = (int, float)


def _same_value(value: Any) -> Any:
    return value


OBJECT_KEYWORDS = frozenset({"properties", "patternProperties", "additionalProperties"})
BUILDERS: dict[str, Builder] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "items": _items,
    "uniqueItems": _unique_items,
    "pattern": _pattern,
    "propertyNames": _property_names,
    "anyOf": _any_of,
    "allOf": _all_of,
    "oneOf": _one_of,
    "not": _not,
    "minimum": _bound("minimum", _NUMBER, _same_value, lambda v, n: v >= n),
    "maximum": _bound("maximum", _NUMBER, _same_value, lambda v, n: v <= n),
    "exclusiveMinimum": _bound("exclusiveMinimum", _NUMBER, _same_value, lambda v, n: v > n),
    "exclusiveMaximum": _bound("exclusiveMaximum", _NUMBER, _same_value, lambda v, n: v < n),
    "minLength": _bound("minLength", (str,), len, lambda v, n: v >= n),
    "maxLength": _bound("maxLength", (str,), len, lambda v, n: v <= n),
    "minItems": _bound("minItems", (list,), len, lambda v, n: v >= n),
    "maxItems": _bound("maxItems", (list,), len, lambda v, n: v <= n),
    "minProperties": _bound("minProperties", (dict,), len, lambda v, n: v >= n),
    "maxProperties": _bound("maxProperties", (dict,), len, lambda v, n: v <= n),
}
