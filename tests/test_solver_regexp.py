"""RE2 -> z3 translation: the modelled subset agrees with RE2 full match; the rest is refused."""

from __future__ import annotations

import pytest
import re2
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from meshlint.solver.charset import DIGITS, complement, single, union
from meshlint.solver.regexp import (
    Alt,
    Cat,
    Chars,
    Repeat,
    Unsupported,
    literal_prefix,
    parse,
    prefix_form,
    sample,
)
from meshlint.solver.z3env import lit, max_char
from meshlint.solver.z3regex import to_z3

SUPPORTED = [
    r"/api/v[0-9]+",
    r"\d{2,3}",
    r"[^a-c]*x",
    r"(foo|bar)?baz",
    r"a{2}",
    r"a{,2}",
    r"a{2,}b",
    r"\.\w+\s?",
    r"(?:ab)+",
    r"(?P<n>x)y",
    r"(?<n>x)y",
    r"a*?b",
    r"^/x$",
    r"[]a]+",
    r"[a-]",
    r"[-a]",
    r"\x41\x{42}",
    r".*",
    r"\/api\/.*",
    r"[\d_]+",
    r"[^\W]+",
    r"\D\S",
    r"a|",
    r"(a|b|)c",
    r"\{\}\[\]",
    r"[.]",
    r"\t\n",
    r"x{0}y",
]
UNSUPPORTED = [
    r"(?i)foo",
    r"\bfoo",
    r"\pL",
    r"a^b",
    r"a$b",
    r"(^a)",
    r"[[:alpha:]]",
    r"(?s).",
    r"\Qa.b\E",
    r"\Afoo",
    r"(a)\1",
    r"*a",
    r"a**",
    r"(",
    r"a{1001}",
    r"x?{1}",
]
ALPHABET = "abcxyz019/ .\n-_AB{},[]\t"


def _matches(pattern: str, text: str) -> bool:
    term = z3.InRe(lit(z3, text), to_z3(parse(pattern), z3, max_char(z3)))
    return bool(z3.is_true(z3.simplify(term)))


def test_parse_builds_the_expected_tree() -> None:
    assert parse("ab") == Cat((Chars(single("a")), Chars(single("b"))))
    assert parse("a|b") == Alt((Chars(single("a")), Chars(single("b"))))
    assert parse(r"\d+") == Repeat(Chars(DIGITS), 1, None)
    assert parse("[^a]") == Chars(complement(single("a")))
    assert parse("[a-cx]") == Chars(union(((97, 99),), single("x")))
    assert parse(".") == Chars(complement(single("\n")))
    assert parse("x{2,5}?") == Repeat(Chars(single("x")), 2, 5)


@pytest.mark.parametrize("pattern", UNSUPPORTED)
def test_unsupported_syntax_is_reported_not_guessed(pattern: str) -> None:
    with pytest.raises(Unsupported):
        parse(pattern)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"/api/.*", "/api/", True),
        (r"/api/.*", "/api", False),
        (r"/api/[0-9]+", "/api/1", True),
        (r"/api/[0-9]+", "/api/", False),
        (r".*", "a\nb", False),
        (r"a{,2}", "a{,2}", True),
        (r"a{,2}", "aa", False),
        (r"\x41\x{42}", "AB", True),
        (r"foo", "xfoox", False),
        (r"\\u\{41\}", "\\u{41}", True),
        (r"\\u\{41\}", "A", False),
    ],
)
def test_full_match_membership(pattern: str, text: str, expected: bool) -> None:
    assert _matches(pattern, text) is expected
    assert (re2.fullmatch(pattern, text) is not None) is expected


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SUPPORTED), st.text(alphabet=ALPHABET, max_size=8))
def test_translation_agrees_with_re2(pattern: str, text: str) -> None:
    assert _matches(pattern, text) is (re2.fullmatch(pattern, text) is not None)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/api/[0-9]+", "/api/0"),
        ("(x|y)z?", "x"),
        (r"\d{3}", "000"),
        ("[^a0/._-]", "!"),
        ("/.*", "/"),
    ],
)
def test_sample_is_a_member(pattern: str, expected: str) -> None:
    assert sample(parse(pattern)) == expected
    assert re2.fullmatch(pattern, expected)


@pytest.mark.parametrize(
    ("pattern", "head", "prefix"),
    [("/api/.*", "/api/", "/api/"), ("/api/[0-9]+", "/api/", None), ("(a|b).*", "", None)],
)
def test_literal_head_and_prefix_form(pattern: str, head: str, prefix: str | None) -> None:
    node = parse(pattern)
    assert (literal_prefix(node), prefix_form(node)) == (head, prefix)


def test_characters_beyond_z3_alphabet_are_unsupported() -> None:
    with pytest.raises(Unsupported):
        to_z3(parse(r"/\x{10000F}"), z3, max_char(z3))
