"""Defensive access to raw YAML values: wrong shapes read as empty, never raise."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

EMPTY: Mapping[str, Any] = {}


def as_map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else EMPTY


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: object) -> int | None:
    """An integer value (a YAML bool is not a number)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def strings(value: object, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, text) for every string entry of a list."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, str):
            yield f"{pointer}/{index}", item


def maps(value: object, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, mapping) for every mapping entry of a list."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield f"{pointer}/{index}", item


def present(mapping: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` is set to something other than null / empty."""
    value = mapping.get(key)
    return value is not None and not (isinstance(value, list | dict | str) and not value)
