"""Building blocks of schema validation: suggestions, durations, names, RE2 regexes."""

from __future__ import annotations

import pytest

from meshlint.schema.durations import duration_problem, parse_duration
from meshlint.schema.names import (
    gateway_name_problem,
    hosts_overlap,
    label_key_problem,
    label_value_problem,
    namespaced_host_problem,
    wildcard_domain_problem,
)
from meshlint.schema.regex import regex_problem
from meshlint.schema.suggest import distance, suggest

FIELDS = ["destination", "headers", "weight", "subset", "host", "port", "exportTo"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("wieght", "weight"),
        ("subet", "subset"),
        ("destinaton", "destination"),
        ("exportto", "exportTo"),
        ("export_to", "exportTo"),
        ("Host", "host"),
        ("xyzzy", None),
        ("", None),
    ],
)
def test_suggest(word: str, expected: str | None) -> None:
    assert suggest(word, FIELDS) == expected


@pytest.mark.parametrize(
    ("a", "b", "d"), [("ab", "ba", 1), ("kitten", "sitting", 3), ("", "ab", 2)]
)
def test_distance_counts_adjacent_swaps_once(a: str, b: str, d: int) -> None:
    assert distance(a, b) == d


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("1ms", 1_000_000),
        ("1.5s", 1_500_000_000),
        ("300ms", 300_000_000),
        ("1h2m", 3_720_000_000_000),
        ("2us", 2_000),
        ("0", 0),
        ("10", None),
        ("1x", None),
        ("", None),
        ("s", None),
    ],
)
def test_parse_duration(text: str, nanos: int | None) -> None:
    assert parse_duration(text) == nanos


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1ms", True),
        ("1h", True),
        ("0.5ms", False),
        ("0s", False),
        ("1500us", False),
        ("10", False),
    ],
)
def test_validate_duration(text: str, ok: bool) -> None:
    assert (duration_problem(text) is None) is ok


def test_zero_is_allowed_only_where_istio_allows_it() -> None:
    assert duration_problem("0s", allow_zero=True) is None
    assert duration_problem("0s") == "duration 0s is shorter than the 1ms minimum"


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("*.example.com", True),
        ("*", True),
        ("reviews", True),
        ("*-svc.example.com", True),
        ("istio.io.", True),
        ("UPPER.example.com", True),
        ("foo.*.com", False),
        ("foo*.com", False),
        ("foo.123", False),
        ("-bad.com", False),
        ("", False),
        ("a" * 64 + ".com", False),
    ],
)
def test_wildcard_domain(host: str, ok: bool) -> None:
    assert (wildcard_domain_problem(host) is None) is ok


@pytest.mark.parametrize(
    ("entry", "gateway", "ok"),
    [
        ("*.example.com", True, True),
        ("shop/a.example.com", True, True),
        ("./a.example.com", True, True),
        ("*", True, True),
        ("10.0.0.1", True, True),
        ("reviews", True, False),
        ("*foo.com", True, False),
        ("Bad_NS/a.com", True, False),
        ("shop/reviews.shop.svc.cluster.local", False, True),
        ("*/*", False, True),
        ("~/*", False, True),
        ("~shop/a.com", False, True),
        ("shop/reviews", False, False),
        ("a.com", False, False),
        ("/a.com", False, False),
    ],
)
def test_namespaced_hosts(entry: str, gateway: bool, ok: bool) -> None:
    assert (namespaced_host_problem(entry, gateway=gateway) is None) is ok


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("mesh", True),
        ("my-gw", True),
        ("shop/gw", True),
        ("gw.shop.svc.cluster.local", True),
        ("./gw", False),
        ("shop/gw.x", False),
        ("shop/", False),
    ],
)
def test_gateway_names(name: str, ok: bool) -> None:
    assert (gateway_name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("key", "ok"),
    [("app", True), ("app.kubernetes.io/name", True), ("a b", False), ("-x", False), ("/x", False)],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert (label_key_problem(key) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [("", True), ("v1.2_a", True), ("a b", False)])
def test_label_values(value: str, ok: bool) -> None:
    assert (label_value_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("a.foo.com", "a.foo.com", True),
        ("*.foo.com", "*.com", True),
        ("*", "x.com", True),
        ("*.foo.com", "foo.com", False),
        ("a.com", "b.com", False),
    ],
)
def test_hosts_overlap(a: str, b: str, overlap: bool) -> None:
    assert hosts_overlap(a, b) is overlap


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("(?=x)", "invalid perl operator"),
        ("(a)\\1", "invalid escape sequence"),
        ("*", "no argument for repetition operator"),
        ("", "must not be empty"),
        ("a" * 1025, "over the 1024 limit"),
    ],
)
def test_invalid_regex(pattern: str, fragment: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize("pattern", [".*", "^/api/v[0-9]+$", "a" * 1024, "(?P<n>x)"])
def test_valid_regex(pattern: str) -> None:
    assert regex_problem(pattern) is None


def test_star_means_absent_only_where_allowed() -> None:
    assert regex_problem("*", star_means_absent=True) is None
