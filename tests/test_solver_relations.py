"""Syntactic implication and disjointness: unit cases plus a property check on concrete values."""

from __future__ import annotations

import itertools

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from meshlint.solver import StrCond, absent, exact, prefix, present, regex, without
from meshlint.solver.regexp import heads, parse
from meshlint.solver.relations import disjoint, finite_values, implies


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (prefix("/api/v1"), prefix("/api"), True),
        (prefix("/api"), prefix("/api/v1"), False),
        (exact("/a"), prefix("/a"), True),
        (prefix("/a"), exact("/a"), False),
        (regex("/api/.*"), prefix("/api/"), True),
        (prefix("/api/"), regex("/api/.*"), True),
        (regex("/api/[0-9]+"), prefix("/api/"), True),
        (prefix("/api/1"), regex("/api/[0-9]+"), False),
        (exact("/login"), regex("/(login|logout)"), True),
        (regex("/(login|logout)"), exact("/login"), False),
        (exact("/x"), present(), True),
        (absent(), present(), False),
        (exact("/API", ignore_case=True), prefix("/api"), False),
        (exact("/API", ignore_case=True), prefix("/a", ignore_case=True), True),
        (exact("/1", ignore_case=True), prefix("/1"), True),
        (without(exact("a")), without(exact("a")), True),
        (without(exact("a")), without(exact("b")), False),
    ],
)
def test_implies(a: StrCond, b: StrCond, expected: bool) -> None:
    assert implies(a, b) is expected


def test_uri_prefix_slash_is_implied_by_anything() -> None:
    assert implies(None, prefix("/"), uri=True)
    assert not implies(None, prefix("/"))


def test_query_values_may_hold_newlines() -> None:
    assert implies(prefix("a"), regex("a.*"))
    assert not implies(prefix("a"), regex("a.*"), newline_free=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (exact("/a"), exact("/b"), True),
        (exact("/a"), exact("/a"), False),
        (prefix("/static/"), regex("/(login|logout)"), True),
        (prefix("/lo"), regex("/(login|logout)"), False),
        (regex("/api/[0-9]+"), prefix("/health"), True),
        (regex("/v[12]/x"), exact("/v3/x"), True),
        (exact("/A"), exact("/a", ignore_case=True), False),
        (absent(), exact("1"), True),
        (absent(), present(), True),
        (present(), exact(""), False),
        (without(exact("a")), exact("a"), False),
    ],
)
def test_disjoint(a: StrCond, b: StrCond, expected: bool) -> None:
    assert disjoint(a, b) is expected
    assert disjoint(b, a) is expected


def test_heads_and_finite_values() -> None:
    assert heads(parse("/a?b")) == frozenset({("/ab", True), ("/b", True)})
    assert heads(parse("/api/[0-9]+")) == frozenset({("/api/", False)})
    assert finite_values(regex("/(login|logout)")) == ["/login", "/logout"]
    assert finite_values(regex("/x.*")) is None


CONDS = [
    exact("a"),
    exact("ab"),
    exact("A", ignore_case=True),
    prefix("a"),
    prefix("ab"),
    prefix("A", ignore_case=True),
    regex("a.*"),
    regex("a[bc]"),
    regex("(a|b)c?"),
    regex("a?b+"),
    regex("[a-c]{2}"),
    present(),
    absent(),
    without(exact("a")),
    without(prefix("a")),
]
VALUES = [None, *("".join(p) for n in range(4) for p in itertools.product("abAc", repeat=n))]


def _holds(cond: StrCond, value: str | None) -> bool:
    if cond.kind.value == "present":
        return value is not None
    if cond.kind.value == "absent":
        return value is None
    text = "" if value is None else value
    wanted = cond.value
    if cond.ignore_case:
        text, wanted = text.lower(), wanted.lower()
    if cond.kind.value == "exact":
        hit = text == wanted
    elif cond.kind.value == "prefix":
        hit = text.startswith(wanted)
    else:
        hit = re2.fullmatch(wanted, text) is not None
    if cond.inverted:
        return not hit
    return value is not None and hit


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CONDS), st.sampled_from(CONDS))
def test_relations_hold_on_values(a: StrCond, b: StrCond) -> None:
    if implies(a, b):
        assert all(_holds(b, v) for v in VALUES if _holds(a, v))
    if disjoint(a, b):
        assert not any(_holds(a, v) and _holds(b, v) for v in VALUES)
