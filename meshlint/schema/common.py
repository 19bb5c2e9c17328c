"""Checks shared by several kinds: ports, durations, exportTo, selectors, label maps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_list, as_map, as_number, as_str, strings
from meshlint.schema.durations import duration_problem
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_label, label_key_problem, label_value_problem
from meshlint.source import join_pointer

MAX_PORT = 65535


def port(
    value: object, pointer: str, what: str = "port", *, zero_unset: bool = False
) -> Iterator[Issue]:
    """A port number in 1-65535; ``zero_unset`` where 0 is proto3's "not set" (selectors)."""
    number = as_int(value)
    if number is not None and not 1 <= number <= MAX_PORT and not (zero_unset and number == 0):
        yield invalid(pointer, f"{what} {number} is outside 1-{MAX_PORT}")


def duration(
    mapping: Mapping[str, Any], pointer: str, key: str, *, allow_zero: bool = False
) -> Iterator[Issue]:
    """ValidateDuration: >= 1ms and whole milliseconds (``allow_zero`` also accepts 0s)."""
    text = as_str(mapping.get(key))
    problem = None if text is None else duration_problem(text, allow_zero=allow_zero)
    if problem:
        yield invalid(join_pointer(pointer, key), f"{key}: {problem}")


def percentage(
    mapping: Mapping[str, Any], pointer: str, key: str = "percentage"
) -> Iterator[Issue]:
    """validatePercentage: 0, or within [0.0001, 100]."""
    value = as_number(as_map(mapping.get(key)).get("value"))
    if value is not None and (value < 0 or value > 100 or 0 < value < 0.0001):
        at = join_pointer(pointer, key, "value")
        yield invalid(at, f"{key} {value:g} must be 0 or between 0.0001 and 100")


def dns_label(mapping: Mapping[str, Any], pointer: str, key: str, what: str) -> Iterator[Issue]:
    text = as_str(mapping.get(key))
    if text is not None and not is_label(text):
        yield invalid(join_pointer(pointer, key), f"{what} {text!r} is not a DNS-1123 label")


def label_map(value: object, pointer: str) -> Iterator[Issue]:
    """Kubernetes label syntax for every key and value of a label map."""
    for key, text in as_map(value).items():
        problem = label_key_problem(str(key))
        if problem:
            yield invalid(join_pointer(pointer, key), problem, on_key=True)
        if isinstance(text, str) and (problem := label_value_problem(text)):
            yield invalid(join_pointer(pointer, key), problem)


def selector_labels(value: object, pointer: str) -> Iterator[Issue]:
    """validateWorkloadSelector: no empty key, no '*' in a key or value."""
    for key, text in as_map(value).items():
        at = join_pointer(pointer, key)
        if key == "" or "*" in str(key):
            yield invalid(
                at, f"selector label key {key!r} must be non-empty without '*'", on_key=True
            )
        elif isinstance(text, str) and "*" in text:
            yield invalid(at, f"selector label {key} has a wildcard value {text!r}")


def export_to(
    spec: Mapping[str, Any], pointer: str, namespace: str | None, *, service_entry: bool = False
) -> Iterator[Issue]:
    """validateExportTo: '.', '*', namespaces ('~' alone for ServiceEntry), no duplicates."""
    at = f"{pointer}/exportTo"
    entries = list(strings(spec.get("exportTo"), at))
    seen: set[str] = set()
    for entry_at, entry in entries:
        key = namespace if entry == "." and namespace else entry
        if key in seen:
            yield invalid(entry_at, f"duplicate exportTo entry {entry!r}")
        elif entry == "~" and not service_entry:
            yield invalid(entry_at, "exportTo '~' (no namespace) is only allowed for ServiceEntry")
        elif entry not in {".", "*", "~"} and not is_label(entry):
            yield invalid(entry_at, f"exportTo {entry!r} is not '.', '*' or a namespace name")
        seen.add(key)
    for special in ("*", "~"):
        if special in seen and len(as_list(spec.get("exportTo"))) > 1:
            yield invalid(at, f"exportTo {special!r} cannot be combined with other entries")


def metadata_namespace(data: Mapping[str, Any]) -> str | None:
    return as_str(as_map(data.get("metadata")).get("namespace"))
