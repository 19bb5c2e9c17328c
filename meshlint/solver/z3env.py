"""Lazy access to z3 (untyped, ~60 ms to import): the only place the module is loaded."""

from __future__ import annotations

from typing import Any

# z3 ships without type information; its terms are plain ``Any`` values in this package.
Z3 = Any
Term = Any


def load() -> Z3:
    import z3

    return z3


def max_char(z3: Z3) -> int:
    """The largest code point z3's string theory models (0x2FFFF in unicode mode)."""
    return 0x2FFFF if z3.get_param("encoding") == "unicode" else 0xFF


def lit(z3: Z3, text: str) -> Term:
    """A z3 string constant for ``text``; z3 would read a literal ``\\u{..}`` as an escape."""
    escaped = "".join(c if " " <= c <= "~" and c != "\\" else f"\\u{{{ord(c):x}}}" for c in text)
    return z3.StringVal(escaped)


def decode(z3: Z3, model: Term, term: Term) -> str:
    """The value of a string term in ``model``, code point by code point (no escape guessing)."""
    value = model.eval(term, model_completion=True)
    length = model.eval(z3.Length(value)).as_long()
    codes = (model.eval(z3.StrToCode(z3.SubString(value, i, 1))).as_long() for i in range(length))
    return "".join(chr(code) for code in codes)


def solver(z3: Z3, timeout_ms: int) -> Term:
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    return s
