"""Go-style durations (``1.5s``, ``300ms``, ``1h2m``) as Istio's validation reads them."""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_SIMPLE = re.compile(r"(\d{1,12})(ms|s|m|h)")
MILLISECOND = 1_000_000


def parse_duration(text: str) -> int | None:
    """Nanoseconds for a Go duration string (time.ParseDuration grammar), None if invalid."""
    simple = _SIMPLE.fullmatch(text)
    if simple:  # the common "30s" / "250ms": no fractions needed
        return int(simple.group(1)) * _UNITS[simple.group(2)]
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    if not body:
        return None
    total = Fraction(0)
    position = 0
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            return None
        total += Fraction(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    nanos = int(total)
    return -nanos if text.startswith("-") else nanos


def duration_problem(text: str, *, allow_zero: bool = False) -> str | None:
    """Why ``text`` fails Istio's ValidateDuration (>= 1ms, whole milliseconds), or None."""
    nanos = parse_duration(text)
    if nanos is None:
        return f"{text!r} is not a duration (use Go syntax such as 1.5s, 300ms or 1h2m)"
    if allow_zero and nanos == 0:
        return None
    if nanos < MILLISECOND:
        return f"duration {text} is shorter than the 1ms minimum"
    if nanos % MILLISECOND:
        return f"duration {text} is not a whole number of milliseconds"
    return None
