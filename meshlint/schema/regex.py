"""RE2 regular expressions as Envoy compiles them; the only importer of google-re2."""

from __future__ import annotations

MAX_REGEX = 1024


def re2_error(pattern: str) -> str | None:
    """RE2's error text when ``pattern`` does not compile, else None."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error as error:
        detail = error.args[0] if error.args else error
        return detail.decode() if isinstance(detail, bytes) else str(detail)
    return None


def regex_problem(pattern: str, *, star_means_absent: bool = False) -> str | None:
    """Why Istio rejects ``pattern`` as a StringMatch / CORS / rewrite regex, or None."""
    if pattern == "":
        return "regex must not be empty"
    if star_means_absent and pattern == "*":
        return None
    if len(pattern) > MAX_REGEX:
        return f"regex is {len(pattern)} characters long, over the {MAX_REGEX} limit"
    error = re2_error(pattern)
    return f"regex {pattern!r} is not valid RE2: {error}" if error else None
