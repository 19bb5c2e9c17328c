"""HTTPMatchRequest checks: string matches, regexes, header keys, ports, selectors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_map, as_str, maps, strings
from meshlint.schema.common import dns_label, label_map, port
from meshlint.schema.issues import Issue, bad_regex, invalid
from meshlint.schema.names import gateway_name_problem
from meshlint.schema.regex import regex_problem
from meshlint.source import join_pointer

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PSEUDO = frozenset({":method", ":scheme", ":authority", ":path", ":status"})
_CLAIM = re.compile(r"@request\.auth\.claims(\.[^.\[\]]+|(\[[^\[\]]+\])+)")
_VALUE_MAPS = frozenset({"headers", "queryParams", "withoutHeaders"})
_STRING_MATCHES = frozenset({"uri", "scheme", "method", "authority"})


def string_match(
    value: object, pointer: str, field: str, *, uri: bool = False, star_ok: bool = False
) -> Iterator[Issue]:
    """validateStringMatch: no empty prefix (except uri), a valid non-empty RE2 regex."""
    match = as_map(value)
    if not uri and match.get("prefix") == "":
        yield invalid(f"{pointer}/prefix", f"{field}: prefix must not be empty")
    regex = as_str(match.get("regex"))
    problem = None if regex is None else regex_problem(regex, star_means_absent=star_ok)
    if problem:
        yield bad_regex(f"{pointer}/regex", f"{field}: {problem}")


def gateway_names(value: object, pointer: str) -> Iterator[Issue]:
    for at, name in strings(value, pointer):
        problem = gateway_name_problem(name)
        if problem:
            yield invalid(at, problem)


def http_matches(value: object, pointer: str, *, gateway_only: bool) -> Iterator[Issue]:
    for at, match in maps(value, pointer):
        for field, item in match.items():
            if isinstance(field, str):
                yield from _match_field(match, at, field, item, gateway_only)


def _match_field(
    match: Mapping[str, Any], at: str, field: str, value: object, gateway_only: bool
) -> Iterator[Issue]:
    where = f"{at}/{field}"
    if field in _STRING_MATCHES:
        yield from string_match(value, where, field, uri=field == "uri")
    elif field in _VALUE_MAPS:
        yield from _value_map(match, where, field, gateway_only)
    elif field == "port":
        yield from port(value, where, zero_unset=True)
    elif field == "sourceLabels":
        yield from label_map(value, where)
    elif field == "sourceNamespace":
        yield from dns_label(match, at, field, field)
    elif field == "gateways":
        yield from gateway_names(value, where)


def _value_map(
    match: Mapping[str, Any], pointer: str, field: str, gateway_only: bool
) -> Iterator[Issue]:
    for key, value in as_map(match.get(field)).items():
        at = join_pointer(pointer, key)
        if field != "queryParams":
            yield from _header_key(str(key), at, gateway_only)
            if value is None:
                yield invalid(at, f"{field} match for {key!r} must not be null")
        name = f"{field}[{key}]"
        yield from string_match(value, at, name, star_ok=field == "withoutHeaders")


def _header_key(key: str, pointer: str, gateway_only: bool) -> Iterator[Issue]:
    if key.startswith("@request.auth.claims"):
        if not _CLAIM.fullmatch(key):
            yield invalid(pointer, f"JWT claim key {key!r} is malformed", on_key=True)
        elif not gateway_only:
            text = f"JWT claim match {key!r} is only allowed for gateway-only VirtualServices"
            yield invalid(pointer, text, on_key=True)
    elif key not in _PSEUDO and not _TOKEN.fullmatch(key):
        yield invalid(pointer, f"header name {key!r} is not a valid HTTP header name", on_key=True)
