"""Structural validation of raw documents against the per-kind schemas (MESH003-MESH006)."""

from __future__ import annotations

from meshlint.schema.store import KindSchema, SchemaValidator
from meshlint.schema.validate import Validator, validate_documents

__all__ = ["KindSchema", "SchemaValidator", "Validator", "validate_documents"]
