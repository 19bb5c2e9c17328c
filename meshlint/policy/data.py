"""The Rego data document (data.meshlint) and the inputs a run evaluates, built once per run."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from meshlint.policy.engine import DATA_VERSION
from meshlint.source import RawDocument, Span

# (input index, JSON pointer inside that resource) -> the span to report at
Locator = Callable[[int, str], Span]

_LOCATION_KEYS = ("file", "line")  # added to each resource of data.meshlint, removed for input
_SECRET_FIELDS = frozenset({"data", "stringData"})  # never copied: no secret values in Rego


@dataclass(frozen=True, slots=True)
class PolicyInput:
    """One resource as written, with the file and line its document starts at."""

    document: Mapping[str, Any]
    file: str
    line: int

    @property
    def kind(self) -> str:
        kind = self.document.get("kind")
        return kind if isinstance(kind, str) else ""


def build_data(
    inputs: Sequence[PolicyInput],
    facts: Mapping[str, Any] | None = None,
    kinds: Collection[str] | None = None,
) -> dict[str, Any]:
    """``{"meshlint": {"version", "resources", "index", "facts"}}`` for the whole run.

    ``resources[Kind]`` lists each resource as written (a Secret without its data) plus
    ``file`` and ``line``. Engines evaluate each policy with ``input`` = such an entry minus
    ``file`` and ``line``, so the inputs travel to an engine once, inside the data.
    ``index[Kind][namespace][name]`` is the position in that list (namespace "" when the YAML has
    none): policies look resources up by key instead of building a set per evaluation, which
    would cost O(resources) on every input. ``facts`` is passed through unchanged (JSON-safe).
    ``kinds`` (None: all) keeps only those kinds, each with all its resources, so positions in
    ``resources[kind]`` stay those of the full input.
    """
    resources: dict[str, list[dict[str, Any]]] = {}
    index: dict[str, dict[str, dict[str, int]]] = {}
    for item in inputs:
        if kinds is not None and item.kind not in kinds:
            continue
        entry = _entry(item)
        entry["file"] = item.file
        entry["line"] = item.line
        listed = resources.setdefault(item.kind, [])
        namespace, name = _identity(item.document)
        index.setdefault(item.kind, {}).setdefault(namespace, {}).setdefault(name, len(listed))
        listed.append(entry)
    meshlint = {
        "version": DATA_VERSION,
        "resources": resources,
        "index": index,
        "facts": dict(facts or {}),
    }
    return {"meshlint": meshlint}


def dumps(value: Any) -> str:
    """Compact JSON of the data document, whatever YAML produced.

    Values JSON has no type for (a YAML date) become text; a non-string key or a NaN (legal
    YAML, not JSON) sends the whole value through ``json_safe`` instead of failing the run.
    """
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False, default=str)
    except (TypeError, ValueError):
        return json.dumps(json_safe(value), separators=(",", ":"), allow_nan=False)


def json_safe(value: Any) -> Any:
    """``value`` with mapping keys as strings, non-finite numbers and other types as text."""
    if isinstance(value, dict):
        return {_key(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def _entry(item: PolicyInput) -> dict[str, Any]:
    skipped = _SECRET_FIELDS if item.kind == "Secret" else frozenset()
    skipped = skipped.union(_LOCATION_KEYS)
    return {key: value for key, value in item.document.items() if key not in skipped}


def positions(kinds: Sequence[str]) -> dict[str, list[int]]:
    """For each kind, the run-wide input index of each entry of ``resources[kind]``."""
    table: dict[str, list[int]] = {}
    for index, kind in enumerate(kinds):
        table.setdefault(kind, []).append(index)
    return table


def _identity(document: Mapping[str, Any]) -> tuple[str, str]:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return "", ""
    return str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def from_documents(documents: Sequence[RawDocument]) -> tuple[list[PolicyInput], Locator]:
    """Inputs for loaded documents, and the span lookup that resolves pointers in them."""
    inputs = [PolicyInput(doc.data, doc.path, doc.source.origin.line) for doc in documents]

    def locate(index: int, pointer: str) -> Span:
        source = documents[index].source
        # a result without a pointer is reported at the document start: no span table needed
        return source.span(pointer) if pointer else source.origin

    return inputs, locate
