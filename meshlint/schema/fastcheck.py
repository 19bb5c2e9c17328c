"""A fast yes/no JSON Schema check compiled into closures.

It answers only "certainly valid?"; any document it does not accept goes to the full
``jsonschema`` validator, which produces the messages. So it may be stricter than
``jsonschema`` (unsupported keywords reject everything) but never more lenient.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from meshlint.schema.fastcheck_keywords import (
    ANNOTATIONS,
    BUILDERS,
    OBJECT_KEYWORDS,
    Check,
    Compiled,
    SchemaCompiler,
    all_of,
    always,
    never,
    object_keywords,
)

_FUSABLE = {
    "object": frozenset({"type", "properties", "additionalProperties", "required"}),
    "array": frozenset({"type", "items"}),
}


def fusable(schema: Mapping[str, Any]) -> str | None:
    """The plain kind ("object" or "array") of a schema that one closure can check, or None."""
    kind = schema.get("type")
    allowed = _FUSABLE.get(kind) if isinstance(kind, str) else None
    keywords = [k for k in schema if k not in ANNOTATIONS and not k.startswith("x-")]
    return kind if allowed is not None and allowed.issuperset(keywords) else None


def fused(compiler: SchemaCompiler, schema: Mapping[str, Any]) -> Compiled | None:
    """One closure for the common plain object and array schemas."""
    kind = fusable(schema)
    if kind is None:
        return None
    if kind == "array":
        item, exact = compiler.compile(schema.get("items", True))
        return _array_of(item), exact
    raw_props = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(raw_props, dict) or not isinstance(required, list):
        return None
    props = {k: compiler.compile(s) for k, s in raw_props.items()}
    extra, extra_exact = compiler.compile(schema.get("additionalProperties", True))
    checks = {k: c for k, (c, _) in props.items()}
    exact = extra_exact and all(e for _, e in props.values())
    return _object_of(checks, extra, tuple(required)), exact


def _array_of(item: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return False
        for one in value:  # noqa: SIM110 - a plain loop is measurably faster than all(genexpr)
            if not item(one):
                return False
        return True

    return check


def _object_of(props: dict[str, Check], extra: Check, required: tuple[str, ...]) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for key, item in value.items():
            if not (isinstance(key, str) and props.get(key, extra)(item)):
                return False
        for name in required:  # noqa: SIM110 - see above
            if name not in value:
                return False
        return True

    return check


class Compiler:
    """Compiles one root schema; ``$ref``s are resolved within it and compiled once."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._refs: dict[str, Compiled] = {}
        self._pending: set[str] = set()
        self._memo: dict[int, Compiled] = {}  # by id(): every node lives as long as ``root``

    def compile(self, schema: object) -> Compiled:
        if schema is True:
            return always, True
        if not isinstance(schema, dict):
            return never, schema is False
        if id(schema) not in self._memo:
            self._memo[id(schema)] = self._compile(schema)
        return self._memo[id(schema)]

    def _compile(self, schema: Mapping[str, Any]) -> Compiled:
        combined = fused(self, schema)
        if combined is not None:
            return combined
        parts: list[Compiled] = []
        if OBJECT_KEYWORDS.intersection(schema):
            parts.append(object_keywords(self, schema))
        for keyword in schema:
            if keyword in ANNOTATIONS or keyword.startswith("x-") or keyword in OBJECT_KEYWORDS:
                continue
            if keyword == "$ref":
                parts.append(self.ref(schema))
                continue
            builder = BUILDERS.get(keyword)
            if builder is None:
                return never, False
            parts.append(builder(self, schema))
        return all_of([c for c, _ in parts]), all(exact for _, exact in parts)

    def ref(self, schema: Mapping[str, Any]) -> Compiled:
        target = schema["$ref"]
        if target in self._refs:
            return self._refs[target]
        if target in self._pending:

            def indirect(value: Any) -> bool:  # the target is still being compiled
                return self._refs[target][0](value)

            return indirect, False
        resolved = self.resolve(target)
        if resolved is None:
            return never, False
        self._pending.add(target)
        self._refs[target] = self.compile(resolved)
        self._pending.discard(target)
        return self._refs[target]

    def resolve(self, target: object) -> object:
        """The schema a local ``$ref`` ("#/$defs/X") points to, or None."""
        if not isinstance(target, str) or not target.startswith("#"):
            return None
        node: object = self._root
        for token in target[1:].split("/")[1:]:
            key = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def many(self, schemas: object) -> list[Compiled]:
        return [self.compile(s) for s in schemas] if isinstance(schemas, list) else []


def compile_schema(root: Mapping[str, Any]) -> Check:
    """A check that returns True only for instances ``root`` certainly accepts."""
    return Compiler(root).compile(root)[0]


MAX_REF_HOPS = 32
Path = tuple[str | int, ...]


class Narrower:
    """Finds the smallest parts of a rejected document to hand to ``jsonschema``.

    It descends through plain object and array schemas while the fast check says which
    child fails, so the slow, message-producing validator sees only the failing subtree.
    """

    def __init__(self, compiler: Compiler) -> None:
        self._compiler = compiler

    def parts(self, schema: object, instance: Any, path: Path = ()) -> list[tuple[Path, Any, Any]]:
        """(path, sub-schema, sub-instance) for each place the fast check rejects."""
        node = self._deref(schema)
        kind = fusable(node) if isinstance(node, dict) else None
        if kind == "object" and isinstance(instance, dict) and isinstance(node, dict):
            return self._object_parts(node, instance, path)
        if kind == "array" and isinstance(instance, list) and isinstance(node, dict):
            items = node.get("items", True)
            failing = [(i, v) for i, v in enumerate(instance) if not self._ok(items, v)]
            return [p for i, v in failing for p in self.parts(items, v, (*path, i))]
        return [(path, node, instance)]

    def _object_parts(
        self, node: Mapping[str, Any], instance: dict[Any, Any], path: Path
    ) -> list[tuple[Path, Any, Any]]:
        props = node.get("properties") or {}
        extra = node.get("additionalProperties", True)
        unknown = any(
            not isinstance(k, str) or (k not in props and extra is False) for k in instance
        )
        required = node.get("required") or []
        if unknown or any(name not in instance for name in required):
            return [(path, node, instance)]
        return [
            part
            for key, value in instance.items()
            if not self._ok(props.get(key, extra), value)
            for part in self.parts(props.get(key, extra), value, (*path, key))
        ]

    def _ok(self, schema: object, value: Any) -> bool:
        return self._compiler.compile(schema)[0](value)

    def _deref(self, schema: object) -> object:
        """Follow schemas that are only a ``$ref`` (plus annotations)."""
        for _ in range(MAX_REF_HOPS):
            if not isinstance(schema, dict) or set(schema) - ANNOTATIONS != {"$ref"}:
                return schema
            target = self._compiler.resolve(schema["$ref"])
            if target is None:
                return schema
            schema = target
        return schema
