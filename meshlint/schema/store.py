"""Per-kind JSON Schemas, loaded from package data and compiled once per run."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from meshlint.resources import data_dir
from meshlint.schema.deprecations import Node, deprecated_fields, deprecation_tree
from meshlint.schema.fastcheck import Compiler, Narrower
from meshlint.schema.fastcheck_keywords import Check
from meshlint.schema.issues import Issue
from meshlint.schema.schema_errors import schema_issues, schema_names

if TYPE_CHECKING:
    from jsonschema.protocols import Validator as JsonSchemaValidator


class KindSchema:
    """One kind's schema: a fast yes/no check, the full validator, and its deprecations.

    ``jsonschema`` is imported and its validator built only when a document fails the fast
    check, so a clean run never pays for it.
    """

    def __init__(self, kind: str, schema: dict[str, Any]) -> None:
        compiler = Compiler(schema)
        self.kind = kind
        self.schema = schema
        self.fast: Check = compiler.compile(schema)[0]
        self.narrower = Narrower(compiler)
        self.deprecations: Node = deprecation_tree(schema)
        self.names = schema_names(schema)
        self._full: JsonSchemaValidator | None = None

    @property
    def full(self) -> JsonSchemaValidator:
        if self._full is None:
            from jsonschema.validators import validator_for

            self._full = validator_for(self.schema)(self.schema)
        return self._full

    def issues(self, data: Any) -> list[Issue]:
        found: list[Issue] = []
        if not self.fast(data):
            parts = self.narrower.parts(self.schema, data)
            found.extend(schema_issues(self.full, parts, self.names))
        found.extend(deprecated_fields(self.deprecations, data))
        return found


class SchemaValidator:
    """Loads ``schemas/kinds/<Kind>.json`` on first use; a kind without a schema is skipped."""

    def __init__(self, schemas: dict[str, dict[str, Any]] | None = None) -> None:
        self._given = schemas
        self._compiled: dict[str, KindSchema | None] = {}

    def for_kind(self, kind: str) -> KindSchema | None:
        if kind not in self._compiled:
            schema = self._load(kind)
            self._compiled[kind] = None if schema is None else KindSchema(kind, schema)
        return self._compiled[kind]

    def _load(self, kind: str) -> dict[str, Any] | None:
        if self._given is not None:
            return self._given.get(kind)
        path = data_dir("schemas") / "kinds" / f"{kind}.json"
        if not path.is_file():
            return None
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return loaded if isinstance(loaded, dict) else None

    def issues(self, kind: str, data: Any) -> list[Issue]:
        compiled = self.for_kind(kind)
        return [] if compiled is None else compiled.issues(data)
